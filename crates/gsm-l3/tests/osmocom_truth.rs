//! The SI1-SI4 (+ SACCH SI5/SI6) bytes of two real Osmocom base stations, decoded over the air by
//! gr-gsm and cross-checked against what osmo-bsc sent over Abis, compared with the truth printed
//! by tshark 4.0.17 (captures/gsm-l3/osmocom_*.truth.json, see PROVENANCE.md).

use cellsentry_gsm_l3::{parse_l2_block, CellSystemInfo, Channel, GsmSiType, L3Message};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn truth(name: &str) -> Value {
    let p = format!(
        "{}/../../captures/gsm-l3/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn s2u(v: &Value) -> u64 {
    match v {
        Value::String(s) => {
            if let Some(h) = s.strip_prefix("0x") {
                u64::from_str_radix(h, 16).unwrap()
            } else {
                s.parse().unwrap()
            }
        }
        _ => v.as_u64().unwrap(),
    }
}

/// Feed every decoded block of the recording (in air order) into a CellSystemInfo and check the
/// summary the truth file gives.
fn check(name: &str) -> CellSystemInfo {
    let t = truth(name);
    let s = &t["summary"];
    let mut cell = CellSystemInfo::new();
    let (mut fills, mut pages) = (0, 0);
    for b in t["decoded_blocks_in_order"].as_array().unwrap() {
        let bytes = hex(b["l2_block_hex"].as_str().unwrap());
        // gsmtap_chan_type 1 = BCCH, 2 = CCCH (gr-gsm also files SDCCH/4 sub-slot blocks there).
        let ch = if b["gsmtap_chan_type"] == 1 {
            Channel::Bcch
        } else {
            Channel::Ccch
        };
        // gr-gsm files the SDCCH/4 LAPDm fill frames under CCCH; the parser recognises them.
        let m = parse_l2_block(ch, &bytes);
        let name = b["name"].as_str().unwrap();
        match &m {
            L3Message::Fill { .. } => {
                assert!(name.contains("fill frame"), "{name}");
                fills += 1;
            }
            L3Message::PagingRequest1(p) => {
                assert_eq!(name, "PAGING_REQUEST_1");
                assert_eq!(
                    p.identities,
                    vec![cellsentry_gsm_l3::MobileIdentity::NoIdentity]
                );
                pages += 1;
            }
            _ => assert_eq!(m.message_type_name(), name, "{m:?}"),
        }
        cell.update(&m);
    }
    assert!(fills > 0 && pages > 0);
    let id = cell.cell_id().unwrap();
    assert_eq!(id.plmn.mcc, s["mcc_digits"].as_str().unwrap());
    assert_eq!(id.plmn.mnc, s["mnc_digits"].as_str().unwrap());
    assert_eq!(id.plmn.to_string(), s["plmn"].as_str().unwrap());
    assert_eq!(u64::from(id.lac), s["lac"].as_u64().unwrap());
    assert_eq!(
        u64::from(id.cell_identity.unwrap()),
        s["ci"].as_u64().unwrap()
    );
    let seen: Vec<String> = cell
        .si_types_seen()
        .iter()
        .map(|t| format!("{t:?}"))
        .collect();
    let mut want: Vec<String> = s["si_types_seen_on_bcch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let x = x.as_str().unwrap();
            format!("Si{}", &x[2..])
        })
        .collect();
    want.sort();
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    assert_eq!(seen_sorted, want);

    let L3Message::Si3(si3) = &cell.latest[&GsmSiType::Si3] else {
        panic!()
    };
    let cc = &si3.control_channel;
    assert_eq!(
        u64::from(cc.ccch_conf),
        s["ccch"]["ccch_conf"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(cc.bs_ag_blks_res),
        s["ccch"]["bs_ag_blks_res"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(cc.bs_pa_mfrms_multiframes),
        s["ccch"]["bs_pa_mfrms_multiframes (tshark shows coded value + 2)"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(u64::from(cc.att), s["ccch"]["att"].as_u64().unwrap());
    assert_eq!(u64::from(cc.mscr), s["ccch"]["mscr"].as_u64().unwrap());
    assert_eq!(
        u64::from(cell.t3212_decihours().unwrap()),
        s["t3212_decihours"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(cc.t3212_minutes()),
        s["t3212_minutes"].as_u64().unwrap()
    );
    let co = &si3.cell_options;
    assert_eq!(
        u64::from(co.pwrc),
        s["cell_options"]["pwrc"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(co.dtx),
        s["cell_options"]["dtx_coded"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(co.radio_link_timeout_coded),
        s["cell_options"]["radio_link_timeout_coded"]
            .as_u64()
            .unwrap()
    );
    let cs = &si3.cell_selection;
    let w = &s["cell_selection"];
    assert_eq!(
        u64::from(cs.cell_reselect_hysteresis_coded),
        w["cell_reselect_hysteresis_coded"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(cs.ms_txpwr_max_cch),
        w["ms_txpwr_max_cch_coded"].as_u64().unwrap()
    );
    assert_eq!(u64::from(cs.acs), w["acs"].as_u64().unwrap());
    assert_eq!(u64::from(cs.neci), w["neci"].as_u64().unwrap());
    assert_eq!(
        u64::from(cs.rxlev_access_min_coded),
        w["rxlev_access_min_coded"].as_u64().unwrap()
    );
    let r = cell.rach_control().unwrap();
    let w = &s["rach_control"];
    assert_eq!(
        u64::from(r.max_retrans_coded),
        w["max_retrans_coded"].as_u64().unwrap()
    );
    assert_eq!(u64::from(r.max_retrans), w["max_retrans"].as_u64().unwrap());
    assert_eq!(
        u64::from(r.tx_integer_coded),
        w["tx_integer_coded"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(r.tx_integer_slots),
        w["tx_integer_slots"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(r.cell_bar_access),
        w["cell_barr_access"].as_u64().unwrap()
    );
    assert_eq!(u64::from(r.re_not_allowed), w["re"].as_u64().unwrap());
    assert_eq!(u64::from(r.acc_raw), s2u(&w["acc"]));
    // ACC 0x0400 is the EC bit: emergency calls barred, no ordinary class barred.
    assert_eq!(cell.emergency_call_barred(), Some(true));
    assert_eq!(cell.access_classes_barred(), Some(vec![]));

    let ro = si3.rest_octets.decoded.as_ref().unwrap();
    let w = &s["si3_rest_octets"];
    assert_eq!(
        u64::from(ro.selection_parameters.is_some()),
        s2u(&w["selection_parameters"])
    );
    if let Some(sp) = &ro.selection_parameters {
        assert_eq!(u64::from(sp.cbq), s2u(&w["cbq"]));
        assert_eq!(
            u64::from(sp.cell_reselect_offset_coded),
            s2u(&w["cell_reselect_offset"])
        );
        assert_eq!(
            u64::from(sp.temporary_offset_coded),
            s2u(&w["temporary_offset"])
        );
        assert_eq!(u64::from(sp.penalty_time_coded), s2u(&w["penalty_time"]));
    }
    assert_eq!(
        u64::from(ro.power_offset.is_some()),
        s2u(&w["power_offset.present"])
    );
    assert_eq!(
        u64::from(ro.si2ter_indicator),
        s2u(&w["system_information_type_2ter"])
    );
    assert_eq!(
        u64::from(ro.early_classmark_sending),
        s2u(&w["early_classmark_sending"])
    );
    assert_eq!(
        u64::from(ro.gprs_indicator.is_some()),
        s2u(&w["gprs_indicator"])
    );
    assert_eq!(
        u64::from(ro.si2quater_position.is_some()),
        s2u(&w["si2quater_indicator"])
    );
    assert_eq!(
        u64::from(ro.si21_position.is_some()),
        s2u(&w["si21_indicator"])
    );
    assert_eq!(
        cell.cell_reselect_offset_db().map(u64::from),
        s["cell_reselect_offset_db"].as_u64()
    );
    assert_eq!(cell.gprs_indicator_present(), Some(false));
    assert_eq!(cell.si2quater_announced(), Some(false));
    assert_eq!(cell.si13_announced(), Some(false));

    let want_ca: Vec<u16> = s["si1_cell_channel_description_arfcns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u16)
        .collect();
    assert_eq!(cell.cell_allocation_arfcns().unwrap(), want_ca);
    assert_eq!(cell.neighbour_arfcns(), Vec::<u16>::new());
    assert!(s["si2_neighbour_ba_list_arfcns"]
        .as_array()
        .unwrap()
        .is_empty());
    let L3Message::Si2(si2) = &cell.latest[&GsmSiType::Si2] else {
        panic!()
    };
    assert_eq!(u64::from(si2.neighbour_cells.ba_ind), s2u(&s["si2_ba_ind"]));
    assert_eq!(u64::from(si2.ncc_permitted), s2u(&s["si2_ncc_permitted"]));
    let L3Message::Si4(si4) = &cell.latest[&GsmSiType::Si4] else {
        panic!()
    };
    assert_eq!(si4.lai, si3.lai, "si4_same_lai_as_si3");
    assert!(s["si4_same_lai_as_si3"].as_bool().unwrap());

    // Each SI's tshark field dump, for the scalar fields both decoders name the same way.
    for (si, v) in t["system_information"].as_object().unwrap() {
        let f = &v["fields"];
        let bytes = hex(v["payloads_hex"][0].as_str().unwrap());
        let m = parse_l2_block(
            if si.starts_with("SI") {
                Channel::Bcch
            } else {
                Channel::Ccch
            },
            &bytes,
        );
        assert_eq!(u64::from(bytes[0] >> 2), s2u(&f["gsm_a.rr.l2_pseudo_len"]));
        if let L3Message::Si3(x) = &m {
            assert_eq!(u64::from(x.cell_identity), s2u(&f["gsm_a.bssmap.cell_ci"]));
            assert_eq!(u64::from(x.lai.lac), s2u(&f["gsm_a.lac"]));
            // tshark prints the MNC as a number ("1" for "01"); the digit string is checked above.
            assert_eq!(
                u64::from(x.lai.plmn.mnc_value().unwrap()),
                s2u(&f["e212.lai.mnc"])
            );
            assert_eq!(
                u64::from(x.lai.plmn.mcc_value().unwrap()),
                s2u(&f["e212.lai.mcc"])
            );
        }
    }

    // Abis SACCH FILLING (SI5, SI6): same L2 pseudo-length framing as BCCH.
    for (k, v) in t["abis_rsl_si_from_bsc"].as_object().unwrap() {
        let bytes = hex(v[0].as_str().unwrap());
        let m = parse_l2_block(Channel::Bcch, &bytes);
        if k.contains("si_type=5") {
            let L3Message::Si5(s5) = &m else {
                panic!("{m:?}")
            };
            assert!(s5.neighbour_cells.list.arfcns.is_empty());
        } else if k.contains("si_type=6") {
            let L3Message::Si6(s6) = &m else {
                panic!("{m:?}")
            };
            assert_eq!(s6.cell_identity, id.cell_identity.unwrap());
            assert_eq!(s6.lai.lac, id.lac);
            assert_eq!(s6.lai.plmn, id.plmn);
        } else {
            // BCCH INFO: identical to the over-the-air block.
            assert!(m.is_system_information(), "{k}");
        }
    }
    cell
}

#[test]
fn osmocom_default_cell() {
    let c = check("osmocom_default_dcs1800_arfcn871.truth.json");
    assert_eq!(c.plmn().unwrap().to_string(), "001-01");
    assert_eq!(c.cell_identity(), Some(6969));
    assert_eq!(c.cell_reselect_offset_db(), None);
    assert_eq!(c.t3212_decihours(), Some(5));
}

#[test]
fn osmocom_blaster_cell() {
    let c = check("osmocom_blaster_234-15_gsm900_arfcn62.truth.json");
    assert_eq!(c.plmn().unwrap().to_string(), "234-15");
    assert_eq!(c.lac(), Some(3101));
    assert_eq!(c.cell_identity(), Some(40961));
    assert_eq!(c.cell_reselect_offset_db(), Some(126));
    assert_eq!(c.neighbour_arfcns(), Vec::<u16>::new());
    assert_eq!(c.emergency_call_barred(), Some(true));
}
