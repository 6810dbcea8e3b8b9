//! Frequency-list decoding (TS 44.018 10.5.2.13, every format) against independent decoders:
//! osmo-bsc's published range-512/1024 encodings with osmocom's own decode, and tshark 4.0.17's
//! decode of range 1024/512/256/128, variable bit map and bit map 0 lists frozen in
//! captures/gsm-l3/freq_list_tshark.json (how it was made is recorded in the file itself).

use std::collections::BTreeMap;

use cellsentry_gsm_l3::{parse_l2_block, Channel, FrequencyListFormat, L3Message};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn fixture() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../captures/gsm-l3/freq_list_tshark.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn tshark_format(s: &str) -> FrequencyListFormat {
    match s.split(" (").next().unwrap() {
        "bit map 0" => FrequencyListFormat::BitMap0,
        "1024 range" => FrequencyListFormat::Range1024,
        "512 range" => FrequencyListFormat::Range512,
        "256 range" => FrequencyListFormat::Range256,
        "128 range" => FrequencyListFormat::Range128,
        "variable bit map" => FrequencyListFormat::VariableBitMap,
        other => panic!("unknown tshark format {other}"),
    }
}

#[test]
fn every_format_matches_tshark_and_osmocom() {
    let doc = fixture();
    let mut per_format: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut osmocom_checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let block = hex(v["l2_block_hex"].as_str().unwrap());
        let m = parse_l2_block(Channel::Bcch, &block);
        let L3Message::Si1(si1) = &m else {
            panic!("not SI1: {m:?}")
        };
        let list = &si1.cell_channel_description;
        assert_eq!(
            list.format,
            tshark_format(v["tshark_format"].as_str().unwrap()),
            "{v}"
        );
        let mut ours = list.arfcns.clone();
        ours.sort_unstable();
        let mut want: Vec<u16> = v["tshark_arfcns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u16)
            .collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(ours, want, "{} {}", v["source"], v["cd_hex"]);
        if let Some(o) = v.get("osmocom_decoded") {
            let o: Vec<u16> = o
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u16)
                .collect();
            assert_eq!(ours, o);
            osmocom_checked += 1;
        }
        *per_format.entry(list.format.name()).or_default() += 1;
    }
    println!(
        "tshark-checked lists per format: {per_format:?}; also osmocom-checked: {osmocom_checked}"
    );
    assert_eq!(per_format.len(), 6, "all six formats covered");
    assert_eq!(osmocom_checked, 8);
}
