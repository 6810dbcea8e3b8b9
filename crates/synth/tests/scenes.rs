//! Scenario library, SigMF output, simulated radio and impairments.

mod common;

use cellsentry_capture::{IqSource, SigmfMeta};
use cellsentry_synth::{Scenario, SceneRenderer, SimulatedRadio};
use common::*;

#[test]
fn library_scenarios_load_and_document_their_detections() {
    let known = std::fs::read_to_string(format!(
        "{}/../../../shared/docs/indicators.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .ok();
    for name in [
        "legitimate_urban_gsm.json",
        "sms_blaster.json",
        "osmocom_default.json",
        "moving_blaster.json",
        "noise_only.json",
        "lte_legit.json",
        "lte_jamming.json",
        "lte_geran_downgrade.json",
    ] {
        let s = load(name);
        for (i, c) in s.cells.iter().enumerate() {
            assert_eq!(c.fake, !c.expected_rules.is_empty(), "{name} cell {i}");
            // Every cell's SI must encode.
            SceneRenderer::new(&s, s.cell_freq_hz(i).unwrap(), 0).unwrap();
        }
        // Rule ids must exist in the indicator catalogue (when the shared folder is present).
        if let Some(k) = &known {
            for r in s
                .cells
                .iter()
                .flat_map(|c| c.expected_rules.iter())
                .chain(s.expected_rules.iter())
            {
                assert!(k.contains(&format!("`{r}`")), "{name}: unknown rule {r}");
            }
        }
    }
}

#[test]
fn bad_scenarios_are_rejected_clearly() {
    for bad in [
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 806e6, "duration_s": 1, "cells": [{"rat": "lte", "freq_hz": 806e6, "power_db": -20}]}"#,
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 806e6, "duration_s": 1, "cells": [{"rat": "lte", "freq_hz": 806e6, "power_db": -20, "lte": {"pci": 600, "n_prb": 6}}]}"#,
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 806e6, "duration_s": 1, "cells": [{"rat": "lte", "earfcn": 99999, "power_db": -20, "lte": {"pci": 6, "n_prb": 6}}]}"#,
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 806e6, "duration_s": 1, "cells": [{"rat": "lte", "freq_hz": 806e6, "power_db": -20, "lte": {"pci": 6, "n_prb": 6, "bogus": 1}}]}"#,
        r#"{"name": "x", "sample_rate_hz": 1e5, "center_freq_hz": 1e9, "duration_s": 1, "cells": []}"#,
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 1e9, "duration_s": 1, "cells": [{"rat": "gsm", "arfcn": 600, "power_db": 0}]}"#,
        r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 1e9, "duration_s": 1, "cells": [], "typo": 1}"#,
        "[1, 2",
    ] {
        let e = Scenario::from_json_str(bad).unwrap_err().to_string();
        assert!(!e.contains('\n') && e.starts_with("scenario:"), "{e}");
    }
}

#[test]
fn sms_blaster_sigmf_has_truth_annotations_and_appears_at_2s() {
    let mut s = load("sms_blaster.json");
    s.duration_s = 2.3;
    let dir = tempfile::tempdir().unwrap();
    let paths = s.render_to_sigmf(dir.path().join("blaster")).unwrap();
    let meta = SigmfMeta::load(&paths.meta).unwrap();
    assert_eq!(
        meta.global.extra["cellsentry:scenario_name"],
        serde_json::json!("sms_blaster")
    );
    assert_eq!(meta.annotations.len(), 4);
    let fake: Vec<_> = meta
        .annotations
        .iter()
        .filter(|a| a.comment.as_deref() == Some("fake"))
        .collect();
    assert_eq!(fake.len(), 1);
    let a = fake[0];
    assert_eq!(
        a.label.as_deref(),
        Some("GSM ARFCN 62 234-15 LAC 3101 CI 40961")
    );
    assert_eq!(a.sample_start, 4_000_000);
    assert_eq!(a.sample_count, Some(600_000));
    assert_eq!(a.freq_lower_edge_hz, Some(947.3e6));
    assert_eq!(
        a.extra["cellsentry:si_blocks"]["SI3"],
        serde_json::json!("49061ba00132f4510c1dc90305274e40e50400bf002f2b")
    );
    // The blaster (-8 dBFS) dominates the scene once it is on.
    let mut src = cellsentry_capture::SigmfSource::open(&paths.meta, &Default::default()).unwrap();
    let mut x = Vec::new();
    while let Some(b) = src.read_block(1 << 16).unwrap() {
        x.extend_from_slice(&b.samples);
    }
    assert_eq!(x.len(), 4_600_000);
    let before = power_db(&x[3_000_000..3_990_000]);
    let after = power_db(&x[4_010_000..]);
    assert!((before - -24.9).abs() < 1.0, "before {before}");
    assert!((after - -7.9).abs() < 0.5, "after {after}");
}

