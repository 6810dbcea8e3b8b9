//! Detector-facing semantics on real and pycrate-encoded vectors: the values the shared README
//! states for the f1815.3 (Proximus) cell, extension SIB-Type values, GERAN ARFCN expansion,
//! the reselection-priority helpers, and serde round trips.

use cellsentry_lte_rrc::*;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn decode(hex: &str) -> BcchDlSchMessage {
    decode_bcch_dl_sch(&unhex(hex)).unwrap()
}

/// captures/lte/pycrate_encoded_sib_vectors.json, by index.
fn pycrate_vector(i: usize) -> BcchDlSchMessage {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/lte/pycrate_encoded_sib_vectors.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    decode(v[i]["hex"].as_str().unwrap())
}

const F1815_SIB1: &str = "48481803247c2bffd02810210081044c43250b900000";
const F1815_SI_SIB2_SIB3: &str =
    "00805b29186fe0288035899062d0010601207bb16aa04406006be2340c2a106ff4a30884f0";
const JX_SIB5: &str = "000c544ae711a95a6ba22654882d5d540000";

/// README (shared captures/lte) per-file note for f1815.3: PLMN 206-01, TAC 9340, cellIdentity
/// 0x2BFFD02 (eNB 180221, cell 2), band 3, q-RxLevMin -132 dBm, ms20, SIB3 rf8, SIB5 rf32,
/// SIB6+SIB7 rf64, valueTag 1, ims-EmergencySupport, q-QualMin -18.
#[test]
fn f1815_sib1_as_the_readme_states() {
    let BcchDlSchMessage::Sib1(s) = decode(F1815_SIB1) else {
        panic!("not SIB1")
    };
    assert_eq!(s.primary_plmn().as_deref(), Some("206-01"));
    assert_eq!(s.tracking_area_code, 9340);
    assert_eq!(s.cell_identity, 0x2BFFD02);
    assert_eq!((s.enb_id, s.local_cell_id), (180221, 2));
    assert_eq!(s.freq_band_indicator, 3);
    assert_eq!(s.q_rx_lev_min_dbm, -132);
    assert_eq!(s.si_window_length_ms, 20);
    assert_eq!(s.si_count(), 3);
    assert_eq!(
        s.scheduled_sib_types(),
        ["sibType3", "sibType5", "sibType6", "sibType7"]
    );
    assert!(s.schedules_sib(7) && s.schedules_sib(6) && !s.schedules_sib(4));
    assert_eq!(s.system_info_value_tag, 1);
    assert!(s.ims_emergency_support);
    assert_eq!(s.q_qual_min_db, Some(-18));
    assert!(!s.cell_barred && !s.is_tdd());
}

/// Extension SIB-Type values must not alias root values (sibType24-v1530 is extension index 3;
/// read naively it would be sibType6 = UTRA).
#[test]
fn extension_sib_types_are_not_aliased() {
    let BcchDlSchMessage::Sib1(s) = pycrate_vector(0) else {
        panic!("not SIB1")
    };
    assert_eq!(
        s.scheduled_sib_types(),
        [
            "sibType24-v1530",
            "sibType7",
            "sibType19-v1250",
            "sibType26a-v1610",
            "sibType18-v1250"
        ]
    );
    assert!(!s.schedules_sib(6));
    assert!(s.schedules_sib(24) && s.schedules_sib(26));
    assert_eq!(s.scheduling[0].sib_types, Vec::<String>::new());
    assert_eq!(s.freq_band_indicator, 66);
    assert_eq!(s.multi_band_info_list, [70, 3]);
    assert_eq!(s.plmns[1].plmn_id(), "001-99");
    assert!(s.plmns[1].mcc_inherited);
    assert_eq!(s.plmns[0].plmn_id(), "001-001");
}

/// TS 36.331 CarrierFreqsGERAN: equally spaced = start + k*spacing, bitmap bit i (MSB first)
/// = start + 1 + i, all modulo 1024.
#[test]
fn geran_arfcns_expand_all_three_forms() {
    let BcchDlSchMessage::SystemInformation(si) = pycrate_vector(2) else {
        panic!("not SI")
    };
    let SibSummary::Sib7(sib7) = &si.sibs[1] else {
        panic!("not SIB7: {:?}", si.sibs[1])
    };
    let groups: Vec<Vec<u16>> = sib7
        .carrier_groups
        .iter()
        .map(|g| g.arfcns.clone())
        .collect();
    assert_eq!(
        groups,
        [
            vec![1020, 1023, 0, 5],
            vec![1000, 1008, 1016, 0, 8],
            vec![512, 513, 520, 528]
        ]
    );
    assert_eq!(sib7.carrier_groups[1].band_indicator, GeranBand::Pcs1900);
    assert_eq!(sib7.carrier_groups[0].q_rx_lev_min_dbm, -115);
    assert_eq!(si.sibs[3].type_name(), "sib13-v920");
    assert!(matches!(&si.sibs[3], SibSummary::Other { type_name } if type_name == "sib13-v920"));
}

