//! No false alarm on a legitimate neighbourhood, and the SMS-blaster sequence inside it.
//!
//! Three UK operators' GSM layers (O2 234-10, Vodafone 234-15, EE 234-30) and LTE cells of EE,
//! Three (234-20) and Vodafone, with proper BA lists, GPRS, SI2quater/SI13, T3212 of 1-3 h, small
//! CROs, LTE SIB1 scheduling SIB3/5/6/7 and LTE priorities above GERAN. Surveyed for 10 min the
//! day before (the baseline), then seen again: every cell must be Clean with no detection at all.

use cellsentry_detect::{
    Baseline, CarrierObservation, CellObservation, Engine, FreqPriority, GsmSiType, GsmSystemInfo,
    LteSib1, LteSystemInfo, PagingCounters, Plmn, Profile, RachControl, Rat, Scene, Survey,
    Thresholds, VerdictLevel,
};

const DAY_MS: i64 = 86_400_000;
const T0_MS: i64 = 1_767_225_600_000;
/// The sensor's own oscillator error: every cell appears this far off.
const RX_ERROR_PPM: f64 = 1.3;

struct GsmCell {
    plmn: &'static str,
    lac: u32,
    ci: u32,
    arfcn: u16,
    bsic: u16,
    power_dbfs: f64,
    t3212: u8,
    cro_db: u8,
    crh_db: u8,
    rxlev: u8,
    neighbours: &'static [u16],
}

struct LteCell {
    plmn: &'static str,
    tac: u32,
    eci: u32,
    earfcn: u32,
    pci: u16,
    power_dbfs: f64,
}

const GSM: [GsmCell; 9] = [
    GsmCell {
        plmn: "234-10",
        lac: 5010,
        ci: 20001,
        arfcn: 20,
        bsic: 25,
        power_dbfs: -48.0,
        t3212: 20,
        cro_db: 0,
        crh_db: 6,
        rxlev: 6,
        neighbours: &[24, 28, 32, 36],
    },
    GsmCell {
        plmn: "234-10",
        lac: 5010,
        ci: 20002,
        arfcn: 24,
        bsic: 26,
        power_dbfs: -55.0,
        t3212: 20,
        cro_db: 4,
        crh_db: 6,
        rxlev: 6,
        neighbours: &[20, 28, 32],
    },
    GsmCell {
        plmn: "234-10",
        lac: 5010,
        ci: 20003,
        arfcn: 28,
        bsic: 27,
        power_dbfs: -61.0,
        t3212: 20,
        cro_db: 0,
        crh_db: 6,
        rxlev: 6,
        neighbours: &[20, 24, 36],
    },
    GsmCell {
        plmn: "234-15",
        lac: 1201,
        ci: 11001,
        arfcn: 66,
        bsic: 9,
        power_dbfs: -50.0,
        t3212: 10,
        cro_db: 0,
        crh_db: 4,
        rxlev: 8,
        neighbours: &[70, 74, 78],
    },
    GsmCell {
        plmn: "234-15",
        lac: 1201,
        ci: 11002,
        arfcn: 70,
        bsic: 10,
        power_dbfs: -58.0,
        t3212: 10,
        cro_db: 0,
        crh_db: 4,
        rxlev: 8,
        neighbours: &[66, 74, 78],
    },
    GsmCell {
        plmn: "234-15",
        lac: 1201,
        ci: 11003,
        arfcn: 74,
        bsic: 11,
        power_dbfs: -66.0,
        t3212: 10,
        cro_db: 0,
        crh_db: 4,
        rxlev: 8,
        neighbours: &[66, 70],
    },
    GsmCell {
        plmn: "234-30",
        lac: 7200,
        ci: 30001,
        arfcn: 530,
        bsic: 41,
        power_dbfs: -52.0,
        t3212: 30,
        cro_db: 10,
        crh_db: 6,
        rxlev: 10,
        neighbours: &[540, 550, 560],
    },
    GsmCell {
        plmn: "234-30",
        lac: 7200,
        ci: 30002,
        arfcn: 540,
        bsic: 42,
        power_dbfs: -57.0,
        t3212: 30,
        cro_db: 10,
        crh_db: 6,
        rxlev: 10,
        neighbours: &[530, 550],
    },
    GsmCell {
        plmn: "234-30",
        lac: 7200,
        ci: 30003,
        arfcn: 550,
        bsic: 43,
        power_dbfs: -63.0,
        t3212: 30,
        cro_db: 10,
        crh_db: 6,
        rxlev: 10,
        neighbours: &[530, 540, 560],
    },
];

