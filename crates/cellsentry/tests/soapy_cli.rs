//! The `cellsentry` binary with a real SoapySDR device: our `cellsentry_test` module
//! (crates/capture/tests/soapy_module), built against libSoapySDR and loaded through
//! SOAPY_SDR_PLUGIN_PATH, playing the bundled Osmocom blaster recording at the radio's pace.
//! What is checked is what a user sees: the device listed, the alert for the blaster through
//! libSoapySDR (the same verdict the recording gets from `replay`, whose rules follow from the
//! blaster's osmo-bsc configuration), and a device dying mid-run.

#![cfg(feature = "soapy")]

#[path = "../../capture/tests/soapy_module/mod.rs"]
mod soapy_module;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

fn plugins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| soapy_module::build(Path::new(env!("CARGO_TARGET_TMPDIR"))))
}

fn blaster() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16")
}

/// Runs the binary with SoapySDR looking for modules in our folder only.
fn run(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .env("SOAPY_SDR_PLUGIN_PATH", plugins())
        .output()
        .expect("the binary runs");
    (out, started.elapsed())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn device(extra: &str) -> String {
    format!(
        "driver={},file={},freq=947.4e6{extra}",
        soapy_module::DRIVER,
        blaster().display()
    )
}

fn report(db: &Path) -> Value {
    let (out, _) = run(&["report", "--db", db.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// The blaster cell in a report: 234-15, cell 40961, BSIC 21 on ARFCN 62 (its truth file).
fn blaster_cell(report: &Value) -> &Value {
    report["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["cell"]["key"]["plmn"]["mcc"] == "234" && c["cell"]["key"]["plmn"]["mnc"] == "15"
        })
        .unwrap_or_else(|| panic!("no 234-15 cell in {report}"))
}

#[test]
fn devices_lists_the_test_radio() {
    let (out, _) = run(&["devices"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("driver=cellsentry_test") && text.contains("cellsentry test radio"),
        "{text}"
    );

    let (out, _) = run(&["devices", "--json", "--filter", "driver=cellsentry_test"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["driver"], "cellsentry_test");
    assert_eq!(list[0]["args"]["driver"], "cellsentry_test");
}

/// `monitor` on the radio decodes the blaster through libSoapySDR, prints the alert, exits
/// 10 and leaves a completed run with the cell and its verdict in the database.
#[test]
fn monitor_alerts_on_the_blaster_through_libsoapysdr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.sqlite");
    let dev = device("");
    let (out, took) = run(&[
        "monitor",
        "--device",
        &dev,
        "--freq",
        "947.4e6",
        "--rate",
        "1083333.33",
        "--seconds",
        "3",
        "--db",
        db.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(10), "{text}\n{}", stderr(&out));
    let alert = text
        .lines()
        .find(|l| l.starts_with("ALERT"))
        .unwrap_or_else(|| panic!("no alert in {text}"));
    println!("{alert} (after {:.1} s)", took.as_secs_f64());
    assert!(
        alert.starts_with("ALERT LIKELY FAKE: GSM ARFCN 62 234-15"),
        "{alert}"
    );
    assert!(
        alert.contains("CI 40961") && alert.contains("BSIC 21"),
        "{alert}"
    );
    // The alert comes as soon as the verdict rises (SI3 alone already says enough), long
    // before the run ends.
    assert!(alert.contains("emergency_call_barred"), "{alert}");
    // The final verdict: what the blaster's configuration implies (osmo-bsc.cfg: CRO 126 dB,
    // empty neighbour list, ACC 0x0400), as `replay` finds in the same recording.
    let verdict = text
        .lines()
        .find(|l| l.starts_with("LIKELY FAKE GSM ARFCN 62"))
        .unwrap_or_else(|| panic!("no final verdict in {text}"));
    for rule in [
        "c2_reselection_abuse",
        "neighbour_list_empty_or_self",
        "emergency_call_barred",
    ] {
        assert!(verdict.contains(rule), "{rule} missing: {verdict}");
    }
    // Paced like a radio: 3 s of signal take at least 3 s.
    assert!(took > Duration::from_secs_f64(2.9), "{took:?}");

    let r = report(&db);
    let run = &r["runs"][0];
    assert_eq!(run["kind"], "monitor");
    assert_eq!(run["status"], "completed");
    assert_eq!(run["device"], "cellsentry_test");
    assert_eq!(run["sample_rate_hz"], 1_083_333.33);
    let cell = blaster_cell(&r);
    assert_eq!(cell["cell"]["key"]["cell_id"], 40961);
    assert_eq!(cell["cell"]["key"]["bsic_pci"], 21);
    assert_eq!(cell["cell"]["key"]["channel"], 62);
    assert_eq!(cell["verdict"]["level"], "likely_fake");
}

/// `record` from the radio writes the recording's own bytes: the stream is read in the
/// radio's native format (cs16 here) and written back in it, nothing lost or rescaled.
#[test]
fn record_through_libsoapysdr_is_byte_identical_to_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("rec.sigmf-meta");
    let dev = device(",rate=1083333.33,buffers=64");
    let (out, _) = run(&[
        "record",
        "--device",
        &dev,
        "--freq",
        "947.4e6",
        "--rate",
        "1083333.33",
        "--seconds",
        "1.5",
        "--sensor-id",
        "van-3",
        "-o",
        meta.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(", 0 dropped,"), "{}", stdout(&out));
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    assert_eq!(m["global"]["core:datatype"], "ci16_le");
    // The sensor's identity travels with the recording into any report's chain of custody.
    assert_eq!(m["global"]["cellsentry:sensor_id"], "van-3");
    let ev = cellsentry_capture::describe_recording(
        &meta,
        cellsentry_capture::open_source(&meta, &Default::default())
            .unwrap()
            .info(),
    )
    .unwrap();
    assert_eq!(ev.sensor_id.as_deref(), Some("van-3"));
    assert_eq!(
        m["global"]["core:hw"]
            .as_str()
            .map(|h| h.contains("cellsentry_test")),
        Some(true),
        "{m}"
    );
    let data = std::fs::read(dir.path().join("rec.sigmf-data")).unwrap();
    let original = std::fs::read(blaster()).unwrap();
    let samples = (1.5 * 1_083_333.33) as usize;
    assert_eq!(data.len(), samples * 4);
    assert!(
        data == original[..samples * 4],
        "the recorded bytes are the file's"
    );
}

/// The radio dies 3.5 s in: the first window's alert is out, then one clear error line
/// about a second later, exit 4, and the database keeps the run (failed) with the cell.
#[test]
fn failing_device_ends_monitor_with_one_line_and_the_database_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.sqlite");
    let dev = device(",fail_after_s=3.5");
    let (out, took) = run(&[
        "monitor",
        "--device",
        &dev,
        "--freq",
        "947.4e6",
        "--rate",
        "1083333.33",
        "--seconds",
        "30",
        "--db",
        db.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    println!("after {:.1} s: {err}", took.as_secs_f64());
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(
        lines[0].starts_with("cellsentry: error:") && lines[0].contains("stopped streaming"),
        "{err}"
    );
    assert!(
        lines[0].contains("device lost"),
        "the driver's reason: {err}"
    );
    assert!(took < Duration::from_secs(8), "ended quickly: {took:?}");
    assert!(
        stdout(&out).lines().any(|l| l.starts_with("ALERT")),
        "the first window was decoded: {}",
        stdout(&out)
    );

    let r = report(&db);
    assert_eq!(r["runs"][0]["status"], "failed");
    assert_eq!(blaster_cell(&r)["verdict"]["level"], "likely_fake");
}

/// A device string the module refuses: one line with the driver's reason, exit 4.
#[test]
fn unusable_device_string_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.sqlite");
    let (out, _) = run(&[
        "monitor",
        "--device",
        "driver=cellsentry_test",
        "--freq",
        "947.4e6",
        "--rate",
        "1083333.33",
        "--db",
        db.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("needs file="), "{err}");
}
