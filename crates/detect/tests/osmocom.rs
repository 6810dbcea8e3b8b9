//! Proof tests on what a real Osmocom base station broadcast.
//!
//! The observations are built from the ground truth that gr-gsm + tshark decoded from the IQ of
//! the two Osmocom recordings (`captures/osmocom/*.truth.json`, see the shared
//! `captures/osmocom/README.md`), i.e. from an independent decoder, not from our own receiver.
//! Each mapped value is also checked against the README's table and the osmo-bsc.cfg lines
//! that produced it. Then the engine runs with the UK profile and an EMPTY baseline (a sensor
//! with no history), and every rule's outcome is asserted, fire or not fire, with the reason.

use cellsentry_detect::{
    Baseline, CellObservation, Engine, GsmSiType, GsmSystemInfo, Plmn, Profile, RachControl, Scene,
    Severity, Thresholds, VerdictLevel,
};
use serde_json::Value;
use std::path::PathBuf;

const DEFAULT: &str = "osmocom_default_dcs1800_arfcn871";
const BLASTER: &str = "osmocom_blaster_234-15_gsm900_arfcn62";
/// Arbitrary but fixed start time of the replay (2026-01-01T00:00:00Z).
const T0_MS: i64 = 1_767_225_600_000;

fn truth(name: &str) -> Value {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../../captures/osmocom"),
        manifest.join("../../../shared/captures/osmocom"),
    ];
    for dir in candidates {
        let p = dir.join(format!("{name}.truth.json"));
        if let Ok(text) = std::fs::read_to_string(&p) {
            return serde_json::from_str(&text).unwrap();
        }
    }
    panic!("truth file {name}.truth.json not found in captures/osmocom");
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} missing"))
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} missing"))
}

fn flag(v: &Value, k: &str) -> bool {
    s(v, k) == "1"
}

fn si_type(name: &str) -> GsmSiType {
    match name {
        "SI1" => GsmSiType::Si1,
        "SI2" => GsmSiType::Si2,
        "SI2bis" => GsmSiType::Si2bis,
        "SI2ter" => GsmSiType::Si2ter,
        "SI2quater" => GsmSiType::Si2quater,
        "SI3" => GsmSiType::Si3,
        "SI4" => GsmSiType::Si4,
        "SI13" => GsmSiType::Si13,
        other => panic!("unexpected SI type {other}"),
    }
}