const LTE: [LteCell; 5] = [
    LteCell {
        plmn: "234-30",
        tac: 7200,
        eci: 0x1A2B01,
        earfcn: 1617,
        pci: 100,
        power_dbfs: -60.0,
    },
    LteCell {
        plmn: "234-30",
        tac: 7200,
        eci: 0x1A2B02,
        earfcn: 1617,
        pci: 101,
        power_dbfs: -66.0,
    },
    LteCell {
        plmn: "234-20",
        tac: 9100,
        eci: 0x2C0001,
        earfcn: 1392,
        pci: 200,
        power_dbfs: -62.0,
    },
    LteCell {
        plmn: "234-20",
        tac: 9100,
        eci: 0x2C0002,
        earfcn: 1392,
        pci: 201,
        power_dbfs: -70.0,
    },
    LteCell {
        plmn: "234-15",
        tac: 1201,
        eci: 0x3D0001,
        earfcn: 6300,
        pci: 300,
        power_dbfs: -64.0,
    },
];

/// Small deterministic jitter in [-1, 1].
fn jitter(seed: u64) -> f64 {
    let x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((x >> 33) % 2001) as f64 / 1000.0 - 1.0
}

fn gsm_obs(c: &GsmCell, t: i64, k: u64) -> CellObservation {
    let mut o = CellObservation::gsm(t, c.arfcn);
    o.bsic_pci = Some(c.bsic);
    o.plmn = Some(Plmn::parse(c.plmn).unwrap());
    o.lac_tac = Some(c.lac);
    o.cell_id = Some(c.ci);
    o.power_dbfs = Some(c.power_dbfs + 0.5 * jitter(k));
    o.freq_offset_ppm = Some(RX_ERROR_PPM + 0.02 * jitter(k + 7));
    o.paging = Some(PagingCounters {
        imsi_pages: 1,
        tmsi_pages: 40,
        empty_pages: 60,
    });
    o.gsm = Some(GsmSystemInfo {
        si_types: vec![
            GsmSiType::Si1,
            GsmSiType::Si2,
            GsmSiType::Si2quater,
            GsmSiType::Si2ter,
            GsmSiType::Si3,
            GsmSiType::Si4,
            GsmSiType::Si13,
        ],
        t3212_decihours: Some(c.t3212),
        rach: Some(RachControl {
            max_retrans: Some(4),
            tx_integer_slots: Some(12),
            ..RachControl::default()
        }),
        cell_reselect_hysteresis_db: Some(c.crh_db),
        rxlev_access_min: Some(c.rxlev),
        ms_txpwr_max_cch: Some(5),
        si3_rest_octets_decoded: Some(true),
        cell_bar_qualify: Some(false),
        cell_reselect_offset_db: Some(c.cro_db),
        temporary_offset_db: Some(0),
        penalty_time_s: Some(20),
        gprs_indicator: Some(true),
        si2quater_announced: Some(true),
        si13_announced: Some(true),
        si2ter_announced: Some(true),
        neighbour_arfcns: Some(c.neighbours.to_vec()),
        cell_channel_arfcns: Some(vec![c.arfcn]),
        ncc_permitted: Some(0xff),
        bs_ag_blks_res: Some(1),
        bs_pa_mfrms: Some(4),
        ccch_combined: Some(false),
        eutran_neighbours: vec![FreqPriority {
            channel: 1617,
            priority: Some(6),
        }],
        geran_priority: Some(1),
    });
    o
}

fn lte_obs(c: &LteCell, t: i64, k: u64) -> CellObservation {
    let plmn = Plmn::parse(c.plmn).unwrap();
    let mut o = CellObservation::lte(t, c.earfcn);
    o.bsic_pci = Some(c.pci);
    o.plmn = Some(plmn.clone());
    o.lac_tac = Some(c.tac);
    o.cell_id = Some(c.eci);
    o.power_dbfs = Some(c.power_dbfs + 0.5 * jitter(k));
    o.freq_offset_ppm = Some(RX_ERROR_PPM + 0.02 * jitter(k + 3));
    o.paging = Some(PagingCounters {
        imsi_pages: 0,
        tmsi_pages: 30,
        empty_pages: 10,
    });
    let gsm_layer = c.plmn != "234-20";
    o.lte = Some(LteSystemInfo {
        sibs_received: vec![1, 2, 3, 5, 6, 7],
        sib1: Some(LteSib1 {
            plmns: vec![plmn],
            tac: Some(c.tac),
            cell_id: Some(c.eci),
            cell_barred: Some(false),
            q_rxlevmin_dbm: Some(-124),
            scheduling: vec![vec![3], vec![5], vec![6, 7]],
            si_window_ms: Some(20),
        }),
        serving_priority: Some(6),
        inter_freq: vec![FreqPriority {
            channel: 6300,
            priority: Some(5),
        }],
        utra: vec![FreqPriority {
            channel: 10588,
            priority: Some(3),
        }],
        geran: if gsm_layer {
            vec![FreqPriority {
                channel: 20,
                priority: Some(1),
            }]
        } else {
            vec![]
        },
        sib4_neighbours: Some(2),
        sib5_neighbours: Some(4),
    });
    o
}