#[test]
fn priorities_of_a_real_cell() {
    let mut cell = CellSystemInfo::new();
    assert_eq!(cell.legacy_priority_above_serving(), None);
    cell.ingest(decode(F1815_SIB1));
    cell.ingest(decode(F1815_SI_SIB2_SIB3));
    assert_eq!(cell.si_count(), 3);
    assert_eq!(cell.serving_priority(), Some(6));
    assert_eq!(cell.max_eutra_priority(), Some(6));
    assert_eq!(cell.max_geran_priority(), None);
    assert_eq!(cell.legacy_priority_above_serving(), Some(false));
    let sib2 = cell.sib2().unwrap();
    assert_eq!(sib2.ac_barring, None);
    assert_eq!(sib2.ul_bandwidth_prb, Some(100));

    // SIB5 of the JX China Mobile cell: carriers at priority 7 and 5.
    cell.ingest(decode(JX_SIB5));
    assert_eq!(cell.max_eutra_priority(), Some(7));
    assert_eq!(
        cell.sib5()
            .unwrap()
            .carriers
            .iter()
            .map(|c| c.dl_earfcn)
            .collect::<Vec<_>>(),
        [38350, 39250]
    );
}

#[test]
fn downgrade_rule_fires_when_legacy_priority_is_higher() {
    let mut cell = CellSystemInfo::new();
    cell.ingest(decode(F1815_SI_SIB2_SIB3)); // serving priority 6
    cell.ingest(pycrate_vector(2)); // UTRA max 7, GERAN max 6
    assert_eq!(cell.max_utra_priority(), Some(7));
    assert_eq!(cell.max_geran_priority(), Some(6));
    assert_eq!(cell.legacy_priority_above_serving(), Some(true));
    assert!(cell.sib8().unwrap().has_1xrtt_parameters);

    // A newer SIB replaces the older one of the same type.
    cell.ingest(pycrate_vector(1)); // SIB2 with emergency barring + SIB4
    let ac = cell.sib2().unwrap().ac_barring.unwrap();
    assert!(ac.for_emergency);
    assert_eq!(ac.mo_data.unwrap().factor_percent, 95);
    assert_eq!(
        cell.sibs.iter().filter(|s| s.type_name() == "sib2").count(),
        1
    );
    assert_eq!(cell.sib4().unwrap().neighbours.len(), 3);
}

#[test]
fn summaries_round_trip_through_json() {
    let mut cell = CellSystemInfo::new();
    for hex in [F1815_SIB1, F1815_SI_SIB2_SIB3, JX_SIB5] {
        let msg = decode(hex);
        let json = serde_json::to_string(&msg).unwrap();
        let back: BcchDlSchMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back, msg);
        cell.ingest(msg);
    }
    for i in 0..4 {
        cell.ingest(pycrate_vector(i));
    }
    let json = serde_json::to_string(&cell).unwrap();
    // The pycrate SIB1 (ingested last) replaced the f1815 one; its bytes are kept as hex.
    assert!(json.contains("\"raw\":\"7cc0060022677ddf"), "{json}");
    let back: CellSystemInfo = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cell);
}

#[test]
fn unsupported_message_class_is_reported() {
    // First bit 1 = BCCH-DL-SCH-MessageType messageClassExtension.
    let err = decode_bcch_dl_sch(&[0x80, 0x00]).unwrap_err();
    assert_eq!(err, RrcError::Unsupported("messageClassExtension"));
}

/// A SIB1 whose extension chain cannot be decoded (here: cut inside the v920 part) still yields
/// every root field, flagged, instead of failing as a whole.
#[test]
fn sib1_root_survives_an_undecodable_extension_chain() {
    let full = unhex(F1815_SIB1);
    let recovered: Vec<usize> = (1..full.len())
        .filter(|&n| {
            matches!(decode_bcch_dl_sch(&full[..n]),
                Ok(BcchDlSchMessage::Sib1(s)) if s.non_critical_extension_undecodable)
        })
        .collect();
    assert!(!recovered.is_empty(), "no truncation fell back to the root");
    for n in recovered {
        let Ok(BcchDlSchMessage::Sib1(s)) = decode_bcch_dl_sch(&full[..n]) else {
            unreachable!()
        };
        assert_eq!(s.primary_plmn().as_deref(), Some("206-01"));
        assert_eq!((s.tracking_area_code, s.cell_identity), (9340, 0x2BFFD02));
        assert_eq!(s.si_count(), 3);
        assert!(!s.ims_emergency_support && s.q_qual_min_db.is_none());
    }
    let BcchDlSchMessage::Sib1(s) = decode(F1815_SIB1) else {
        panic!("not SIB1")
    };
    assert!(!s.non_critical_extension_undecodable);
}