/// Maps the gr-gsm/tshark ground truth of one recording onto the detector's input model, the
/// way the CLI maps our own receiver's output. Two observations: start and end of the decoded
/// frame range (GSM TDMA frame = 60/13 ms, TS 45.002 4.3.1).
fn observations(name: &str) -> Vec<CellObservation> {
    let t = truth(name);
    let sm = &t["summary"];
    let rach = &sm["rach_control"];
    let sel = &sm["cell_selection"];
    let ro = &sm["si3_rest_octets"];
    let ccch = &sm["ccch"];
    let acc = u16::from_str_radix(s(rach, "acc").trim_start_matches("0x"), 16).unwrap();
    let with_sel = flag(ro, "selection_parameters");
    let gsm = GsmSystemInfo {
        si_types: sm["si_types_seen_on_bcch"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| si_type(v.as_str().unwrap()))
            .collect(),
        t3212_decihours: Some(u(sm, "t3212_decihours") as u8),
        rach: Some(RachControl {
            emergency_call_barred: acc & 0x0400 != 0,
            cell_barred: u(rach, "cell_barr_access") == 1,
            access_class_barred_mask: acc,
            re_not_allowed: u(rach, "re") == 1,
            max_retrans: Some(u(rach, "max_retrans") as u8),
            tx_integer_slots: Some(u(rach, "tx_integer_slots") as u8),
        }),
        // Coded in 2 dB steps (TS 44.018 10.5.2.4).
        cell_reselect_hysteresis_db: Some(2 * u(sel, "cell_reselect_hysteresis_coded") as u8),
        rxlev_access_min: Some(u(sel, "rxlev_access_min_coded") as u8),
        ms_txpwr_max_cch: Some(u(sel, "ms_txpwr_max_cch_coded") as u8),
        si3_rest_octets_decoded: Some(true),
        cell_bar_qualify: with_sel.then(|| flag(ro, "cbq")),
        // CRO 2 dB steps, TO 10 dB steps, PT 20 s steps (TS 45.008 9, TS 44.018 10.5.2.35).
        cell_reselect_offset_db: with_sel
            .then(|| 2 * s(ro, "cell_reselect_offset").parse::<u8>().unwrap()),
        temporary_offset_db: with_sel
            .then(|| 10 * s(ro, "temporary_offset").parse::<u8>().unwrap()),
        penalty_time_s: with_sel.then(|| 20 * (s(ro, "penalty_time").parse::<u16>().unwrap() + 1)),
        gprs_indicator: Some(flag(ro, "gprs_indicator")),
        si2quater_announced: Some(flag(ro, "si2quater_indicator")),
        // SI13 position travels inside the GPRS indicator.
        si13_announced: Some(flag(ro, "gprs_indicator")),
        si2ter_announced: Some(flag(ro, "system_information_type_2ter")),
        neighbour_arfcns: Some(
            sm["si2_neighbour_ba_list_arfcns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u16)
                .collect(),
        ),
        cell_channel_arfcns: Some(
            sm["si1_cell_channel_description_arfcns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u16)
                .collect(),
        ),
        ncc_permitted: Some(
            u8::from_str_radix(s(sm, "si2_ncc_permitted").trim_start_matches("0x"), 16).unwrap(),
        ),
        bs_ag_blks_res: Some(u(ccch, "bs_ag_blks_res") as u8),
        bs_pa_mfrms: Some(u(
            ccch,
            "bs_pa_mfrms_multiframes (tshark shows coded value + 2)",
        ) as u8),
        ccch_combined: Some(u(ccch, "ccch_conf") == 1),
        eutran_neighbours: Vec::new(),
        geran_priority: None,
    };
    let fns = sm["decoded_frame_nr_range"].as_array().unwrap();
    let frames = fns[1].as_i64().unwrap() - fns[0].as_i64().unwrap();
    let dur_ms = frames * 60 / 13;
    let bsics = sm["bsic_decoded"].as_array().unwrap();
    assert_eq!(bsics.len(), 1, "one BSIC decoded from every SCH");
    let mut o = CellObservation::gsm(T0_MS, u(&t, "arfcn") as u16);
    o.bsic_pci = Some(bsics[0].as_u64().unwrap() as u16);
    o.plmn = Some(Plmn::new(s(sm, "mcc_digits").parse().unwrap(), s(sm, "mnc_digits")).unwrap());
    o.lac_tac = Some(u(sm, "lac") as u32);
    o.cell_id = Some(u(sm, "ci") as u32);
    o.dl_freq_hz = t["center_frequency_hz"].as_f64();
    o.gsm = Some(gsm);
    let mut end = o.clone();
    end.time_unix_ms = T0_MS + dur_ms;
    end.gsm = None;
    vec![o, end]
}

fn uk_engine(baseline: Baseline, th: Thresholds) -> Engine {
    Engine::new(Some(Profile::builtin("uk").unwrap()), baseline, th)
}

fn assert_rules(fired: &[&str], must: &[(&str, &str)], must_not: &[(&str, &str)]) {
    for (id, why) in must {
        assert!(fired.contains(id), "{id} must fire: {why}; fired {fired:?}");
    }
    for (id, why) in must_not {
        assert!(
            !fired.contains(id),
            "{id} must not fire: {why}; fired {fired:?}"
        );
    }
}

#[test]
fn default_observation_matches_readme_and_config() {
    let o = &observations(DEFAULT)[0];
    // README table / osmo-bsc.cfg: "network country code 1", "mobile network code 1".
    assert_eq!(o.plmn.as_ref().unwrap().to_string(), "001-01");
    // "location_area_code 1", "cell_identity 6969", "base_station_id_code 63", "arfcn 871".
    assert_eq!(
        (o.lac_tac, o.cell_id, o.bsic_pci, o.channel),
        (Some(1), Some(6969), Some(63), Some(871))
    );
    assert_eq!(o.dl_freq_hz, Some(1877.0e6));
    let g = o.gsm.as_ref().unwrap();
    assert_eq!(
        g.si_types,
        vec![
            GsmSiType::Si1,
            GsmSiType::Si2,
            GsmSiType::Si3,
            GsmSiType::Si4
        ]
    );
    // "timer net T3212 5" (30 min).
    assert_eq!(g.t3212_decihours, Some(5));
    let r = g.rach.as_ref().unwrap();
    assert_eq!(r.access_class_barred_mask, 0x0400);
    assert!(r.emergency_call_barred && !r.cell_barred && r.re_not_allowed);
    assert_eq!(r.max_retrans, Some(7));
    // "cell reselection hysteresis 4" is in dB: coded 2 on air.
    assert_eq!(g.cell_reselect_hysteresis_db, Some(4));
    assert_eq!(g.rxlev_access_min, Some(0));
    assert_eq!(
        g.cell_reselect_offset_db, None,
        "no selection parameters in SI3 rest octets"
    );
    assert_eq!(
        (g.gprs_indicator, g.si2quater_announced),
        (Some(false), Some(false))
    );
    assert_eq!(g.neighbour_arfcns, Some(vec![]));
    assert_eq!(g.cell_channel_arfcns, Some(vec![871]));
    assert_eq!(
        (g.bs_ag_blks_res, g.bs_pa_mfrms, g.ccch_combined),
        (Some(1), Some(5), Some(true))
    );
}

#[test]
fn blaster_observation_matches_readme_and_config() {
    let o = &observations(BLASTER)[0];
    assert_eq!(o.plmn.as_ref().unwrap().to_string(), "234-15");
    assert_eq!(
        (o.lac_tac, o.cell_id, o.bsic_pci, o.channel),
        (Some(3101), Some(40961), Some(21), Some(62))
    );
    assert_eq!(o.dl_freq_hz, Some(947.4e6));
    let g = o.gsm.as_ref().unwrap();
    // "cell reselection offset 126", "temporary offset 0", "penalty time 20".
    assert_eq!(g.cell_reselect_offset_db, Some(126));
    assert_eq!(g.temporary_offset_db, Some(0));
    assert_eq!(g.penalty_time_s, Some(20));
    assert_eq!(g.cell_bar_qualify, Some(false));
    // "neighbor-list mode manual" without entries.
    assert_eq!(g.neighbour_arfcns, Some(vec![]));
    // Unchanged defaults.
    assert_eq!(g.t3212_decihours, Some(5));
    assert_eq!(g.rach.as_ref().unwrap().access_class_barred_mask, 0x0400);
    assert_eq!(g.ms_txpwr_max_cch, Some(14));
    assert_eq!(g.gprs_indicator, Some(false));
}

#[test]
fn osmocom_default_is_likely_fake() {
    let scene = Scene::from_observations(&observations(DEFAULT));
    let engine = uk_engine(Baseline::empty(), Thresholds::default());
    let v = engine.evaluate(&scene);
    assert_eq!(v.len(), 1, "both observations are one cell");
    let verdict = &v[0].verdict;
    let fired = verdict.rule_ids();
    assert_rules(
        &fired,
        &[
            ("test_plmn", "PLMN 001-01: MCC 001 is the ITU-T E.212 test MCC (cfg: network country code 1, mobile network code 1)"),
            ("default_bts_identity", "LAC 1, CI 6969, BSIC 63, ARFCN 871 are all osmo-bsc example defaults"),
            ("emergency_call_barred", "ACC 0x0400 (EC bit) broadcast on a cell that is not barred, although osmo-bsc.cfg says 'allow-emergency allow' for the MSC"),
            ("neighbour_list_empty_or_self", "SI2 BA list is empty (single BTS, automatic neighbour list)"),
            ("unknown_cell_vs_baseline", "baseline is empty: the cell is unknown (reported at info: without a baseline every cell is)"),
            ("foreign_plmn", "MCC 001 is not a UK MCC (234/235)"),
            ("t3212_short_or_zero", "T3212 = 5 (30 min) is in SnoopSnitch's 5..8 low band"),
            ("si3_rest_octets_odd", "tshark: no selection parameters, power offset, SI2ter, GPRS or SI2quater indicator: the rest octets are bare padding"),
        ],
        &[
            ("c2_reselection_abuse", "SI3 rest octets carry no selection parameters (no CRO)"),
            ("rxlev_access_min_anomaly", "RXLEV_ACCESS_MIN 0 / CRH 4 dB are stack defaults but there is no operator norm to compare with (empty baseline, no other 001-01 cell)"),
            ("no_gprs", "GPRS is off ('gprs mode none') but no same-PLMN cells exist to make its absence odd"),
            ("missing_si2quater_si13", "SI3 does not announce SI2quater/SI13 and there is no operator norm"),
            ("lac_inconsistent_with_neighbours", "no other cell heard"),
            ("single_cell_lac", "2 s run, no 24 h window"),
            ("lac_tac_change", "seen once, one LAC"),
            ("same_ci_other_arfcn", "one channel only"),
            ("bsic_ncc_unexpected", "no operator NCC plan known"),
            ("new_arfcn_unusual_channel", "001-01 is no UK operator; baseline knows no channels"),
            ("access_class_anomaly", "only the EC bit is set (AC0-9 open) and no operator pattern is known"),
            ("neighbour_list_inconsistent", "no neighbour BA lists decoded"),
            ("arfcn_identity_change", "one identity on the channel"),
            ("paging_config_anomaly", "combined CCCH, BS_AG_BLKS_RES 1, BS_PA_MFRMS 5: (3-1)*5 = 10 paging groups <= 80"),
            ("paging_anomaly", "no paging counted (A interface down, no traffic)"),
            ("abnormal_power", "no baseline power to compare (the recording carries no real TX power)"),
            ("moving_source_power", "2 s recording, no power series"),
            ("frequency_offset_outlier", "ideal signal, no reference cells"),
            ("short_lived_cell", "the sensor did not listen 5 min before/after the 2.35 s recording"),
            ("sms_blaster_pattern", "no LTE carrier measured"),
            ("lte_sib1_incomplete_scheduling", "GSM cell"),
            ("lte_priority_downgrade", "GSM cell"),
            ("unknown_pci_on_known_earfcn", "GSM cell"),
        ],
    );
    let sev = |id: &str| {
        verdict
            .detections
            .iter()
            .find(|d| d.rule_id == id)
            .unwrap()
            .severity
    };
    assert_eq!(sev("test_plmn"), Severity::High);
    assert_eq!(
        sev("default_bts_identity"),
        Severity::High,
        "with a test PLMN"
    );
    assert_eq!(sev("emergency_call_barred"), Severity::High);
    assert_eq!(sev("neighbour_list_empty_or_self"), Severity::Medium);
    assert_eq!(sev("t3212_short_or_zero"), Severity::Low);
    assert_eq!(sev("foreign_plmn"), Severity::Medium);
    assert_eq!(sev("unknown_cell_vs_baseline"), Severity::Info);
    // test_plmn 2 + default_bts_identity 2 + emergency 2 + neighbours 1 + foreign 1 + T3212 0.5
    // + SI3 rest octets 0.5
    assert_eq!(verdict.score, 9.0);
    assert_eq!(verdict.level, VerdictLevel::LikelyFake);
    // Evidence carries the compared values.
    let dbi = verdict
        .detections
        .iter()
        .find(|d| d.rule_id == "default_bts_identity")
        .unwrap();
    assert_eq!(dbi.evidence["stack"], "Osmocom osmo-bsc");
    assert_eq!(dbi.evidence["matched"].as_array().unwrap().len(), 4);
    let ec = verdict
        .detections
        .iter()
        .find(|d| d.rule_id == "emergency_call_barred")
        .unwrap();
    assert_eq!(ec.evidence["acc"], "0x0400");
}

#[test]
fn osmocom_blaster_is_likely_fake() {
    let scene = Scene::from_observations(&observations(BLASTER));
    let engine = uk_engine(Baseline::empty(), Thresholds::default());
    let v = engine.evaluate(&scene);
    assert_eq!(v.len(), 1);
    let verdict = &v[0].verdict;
    let fired = verdict.rule_ids();
    assert_rules(
        &fired,
        &[
            (
                "c2_reselection_abuse",
                "CELL_RESELECT_OFFSET 126 dB (coded 63) > 40 dB (cfg: cell reselection offset 126)",
            ),
            (
                "neighbour_list_empty_or_self",
                "neighbor-list mode manual without entries: empty BA list",
            ),
            ("emergency_call_barred", "ACC 0x0400 left at the default"),
            ("unknown_cell_vs_baseline", "empty baseline"),
            (
                "t3212_short_or_zero",
                "T3212 5 left at the default: low band",
            ),
        ],
        &[
            ("test_plmn", "234-15 is a real UK PLMN"),
            ("foreign_plmn", "234-15 is Vodafone UK in the UK profile"),
            (
                "default_bts_identity",
                "LAC 3101, CI 40961, BSIC 21, ARFCN 62 match no stack default",
            ),
            (
                "new_arfcn_unusual_channel",
                "Vodafone UK runs GSM; no verified licence blocks; empty baseline",
            ),
            (
                "rxlev_access_min_anomaly",
                "no operator norm without a baseline or other Vodafone cells",
            ),
            ("no_gprs", "no other Vodafone cells heard"),
            (
                "missing_si2quater_si13",
                "not announced, and no operator norm",
            ),
            ("lac_inconsistent_with_neighbours", "no neighbours heard"),
            ("bsic_ncc_unexpected", "no operator NCC plan known"),
            ("paging_config_anomaly", "10 paging groups"),
            ("abnormal_power", "no power reference"),
            ("frequency_offset_outlier", "no reference cells"),
            ("short_lived_cell", "no listening before/after"),
            (
                "sms_blaster_pattern",
                "no LTE carrier measured in this recording",
            ),
            ("same_ci_other_arfcn", "one channel"),
            ("lac_tac_change", "one LAC"),
        ],
    );
    let sev = |id: &str| {
        verdict
            .detections
            .iter()
            .find(|d| d.rule_id == id)
            .unwrap()
            .severity
    };
    assert_eq!(sev("c2_reselection_abuse"), Severity::Medium);
    assert_eq!(sev("emergency_call_barred"), Severity::High);
    assert_eq!(sev("unknown_cell_vs_baseline"), Severity::Info);
    // c2 1 + neighbours 1 + emergency 2 + T3212 0.5 (+ unknown cell 0 at info)
    assert_eq!(verdict.score, 4.5);
    assert_eq!(verdict.level, VerdictLevel::LikelyFake);
    let c2 = verdict
        .detections
        .iter()
        .find(|d| d.rule_id == "c2_reselection_abuse")
        .unwrap();
    assert_eq!(c2.evidence["cell_reselect_offset_db"], 126);

    // A blaster that fixed its ACC, seen by a sensor with no baseline and no other cells:
    // 1 + 1 + 0.5 = 2.5, only suspicious. What lifts it is context: scoring the unknown cell
    // (3.5, likely fake) or a baseline/neighbourhood (see osmocom_blaster_among_vodafone_cells).
    let th = Thresholds {
        disabled_rules: vec!["emergency_call_barred".into()],
        ..Thresholds::default()
    };
    let v = uk_engine(Baseline::empty(), th.clone()).evaluate(&scene);
    assert_eq!(v[0].verdict.score, 2.5);
    assert_eq!(v[0].verdict.level, VerdictLevel::Suspicious);
    let th = Thresholds {
        unknown_cell_empty_baseline_severity: Severity::Medium,
        ..th
    };
    let v = uk_engine(Baseline::empty(), th).evaluate(&scene);
    assert_eq!(v[0].verdict.score, 3.5);
    assert_eq!(v[0].verdict.level, VerdictLevel::LikelyFake);
}

/// Real Vodafone UK-like cells around the sensor (surveyed the day before), then the blaster
/// recording's cell appears among them, claiming 234-15 in a LAC of its own.
#[test]
fn osmocom_blaster_among_vodafone_cells() {
    let voda = |t: i64, lac: u32, ci: u32, arfcn: u16, bsic: u16| {
        let mut o = CellObservation::gsm(t, arfcn);
        o.bsic_pci = Some(bsic);
        o.plmn = Some(Plmn::parse("234-15").unwrap());
        o.lac_tac = Some(lac);
        o.cell_id = Some(ci);
        o.power_dbfs = Some(-55.0 - f64::from(arfcn % 7));
        o.gsm = Some(GsmSystemInfo {
            si_types: vec![
                GsmSiType::Si1,
                GsmSiType::Si2,
                GsmSiType::Si2quater,
                GsmSiType::Si3,
                GsmSiType::Si4,
                GsmSiType::Si13,
            ],
            t3212_decihours: Some(10),
            rach: Some(RachControl::default()),
            cell_reselect_hysteresis_db: Some(6),
            rxlev_access_min: Some(8),
            si3_rest_octets_decoded: Some(true),
            cell_reselect_offset_db: Some(0),
            gprs_indicator: Some(true),
            si2quater_announced: Some(true),
            si13_announced: Some(true),
            neighbour_arfcns: Some(vec![12, 14, 16, 18]),
            ..GsmSystemInfo::default()
        });
        o
    };
    let cells = [
        (1201u32, 11001u32, 12u16, 8u16),
        (1201, 11002, 14, 9),
        (1201, 11003, 16, 10),
        (1201, 11004, 18, 11),
    ];
    let day = 86_400_000;
    let survey: Vec<_> = cells
        .iter()
        .flat_map(|&(l, c, a, b)| {
            [
                voda(T0_MS - day, l, c, a, b),
                voda(T0_MS - day + 600_000, l, c, a, b),
            ]
        })
        .collect();
    let baseline = Baseline::from_scene(&Scene::from_observations(&survey));
    let mut now: Vec<_> = cells
        .iter()
        .map(|&(l, c, a, b)| voda(T0_MS, l, c, a, b))
        .collect();
    now.extend(observations(BLASTER));
    let scene = Scene::from_observations(&now);
    let engine = uk_engine(baseline, Thresholds::default());
    let verdicts = engine.evaluate(&scene);
    for v in &verdicts {
        if v.key.cell_id == Some(40961) {
            assert_rules(
                &v.verdict.rule_ids(),
                &[
                    (
                        "c2_reselection_abuse",
                        "CRO 126 dB, above 40 dB and the operator's max 0",
                    ),
                    ("no_gprs", "all surveyed Vodafone cells have GPRS"),
                    (
                        "missing_si2quater_si13",
                        "all surveyed Vodafone cells send SI2quater/SI13",
                    ),
                    (
                        "rxlev_access_min_anomaly",
                        "RXLEV_ACCESS_MIN 0 vs median 8; CRH 4 dB never used (6 dB)",
                    ),
                    (
                        "lac_inconsistent_with_neighbours",
                        "4 Vodafone cells heard, none in LAC 3101",
                    ),
                    (
                        "bsic_ncc_unexpected",
                        "NCC 2 (BSIC 21) vs the operator's NCC 1",
                    ),
                    (
                        "new_arfcn_unusual_channel",
                        "ARFCN 62 never used in the baseline",
                    ),
                    ("unknown_cell_vs_baseline", "234-15/3101/40961 not surveyed"),
                    (
                        "neighbour_list_inconsistent",
                        "ARFCN 62 is in none of the 4 Vodafone BA lists",
                    ),
                ],
                &[("foreign_plmn", "local PLMN"), ("test_plmn", "real PLMN")],
            );
            assert_eq!(v.verdict.level, VerdictLevel::LikelyFake);
        } else {
            assert_eq!(
                v.verdict.level,
                VerdictLevel::Clean,
                "{}: {:?}",
                v.key,
                v.verdict.rule_ids()
            );
            assert!(
                v.verdict.detections.is_empty(),
                "{}: {:?}",
                v.key,
                v.verdict.detections
            );
        }
    }
    assert_eq!(verdicts.len(), 5);
}

/// Live: the blaster's SCH is heard first (no SI yet), then its SI; the alert comes the moment
/// the SI pushes the level up.
#[test]
fn osmocom_blaster_live_alert() {
    let obs = observations(BLASTER);
    let mut engine = uk_engine(Baseline::empty(), Thresholds::default());
    let mut sch = CellObservation::gsm(T0_MS - 1_000, 62);
    sch.bsic_pci = Some(21);
    let a = engine.observe(&sch);
    // ARFCN 62 + BSIC 21 alone: no rule fires on it (no baseline; not stack defaults).
    assert!(a.is_empty(), "{a:?}");
    let a = engine.observe(&obs[0]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].previous, VerdictLevel::Clean);
    assert_eq!(a[0].verdict.level, VerdictLevel::LikelyFake);
    assert_eq!(a[0].key.cell_id, Some(40961));
    assert!(engine.observe(&obs[1]).is_empty());
    assert_eq!(engine.live_scene().cells().len(), 1);
}

/// The real-network GSM captures (THC GSMSP 2007, ARFCN 30 and 93): only paging was decoded,
/// no SI, no BSIC (captures/gsm/*.truth.json). With identities absent, nothing may be claimed.
#[test]
fn real_2007_cells_without_identity_raise_nothing() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut obs = Vec::new();
    for name in [
        "gsmsp2007_941.0M_500ksps_arfcn30",
        "gsmsp2007_953.6M_500ksps_arfcn93",
    ] {
        let p = manifest.join(format!("../../captures/gsm/{name}.truth.json"));
        let t: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let cell = &t["cells"][0];
        assert!(cell["mcc"].is_null() && cell["bsic"].is_null());
        let mut o = CellObservation::gsm(T0_MS, cell["arfcn"].as_u64().unwrap() as u16);
        o.dl_freq_hz = t["center_freq"].as_f64();
        obs.push(o);
    }
    for th in [
        Thresholds::default(),
        Thresholds {
            unknown_cell_empty_baseline_severity: Severity::Medium,
            ..Thresholds::default()
        },
    ] {
        for engine in [
            uk_engine(Baseline::empty(), th.clone()),
            Engine::new(None, Baseline::empty(), th),
        ] {
            let v = engine.evaluate(&Scene::from_observations(&obs));
            assert_eq!(v.len(), 2);
            for c in v {
                assert!(
                    c.verdict.detections.is_empty(),
                    "{:?}",
                    c.verdict.detections
                );
            }
        }
    }
}