#[test]
fn simulated_radio_follows_retune() {
    let s = load("legitimate_urban_gsm.json");
    let mut radio = SimulatedRadio::new(s).unwrap();
    assert_eq!(radio.renderer().rendered_cells().len(), 3);
    let b = radio.read_block(200_000).unwrap().unwrap();
    assert_eq!(b.first_sample, 0);
    // Three GSM900 cells at -30, -34, -28 dBFS: total -24.9 dBFS.
    assert!((power_db(&b.samples) - -24.9).abs() < 0.5);
    radio.retune(1815.4e6).unwrap();
    let b = radio.read_block(200_000).unwrap().unwrap();
    assert_eq!((b.first_sample, b.center_freq_hz), (200_000, 1815.4e6));
    // EE cells at -32 and -35 dBFS.
    assert!((power_db(&b.samples) - -30.2).abs() < 0.5);
    let cells = radio.renderer().rendered_cells();
    assert_eq!(cells.len(), 2);
    assert!((cells[0].offset_hz - -600e3).abs() < 1.0);
    // Our receiver finds the EE cell 600 kHz below the centre after shifting it to 0 Hz.
    radio.retune(1814.8e6).unwrap();
    let mut x = Vec::new();
    for _ in 0..6 {
        x.extend(radio.read_block(100_000).unwrap().unwrap().samples);
    }
    assert!(radio.info().center_freq_hz == 1814.8e6);
    let dec = cellsentry_gsm::decode_all(&x, 2e6).unwrap();
    assert_eq!(dec.measurement.bsic, Some(44), "EE ARFCN 560 has BSIC 44");
    radio.retune(1700e6).unwrap();
    let b = radio.read_block(100_000).unwrap().unwrap();
    assert!((power_db(&b.samples) - -70.0).abs() < 0.3, "noise only");
    assert!(radio.retune(f64::NAN).is_err());
}

#[test]
fn awgn_snr_and_jammer_power_are_as_specified() {
    let text = r#"{"name": "x", "sample_rate_hz": 2e6, "center_freq_hz": 947.4e6,
        "duration_s": 1, "seed": 3,
        "cells": [{"rat": "gsm", "arfcn": 62, "band": "p_gsm900", "power_db": -10,
                   "impairments": {"snr_db": 10}}],
        "jammers": [{"freq_lo_hz": 946.0e6, "freq_hi_hz": 948.0e6, "power_dbfs": -20, "start_s": 0.1}]}"#;
    let s = Scenario::from_json_str(text).unwrap();
    let (x, _) = render(&s, 947.4e6, 400_000);
    // Cell -10 dBFS + AWGN -20 dBFS: -9.59 dBFS.
    let p = power_db(&x[..190_000]);
    assert!((p - -9.586).abs() < 0.1, "{p}");
    assert!(power_db(&x[210_000..]) > p + 0.2, "jammer on at 0.1 s");
    // Jammer alone: 1.6 of its 2 MHz are inside 946.4-948.4 MHz: -20 + 10 log10(0.8) dBFS.
    let mut s2 = s.clone();
    s2.cells.clear();
    let (x, _) = render(&s2, 947.4e6, 400_000);
    assert!(power_db(&x[..190_000]) < -100.0, "silent before start_s");
    let pj = power_db(&x[210_000..]);
    assert!((pj - -20.97).abs() < 0.15, "{pj}");
    // Band-limited: a channel 200 kHz outside the jammed range (948.2-948.4 MHz, i.e. +0.9 MHz)
    // holds far less than its 1/8 share; checked with a single-bin correlation at +0.9 MHz.
    let tone = |f_hz: f64| -> f64 {
        let mut acc = num_complex::Complex64::new(0.0, 0.0);
        for (k, c) in x[210_000..].iter().enumerate() {
            let ph = -std::f64::consts::TAU * f_hz * k as f64 / 2e6;
            acc += num_complex::Complex64::new(f64::from(c.re), f64::from(c.im))
                * num_complex::Complex64::from_polar(1.0, ph);
        }
        acc.norm_sqr()
    };
    assert!(tone(900e3) < 0.01 * tone(0.0), "outside the jammed band");
}

