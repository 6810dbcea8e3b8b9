//! GSM: L2/L3 messages of every logical channel (all SI types, paging, immediate assignment),
//! frequency lists, and the SCH and xCCH channel decoders on arbitrary soft bits.

use cellsentry_gsm::coding::{
    sch_bit_pos, sch_decode, xcch_decode, SCH_CODED_BITS, XCCH_CODED_BITS, XCCH_MAP,
};
use cellsentry_gsm_l3::{
    decode_frequency_list, parse_l2_block, parse_l3, CellSystemInfo, Channel, FrequencyListFormat,
    L3Message,
};

use crate::soft::{llr, split};

const CHANNELS: [Channel; 7] = [
    Channel::Bcch,
    Channel::Ccch,
    Channel::Pch,
    Channel::Agch,
    Channel::Sdcch,
    Channel::Facch,
    Channel::Sacch,
];

/// What the sensor stores of a message must read back as the same message.
fn check_stored_form(msg: &L3Message) {
    let json = match serde_json::to_string(msg) {
        Ok(j) => j,
        Err(e) => panic!("a decoded message cannot be serialised: {e}"),
    };
    match serde_json::from_str::<L3Message>(&json) {
        Ok(back) => assert_eq!(&back, msg, "a stored message reads back differently"),
        Err(e) => panic!("a stored message does not read back: {e}: {json}"),
    }
}

/// Everything the detector asks of a cell's System Information.
fn query_cell(cell: &CellSystemInfo) {
    let _ = cell.si_types_seen();
    let _ = cell.cell_id();
    let _ = cell.plmn().map(|p| p.to_string());
    let _ = cell.lac();
    let _ = cell.cell_identity();
    let _ = cell.neighbour_arfcns();
    let _ = cell.cell_allocation_arfcns();
    let _ = cell.rach_control();
    let _ = cell.emergency_call_barred();
    let _ = cell.cell_barred();
    let _ = cell.access_classes_barred();
    let _ = cell.t3212_decihours();
    let _ = cell.cell_reselect_offset_db();
    let _ = cell.temporary_offset_db();
    let _ = cell.penalty_time_s();
    let _ = cell.cell_reselect_hysteresis_db();
    let _ = cell.rxlev_access_min_dbm();
    let _ = cell.gprs_indicator_present();
    let _ = cell.si2quater_announced();
    let _ = cell.si13_announced();
    let _ = cell.si2ter_announced();
    let _ = cell.eutran_neighbours();
    let _ = cell.geran_priority();
    let _ = cell.utran_fdd_uarfcns();
    let _ = cell.utran_tdd_present();
}

/// A sequence of blocks of one cell: records of `[channel byte][length byte][block]` (channel
/// 7 is a bare L3 message), all fed into one cell's System Information, then every question the
/// detector asks of it.
pub fn l2_block(data: &[u8]) {
    let mut cell = CellSystemInfo::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (ch, r) = split(rest);
        let (len, r) = split(r);
        let len = usize::from(len).min(r.len());
        let (block, r) = r.split_at(len);
        rest = r;
        let msg = match CHANNELS.get(usize::from(ch % 8)) {
            Some(&channel) => parse_l2_block(channel, block),
            None => parse_l3(Channel::Bcch, block),
        };
        let _ = msg.message_type_name();
        let _ = msg.is_system_information();
        let _ = msg.paging_counts();
        check_stored_form(&msg);
        cell.update(&msg);
    }
    query_cell(&cell);
}

/// A frequency list value part (format octet first); control bit 0: the format is in bit 7
/// too (Cell Channel Description / Neighbour Cell Description) or not (Frequency List IE).
pub fn frequency_list(data: &[u8]) {
    let (ctrl, list) = split(data);
    if let Ok(f) = decode_frequency_list(list, ctrl & 1 != 0) {
        assert!(
            f.arfcns.iter().all(|&a| a <= 1023),
            "an ARFCN above 1023: {:?}",
            f.arfcns
        );
        let range = !matches!(
            f.format,
            FrequencyListFormat::BitMap0 | FrequencyListFormat::VariableBitMap
        );
        if range {
            assert!(
                f.arfcns.windows(2).all(|w| w[0] < w[1]),
                "a range-format list is not ascending without duplicates: {:?}",
                f.arfcns
            );
        }
    }
}

/// The SCH decoder on 78 soft coded bits (control bit 0: extreme bytes are NaN/inf).
pub fn sch(data: &[u8]) {
    let (ctrl, bits) = split(data);
    let special = ctrl & 1 != 0;
    let mut burst = [0f32; 148];
    for k in 0..SCH_CODED_BITS {
        burst[sch_bit_pos(k)] = bits.get(k).map_or(0.0, |&b| llr(b, special));
    }
    if let Some(f) = sch_decode(&burst) {
        assert!(f.bsic < 64 && f.t1 < 2048 && f.t2 < 32 && f.t3p < 8);
        let _ = f.frame_number();
    }
}

/// The xCCH decoder on 456 soft coded bits (in coded order, before interleaving); a block that
/// passes the Fire code goes on to the L2/L3 parser as BCCH and as SDCCH.
pub fn xcch(data: &[u8]) {
    let (ctrl, bits) = split(data);
    let special = ctrl & 1 != 0;
    let mut bursts = [[0f32; 148]; 4];
    for (k, &(b, pos)) in XCCH_MAP.iter().enumerate().take(XCCH_CODED_BITS) {
        bursts[usize::from(b)][usize::from(pos)] = bits.get(k).map_or(0.0, |&v| llr(v, special));
    }
    let d = xcch_decode(&bursts);
    assert!(usize::from(d.coded_bit_errors) <= XCCH_CODED_BITS);
    if d.fire_ok {
        for channel in [Channel::Bcch, Channel::Sdcch] {
            check_stored_form(&parse_l2_block(channel, &d.bytes));
        }
    }
}