fn lte_carrier(channel: u32, t: i64, power: f64, sync: bool) -> CarrierObservation {
    CarrierObservation {
        rat: Rat::Lte,
        channel,
        freq_hz: None,
        time_unix_ms: t,
        power_dbfs: power,
        noise_floor_dbfs: Some(-95.0),
        sync_found: sync,
    }
}

/// Ten minutes of scans (one per minute) starting at `start`.
fn scans(start: i64) -> (Vec<CellObservation>, Vec<CarrierObservation>) {
    let mut cells = Vec::new();
    let mut carriers = Vec::new();
    for m in 0..=10u64 {
        let t = start + m as i64 * 60_000;
        for (i, c) in GSM.iter().enumerate() {
            cells.push(gsm_obs(c, t + i as i64 * 500, m * 100 + i as u64));
        }
        for (i, c) in LTE.iter().enumerate() {
            cells.push(lte_obs(
                c,
                t + 20_000 + i as i64 * 500,
                m * 100 + 50 + i as u64,
            ));
        }
        for (ch, p) in [(1617u32, -45.0), (1392, -48.0), (6300, -50.0)] {
            carriers.push(lte_carrier(
                ch,
                t + 30_000,
                p + 0.3 * jitter(m + u64::from(ch)),
                true,
            ));
        }
    }
    (cells, carriers)
}

fn survey_baseline() -> Baseline {
    let (cells, carriers) = scans(T0_MS - DAY_MS);
    let mut s = Survey::new();
    for o in &cells {
        s.add(o);
    }
    for c in &carriers {
        s.add_carrier(c);
    }
    s.finish()
}

fn scene_of(cells: &[CellObservation], carriers: &[CarrierObservation]) -> Scene {
    let mut s = Scene::from_observations(cells);
    for c in carriers {
        s.push_carrier(c);
    }
    s
}

fn uk_engine(b: Baseline) -> Engine {
    Engine::new(
        Some(Profile::builtin("uk").unwrap()),
        b,
        Thresholds::default(),
    )
}

#[test]
fn survey_learns_operator_norms() {
    let b = survey_baseline();
    assert_eq!(b.cells.len(), GSM.len() + LTE.len());
    let voda = b.norms(&Plmn::parse("234-15").unwrap()).unwrap();
    assert_eq!(voda.gsm_cells, 3);
    assert_eq!(voda.t3212_median_decihours, Some(10.0));
    assert_eq!(voda.cro_max_db, Some(0));
    assert_eq!(voda.crh_set_db, vec![4]);
    assert_eq!(voda.ncc_set, vec![1]);
    assert_eq!(voda.gprs_share, Some(1.0));
    assert_eq!(voda.si2quater_share, Some(1.0));
    assert!(voda.si_types_usual.contains(&GsmSiType::Si13));
    assert_eq!(
        b.norms(&Plmn::parse("234-30").unwrap()).unwrap().cro_max_db,
        Some(10)
    );
    let known = b
        .cells
        .iter()
        .find(|c| c.key.cell_id == Some(20001))
        .unwrap();
    assert_eq!(known.power_samples, 11);
    assert!((known.power_mean_dbfs.unwrap() + 48.0).abs() < 0.5);
    assert!(known.power_std_db.unwrap() < 0.5);
    assert!((known.offset_median_ppm.unwrap() - RX_ERROR_PPM).abs() < 0.03);
    assert_eq!(b.carriers.len(), 3);
    // JSON round trip keeps everything (floats to within parsing precision).
    let back = Baseline::from_json_str(&b.to_json().unwrap(), "t").unwrap();
    assert_eq!(back.cells.len(), b.cells.len());
    assert_eq!(back.carriers.len(), b.carriers.len());
    assert_eq!(
        back.operators.keys().collect::<Vec<_>>(),
        b.operators.keys().collect::<Vec<_>>()
    );
    for (x, y) in back.cells.iter().zip(&b.cells) {
        assert_eq!(x.key, y.key);
        assert!((x.power_mean_dbfs.unwrap() - y.power_mean_dbfs.unwrap()).abs() < 1e-9);
        assert!((x.offset_median_ppm.unwrap() - y.offset_median_ppm.unwrap()).abs() < 1e-9);
    }
}

