//! Real 2007 GSM900 recordings (USRP1, 500 ksps, real frequency offset) against gr-gsm.
mod common;
use cellsentry_gsm::{decode_all_at, LogicalChannel};
use common::*;

fn check(name: &str, carrier_hz: f64) {
    let x = load_cf32(&format!("{name}.cf32"));
    let t = truth("gsm", &format!("{name}.truth.json"));
    let d = decode_all_at(&x, 500_000.0, Some(carrier_hz)).unwrap();
    println!("{name}: {:?}", d.measurement);
    for e in &d.events {
        println!("  {e:?}");
    }
    let msgs = t["cells"][0]["messages"].as_array().unwrap();
    assert!(!msgs.is_empty());
    for m in msgs {
        let fn_ = m["fn"].as_u64().unwrap() as u32;
        let want = hex_to_bytes(m["l2_hex"].as_str().unwrap());
        let b = d
            .blocks()
            .find(|b| b.fn_ == fn_)
            .unwrap_or_else(|| panic!("{name}: block at FN {fn_} not decoded"));
        assert_eq!(b.bytes.to_vec(), want, "{name} FN {fn_}");
        assert_eq!(u64::from(b.fn_mod51), m["fn_mod51"].as_u64().unwrap());
        let blk = m["ccch_block"].as_u64().unwrap() as u8;
        assert_eq!(b.channel, LogicalChannel::Ccch { block: blk });
    }
}

#[test]
fn gsmsp2007_arfcn30_paging_blocks() {
    check("gsmsp2007_941.0M_500ksps_arfcn30", 941.0e6);
}

#[test]
fn gsmsp2007_arfcn93_ccch_blocks() {
    check("gsmsp2007_953.6M_500ksps_arfcn93", 953.6e6);
}
