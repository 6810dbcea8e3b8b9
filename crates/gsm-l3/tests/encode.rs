//! Encoders against independent truth: the SI1-SI4 L2 blocks osmo-bsc generated for its default
//! configuration and for the "SMS blaster" configuration (decoded over the air by gr-gsm and
//! identical to the Abis BCCH INFORMATION, captures/gsm-l3/osmocom_*.truth.json), plus round
//! trips of every encoder through this crate's own `parse_l2_block`.

use cellsentry_gsm_l3::encode::{self, Si13Params, Si2quaterParams};
use cellsentry_gsm_l3::{
    parse_l2_block, CellOptions, CellSelectionParameters, Channel, ControlChannelDescription,
    EutranNeighbourGroup, L3Message, LocationAreaId, MobileIdentity, Plmn, RachControl,
    SelectionParameters, ServingCellPriority, Si3RestOctets, Si4RestOctets,
};
use serde_json::Value;

fn truth_blocks(name: &str) -> Value {
    let p = format!(
        "{}/../../captures/gsm-l3/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let t: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    t["system_information"].clone()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn truth_hex(si: &Value, ty: &str) -> String {
    let p = si[ty]["payloads_hex"].as_array().unwrap();
    assert_eq!(p.len(), 1, "{ty}: one distinct payload");
    p[0].as_str().unwrap().to_string()
}

/// Osmocom's defaults: max retrans 7, tx-integer 9, RE not allowed, ACC 0x0400 (TS 44.018
/// 10.5.2.29 coded values as the shared README lists them).
fn osmo_rach() -> RachControl {
    RachControl {
        max_retrans_coded: 3,
        max_retrans: 7,
        tx_integer_coded: 9,
        tx_integer_slots: 12,
        cell_bar_access: false,
        re_not_allowed: true,
        emergency_call_barred: true,
        acc_raw: 0x0400,
        access_classes_barred: vec![],
    }
}

struct Osmo {
    plmn: Plmn,
    lac: u16,
    ci: u16,
    arfcn: u16,
    ms_txpwr: u8,
    sel: Option<SelectionParameters>,
}

fn encode_osmo(c: &Osmo) -> [[u8; 23]; 4] {
    let rach = osmo_rach();
    let lai = LocationAreaId {
        plmn: c.plmn.clone(),
        lac: c.lac,
    };
    let ccd = ControlChannelDescription {
        mscr: true,
        att: true,
        bs_ag_blks_res: 1,
        ccch_conf: 1,
        cbq3: 0,
        bs_pa_mfrms_coded: 3,
        bs_pa_mfrms_multiframes: 5,
        t3212_decihours: 5,
    };
    let opts = CellOptions {
        pwrc: false,
        dtx: 2,
        radio_link_timeout_coded: 7,
        radio_link_timeout_sacch_blocks: 32,
    };
    let sel = CellSelectionParameters {
        cell_reselect_hysteresis_coded: 2,
        cell_reselect_hysteresis_db: 4,
        ms_txpwr_max_cch: c.ms_txpwr,
        acs: false,
        neci: true,
        rxlev_access_min_coded: 0,
        rxlev_access_min_dbm: -110,
    };
    let si3_ro = Si3RestOctets {
        selection_parameters: c.sel.clone(),
        early_classmark_sending_restriction_3g: true,
        ..Default::default()
    };
    let si4_ro = Si4RestOctets {
        selection_parameters: c.sel.clone(),
        ..Default::default()
    };
    [
        encode::si1(&[c.arfcn], &rach, false).unwrap(),
        encode::si2(&[], false, 0, 0xff, &rach).unwrap(),
        encode::si3(c.ci, &lai, &ccd, &opts, &sel, &rach, &si3_ro).unwrap(),
        encode::si4(&lai, &sel, &rach, &si4_ro).unwrap(),
    ]
}

#[test]
fn osmocom_default_si1_to_si4_byte_for_byte() {
    let si = truth_blocks("osmocom_default_dcs1800_arfcn871.truth.json");
    let got = encode_osmo(&Osmo {
        plmn: Plmn {
            mcc: "001".into(),
            mnc: "01".into(),
        },
        lac: 1,
        ci: 6969,
        arfcn: 871,
        ms_txpwr: 7,
        sel: None,
    });
    for (b, ty) in got.iter().zip(["SI1", "SI2", "SI3", "SI4"]) {
        assert_eq!(hex(b), truth_hex(&si, ty), "{ty}");
    }
}

#[test]
fn osmocom_blaster_si1_to_si4_byte_for_byte() {
    let si = truth_blocks("osmocom_blaster_234-15_gsm900_arfcn62.truth.json");
    let got = encode_osmo(&Osmo {
        plmn: Plmn {
            mcc: "234".into(),
            mnc: "15".into(),
        },
        lac: 3101,
        ci: 40961,
        arfcn: 62,
        ms_txpwr: 14,
        sel: Some(SelectionParameters {
            cbq: false,
            cell_reselect_offset_coded: 63,
            cell_reselect_offset_db: 126,
            temporary_offset_coded: 0,
            temporary_offset_db: Some(0),
            penalty_time_coded: 0,
            penalty_time_s: Some(20),
        }),
    });
    for (b, ty) in got.iter().zip(["SI1", "SI2", "SI3", "SI4"]) {
        assert_eq!(hex(b), truth_hex(&si, ty), "{ty}");
    }
}

#[test]
fn idle_paging_filler_matches_osmocom() {
    let si = truth_blocks("osmocom_default_dcs1800_arfcn871.truth.json");
    let b = encode::paging_request_1(&[]).unwrap();
    assert_eq!(hex(&b), truth_hex(&si, "PAGING_REQUEST_1"));
}

#[test]
fn round_trips_through_the_parser() {
    let rach = RachControl {
        max_retrans_coded: 2,
        max_retrans: 4,
        tx_integer_coded: 12,
        tx_integer_slots: 20,
        cell_bar_access: false,
        re_not_allowed: false,
        emergency_call_barred: false,
        acc_raw: 0x0000,
        access_classes_barred: vec![],
    };
    // SI1 / SI2: DCS variable bit map and GSM900 bit map 0.
    let b = encode::si1(&[512, 530, 600, 622], &rach, false).unwrap();
    let L3Message::Si1(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI1")
    };
    let mut a = s.cell_channel_description.arfcns.clone();
    a.sort();
    assert_eq!(a, vec![512, 530, 600, 622]);
    assert_eq!(s.rach_control, rach);
    let b = encode::si2(&[1, 17, 62, 124], false, 1, 0x0c, &rach).unwrap();
    let L3Message::Si2(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI2")
    };
    let mut a = s.neighbour_cells.list.arfcns.clone();
    a.sort();
    assert_eq!(a, vec![1, 17, 62, 124]);
    assert_eq!((s.ncc_permitted, s.neighbour_cells.ba_ind), (0x0c, 1));
    assert!(encode::si2(&[10, 700], false, 0, 0xff, &rach).is_err());

    // SI3 with GPRS, SI2quater and selection parameters.
    let ro = Si3RestOctets {
        selection_parameters: Some(SelectionParameters {
            cbq: false,
            cell_reselect_offset_coded: 5,
            cell_reselect_offset_db: 10,
            temporary_offset_coded: 7,
            temporary_offset_db: None,
            penalty_time_coded: 31,
            penalty_time_s: None,
        }),
        si2ter_indicator: true,
        gprs_indicator: Some(cellsentry_gsm_l3::GprsIndicator {
            ra_colour: 3,
            si13_position: 0,
        }),
        early_classmark_sending_restriction_3g: true,
        si2quater_position: Some(0),
        ..Default::default()
    };
    let lai = LocationAreaId {
        plmn: Plmn {
            mcc: "310".into(),
            mnc: "260".into(),
        },
        lac: 0x1234,
    };
    let ccd = ControlChannelDescription {
        mscr: true,
        att: true,
        bs_ag_blks_res: 2,
        ccch_conf: 0,
        cbq3: 0,
        bs_pa_mfrms_coded: 2,
        bs_pa_mfrms_multiframes: 4,
        t3212_decihours: 40,
    };
    let opts = CellOptions {
        pwrc: false,
        dtx: 1,
        radio_link_timeout_coded: 15,
        radio_link_timeout_sacch_blocks: 64,
    };
    let sel = CellSelectionParameters {
        cell_reselect_hysteresis_coded: 3,
        cell_reselect_hysteresis_db: 6,
        ms_txpwr_max_cch: 5,
        acs: false,
        neci: true,
        rxlev_access_min_coded: 8,
        rxlev_access_min_dbm: -102,
    };
    let b = encode::si3(4242, &lai, &ccd, &opts, &sel, &rach, &ro).unwrap();
    let L3Message::Si3(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI3")
    };
    assert_eq!(s.cell_identity, 4242);
    assert_eq!(s.lai, lai);
    assert_eq!(s.control_channel, ccd);
    assert_eq!(s.cell_options, opts);
    assert_eq!(s.cell_selection, sel);
    assert_eq!(s.rest_octets.decoded.unwrap(), ro);

    let ro4 = Si4RestOctets {
        selection_parameters: ro.selection_parameters.clone(),
        power_offset: None,
        gprs_indicator: ro.gprs_indicator.clone(),
        s_part_present: false,
    };
    let b = encode::si4(&lai, &sel, &rach, &ro4).unwrap();
    let L3Message::Si4(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI4")
    };
    assert_eq!(s.rest_octets.decoded.unwrap(), ro4);

    // SI2quater with two E-UTRAN frequencies and priorities.
    let q = Si2quaterParams {
        serving_cell_priority: Some(ServingCellPriority {
            geran_priority: 2,
            thresh_priority_search: 15,
            thresh_gsm_low: 15,
            h_prio: 0,
            t_reselection: 0,
        }),
        eutran_neighbours: vec![EutranNeighbourGroup {
            earfcns: vec![6300, 1300],
            measurement_bandwidths: vec![None, Some(3)],
            priority: Some(5),
            thresh_high: 20,
            thresh_low: Some(10),
            qrxlevmin: None,
        }],
        ..Default::default()
    };
    let b = encode::si2quater(&q).unwrap();
    let L3Message::Si2quater(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI2quater")
    };
    assert_eq!(s.stopped_at, None);
    assert_eq!(s.serving_cell_priority, q.serving_cell_priority);
    assert_eq!(s.eutran_neighbours, q.eutran_neighbours);

    let b = encode::si13(&Si13Params {
        rac: 7,
        ..Default::default()
    })
    .unwrap();
    let L3Message::Si13(s) = parse_l2_block(Channel::Bcch, &b) else {
        panic!("not SI13")
    };
    let c = s.rest_octets.decoded.unwrap().contents.unwrap();
    assert_eq!((c.rac, c.sgsnr), (Some(7), Some(true)));

    // Paging with an IMSI (odd digits) and a TMSI.
    let ids = vec![
        MobileIdentity::Imsi("234150123456789".into()),
        MobileIdentity::Tmsi("0badf00d".into()),
    ];
    let b = encode::paging_request_1(&ids).unwrap();
    let L3Message::PagingRequest1(p) = parse_l2_block(Channel::Ccch, &b) else {
        panic!("not paging")
    };
    assert_eq!(p.identities, ids);
    let ids = vec![MobileIdentity::Imsi("00101000000001".into())];
    let b = encode::paging_request_1(&ids).unwrap();
    assert_eq!(
        parse_l2_block(Channel::Ccch, &b).paged_identities(),
        &ids[..]
    );
    assert!(matches!(
        parse_l2_block(Channel::Sdcch, &encode::SDCCH_FILL_FRAME),
        L3Message::Fill { .. }
    ));
    assert!(encode::encode_plmn(&Plmn {
        mcc: "23".into(),
        mnc: "15".into()
    })
    .is_err());
    // What a fake cell may send: BCD nibble 0xA in the MCC (TS 24.008 10.5.1.3 octets:
    // MCC2|MCC1, MNC3|MCC3, MNC2|MNC1), read back as broadcast; 0xF is only the filler.
    let odd = Plmn::broadcast("2a4", "15");
    let bytes = encode::encode_plmn(&odd).unwrap();
    assert_eq!(bytes, [0xa2, 0xf4, 0x51]);
    assert_eq!(cellsentry_gsm_l3::plmn_from_bcd(&bytes).unwrap(), odd);
    assert!(encode::encode_plmn(&Plmn::broadcast("2f4", "15")).is_err());
}
