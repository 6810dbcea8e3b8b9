//! From receiver output to the detector's input model, and the detector's verdicts back.
//!
//! The detector has its own plain model (`cellsentry_detect::CellObservation`) so that it knows
//! nothing of the receivers; this module is the one place that translates.

use cellsentry_detect::{
    Baseline, BaselineFileKind, CarrierObservation, CellObservation, CellVerdict, Engine,
    FreqPriority, GeoPoint, GsmSiType, GsmSystemInfo, LteSib1, LteSystemInfo, Plmn, Profile,
    RachControl, Scene, Survey, Thresholds,
};
use cellsentry_gsm_l3::{CellSystemInfo, SiType};

use crate::chain::{GsmCellResult, LteCellResult, StreamResult};
use crate::cli::DetectOpts;
use crate::exit::BadInput;

fn si_type(t: SiType) -> GsmSiType {
    match t {
        SiType::Si1 => GsmSiType::Si1,
        SiType::Si2 => GsmSiType::Si2,
        SiType::Si2bis => GsmSiType::Si2bis,
        SiType::Si2ter => GsmSiType::Si2ter,
        SiType::Si2quater => GsmSiType::Si2quater,
        SiType::Si3 => GsmSiType::Si3,
        SiType::Si4 => GsmSiType::Si4,
        SiType::Si5 => GsmSiType::Si5,
        SiType::Si5bis => GsmSiType::Si5bis,
        SiType::Si5ter => GsmSiType::Si5ter,
        SiType::Si6 => GsmSiType::Si6,
        SiType::Si7 => GsmSiType::Si7,
        SiType::Si8 => GsmSiType::Si8,
        SiType::Si9 => GsmSiType::Si9,
        SiType::Si13 => GsmSiType::Si13,
    }
}

/// The detector's view of what a GSM cell broadcast.
pub fn gsm_system_info(si: &CellSystemInfo) -> GsmSystemInfo {
    let seen = si.si_types_seen();
    // SI3's control channel and selection parameters and SI2's NCC permitted: part of the SI
    // fingerprint (issue #13) and of the paging-configuration rule.
    let si3 = match si.latest.get(&SiType::Si3) {
        Some(cellsentry_gsm_l3::L3Message::Si3(s)) => Some(s),
        _ => None,
    };
    let si2 = match si.latest.get(&SiType::Si2) {
        Some(cellsentry_gsm_l3::L3Message::Si2(s)) => Some(s),
        _ => None,
    };
    GsmSystemInfo {
        si_types: seen.iter().copied().map(si_type).collect(),
        t3212_decihours: si.t3212_decihours(),
        rach: si.rach_control().map(|r| RachControl {
            emergency_call_barred: r.emergency_call_barred,
            cell_barred: r.cell_bar_access,
            access_class_barred_mask: r.acc_raw,
            re_not_allowed: r.re_not_allowed,
            max_retrans: Some(r.max_retrans),
            tx_integer_slots: Some(r.tx_integer_slots),
        }),
        cell_reselect_hysteresis_db: si.cell_reselect_hysteresis_db(),
        // RXLEV_ACCESS_MIN is coded 0..63 from -110 dBm in 1 dB steps (TS 45.008 8.1.4).
        rxlev_access_min: si
            .rxlev_access_min_dbm()
            .map(|dbm| (dbm + 110).clamp(0, 63) as u8),
        ms_txpwr_max_cch: si3.map(|s| s.cell_selection.ms_txpwr_max_cch),
        si3_rest_octets_decoded: si
            .seen(SiType::Si3)
            .then(|| si.gprs_indicator_present().is_some()),
        cell_bar_qualify: si3
            .and_then(|s| s.rest_octets.decoded.as_ref())
            .and_then(|r| r.selection_parameters.as_ref())
            .map(|p| p.cbq),
        cell_reselect_offset_db: si.cell_reselect_offset_db(),
        temporary_offset_db: si.temporary_offset_db(),
        penalty_time_s: si.penalty_time_s(),
        gprs_indicator: si.gprs_indicator_present(),
        si2quater_announced: si.si2quater_announced(),
        si13_announced: si.si13_announced(),
        si2ter_announced: si.si2ter_announced(),
        neighbour_arfcns: si.seen(SiType::Si2).then(|| si.neighbour_arfcns()),
        cell_channel_arfcns: si.cell_allocation_arfcns(),
        ncc_permitted: si2.map(|s| s.ncc_permitted),
        bs_ag_blks_res: si3.map(|s| s.control_channel.bs_ag_blks_res),
        bs_pa_mfrms: si3.map(|s| s.control_channel.bs_pa_mfrms_multiframes),
        // CCCH_CONF 1: one basic physical channel combined with SDCCH/4 (TS 44.018 10.5.2.11).
        ccch_combined: si3.map(|s| s.control_channel.ccch_conf == 1),
        eutran_neighbours: si
            .eutran_neighbours()
            .into_iter()
            .map(|n| FreqPriority {
                channel: u32::from(n.earfcn),
                priority: n.priority,
            })
            .collect(),
        geran_priority: si.geran_priority(),
    }
}

