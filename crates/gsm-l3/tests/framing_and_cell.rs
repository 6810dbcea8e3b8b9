//! L2 framing (pseudo length, LAPDm, SACCH L1 header, fill frames) and the CellSystemInfo
//! aggregate, on real blocks from captures/gsm-l3 (262-02 SRLabs cell, 310-260, osmo-bsc SI2quater).

use cellsentry_gsm_l3::{
    parse_l2_block, parse_l3, CellSystemInfo, Channel, GsmSiType, L3Message, ParseError,
};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn vectors() -> Vec<Value> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../captures/gsm-l3/si_vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn fill_frames_are_classified() {
    let ccch_fill = hex("01 2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b");
    assert_eq!(
        parse_l2_block(Channel::Ccch, &ccch_fill),
        L3Message::Fill {
            channel: Channel::Ccch
        }
    );
    let sdcch_fill = hex("03 03 01 2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b");
    assert_eq!(
        parse_l2_block(Channel::Sdcch, &sdcch_fill),
        L3Message::Fill {
            channel: Channel::Sdcch
        }
    );
    // SACCH: L1 header (MS power, TA) + LAPDm UI with length 0.
    let sacch_fill = hex("05 01 03 03 01 2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b");
    assert_eq!(
        parse_l2_block(Channel::Sacch, &sacch_fill),
        L3Message::Fill {
            channel: Channel::Sacch
        }
    );
    assert_eq!(
        parse_l2_block(Channel::Sdcch, &sdcch_fill).message_type_name(),
        "Fill"
    );
}

#[test]
fn sacch_si5_and_si6_framing() {
    // SI5 of the shared vectors as the MS receives it: L1 header 00 00, LAPDm 03 03 49 (UI, 18 octets).
    let si5 = hex("0000 030349 061d10000000000000000000000000000000");
    let m = parse_l2_block(Channel::Sacch, &si5);
    let L3Message::Si5(s) = &m else {
        panic!("{m:?}")
    };
    assert_eq!(s.neighbour_cells.ba_ind, 1);
    assert!(s.neighbour_cells.list.arfcns.is_empty());
    // SI6 of the osmocom blaster (from its Abis SACCH FILLING), with LAPDm framing.
    let si6 = hex("0000 03032d 061ea00132f4510c1d27ff2b2b2b2b2b2b2b2b2b2b");
    let L3Message::Si6(s6) = parse_l2_block(Channel::Sacch, &si6) else {
        panic!()
    };
    assert_eq!(s6.cell_identity, 40961);
    assert_eq!(s6.lai.plmn.to_string(), "234-15");
    assert_eq!(s6.lai.lac, 3101);
    // A LAPDm SABM (unnumbered command) on SDCCH carries no L3 and is kept raw with a reason.
    let sabm = hex("01 3f 01 2b2b");
    let m = parse_l2_block(Channel::Sdcch, &sabm);
    assert!(
        matches!(
            m,
            L3Message::Unparsed {
                reason: ParseError::Lapdm { control: 0x3f, .. },
                ..
            }
        ),
        "{m:?}"
    );
}

#[test]
fn unknown_and_malformed_are_kept_raw() {
    // Notification/NCH: known type, not decoded.
    let b = hex("0506208b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b");
    let m = parse_l2_block(Channel::Ccch, &b);
    assert_eq!(m.message_type_name(), "Notification/NCH");
    let L3Message::Unparsed {
        raw,
        reason,
        message_type,
    } = m
    else {
        panic!()
    };
    assert_eq!(raw, b);
    assert_eq!(message_type, Some(0x20));
    assert!(matches!(reason, ParseError::NotDecoded(0x20, _)));
    // Pseudo length larger than the block.
    let m = parse_l2_block(Channel::Bcch, &hex("fd 06 1b 00"));
    assert!(matches!(
        m,
        L3Message::Unparsed {
            reason: ParseError::PseudoLength { .. },
            ..
        }
    ));
    // Not RR (mobility management PD 5).
    let m = parse_l3(Channel::Sdcch, &hex("05 18 01"));
    assert!(matches!(
        m,
        L3Message::Unparsed {
            reason: ParseError::NotRadioResource(5),
            ..
        }
    ));
    // Truncated SI3.
    let m = parse_l2_block(Channel::Bcch, &hex("49061b2bd962f2"));
    assert!(matches!(m, L3Message::Unparsed { .. }));
    assert_eq!(m.message_type_name(), "SI3");
}

