//! Extended BCCH vs CCCH block 0 (TS 45.002 6.3.1.3): on the real Osmocom recording CCCH
//! block 0 carries paging (gr-gsm's truth labels those blocks CCCH), so none of our blocks may
//! be called BCCH Ext; the cell's own real SI2 bytes, when received in those frames, must be.
mod common;
use cellsentry_gsm::{decode_all_at, LogicalChannel};
use common::*;

#[test]
fn ccch_block0_of_the_osmocom_cell_is_not_bcch_ext() {
    let x = load_cs16("osmocom_default_dcs1800_arfcn871.cs16");
    let d = decode_all_at(&x, OSMO_RATE, Some(1877.0e6)).unwrap();
    let t = truth("osmocom", "osmocom_default_dcs1800_arfcn871.truth.json");
    let mut block0 = 0;
    for b in d.blocks() {
        assert!(!b.is_bcch_ext(), "FN {} {:?}", b.fn_, b.channel);
        if b.channel == (LogicalChannel::Ccch { block: 0 }) {
            block0 += 1;
            // gr-gsm (GSMTAP channel type 2 = CCCH) agrees on what these frames are.
            let tb = t["decoded_blocks_in_order"]
                .as_array()
                .unwrap()
                .iter()
                .find(|tb| tb["frame_nr"].as_u64() == Some(u64::from(b.fn_)))
                .unwrap();
            assert_eq!(tb["gsmtap_chan_type"].as_u64(), Some(2));
        }
    }
    assert!(block0 >= 4, "CCCH block 0 seen {block0} times");
    // The same cell's SI2 (a real BCCH block, frames 2..5) moved into frames 6..9.
    let si2 = d
        .blocks()
        .find(|b| matches!(b.channel, LogicalChannel::Bcch { .. }) && b.bytes[2] == 0x1a)
        .unwrap();
    let mut moved = si2.clone();
    assert!(!moved.is_bcch_ext(), "a normal BCCH block is not BCCH Ext");
    moved.channel = LogicalChannel::Ccch { block: 0 };
    moved.fn_mod51 = 6;
    assert!(moved.is_bcch_ext());
    moved.channel = LogicalChannel::Ccch { block: 1 };
    assert!(
        !moved.is_bcch_ext(),
        "only CCCH block 0 is shared with BCCH Ext"
    );
}