/// One observation per power sample of the cell, each with the identity and system
/// information decoded over the whole stream (a replayed carrier is one cell throughout).
pub fn gsm_observations(cell: &GsmCellResult, base_unix_ms: i64) -> Vec<CellObservation> {
    let m = &cell.measurement;
    let si = gsm_system_info(&cell.sysinfo);
    let id = cell.sysinfo.cell_id();
    let make = |time_s: f64, power_dbfs: Option<f64>| {
        let mut o = CellObservation::new(
            cellsentry_detect::Rat::Gsm,
            base_unix_ms + (time_s * 1000.0) as i64,
        );
        o.channel = cell.arfcn.map(u32::from);
        o.bsic_pci = m.bsic.map(u16::from);
        o.plmn = id
            .as_ref()
            .and_then(|c| Plmn::parse(&format!("{}-{}", c.plmn.mcc, c.plmn.mnc)).ok());
        o.lac_tac = id.as_ref().map(|c| u32::from(c.lac));
        o.cell_id = id.as_ref().and_then(|c| c.cell_identity.map(u32::from));
        o.dl_freq_hz = cell.carrier_freq_hz;
        o.power_dbfs = power_dbfs.or(m.power_dbfs.map(f64::from));
        o.snr_db = m.snr_db.map(f64::from);
        o.freq_offset_hz = m.freq_offset_hz;
        o.freq_offset_ppm = m.freq_offset_ppm;
        o.gsm = Some(si.clone());
        o
    };
    let mut out: Vec<CellObservation> = cell
        .power
        .iter()
        .map(|p| make(p.time_s, Some(p.power_dbfs)))
        .collect();
    if out.is_empty() {
        out.push(make(0.0, None));
    }
    // Paging is counted once per stream, on the last observation (the counters are deltas).
    if let Some(last) = out.last_mut() {
        last.paging = Some(cell.paging);
    }
    out
}

/// An LTE cell as the detector sees it. Until SIB1 is decoded only the physical identity
/// (EARFCN, PCI) and the measurements are known.
pub fn lte_observation(cell: &LteCellResult, base_unix_ms: i64) -> CellObservation {
    let d = &cell.detection;
    let mut o = CellObservation::new(
        cellsentry_detect::Rat::Lte,
        base_unix_ms + (cell.time_s * 1000.0) as i64,
    );
    o.channel = cell.earfcn;
    o.bsic_pci = Some(d.pci);
    o.dl_freq_hz = cell.carrier_freq_hz;
    o.power_dbfs = d.rsrp_dbfs;
    o.snr_db = d.sinr_db;
    o.freq_offset_hz = Some(d.freq_offset_hz);
    o.freq_offset_ppm = d.freq_offset_ppm;
    if let Some(si) = &cell.si {
        let info = &si.system_info;
        if let Some(s1) = &info.sib1 {
            o.plmn = s1
                .plmns
                .first()
                .and_then(|p| Plmn::parse(&p.plmn_id()).ok());
            o.lac_tac = Some(u32::from(s1.tracking_area_code));
            o.cell_id = Some(s1.cell_identity);
        }
        if info.sib1.is_some() || !info.sibs.is_empty() {
            o.lte = Some(lte_system_info(info));
        }
    }
    o
}

