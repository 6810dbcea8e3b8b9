//! Every number a rule compares against, with its default and where the default comes from
//! (`indicators.md` in the shared docs, which cites SnoopSnitch, Rayhunter, Crocodile Hunter,
//! SeaGlass and 3GPP). Loadable from JSON; missing fields keep their defaults.

use serde::{Deserialize, Serialize};

use crate::error::DetectError;
use crate::rules::Severity;

/// Weights and limits of the verdict (SnoopSnitch model: sum of sub-scores, alarm at 2.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scoring {
    /// Score of an `info` detection. Default 0: informational only.
    pub weight_info: f64,
    /// Score of a `low` detection. Default 0.5 (SnoopSnitch A2 gives 0.5).
    pub weight_low: f64,
    /// Score of a `medium` detection. Default 1.0 (SnoopSnitch K1/K2/A5 give 1.0).
    pub weight_medium: f64,
    /// Score of a `high` detection. Default 2.0 (SnoopSnitch's highest sub-scores are 2.0).
    pub weight_high: f64,
    /// Total at or above which a cell is `Suspicious`. Default 1.0: one medium finding.
    pub suspicious_min: f64,
    /// Total at or above which a cell is `LikelyFake`. Default 2.6, SnoopSnitch's
    /// `catcher_min_score` (config.sql).
    pub likely_fake_min: f64,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            weight_info: 0.0,
            weight_low: 0.5,
            weight_medium: 1.0,
            weight_high: 2.0,
            suspicious_min: 1.0,
            likely_fake_min: 2.6,
        }
    }
}

impl Scoring {
    /// Score of one detection of this severity.
    pub fn weight(&self, s: Severity) -> f64 {
        match s {
            Severity::Info => self.weight_info,
            Severity::Low => self.weight_low,
            Severity::Medium => self.weight_medium,
            Severity::High => self.weight_high,
        }
    }
}

