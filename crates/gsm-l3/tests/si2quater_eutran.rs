//! SI2quater Rel-8 E-UTRAN structures that the shared vectors lack (E-UTRAN and GPRS E-UTRAN
//! Measurement Parameters Descriptions, every variant), checked against tshark 4.0.17's decode
//! frozen in captures/gsm-l3/si2quater_eutran_tshark.json.

use cellsentry_gsm_l3::{parse_l2_block, CellSystemInfo, Channel, L3Message};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn list(v: &Value) -> Vec<u64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_u64().unwrap()).collect(),
        Value::Null => vec![],
        x => vec![x.as_u64().unwrap()],
    }
}

#[test]
fn eutran_measurement_parameter_variants_match_tshark() {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../captures/gsm-l3/si2quater_eutran_tshark.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let vs = doc["vectors"].as_array().unwrap();
    assert_eq!(vs.len(), 6);
    for v in vs {
        assert!(!v["tshark_malformed"].as_bool().unwrap());
        let t = &v["tshark_fields"];
        let m = parse_l2_block(Channel::Bcch, &hex(v["l2_block_hex"].as_str().unwrap()));
        let L3Message::Si2quater(q) = &m else {
            panic!("{m:?}")
        };
        assert_eq!(q.stopped_at, None, "{}", v["description"]);
        let earfcns: Vec<u64> = q.earfcns().iter().map(|&e| u64::from(e)).collect();
        assert_eq!(earfcns, list(&t["gsm_a.rr.earfcn"]), "{}", v["description"]);
        let g = &q.eutran_neighbours[0];
        assert_eq!(
            g.priority.map(u64::from),
            t["gsm_a.rr.eutran_priority"].as_u64()
        );
        assert_eq!(
            u64::from(g.thresh_high),
            t["gsm_a.rr.thresh_eutran_high"].as_u64().unwrap()
        );
        assert_eq!(
            g.thresh_low.map(u64::from),
            t["gsm_a.rr.thresh_eutran_low"].as_u64()
        );
        let sp = q.serving_cell_priority.as_ref().unwrap();
        assert_eq!(
            u64::from(sp.geran_priority),
            t["gsm_a.rr.serving_cell_priority_param_geran_priority"]
                .as_u64()
                .unwrap()
        );
        assert_eq!(
            u64::from(sp.thresh_priority_search),
            t["gsm_a.rr.serving_cell_priority_param_thresh_prio_search"]
                .as_u64()
                .unwrap()
        );
        assert_eq!(
            u64::from(sp.t_reselection),
            t["gsm_a.rr.serving_cell_priority_param_t_reselection"]
                .as_u64()
                .unwrap()
        );
        let mut cell = CellSystemInfo::new();
        cell.update(&m);
        let n = cell.eutran_neighbours();
        assert_eq!(n.len(), 2);
        assert!(n.iter().all(|x| x.priority == Some(5)));
        assert_eq!(cell.geran_priority(), Some(3));
    }
}