/// One observation per search window the cell was found in (its power and offset history for
/// the power and lifetime rules), each with the identity and SIBs decoded for the cell.
pub fn lte_observations(cell: &LteCellResult, base_unix_ms: i64) -> Vec<CellObservation> {
    let first = lte_observation(cell, base_unix_ms);
    if cell.history.is_empty() {
        return vec![first];
    }
    cell.history
        .iter()
        .map(|h| {
            let mut o = first.clone();
            o.time_unix_ms = base_unix_ms + (h.time_s * 1000.0) as i64;
            o.power_dbfs = h.rsrp_dbfs.or(first.power_dbfs);
            o.snr_db = h.sinr_db.or(first.snr_db);
            o.freq_offset_hz = Some(h.freq_offset_hz);
            o.freq_offset_ppm = cell
                .carrier_freq_hz
                .filter(|f| *f > 0.0)
                .map(|f| h.freq_offset_hz / f * 1e6);
            o
        })
        .collect()
}

/// SIB number of a TS 36.331 SIB-Type name ("sibType7" -> 7); `None` for extension values.
fn sib_number(name: &str) -> Option<u8> {
    name.strip_prefix("sibType")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// The detector's view of what an LTE cell broadcast (SIB1, SIB3 priority, SIB5/6/7 layers).
pub fn lte_system_info(info: &cellsentry_lte_rrc::CellSystemInfo) -> LteSystemInfo {
    let mut sibs_received: Vec<u8> = info
        .sibs
        .iter()
        .filter_map(|s| s.type_name().strip_prefix("sib")?.parse().ok())
        .collect();
    if info.sib1.is_some() {
        sibs_received.insert(0, 1);
    }
    let sib1 = info.sib1.as_ref().map(|s| LteSib1 {
        plmns: s
            .plmns
            .iter()
            .filter_map(|p| Plmn::parse(&p.plmn_id()).ok())
            .collect(),
        tac: Some(u32::from(s.tracking_area_code)),
        cell_id: Some(s.cell_identity),
        cell_barred: Some(s.cell_barred),
        q_rxlevmin_dbm: Some(s.q_rx_lev_min_dbm),
        scheduling: s
            .scheduling
            .iter()
            .map(|si| si.sib_types.iter().filter_map(|t| sib_number(t)).collect())
            .collect(),
        si_window_ms: Some(u16::from(s.si_window_length_ms)),
    });
    LteSystemInfo {
        sibs_received,
        sib1,
        serving_priority: info.serving_priority(),
        inter_freq: info.sib5().map_or_else(Vec::new, |s| {
            s.carriers
                .iter()
                .map(|c| FreqPriority {
                    channel: c.dl_earfcn,
                    priority: c.cell_reselection_priority,
                })
                .collect()
        }),
        utra: info.sib6().map_or_else(Vec::new, |s| {
            s.utra_fdd
                .iter()
                .chain(&s.utra_tdd)
                .map(|c| FreqPriority {
                    channel: u32::from(c.uarfcn),
                    priority: c.cell_reselection_priority,
                })
                .collect()
        }),
        geran: info.sib7().map_or_else(Vec::new, |s| {
            s.carrier_groups
                .iter()
                .flat_map(|g| {
                    g.arfcns.iter().map(|a| FreqPriority {
                        channel: u32::from(*a),
                        priority: g.cell_reselection_priority,
                    })
                })
                .collect()
        }),
        sib4_neighbours: info.sib4().map(|s| s.neighbours.len() as u16),
        sib5_neighbours: info
            .sib5()
            .map(|s| s.carriers.iter().map(|c| c.neighbours.len() as u16).sum()),
    }
}

/// Every observation of a stream.
pub fn observations(result: &StreamResult, base_unix_ms: i64) -> Vec<CellObservation> {
    result
        .gsm
        .iter()
        .flat_map(|c| gsm_observations(c, base_unix_ms))
        .chain(
            result
                .lte
                .iter()
                .flat_map(|c| lte_observations(c, base_unix_ms)),
        )
        .collect()
}

/// The LTE carrier as a whole, for the jamming and SMS-blaster-sequence rules.
pub fn carrier_observations(result: &StreamResult, base_unix_ms: i64) -> Vec<CarrierObservation> {
    result
        .lte_carriers
        .iter()
        .filter_map(|c| {
            Some(CarrierObservation {
                rat: cellsentry_detect::Rat::Lte,
                channel: c.earfcn?,
                freq_hz: c.carrier_freq_hz,
                time_unix_ms: base_unix_ms + (c.time_s * 1000.0) as i64,
                power_dbfs: c.carrier_power_dbfs,
                noise_floor_dbfs: Some(c.noise_floor_dbfs),
                sync_found: c.pss_found,
            })
        })
        .collect()
}

/// The detector with the settings the CLI offers: country profile, a saved baseline and an
/// OpenCellID/MLS export.
pub fn engine(opts: &DetectOpts) -> anyhow::Result<Engine> {
    let profile = match &opts.country {
        Some(c) => Some(Profile::builtin(c).map_err(|e| BadInput(e.to_string()))?),
        None => None,
    };
    // --baseline takes a survey JSON or an OpenCellID/MLS CSV, told apart by content.
    let baseline_is_csv = match &opts.baseline {
        Some(path) => {
            Baseline::file_kind(path).map_err(|e| BadInput(e.to_string()))?
                == BaselineFileKind::CellDb
        }
        None => false,
    };
    let mut baseline = match &opts.baseline {
        Some(path) if !baseline_is_csv => {
            Baseline::load(path).map_err(|e| BadInput(e.to_string()))?
        }
        _ => Baseline::empty(),
    };
    let csv_baseline = opts.baseline.iter().filter(|_| baseline_is_csv);
    for csv in opts.cell_db.iter().chain(csv_baseline) {
        let filter = match &opts.near {
            Some(text) => {
                let (lat, lon) = text
                    .split_once(',')
                    .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                    .ok_or_else(|| BadInput(format!("--near {text}: expected LAT,LON")))?;
                Some((
                    GeoPoint {
                        lat_deg: lat,
                        lon_deg: lon,
                    },
                    opts.radius_km * 1000.0,
                ))
            }
            None => None,
        };
        let report = baseline
            .import_cell_db(csv, filter)
            .map_err(|e| BadInput(e.to_string()))?;
        eprintln!(
            "cellsentry: {}: {} cells imported ({} rows, {} other RATs, {} outside the radius, {} bad rows)",
            csv.display(),
            report.imported,
            report.rows,
            report.skipped_radio,
            report.outside_radius,
            report.bad_rows
        );
    }
    Ok(Engine::new(profile, baseline, Thresholds::default()))
}

/// Writes the baseline learnt from trusted observations (`--survey-out`).
pub fn save_survey(
    path: &std::path::Path,
    observations: &[CellObservation],
    carriers: &[CarrierObservation],
) -> anyhow::Result<()> {
    let mut survey = Survey::new();
    for o in observations {
        survey.add(o);
    }
    for c in carriers {
        survey.add_carrier(c);
    }
    survey
        .finish()
        .save(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Verdicts on every cell of a scene.
pub fn verdicts(
    engine: &Engine,
    observations: &[CellObservation],
    carriers: &[CarrierObservation],
) -> (Scene, Vec<CellVerdict>) {
    let mut scene = Scene::from_observations(observations);
    for c in carriers {
        scene.push_carrier(c);
    }
    let verdicts = engine.evaluate(&scene);
    (scene, verdicts)
}