/// Rule thresholds. Times in ms, powers in dB, offsets in ppm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Rule ids not to run.
    pub disabled_rules: Vec<String>,
    /// Verdict weights and limits.
    pub scoring: Scoring,

    /// `unknown_cell_vs_baseline`: severity used while the baseline holds no cell at all
    /// (first run, nothing surveyed or imported). Every cell is "unknown" then, so the finding
    /// carries no information about this cell; the default `info` keeps a sensor without a
    /// baseline from calling every real cell suspicious. Set `medium` to score it anyway.
    pub unknown_cell_empty_baseline_severity: Severity,

    /// `test_plmn`: stack-default PLMNs outside the test MCCs (001-009, 999), flagged when the
    /// profile's country does not own their MCC. Default 208-93, 208-95, 208-99 (OAI defaults
    /// and tutorials, indicators.md section 0).
    pub default_plmns: Vec<String>,
    /// `default_bts_identity`: identity fields equal to one stack's defaults needed. Default 2
    /// (single collisions such as LAC 1 or PCI 0 are common in real networks).
    pub default_identity_min_fields: usize,

    /// `t3212_short_or_zero`: T3212 below this (and > 0) is `medium`. Default 5 decihours
    /// (30 min; SnoopSnitch T1 score 1.5).
    pub t3212_medium_below_decihours: u8,
    /// `t3212_short_or_zero`: T3212 up to this (inclusive) is `low`. Default 8 (48 min;
    /// SnoopSnitch T1 score 0.7 for 5-8).
    pub t3212_low_max_decihours: u8,
    /// `t3212_short_or_zero`: T3212 below this fraction of the operator median is `low`.
    /// Default 0.5.
    pub t3212_operator_fraction: f64,

    /// `c2_reselection_abuse`: CELL_RESELECT_OFFSET above this is `medium`. Default 40 dB
    /// (coded 20; SnoopSnitch K2 `cro_max = 40`).
    pub cro_max_db: u8,

    /// `rxlev_access_min_anomaly`: RXLEV_ACCESS_MIN / q-RxLevMin at least this far below the
    /// operator median. Default 6 dB.
    pub rxlev_below_median_db: f64,

    /// `neighbour_list_empty_or_self`: fewer distinct non-own BA ARFCNs than this fires.
    /// Default 2 (SnoopSnitch K1: <= 1 neighbour).
    pub min_neighbour_arfcns: usize,

    /// `lac_inconsistent_with_neighbours`: same-PLMN neighbours needed. Default 3
    /// (SnoopSnitch A2: count > 2).
    pub lac_neighbours_min: usize,
    /// `lac_inconsistent_with_neighbours`: neighbours must be heard within this of the cell.
    /// Default 10 min.
    pub lac_neighbour_window_ms: i64,

    /// `single_cell_lac`: cells of the PLMN needed. Default 10 (indicators.md).
    pub single_lac_min_plmn_cells: usize,
    /// `single_cell_lac`: observation span (baseline window or run) needed. Default 24 h.
    pub single_lac_min_span_ms: i64,

    /// `lac_tac_change`: window. Default 24 h.
    pub lac_change_window_ms: i64,

    /// `arfcn_identity_change`: window. Default 10 min (SnoopSnitch A1).
    pub identity_change_window_ms: i64,
    /// `neighbour_list_inconsistent`: decoded same-PLMN neighbours needed. Default 3
    /// (SnoopSnitch R1).
    pub inconsistent_neighbours_min: usize,

    /// `same_ci_other_arfcn`: two sightings this close count as simultaneous (`high`).
    /// Default 60 s (one scan dwell cycle).
    pub same_ci_simultaneous_ms: i64,
    /// `same_ci_other_arfcn`: sequential sightings within this are `medium`. Default 1 h.
    pub same_ci_window_ms: i64,

    /// `missing_si2quater_si13`: time to wait for an announced SI message. Default 60 s.
    pub si_wait_ms: i64,
    /// `missing_si2quater_si13`, `no_gprs`: share of the operator's cells having the feature
    /// above which lacking it is odd. Default 0.8.
    pub operator_feature_share: f64,
    /// Operator norms from the run itself need at least this many other cells. Default 3.
    pub min_operator_cells: usize,

    /// `lte_sib1_incomplete_scheduling`: fewer schedulingInfoList entries fire. Default 2
    /// (Rayhunter `incomplete_sib.rs`).
    pub lte_min_scheduling_entries: usize,

    /// `unknown_pci_on_known_earfcn`: the cell must be among this many strongest on the
    /// EARFCN. Default 2.
    pub pci_strongest_n: usize,

    /// `sms_blaster_pattern`: LTE event and new GSM cell must be this close. Default 60 s.
    pub blaster_window_ms: i64,
    /// `sms_blaster_pattern`: LTE carrier power change (drop, or rise with sync lost).
    /// Default 10 dB.
    pub jam_power_change_db: f64,
    /// `sms_blaster_pattern`: in-band noise rise. Default 10 dB.
    pub jam_noise_rise_db: f64,

    /// `abnormal_power`: sigma multiplier over the cell's baseline mean. Default 2.
    pub power_sigma: f64,
    /// `abnormal_power`: floor of the baseline std (a very stable cell has std ~0). Default
    /// 1 dB.
    pub power_min_std_db: f64,
    /// `abnormal_power`: baseline power samples needed. Default 3 (Crocodile Hunter: > 3).
    pub power_min_samples: u32,
    /// `abnormal_power`: a new cell this far above the strongest baseline cell of the
    /// operator/RAT. Default 10 dB.
    pub new_cell_excess_db: f64,
    /// `abnormal_power`: the current level is the median over this window. Default 60 s.
    pub power_recent_window_ms: i64,

    /// `moving_source_power`: window. Default 5 min.
    pub moving_window_ms: i64,
    /// `moving_source_power`: std over the window. Default 6 dB.
    pub moving_std_db: f64,
    /// `moving_source_power`: linear trend. Default 10 dB/min.
    pub moving_trend_db_per_min: f64,
    /// `moving_source_power`: suppressed when the cell's baseline std is at least this.
    /// Default 2 dB.
    pub moving_baseline_std_max_db: f64,
    /// `moving_source_power`: samples needed in the window. Default 5.
    pub moving_min_samples: usize,
    /// `moving_source_power`: the samples must span this much. Default 30 s.
    pub moving_min_span_ms: i64,
    /// `moving_source_power`: with sensor positions, a sensor that moved at least this far in
    /// the window has its power judged against distance (a static-transmitter fit) instead of
    /// raw variation. Default 100 m.
    pub moving_sensor_travel_m: f64,
    /// `moving_source_power`: moving sensor, robust std of the power around the best
    /// static-transmitter fit above which the transmitter itself moves. Default 10 dB
    /// (shadowing 6-8 dB plus residual fading stays below it).
    pub moving_residual_std_db: f64,

    /// `frequency_offset_outlier`: `medium` above this after calibration. Default 0.2 ppm.
    pub offset_medium_ppm: f64,
    /// `frequency_offset_outlier`: `high` above this. Default 1 ppm.
    pub offset_high_ppm: f64,
    /// `frequency_offset_outlier`: reference cells needed to calibrate. Default 2.
    pub offset_min_reference_cells: usize,

    /// `short_lived_cell`: a cell present less than this. Default 30 min.
    pub short_lived_max_ms: i64,
    /// `short_lived_cell`: the sensor must have been listening this long before the cell
    /// appeared and after it vanished. Default 5 min.
    pub short_lived_margin_ms: i64,

    /// `paging_anomaly`: IMSI share above this multiple of the operator's. Default 3.
    pub imsi_ratio_factor: f64,
    /// `paging_anomaly`: paging records needed on the cell. Default 20.
    pub paging_min_records: u64,
    /// `paging_anomaly`: non-empty share below this is "no traffic". Default 0.01.
    pub paging_nonempty_min_share: f64,
    /// `paging_anomaly`: the counters must span this much. Default 5 min.
    pub paging_min_span_ms: i64,
    /// `paging_anomaly`: the operator is "busy" when its other cells' non-empty share is at
    /// least this. Default 0.05.
    pub busy_nonempty_share: f64,

    /// `paging_config_anomaly`: paging groups above this. Default 80 (SnoopSnitch R2
    /// `n_norm`).
    pub paging_groups_max: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            disabled_rules: Vec::new(),
            scoring: Scoring::default(),
            unknown_cell_empty_baseline_severity: Severity::Info,
            default_plmns: vec!["208-93".into(), "208-95".into(), "208-99".into()],
            default_identity_min_fields: 2,
            t3212_medium_below_decihours: 5,
            t3212_low_max_decihours: 8,
            t3212_operator_fraction: 0.5,
            cro_max_db: 40,
            rxlev_below_median_db: 6.0,
            min_neighbour_arfcns: 2,
            lac_neighbours_min: 3,
            lac_neighbour_window_ms: 600_000,
            single_lac_min_plmn_cells: 10,
            single_lac_min_span_ms: 86_400_000,
            lac_change_window_ms: 86_400_000,
            identity_change_window_ms: 600_000,
            inconsistent_neighbours_min: 3,
            same_ci_simultaneous_ms: 60_000,
            same_ci_window_ms: 3_600_000,
            si_wait_ms: 60_000,
            operator_feature_share: 0.8,
            min_operator_cells: 3,
            lte_min_scheduling_entries: 2,
            pci_strongest_n: 2,
            blaster_window_ms: 60_000,
            jam_power_change_db: 10.0,
            jam_noise_rise_db: 10.0,
            power_sigma: 2.0,
            power_min_std_db: 1.0,
            power_min_samples: 3,
            new_cell_excess_db: 10.0,
            power_recent_window_ms: 60_000,
            moving_window_ms: 300_000,
            moving_std_db: 6.0,
            moving_trend_db_per_min: 10.0,
            moving_baseline_std_max_db: 2.0,
            moving_min_samples: 5,
            moving_min_span_ms: 30_000,
            moving_sensor_travel_m: 100.0,
            moving_residual_std_db: 10.0,
            offset_medium_ppm: 0.2,
            offset_high_ppm: 1.0,
            offset_min_reference_cells: 2,
            short_lived_max_ms: 1_800_000,
            short_lived_margin_ms: 300_000,
            imsi_ratio_factor: 3.0,
            paging_min_records: 20,
            paging_nonempty_min_share: 0.01,
            paging_min_span_ms: 300_000,
            busy_nonempty_share: 0.05,
            paging_groups_max: 80,
        }
    }
}