#[test]
fn rendering_is_much_faster_than_real_time() {
    let s = load("sms_blaster.json");
    let n = 2_000_000;
    let t0 = std::time::Instant::now();
    let (x, _) = render(&s, s.center_freq_hz, n);
    let dt = t0.elapsed().as_secs_f64();
    eprintln!(
        "sms_blaster (3 cells on, 2 Msps): {:.2} Msps generated per wall-clock second (tests run in parallel)",
        n as f64 / dt / 1e6
    );
    assert_eq!(x.len(), n);
    // Release build, one core: ~7 Msps per CPU second for this scene (3 cells, resampled to
    // 2 Msps, noise), 19 Msps for one cell at 4 sps. The bound is loose because tests share
    // a busy 2-core machine; it catches pathological slow-downs only.
    assert!(dt < 4.0, "1 s of scene took {dt} s");
}

#[test]
fn impairments_are_seen_by_the_receiver() {
    // Clock offset, multipath with fading, and the moving blaster's power ramp, each checked
    // through the GSM receiver crate (a second implementation, not the proof: see grgsm.rs).
    let base = r#"{"name": "x", "sample_rate_hz": 1083333.3333333333, "center_freq_hz": 947.4e6,
        "duration_s": 1, "seed": 9,
        "cells": [{"rat": "gsm", "arfcn": 62, "band": "p_gsm900", "power_db": -10,
                   "impairments": IMP}]}"#;
    let rate = 1_083_333.333_333_333_3;
    let s = Scenario::from_json_str(&base.replace("IMP", r#"{"clock_offset_ppm": 5}"#)).unwrap();
    let (x, _) = render(&s, 947.4e6, 600_000);
    let d = cellsentry_gsm::decode_all_at(&x, rate, Some(947.4e6)).unwrap();
    let ppm = d.measurement.timing.unwrap().clock_offset_ppm;
    eprintln!("clock offset 5 ppm -> receiver {ppm:.2} ppm");
    assert!((ppm.abs() - 5.0).abs() < 1.0, "{ppm}");
    let s = Scenario::from_json_str(&base.replace(
        "IMP",
        r#"{"snr_db": 25, "multipath": {"model": "tu6", "doppler_hz": 10}}"#,
    ))
    .unwrap();
    let (x, _) = render(&s, 947.4e6, 600_000);
    let d = cellsentry_gsm::decode_all(&x, rate).unwrap();
    eprintln!(
        "TU6 10 Hz: {} ok, {} failed",
        d.measurement.blocks_ok, d.measurement.blocks_failed
    );
    assert!(d.measurement.blocks_ok >= 5);

    let m = load("moving_blaster.json");
    let rate = m.sample_rate_hz;
    let mut r = SceneRenderer::new(&m, m.center_freq_hz, (29.5 * rate) as u64).unwrap();
    let mut peak = Vec::new();
    r.render(200_000, &mut peak);
    let mut r = SceneRenderer::new(&m, m.center_freq_hz, (5.0 * rate) as u64).unwrap();
    let mut early = Vec::new();
    r.render(200_000, &mut early);
    // -5.3 dBFS near the top of the ramp, -38.3 dBFS at 5 s (fading moves both by a few dB).
    let (p1, p0) = (power_db(&peak), power_db(&early));
    eprintln!("moving blaster: {p0:.1} dBFS at 5 s, {p1:.1} dBFS at 29.5 s");
    assert!(p1 - p0 > 25.0, "{p0} {p1}");
}
