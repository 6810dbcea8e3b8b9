//! Proof against the outside world: captures generated here are decoded by Debian's gr-gsm
//! (`grgsm_decode`, an independent receiver), and the L2 blocks it prints must equal, byte for
//! byte, the SI1-SI4 that osmo-bsc generated for the same configuration (shared Osmocom truth).
//! Skipped with a note when gr-gsm or the shared tools folder is absent.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cellsentry_synth::Scenario;
use common::*;
use num_complex::Complex32;

const RATE: f64 = 1_625_000.0 / 6.0 * 4.0;

/// gr-gsm runs one at a time: two GNU Radio flowgraphs in parallel on a 2-core machine starve
/// each other (and both send GSMTAP to the same port).
static GRGSM_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn grgsm_wrapper() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("grgsm_decode").is_file()))
        .unwrap_or(false);
    let w = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/grgsm-decode");
    if !on_path || !w.is_file() {
        eprintln!(
            "NOTE: grgsm_decode or shared/tools/grgsm-decode not found; gr-gsm check skipped"
        );
        return None;
    }
    Some(w)
}

/// Runs gr-gsm on a cf32 file; returns (fn, hex) of every block it printed.
fn grgsm_decode(
    wrapper: &Path,
    samples: &[Complex32],
    rate_sps: &str,
    arfcn: u16,
) -> Vec<(u32, String)> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.cf32");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&f).unwrap());
    for c in samples {
        w.write_all(&c.re.to_le_bytes()).unwrap();
        w.write_all(&c.im.to_le_bytes()).unwrap();
    }
    drop(w);
    let _guard = GRGSM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // Run the wrapper itself: its shebang names the system Python that has the GNU Radio
    // modules (a `python3` first on PATH, e.g. a pyenv one, may not). GNU Radio occasionally
    // fails to start on a loaded machine: one retry.
    let mut text = String::new();
    for attempt in 0..2 {
        let out = Command::new(wrapper)
            .args(["-c", f.to_str().unwrap(), "-s", rate_sps, "-a"])
            .arg(arfcn.to_string())
            .args(["-m", "BCCH_SDCCH4", "-t", "0", "-v"])
            .output()
            .unwrap();
        text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            break;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(4).collect();
        eprintln!("gr-gsm attempt {attempt} failed ({}): {tail:?}", out.status);
    }
    let mut blocks = Vec::new();
    for line in text.lines() {
        let Some((head, data)) = line.split_once(':') else {
            continue;
        };
        let mut h = head.split_whitespace();
        let (Some(fn_), Some(_), None) = (h.next(), h.next(), h.next()) else {
            continue;
        };
        let Ok(fn_) = fn_.parse::<u32>() else {
            continue;
        };
        let hex: String = data.split_whitespace().collect();
        if hex.len() == 46 {
            blocks.push((fn_, hex));
        }
    }
    blocks
}