#[test]
fn legitimate_scene_is_clean() {
    let engine = uk_engine(survey_baseline());
    let (cells, carriers) = scans(T0_MS);
    let scene = scene_of(&cells, &carriers);
    let verdicts = engine.evaluate(&scene);
    assert_eq!(verdicts.len(), GSM.len() + LTE.len());
    for v in &verdicts {
        assert!(
            v.verdict.detections.is_empty(),
            "{}: {:?}",
            v.key,
            v.verdict.detections
        );
        assert_eq!(v.verdict.level, VerdictLevel::Clean);
    }
}

#[test]
fn legitimate_scene_is_clean_with_only_a_cell_database() {
    // No survey: only OpenCellID-style rows for the same cells (no channels, no power).
    let mut csv = String::from("radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n");
    for c in &GSM {
        let p = Plmn::parse(c.plmn).unwrap();
        csv += &format!(
            "GSM,{},{},{},{},,-0.12,51.50,1000,10,1,1500000000,1700000000,0\n",
            p.mcc,
            p.mnc_value().unwrap_or_default(),
            c.lac,
            c.ci
        );
    }
    for c in &LTE {
        let p = Plmn::parse(c.plmn).unwrap();
        csv += &format!(
            "LTE,{},{},{},{},{},-0.12,51.50,1000,10,1,1500000000,1700000000,0\n",
            p.mcc,
            p.mnc_value().unwrap_or_default(),
            c.tac,
            c.eci,
            c.pci
        );
    }
    let mut b = Baseline::empty();
    let rep = b
        .import_cell_db_reader(csv.as_bytes(), "ocid", None)
        .unwrap();
    assert_eq!(rep.imported as usize, GSM.len() + LTE.len());
    let engine = uk_engine(b);
    let (cells, carriers) = scans(T0_MS);
    for v in engine.evaluate(&scene_of(&cells, &carriers)) {
        assert!(
            v.verdict.detections.is_empty(),
            "{}: {:?}",
            v.key,
            v.verdict.detections
        );
    }
}

#[test]
fn legitimate_scene_live_raises_no_alert() {
    let mut engine = uk_engine(survey_baseline());
    let (cells, carriers) = scans(T0_MS);
    let mut alerts = Vec::new();
    let mut ci = carriers.iter().peekable();
    for o in &cells {
        while let Some(c) = ci.next_if(|c| c.time_unix_ms <= o.time_unix_ms) {
            alerts.extend(engine.observe_carrier(c));
        }
        alerts.extend(engine.observe(o));
    }
    assert!(alerts.is_empty(), "{alerts:?}");
}

/// The Osmocom blaster configuration (README values: 234-15, LAC 3101, CI 40961, BSIC 21,
/// ARFCN 62, CRO 126 dB, empty BA list, ACC 0x0400, T3212 5, no GPRS) switched on 20 s after
/// EE's LTE carrier 1617 is jammed (power up 15 dB, PSS lost), much louder than every real cell.
fn blaster(t: i64) -> CellObservation {
    let mut o = CellObservation::gsm(t, 62);
    o.bsic_pci = Some(21);
    o.plmn = Some(Plmn::parse("234-15").unwrap());
    o.lac_tac = Some(3101);
    o.cell_id = Some(40961);
    o.dl_freq_hz = Some(947.4e6);
    o.power_dbfs = Some(-25.0);
    o.gsm = Some(GsmSystemInfo {
        si_types: vec![
            GsmSiType::Si1,
            GsmSiType::Si2,
            GsmSiType::Si3,
            GsmSiType::Si4,
        ],
        t3212_decihours: Some(5),
        rach: Some(RachControl {
            emergency_call_barred: true,
            access_class_barred_mask: 0x0400,
            re_not_allowed: true,
            max_retrans: Some(7),
            tx_integer_slots: Some(12),
            ..RachControl::default()
        }),
        cell_reselect_hysteresis_db: Some(4),
        rxlev_access_min: Some(0),
        si3_rest_octets_decoded: Some(true),
        cell_bar_qualify: Some(false),
        cell_reselect_offset_db: Some(126),
        temporary_offset_db: Some(0),
        penalty_time_s: Some(20),
        gprs_indicator: Some(false),
        si2quater_announced: Some(false),
        si13_announced: Some(false),
        neighbour_arfcns: Some(vec![]),
        ..GsmSystemInfo::default()
    });
    o
}

