//! The streaming scanner on the real multi-window recordings: window by window it must find
//! the cells and SFNs CellSearch printed for the same consecutive 80 ms windows (`truth.json`),
//! follow them with first/last seen and MIB counts, and report nothing on the noise capture.

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{CellScanner, ScanConfig};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn captures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../captures/lte")
}

/// Truth windows of one file: per 80 ms window, (PCI, SFN) pairs.
fn truth_windows(file: &str) -> Vec<Vec<(u16, u16)>> {
    let text = std::fs::read_to_string(captures().join("truth.json")).expect("truth.json");
    let all: Value = serde_json::from_str(&text).expect("truth parses");
    let entry = all
        .as_array()
        .and_then(|a| a.iter().find(|e| e["file"] == file))
        .expect("file in truth.json");
    entry["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .map(|w| {
            w["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .map(|c| {
                    (
                        c["pci"].as_u64().expect("pci") as u16,
                        c["sfn"].as_u64().expect("sfn") as u16,
                    )
                })
                .collect()
        })
        .collect()
}

/// Runs the scanner with back-to-back 80 ms windows (the truth's windowing) over the file, fed
/// in 10 ms blocks.
fn scan(file: &str, format: SampleFormat, carrier_hz: f64) -> CellScanner {
    let bytes = std::fs::read(captures().join(file)).expect("capture present");
    let x = decode_samples(&bytes, format).expect("decodes");
    let cfg = ScanConfig {
        period_s: 0.08,
        window_s: 0.08,
        ..Default::default()
    };
    let mut s = CellScanner::new(1.92e6, Some(carrier_hz), cfg).expect("rate ok");
    for block in x.chunks(19_200) {
        s.push(block);
    }
    s.finish();
    s
}

/// PCI -> SFN (when its MIB decoded in that window) per window as the scanner saw them.
fn seen(s: &CellScanner, windows: usize) -> Vec<BTreeMap<u16, Option<u16>>> {
    let mut out = vec![BTreeMap::new(); windows];
    for c in s.cells() {
        for h in &c.history {
            let w = (h.time_s / 0.08).round() as usize;
            if let Some(slot) = out.get_mut(w) {
                slot.insert(c.detection.pci, h.sfn);
            }
        }
    }
    out
}

#[test]
fn follows_cells_and_sfn_window_by_window() {
    let cases = [
        ("f1860_s1.92_cu8_rtlsdr_240ms.bin", 1860e6),
        ("f1890_s1.92_cu8_rtlsdr_tdd_300ms.bin", 1890e6),
        ("f2360_s1.92_cu8_hackrf-recbin_tdd_300ms.bin", 2360e6),
        ("f2585_s1.92_cu8_hackrf-recbin_tdd_320ms.bin", 2585e6),
        ("f2645_s1.92_cu8_rtlsdr_tdd_ppm26_300ms.bin", 2645e6),
    ];
    let mut mib_failures = Vec::new();
    for (file, fc) in cases {
        let truth = truth_windows(file);
        let s = scan(file, SampleFormat::Cu8, fc);
        let got = seen(&s, truth.len());
        for (w, t) in truth.iter().enumerate() {
            let pcis: BTreeSet<u16> = t.iter().map(|&(p, _)| p).collect();
            let found: BTreeSet<u16> = got[w].keys().copied().collect();
            assert_eq!(found, pcis, "{file} window {w}");
            for &(pci, sfn) in t {
                match got[w][&pci] {
                    Some(ours) => assert_eq!(ours, sfn, "{file} window {w} PCI {pci}"),
                    None => mib_failures.push((file, w, pci)),
                }
            }
        }
        // One sweep (the first window); the later windows tracked.
        assert_eq!(s.stats().sweeps, 1, "{file}");
        for c in s.cells() {
            assert_eq!(c.first_seen_s, 0.0, "{file} PCI {}", c.detection.pci);
            // (a 300 ms file has a fourth, 60 ms window that the 80 ms truth windows lack)
            assert!(
                c.last_seen_s >= 0.08 * (truth.len() - 1) as f64 - 1e-9,
                "{file} PCI {} last seen {}",
                c.detection.pci,
                c.last_seen_s
            );
            assert!(c.windows_seen as usize >= truth.len(), "{file}");
            assert_eq!(c.mib_decoded + c.mib_failed, c.windows_seen, "{file}");
        }
        // The receiver offset learnt from the cells is the cells' own (+-1 kHz).
        let rx = s.rx_offset_hz().expect("offset learnt");
        let c0 = &s.cells()[0];
        assert!((rx - c0.detection.freq_offset_hz).abs() < 1_000.0, "{file}");
    }
    // The weak f1860 cell (CRS SINR about -3 dB) fails its PBCH CRC in the second window; the
    // one-shot search on that window alone does too (it is still found by PSS/SSS).
    assert_eq!(
        mib_failures,
        vec![("f1860_s1.92_cu8_rtlsdr_240ms.bin", 1, 86)]
    );
}