fn check(scenario: &Scenario, truth_file: &str, arfcn: u16) {
    let n = (scenario.duration_s * scenario.sample_rate_hz) as usize;
    let (x, r) = render(scenario, scenario.center_freq_hz, n);
    let cell = r
        .rendered_cells()
        .iter()
        .find(|c| c.offset_hz.abs() < 1.0)
        .unwrap();
    let ours: Vec<(String, String)> = cell
        .si_blocks
        .iter()
        .map(|(k, b)| (k.clone(), hex(b)))
        .collect();
    let truth = truth_si(truth_file);
    assert_eq!(&ours[..4], &truth[..], "generated SI1-SI4 equal osmo-bsc's");

    // Our own receiver, as a second opinion (the gr-gsm agreement below is the proof).
    let dec = cellsentry_gsm::decode_all(&x, scenario.sample_rate_hz).unwrap();
    let own: Vec<String> = dec.blocks().map(|b| hex(&b.bytes)).collect();
    for (k, h) in &truth {
        assert!(own.contains(h), "cellsentry-gsm did not decode {k}");
    }
    eprintln!(
        "cellsentry-gsm: {} blocks, freq offset {:?} Hz",
        own.len(),
        dec.measurement.freq_offset_hz
    );

    let Some(w) = grgsm_wrapper() else {
        return;
    };
    let rate_arg = format!("{:.7}", scenario.sample_rate_hz);
    let blocks = grgsm_decode(&w, &x, &rate_arg, arfcn);
    let bcch: Vec<&(u32, String)> = blocks.iter().filter(|(f, _)| f % 51 == 2).collect();
    eprintln!(
        "gr-gsm decoded {} blocks, {} on BCCH",
        blocks.len(),
        bcch.len()
    );
    for (k, h) in &truth {
        let count = bcch.iter().filter(|(_, b)| b == h).count();
        eprintln!("gr-gsm {k}: {count} byte-identical");
        assert!(count >= 1, "gr-gsm did not print {k} {h}");
    }
    for (f, b) in &bcch {
        assert!(
            truth.iter().any(|(_, h)| h == b),
            "gr-gsm BCCH block at FN {f} is not one of ours: {b}"
        );
    }
    // TS 45.002 6.3.1.3: SI type by TC = (FN div 51) mod 8.
    for (f, b) in &bcch {
        let tc = (f / 51) % 8;
        let want = match tc {
            0 => "SI1",
            1 | 4 | 5 => "SI2",
            2 | 6 => "SI3",
            _ => "SI4",
        };
        let got = truth.iter().find(|(_, h)| h == b).map(|(k, _)| k.as_str());
        assert_eq!(got, Some(want), "FN {f} TC {tc}");
    }
    let idle = blocks
        .iter()
        .filter(|(_, b)| b == "1506210001f02b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b")
        .count();
    assert!(idle >= 10, "paging filler blocks: {idle}");
}

#[test]
fn osmocom_default_decodes_in_grgsm_byte_for_byte() {
    let mut s = load("osmocom_default.json");
    s.duration_s = 2.2;
    check(&s, "osmocom_default_dcs1800_arfcn871.truth.json", 871);
}

#[test]
fn blaster_with_10db_awgn_and_2ppm_decodes_in_grgsm() {
    let s = load("sms_blaster.json");
    let mut cell = s.cells[3].clone();
    cell.on = None;
    cell.power_db = -10.0;
    cell.impairments.freq_offset_ppm = 2.0;
    cell.impairments.freq_drift_hz_per_s = 0.0;
    cell.impairments.snr_db = Some(10.0);
    let mut s2 = s.clone();
    s2.cells = vec![cell];
    s2.jammers.clear();
    s2.noise_dbfs = None;
    s2.sample_rate_hz = RATE;
    s2.center_freq_hz = 947.4e6;
    s2.duration_s = 2.2;
    check(&s2, "osmocom_blaster_234-15_gsm900_arfcn62.truth.json", 62);
    let n = (0.5 * RATE) as usize;
    let (x, _) = render(&s2, s2.center_freq_hz, n);
    let dec = cellsentry_gsm::decode_all_at(&x, RATE, Some(947.4e6)).unwrap();
    let off = dec.measurement.freq_offset_hz.unwrap();
    assert!(
        (off - 1894.8).abs() < 150.0,
        "offset {off} Hz, want 2 ppm = 1894.8 Hz"
    );
}

#[test]
fn blaster_in_the_full_2msps_scene_decodes_in_grgsm() {
    // The sms_blaster scene as rendered: resampled to 2 Msps, three legitimate cells 0.4-0.8 MHz
    // away, noise floor, 1.5 ppm offset with drift. The blaster is switched on early to keep
    // the capture short.
    let mut s = load("sms_blaster.json");
    s.cells[3].on = Some(vec![(0.05, None)]);
    s.duration_s = 2.3;
    check(&s, "osmocom_blaster_234-15_gsm900_arfcn62.truth.json", 62);
}