#[test]
fn jamming_then_blaster_is_caught_live_and_in_replay() {
    let (mut cells, mut carriers) = scans(T0_MS);
    let jam_at = T0_MS + 5 * 60_000 + 35_000;
    carriers.push(lte_carrier(1617, jam_at, -30.0, false));
    carriers.sort_by_key(|c| c.time_unix_ms);
    cells.push(blaster(jam_at + 20_000));
    cells.push(blaster(jam_at + 80_000));
    cells.sort_by_key(|o| o.time_unix_ms);

    // Replay.
    let engine = uk_engine(survey_baseline());
    let verdicts = engine.evaluate(&scene_of(&cells, &carriers));
    let fake = verdicts
        .iter()
        .find(|v| v.key.cell_id == Some(40961))
        .unwrap();
    let ids = fake.verdict.rule_ids();
    for must in [
        "sms_blaster_pattern",
        "abnormal_power",
        "c2_reselection_abuse",
        "emergency_call_barred",
        "neighbour_list_empty_or_self",
        "unknown_cell_vs_baseline",
        "no_gprs",
        "lac_inconsistent_with_neighbours",
        "new_arfcn_unusual_channel",
    ] {
        assert!(ids.contains(&must), "{must} missing from {ids:?}");
    }
    assert_eq!(fake.verdict.level, VerdictLevel::LikelyFake);
    let pattern = fake
        .verdict
        .detections
        .iter()
        .find(|d| d.rule_id == "sms_blaster_pattern")
        .unwrap();
    assert_eq!(pattern.evidence["lte_events"][0]["earfcn"], 1617);
    // Nobody else is accused.
    for v in verdicts.iter().filter(|v| v.key.cell_id != Some(40961)) {
        assert_eq!(
            v.verdict.level,
            VerdictLevel::Clean,
            "{}: {:?}",
            v.key,
            v.verdict.rule_ids()
        );
    }

    // Live: the alert comes with the blaster's first observation, not before.
    let mut engine = uk_engine(survey_baseline());
    let mut ci = carriers.iter().peekable();
    let mut alerts = Vec::new();
    for o in &cells {
        while let Some(c) = ci.next_if(|c| c.time_unix_ms <= o.time_unix_ms) {
            alerts.extend(engine.observe_carrier(c));
        }
        alerts.extend(engine.observe(o));
    }
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].time_unix_ms, jam_at + 20_000);
    assert_eq!(alerts[0].verdict.level, VerdictLevel::LikelyFake);
    assert!(alerts[0].verdict.fired("sms_blaster_pattern"));
}

/// Rough speed figure (printed with --nocapture): a dense city scan of 300 GSM + 100 LTE cells,
/// 20 sightings each, plus 600 carrier measurements, in replay and live.
#[test]
fn speed_of_a_dense_scene() {
    let mut cells = Vec::new();
    for k in 0..20u64 {
        let t = T0_MS + k as i64 * 30_000;
        for i in 0..300u32 {
            let c = &GSM[(i % 9) as usize];
            let mut o = gsm_obs(c, t + i64::from(i), k * 1000 + u64::from(i));
            o.cell_id = Some(40_000 + i);
            o.channel = Some(1 + i % 124);
            o.bsic_pci = Some((i % 64) as u16);
            cells.push(o);
        }
        for i in 0..100u32 {
            let c = &LTE[(i % 5) as usize];
            let mut o = lte_obs(c, t + 400 + i64::from(i), k * 1000 + 500 + u64::from(i));
            o.cell_id = Some(0x500000 + i);
            o.bsic_pci = Some((i % 504) as u16);
            cells.push(o);
        }
    }
    let carriers: Vec<_> = (0..600i64)
        .map(|k| {
            lte_carrier(
                [1617, 1392, 6300][(k % 3) as usize],
                T0_MS + k * 1_000,
                -45.0,
                true,
            )
        })
        .collect();
    let engine = uk_engine(survey_baseline());
    let start = std::time::Instant::now();
    let scene = scene_of(&cells, &carriers);
    let built = start.elapsed();
    let verdicts = engine.evaluate(&scene);
    let replay = start.elapsed() - built;
    assert_eq!(verdicts.len(), 400);
    let mut live = uk_engine(survey_baseline());
    let start = std::time::Instant::now();
    for o in &cells {
        live.observe(o);
    }
    let live_t = start.elapsed();
    println!(
        "dense scene: {} observations, {} cells; scene build {:?}, replay evaluate {:?} ({:.1} us/cell); live {:?} ({:.1} us/observation)",
        cells.len(),
        verdicts.len(),
        built,
        replay,
        replay.as_secs_f64() * 1e6 / verdicts.len() as f64,
        live_t,
        live_t.as_secs_f64() * 1e6 / cells.len() as f64
    );
}
