//! The LTE scenario files: `lte_legit.json` (a legitimate band 3 cell with the real f1815.3
//! SIB bytes) and `lte_jamming.json` (the SMS-blaster sequence: LTE cell, noise jamming over
//! it, then a strong GSM cell copying the local PLMN), checked through the LTE and GSM receiver
//! crates against the SIB bytes of `captures/lte/sib_vectors.json`.

mod common;

use cellsentry_lte::downlink::decode_system_information;
use cellsentry_lte::SearchConfig;
use cellsentry_synth::{Scenario, SceneRenderer};
use common::*;

fn vector_hex(source_part: &str, message: &str) -> Vec<u8> {
    let p = format!(
        "{}/../../captures/lte/sib_vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let e = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["source"].as_str().unwrap().contains(source_part)
                && e["message"].as_str().unwrap() == message
        })
        .unwrap();
    cellsentry_synth::lte_cell::parse_hex(e["hex"].as_str().unwrap()).unwrap()
}

fn window(s: &Scenario, center_hz: f64, start_s: f64, len_s: f64) -> Vec<num_complex::Complex32> {
    let rate = s.sample_rate_hz;
    let mut r = SceneRenderer::new(s, center_hz, (start_s * rate).round() as u64).unwrap();
    let mut x = Vec::new();
    r.render((len_s * rate) as usize, &mut x);
    x
}

#[test]
fn lte_legit_broadcasts_the_real_sib_bytes() {
    let s = load("lte_legit.json");
    assert!(s
        .cells
        .iter()
        .all(|c| !c.fake && c.expected_rules.is_empty()));
    let rate = s.sample_rate_hz;
    let carrier = s.cell_freq_hz(0).unwrap();
    let x = window(&s, s.center_freq_hz, 0.0, 0.1);
    let found =
        cellsentry_lte::search_cells(&x, rate, Some(carrier), &SearchConfig::default()).unwrap();
    let d = found.iter().find(|d| d.pci == 301).expect("PCI 301");
    let mib = d.mib.as_ref().unwrap();
    assert_eq!((mib.n_prb, mib.ports, mib.sfn), (50, 2, 14));
    let rep = decode_system_information(&x, rate, d).unwrap();
    let sib1 = vector_hex("f1815.3", "SIB1");
    let si = vector_hex("f1815.3", "SI(SIB2+SIB3)");
    let payloads: Vec<&[u8]> = rep.unique_payloads().iter().map(|p| p.1).collect();
    assert!(payloads.contains(&sib1.as_slice()), "{payloads:?}");
    assert!(payloads.contains(&si.as_slice()), "{payloads:?}");
    // A simulated radio started later sees the SFN run on: 0.3 s in, SFN 14 + 30.
    let x = window(&s, s.center_freq_hz, 0.3, 0.04);
    let found =
        cellsentry_lte::search_cells(&x, rate, Some(carrier), &SearchConfig::default()).unwrap();
    assert_eq!(found[0].mib.as_ref().unwrap().sfn, 44);
}

#[test]
fn lte_jamming_follows_the_blaster_sequence() {
    let s = load("lte_jamming.json");
    assert_eq!(s.expected_rules, vec!["sms_blaster_pattern".to_string()]);
    let rate = s.sample_rate_hz;
    let lte_hz = s.cell_freq_hz(0).unwrap();
    let cfg = SearchConfig::default();
    // 1. Before the jammer: the cell is there, with its SIB1.
    let a = window(&s, lte_hz, 0.1, 0.1);
    let found = cellsentry_lte::search_cells(&a, rate, Some(lte_hz), &cfg).unwrap();
    let d = found
        .iter()
        .find(|d| d.pci == 301)
        .expect("PCI 301 before jamming");
    assert_eq!(d.mib.as_ref().unwrap().sfn, 110);
    let rep = decode_system_information(&a, rate, d).unwrap();
    let sib1 = vector_hex("f1815.3", "SIB1");
    assert!(rep.blocks.iter().any(|b| b.payload == sib1));
    let before = cellsentry_lte::jamming_evidence(&a, rate, Some(lte_hz), None, &cfg).unwrap();
    // 2. Jammed: power up by far more than 10 dB, no cell any more.
    let b = window(&s, lte_hz, 0.6, 0.1);
    let jam = cellsentry_lte::jamming_evidence(&b, rate, Some(lte_hz), None, &cfg).unwrap();
    println!("before {before:?}\njammed {jam:?}");
    assert!(before.pss_found && !jam.pss_found);
    assert!(jam.carrier_power_dbfs - before.carrier_power_dbfs > 10.0);
    // 3. The blaster: a narrowband receiver tuned to ARFCN 576 (1818.0 MHz) decodes a GSM cell
    // with the local PLMN 206-01 and LAC 9340 (LAI 02 f6 10 24 7c in SI3), absent before 1 s.
    let gsm_hz = s.cell_freq_hz(1).unwrap();
    assert_eq!(gsm_hz, 1818.0e6);
    let mut narrow = s.clone();
    narrow.sample_rate_hz = 1_083_333.333_333_333_3;
    let lai = [0x02u8, 0xf6, 0x10, 0x24, 0x7c];
    let has_lai = |x: &[num_complex::Complex32]| {
        let d = cellsentry_gsm::decode_all_at(x, narrow.sample_rate_hz, Some(gsm_hz)).unwrap();
        let found = d.blocks().any(|b| b.bytes.windows(5).any(|w| w == lai));
        found
    };
    assert!(has_lai(&window(&narrow, gsm_hz, 1.1, 0.4)));
    assert!(!has_lai(&window(&narrow, gsm_hz, 0.55, 0.4)));
}

#[test]
fn sigmf_annotates_lte_cells() {
    let mut s = load("lte_legit.json");
    s.duration_s = 0.01;
    let dir = tempfile::tempdir().unwrap();
    let paths = s.render_to_sigmf(dir.path().join("lte")).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&paths.meta).unwrap()).unwrap();
    let ann = &meta["annotations"][0];
    assert_eq!(ann["cellsentry:rat"], "lte");
    assert_eq!(ann["cellsentry:pci"], 301);
    assert_eq!(ann["cellsentry:earfcn"], 1303);
    assert_eq!(ann["core:label"], "LTE EARFCN 1303 PCI 301 50 PRB");
    let lo = ann["core:freq_lower_edge"].as_f64().unwrap();
    let hi = ann["core:freq_upper_edge"].as_f64().unwrap();
    assert!((hi - lo - 9.015e6).abs() < 1.0 && ((hi + lo) / 2.0 - 1815.3e6).abs() < 1.0);
    let tbs = ann["cellsentry:transport_blocks"].as_array().unwrap();
    assert_eq!(tbs[0], "48481803247c2bffd02810210081044c43250b900000");
}