impl Thresholds {
    /// Parses thresholds from JSON (missing fields keep defaults) and checks them.
    pub fn from_json_str(text: &str, what: &str) -> Result<Self, DetectError> {
        let t: Thresholds = serde_json::from_str(text).map_err(|e| DetectError::json(what, e))?;
        t.validate(what)?;
        Ok(t)
    }

    /// Loads thresholds from a JSON file.
    pub fn load(path: &std::path::Path) -> Result<Self, DetectError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DetectError::io(path.display().to_string(), e))?;
        Thresholds::from_json_str(&text, &path.display().to_string())
    }

    /// Rejects values that would make rules meaningless.
    pub fn validate(&self, what: &str) -> Result<(), DetectError> {
        let bad = |reason: &str| {
            Err(DetectError::Invalid {
                what: what.to_string(),
                reason: reason.to_string(),
            })
        };
        let s = &self.scoring;
        let weights = [s.weight_info, s.weight_low, s.weight_medium, s.weight_high];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return bad("scoring weights must be finite and >= 0");
        }
        if !(s.suspicious_min.is_finite() && s.likely_fake_min.is_finite())
            || s.suspicious_min > s.likely_fake_min
        {
            return bad("scoring: suspicious_min must be <= likely_fake_min");
        }
        if self.offset_medium_ppm > self.offset_high_ppm {
            return bad("offset_medium_ppm must be <= offset_high_ppm");
        }
        if !(0.0..=1.0).contains(&self.operator_feature_share) {
            return bad("operator_feature_share must be within 0..=1");
        }
        let times = [
            self.lac_neighbour_window_ms,
            self.single_lac_min_span_ms,
            self.lac_change_window_ms,
            self.identity_change_window_ms,
            self.same_ci_simultaneous_ms,
            self.same_ci_window_ms,
            self.si_wait_ms,
            self.blaster_window_ms,
            self.power_recent_window_ms,
            self.moving_window_ms,
            self.moving_min_span_ms,
            self.short_lived_max_ms,
            self.short_lived_margin_ms,
            self.paging_min_span_ms,
        ];
        if times.iter().any(|t| *t < 0) {
            return bad("time windows must be >= 0");
        }
        Ok(())
    }

    /// Whether a rule id is enabled.
    pub fn enabled(&self, rule_id: &str) -> bool {
        !self.disabled_rules.iter().any(|r| r == rule_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_keeps_defaults() {
        let t = Thresholds::from_json_str(
            r#"{"cro_max_db": 20, "scoring": {"likely_fake_min": 3.0}}"#,
            "t",
        )
        .unwrap();
        assert_eq!(t.cro_max_db, 20);
        assert_eq!(t.scoring.likely_fake_min, 3.0);
        assert_eq!(t.scoring.weight_high, 2.0);
        assert_eq!(t.t3212_medium_below_decihours, 5);
        // Round trip.
        let back = Thresholds::from_json_str(&serde_json::to_string(&t).unwrap(), "t").unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn load_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        std::fs::write(&p, r#"{"disabled_rules": ["no_gprs"]}"#).unwrap();
        let t = Thresholds::load(&p).unwrap();
        assert!(!t.enabled("no_gprs") && t.enabled("test_plmn"));
        assert!(Thresholds::load(&dir.path().join("none.json")).is_err());
    }

    #[test]
    fn invalid_thresholds_rejected() {
        assert!(Thresholds::from_json_str(r#"{"scoring":{"suspicious_min":5}}"#, "t").is_err());
        assert!(Thresholds::from_json_str(r#"{"offset_medium_ppm":2}"#, "t").is_err());
        assert!(Thresholds::from_json_str(r#"{"cro_max_db":"x"}"#, "t").is_err());
        assert!(Thresholds::from_json_str(r#"{"blaster_window_ms":-1}"#, "t").is_err());
    }
}