#[test]
fn noise_only_reports_no_cell_and_a_flat_carrier() {
    let s = scan(
        "f2646_s1.92_cs8_hackrf_noise_200ms.bin",
        SampleFormat::Ci8,
        2646e6,
    );
    assert!(s.cells().is_empty());
    assert!(!s.carrier().is_empty());
    for c in s.carrier() {
        assert!(!c.pss_found, "{c:?}");
        // noise: power within a few dB of the floor estimate
        assert!(c.excess_power_db < 6.0, "{c:?}");
    }
}

/// Noise first, then a real cell: the cell's first-seen time is the first window that holds it.
#[test]
fn a_cell_appearing_later_is_new_at_its_window() {
    let noise = decode_samples(
        &std::fs::read(captures().join("f2646_s1.92_cs8_hackrf_noise_200ms.bin")).expect("noise"),
        SampleFormat::Ci8,
    )
    .expect("decodes");
    let cell = decode_samples(
        &std::fs::read(captures().join("f2645_s1.92_cu8_rtlsdr_tdd_ppm26_300ms.bin"))
            .expect("cell"),
        SampleFormat::Cu8,
    )
    .expect("decodes");
    // Match the noise level to the cell capture's, so that only the cell differs.
    let p =
        |x: &[num_complex::Complex32]| x.iter().map(|c| c.norm_sqr()).sum::<f32>() / x.len() as f32;
    let g = (p(&cell) / p(&noise) * 0.1).sqrt();
    let cfg = ScanConfig {
        period_s: 0.08,
        window_s: 0.08,
        ..Default::default()
    };
    let mut s = CellScanner::new(1.92e6, Some(2645e6), cfg).expect("rate ok");
    let lead: Vec<_> = noise[..153_600].iter().map(|c| c * g).collect();
    let mut events = s.push(&lead);
    assert!(events.is_empty());
    events.extend(s.push(&cell));
    s.finish();
    assert_eq!(events.len(), 2, "{events:?}");
    let pcis: BTreeSet<u16> = s.cells().iter().map(|c| c.detection.pci).collect();
    assert_eq!(pcis, BTreeSet::from([21, 22]));
    for c in s.cells() {
        assert!((c.first_seen_s - 0.08).abs() < 1e-9, "{}", c.first_seen_s);
        // the stream position of the frame start counts the noise lead-in
        assert!(c.detection.frame_start_sample >= 153_600);
    }
    assert!(!s.carrier()[0].pss_found);
    assert!(s.carrier()[1].pss_found);
}

/// No phantom cell in white noise: 100 independent 80 ms noise records through the one-shot
/// search (blind, +-110 kHz, long accumulation, weak-SSS path with MIB confirmation).
#[test]
fn white_noise_gives_no_cell_in_100_trials() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut searcher = cellsentry_lte::CellSearcher::new(cellsentry_lte::SearchConfig::default());
    let mut found = Vec::new();
    for trial in 0..100 {
        let x: Vec<num_complex::Complex32> = (0..153_600)
            .map(|_| {
                let r = (-2.0 * uniform().ln()).sqrt() * 0.05;
                let a = 2.0 * std::f64::consts::PI * uniform();
                num_complex::Complex32::new((r * a.cos()) as f32, (r * a.sin()) as f32)
            })
            .collect();
        for c in searcher
            .search(&x, 1.92e6, Some(1.8e9))
            .expect("search runs")
        {
            found.push((trial, c.pci, c.sss_metric, c.mib.is_some()));
        }
    }
    assert!(found.is_empty(), "{found:?}");
}
