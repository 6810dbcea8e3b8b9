//! Builders for rule unit tests: plausible legitimate cells, and one-call evaluation.

use crate::baseline::{Baseline, BaselineIndex};
use crate::model::{CellObservation, GsmSiType, GsmSystemInfo, Plmn, RachControl};
use crate::profile::Profile;
use crate::rules::{Context, Detection, Rule};
use crate::scene::Scene;
use crate::thresholds::Thresholds;

/// System information of an ordinary operator GSM cell.
pub fn legit_si(neighbours: &[u16]) -> GsmSystemInfo {
    GsmSystemInfo {
        si_types: vec![
            GsmSiType::Si1,
            GsmSiType::Si2,
            GsmSiType::Si2quater,
            GsmSiType::Si3,
            GsmSiType::Si4,
            GsmSiType::Si13,
        ],
        t3212_decihours: Some(10),
        rach: Some(RachControl {
            max_retrans: Some(4),
            tx_integer_slots: Some(12),
            ..RachControl::default()
        }),
        cell_reselect_hysteresis_db: Some(6),
        rxlev_access_min: Some(8),
        ms_txpwr_max_cch: Some(5),
        si3_rest_octets_decoded: Some(true),
        cell_bar_qualify: Some(false),
        cell_reselect_offset_db: Some(0),
        temporary_offset_db: Some(0),
        penalty_time_s: Some(20),
        gprs_indicator: Some(true),
        si2quater_announced: Some(true),
        si13_announced: Some(true),
        si2ter_announced: Some(false),
        neighbour_arfcns: Some(neighbours.to_vec()),
        cell_channel_arfcns: None,
        ncc_permitted: Some(0xff),
        bs_ag_blks_res: Some(1),
        bs_pa_mfrms: Some(4),
        ccch_combined: Some(false),
        eutran_neighbours: Vec::new(),
        geran_priority: None,
    }
}

/// A legitimate-looking GSM observation.
pub fn gsm(t: i64, plmn: &str, lac: u32, ci: u32, arfcn: u16, bsic: u16) -> CellObservation {
    let mut o = CellObservation::gsm(t, arfcn);
    o.bsic_pci = Some(bsic);
    o.plmn = Some(Plmn::parse(plmn).unwrap());
    o.lac_tac = Some(lac);
    o.cell_id = Some(ci);
    o.power_dbfs = Some(-50.0);
    o.gsm = Some(legit_si(&[arfcn + 2, arfcn + 4, arfcn + 6]));
    o
}

/// An LTE observation with identity only.
pub fn lte(t: i64, plmn: &str, tac: u32, eci: u32, earfcn: u32, pci: u16) -> CellObservation {
    let mut o = CellObservation::lte(t, earfcn);
    o.bsic_pci = Some(pci);
    o.plmn = Some(Plmn::parse(plmn).unwrap());
    o.lac_tac = Some(tac);
    o.cell_id = Some(eci);
    o.power_dbfs = Some(-60.0);
    o
}

/// Evaluates `rule` on the scene cell that `probe` joined, with optional baseline/profile.
pub fn eval_with(
    rule: &dyn Rule,
    scene: &Scene,
    cell_index: usize,
    baseline: &Baseline,
    profile: Option<&Profile>,
    thresholds: &Thresholds,
) -> Vec<Detection> {
    let index = BaselineIndex::new(baseline);
    let ctx = Context::new(scene, baseline, &index, profile, thresholds);
    rule.evaluate(&scene.cells()[cell_index], &ctx)
}

/// Evaluates `rule` on the cell of the last observation pushed, empty baseline, UK profile.
pub fn eval_last(rule: &dyn Rule, obs: &[CellObservation]) -> Vec<Detection> {
    eval_last_with(rule, obs, &Baseline::empty())
}

/// As [`eval_last`] with a baseline.
pub fn eval_last_with(rule: &dyn Rule, obs: &[CellObservation], b: &Baseline) -> Vec<Detection> {
    let mut s = Scene::new();
    let mut last = 0;
    for o in obs {
        last = s.push(o);
    }
    let uk = Profile::builtin("uk").unwrap();
    eval_with(rule, &s, last, b, Some(&uk), &Thresholds::default())
}

/// A baseline learned from these observations.
pub fn baseline_of(obs: &[CellObservation]) -> Baseline {
    Baseline::from_scene(&Scene::from_observations(obs))
}