#[test]
fn mnc_two_and_three_digits() {
    let v = vectors();
    let get = |prefix: &str| {
        let e = v
            .iter()
            .find(|e| e["hex"].as_str().unwrap().starts_with(prefix))
            .unwrap();
        let L3Message::Si3(s) = parse_l2_block(Channel::Bcch, &hex(e["hex"].as_str().unwrap()))
        else {
            panic!()
        };
        s.lai.plmn
    };
    let p = get("49061b2bd9");
    assert_eq!((p.mcc.as_str(), p.mnc.as_str()), ("262", "02"));
    let p = get("49061b2b97");
    assert_eq!((p.mcc.as_str(), p.mnc.as_str()), ("310", "260"));
    // Same digits 0,0,2 as a three-digit MNC: "002" is a different network from "02".
    let p3 = cellsentry_gsm_l3::plmn_from_bcd(&[0x62, 0x22, 0x00]).unwrap();
    assert_eq!(p3.to_string(), "262-002");
    assert_ne!(p3, get("49061b2bd9"));
}

#[test]
fn cell_aggregate_262_02() {
    // All SI of the real 262-02 cell (SRLabs recording) from the shared vectors.
    let mut cell = CellSystemInfo::new();
    for e in vectors() {
        if e["network"] != "262-02" {
            continue;
        }
        let b = hex(e["hex"].as_str().unwrap());
        let ch = if e["message"].as_str().unwrap().starts_with("SI") {
            Channel::Bcch
        } else {
            Channel::Ccch
        };
        cell.update(&parse_l2_block(ch, &b));
    }
    use GsmSiType::*;
    assert_eq!(
        cell.si_types_seen(),
        vec![Si2, Si2ter, Si2quater, Si3, Si4, Si13]
    );
    let id = cell.cell_id().unwrap();
    assert_eq!(
        (id.plmn.to_string(), id.lac, id.cell_identity),
        ("262-02".to_string(), 318, Some(11225))
    );
    // Union of SI2 (variable bit map) and SI2ter (bit map 0) lists, as tshark decoded them.
    let mut want = vec![
        730u16, 733, 734, 741, 746, 75, 69, 67, 65, 63, 61, 53, 12, 10, 8, 6, 4,
    ];
    want.sort_unstable();
    assert_eq!(cell.neighbour_arfcns(), want);
    assert_eq!(cell.t3212_decihours(), Some(10));
    assert_eq!(cell.cell_reselect_offset_db(), Some(80)); // coded 40 x 2 dB
    assert_eq!(cell.penalty_time_s(), None); // coded 31: CRO subtracted, no penalty timer
    assert_eq!(cell.temporary_offset_db(), Some(0));
    assert_eq!(cell.emergency_call_barred(), Some(false));
    assert_eq!(cell.gprs_indicator_present(), Some(true));
    assert_eq!(cell.si13_announced(), Some(true));
    assert_eq!(cell.si2quater_announced(), Some(true));
    assert_eq!(cell.si2ter_announced(), Some(true));
    assert_eq!(cell.cell_reselect_hysteresis_db(), Some(6));
    assert_eq!(cell.rxlev_access_min_dbm(), Some(-101));
    assert!(cell.eutran_neighbours().is_empty());
    assert_eq!(cell.counts[&Si3], 1);
    // The aggregate is stored/printed as JSON by later stages: it must round-trip.
    let js = serde_json::to_string(&cell).unwrap();
    let back: CellSystemInfo = serde_json::from_str(&js).unwrap();
    assert_eq!(back, cell);
}

#[test]
fn cell_aggregate_eutran_from_si2quater_set() {
    // osmo-bsc's SI2quater sets with SI2quater_COUNT 5 (first instance of each index 0..5).
    let mut cell = CellSystemInfo::new();
    let mut want_earfcns = Vec::new();
    for e in vectors() {
        let h = e["hex"].as_str().unwrap();
        if e["message"] != "SI2quater" || e["expect"]["si2quater_count"] != 5 {
            continue;
        }
        let m = parse_l2_block(Channel::Bcch, &hex(h));
        let L3Message::Si2quater(q) = &m else {
            panic!()
        };
        if cell.si2quater_by_index.contains_key(&q.index) {
            continue;
        }
        want_earfcns.extend(q.earfcns());
        cell.update(&m);
    }
    let n = cell.eutran_neighbours();
    assert_eq!(n.iter().map(|x| x.earfcn).collect::<Vec<_>>(), want_earfcns);
    assert!(n.len() >= 10);
    assert!(n
        .iter()
        .all(|x| x.priority == Some(6) && x.thresh_high == 11 && x.thresh_low == Some(12)));
    assert_eq!(cell.geran_priority(), Some(0));
    assert_eq!(cell.utran_fdd_uarfcns(), vec![1976]);
    assert!(!cell.utran_tdd_present());
}
