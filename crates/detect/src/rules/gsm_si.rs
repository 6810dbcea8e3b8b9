//! System-information rules (mostly GSM, indicators.md section 3): what the cell tells phones
//! about access, timers, reselection, neighbours, optional SI messages and paging.

use serde_json::json;

use super::{r2, Context, Detection, Rule, Severity};
use crate::model::{GsmSiType, GsmSystemInfo, Rat};
use crate::scene::CellHistory;

/// `emergency_call_barred`.
pub struct EmergencyCallBarred;

impl Rule for EmergencyCallBarred {
    rule_meta!(
        "emergency_call_barred",
        "Emergency calls barred",
        1,
        Severity::High,
        "Public networks must allow emergency calls; OpenBTS and YateBTS default to RACH.AC = \
         0x0400 ('no emergency services access') because they cannot route them, and Osmocom \
         broadcasts the same ACC. Fires when the EC bit (access class 10 of the RACH Control \
         Parameters, TS 44.018 10.5.2.29) is set on a cell that is not barred \
         (CELL_BAR_ACCESS = 0), i.e. a cell phones will camp on -> high. FPs: private/test and \
         maintenance cells. Sources: OpenBTS GetConfigurationKeys.cpp, YateBTS ybts.conf.sample."
    );

    fn evaluate(&self, cell: &CellHistory, _ctx: &Context) -> Vec<Detection> {
        let Some(rach) = cell.gsm.as_ref().and_then(|g| g.rach.as_ref()) else {
            return Vec::new();
        };
        let ec = rach.emergency_call_barred || rach.access_class_barred_mask & 0x0400 != 0;
        if !ec || rach.cell_barred {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::High,
            cell.gsm_si_first_unix_ms.unwrap_or(cell.first_seen_unix_ms),
            format!(
                "RACH control bars emergency calls (ACC 0x{:04x}) on a cell open to phones",
                rach.access_class_barred_mask
            ),
            json!({"acc": format!("0x{:04x}", rach.access_class_barred_mask),
                   "emergency_call_barred": true, "cell_barred": rach.cell_barred,
                   "plmn": cell.key.plmn.as_ref().map(|p| p.to_string())}),
        )]
    }
}

/// `access_class_anomaly`.
pub struct AccessClassAnomaly;

impl Rule for AccessClassAnomaly {
    rule_meta!(
        "access_class_anomaly",
        "Access-class barring unlike the operator",
        1,
        Severity::Low,
        "Rigs copy odd values or bar classes inconsistently. All of AC0-AC9 barred on a cell \
         that is not barred -> low; barring mask (EC bit aside, see emergency_call_barred) \
         seen on none of the operator's cells (baseline norms or >= 3 same-PLMN cells in the \
         run) -> low. FPs: operators bar classes during overload or events. Source: TS 44.018 \
         10.5.2.29."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(rach) = cell.gsm.as_ref().and_then(|g| g.rach.as_ref()) else {
            return Vec::new();
        };
        if rach.cell_barred {
            return Vec::new();
        }
        let mask = rach.access_class_barred_mask & !0x0400;
        let t = cell.gsm_si_first_unix_ms.unwrap_or(cell.first_seen_unix_ms);
        if mask & 0x03ff == 0x03ff {
            return vec![Detection::new(
                self,
                Severity::Low,
                t,
                "all ordinary access classes AC0-AC9 barred on an open cell",
                json!({"acc": format!("0x{:04x}", rach.access_class_barred_mask)}),
            )];
        }
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        if n.ac_masks.is_empty() || n.ac_masks.contains(&mask) {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            t,
            format!("access-class barring 0x{mask:04x} used by none of the operator's cells"),
            json!({"acc_without_ec": format!("0x{mask:04x}"),
                   "operator_masks": n.ac_masks.iter().map(|m| format!("0x{m:04x}")).collect::<Vec<_>>(),
                   "norms_from": src}),
        )]
    }
}

/// `t3212_short_or_zero`.
pub struct T3212ShortOrZero;

impl Rule for T3212ShortOrZero {
    rule_meta!(
        "t3212_short_or_zero",
        "Short or disabled periodic location update",
        1,
        Severity::Medium,
        "A short T3212 makes phones re-register (and re-send identities) often; OpenBTS \
         defaults to 0, YateBTS to 4 (24 min), Osmocom to 5 (30 min). T3212 < 5 decihours -> \
         medium (SnoopSnitch T1 score 1.5); 5..=8 -> low (score 0.7); 0 where the operator's \
         other cells use > 0, or below 50 % of the operator median -> low. SnoopSnitch saw no \
         real cell below 10 (1 h). Sources: SnoopSnitch analysis/catcher/sql/t_01.sql, \
         config.sql (t3212_min = 10); TS 44.018 10.5.2.11."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(t) = cell.gsm.as_ref().and_then(|g| g.t3212_decihours) else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let norms = ctx.norms(cell);
        let median = norms.as_ref().and_then(|(n, _)| n.t3212_median_decihours);
        let (sev, why) = if t == 0 {
            match median {
                Some(m) if m > 0.0 => (
                    Severity::Low,
                    "periodic LU disabled (0) unlike the operator",
                ),
                _ => return Vec::new(),
            }
        } else if t < th.t3212_medium_below_decihours {
            (Severity::Medium, "below the medium limit")
        } else if t <= th.t3212_low_max_decihours {
            (Severity::Low, "within the low band")
        } else if median.is_some_and(|m| f64::from(t) < th.t3212_operator_fraction * m) {
            (Severity::Low, "well below the operator median")
        } else {
            return Vec::new();
        };
        vec![Detection::new(
            self,
            sev,
            cell.gsm_si_first_unix_ms.unwrap_or(cell.first_seen_unix_ms),
            format!("T3212 = {t} ({} min): {why}", u32::from(t) * 6),
            json!({"t3212_decihours": t, "t3212_minutes": u32::from(t) * 6,
                   "medium_below": th.t3212_medium_below_decihours,
                   "low_max": th.t3212_low_max_decihours,
                   "operator_median": median, "operator_fraction": th.t3212_operator_fraction,
                   "norms_from": norms.map(|n| n.1)}),
        )]
    }
}

/// `c2_reselection_abuse`.
pub struct C2ReselectionAbuse;

impl Rule for C2ReselectionAbuse {
    rule_meta!(
        "c2_reselection_abuse",
        "C2 reselection parameters pull phones in",
        1,
        Severity::Medium,
        "C2 = C1 + CELL_RESELECT_OFFSET - TEMPORARY_OFFSET * H(PENALTY_TIME - T) (TS 45.008 \
         6.4): a large CRO makes phones prefer the cell whatever its real level. CRO > 40 dB \
         (coded 20) or above the operator's largest CRO -> medium (SnoopSnitch K2, cro_max = \
         40); CELL_BAR_QUALIFY = 1 with CRO >= 20 dB on a cell not in the baseline -> medium; \
         PENALTY_TIME = 31 or TEMPORARY_OFFSET = infinity on a new cell -> low (catalogue \
         fingerprints; they make C2 smaller, so weak). FPs: layer management (micro/macro, \
         900/1800). Sources: SnoopSnitch analysis/catcher/sql/k_02.sql; rayhunter PR #938."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(g) = cell.gsm.as_ref() else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let t = cell.gsm_si_first_unix_ms.unwrap_or(cell.first_seen_unix_ms);
        let known = !ctx.known(cell).is_empty();
        let mut out = Vec::new();
        if let Some(cro) = g.cell_reselect_offset_db {
            let norms = ctx.norms(cell);
            let op_max = norms.as_ref().and_then(|(n, _)| n.cro_max_db);
            let over_abs = cro > th.cro_max_db;
            let over_op = op_max.is_some_and(|m| cro > m);
            if over_abs || over_op {
                out.push(Detection::new(
                    self,
                    Severity::Medium,
                    t,
                    format!(
                        "CELL_RESELECT_OFFSET {cro} dB (limit {} dB, operator max {})",
                        th.cro_max_db,
                        op_max.map_or_else(|| "unknown".to_string(), |m| format!("{m} dB"))
                    ),
                    json!({"cell_reselect_offset_db": cro, "cro_max_db": th.cro_max_db,
                           "operator_cro_max_db": op_max, "norms_from": norms.map(|n| n.1),
                           "temporary_offset_db": g.temporary_offset_db,
                           "penalty_time_s": g.penalty_time_s}),
                ));
            } else if g.cell_bar_qualify == Some(true) && cro >= th.cro_max_db / 2 && !known {
                out.push(Detection::new(
                    self,
                    Severity::Medium,
                    t,
                    format!("CELL_BAR_QUALIFY with CRO {cro} dB on a new cell"),
                    json!({"cell_reselect_offset_db": cro, "cell_bar_qualify": true}),
                ));
            }
        }
        if !known && out.is_empty() {
            let pt31 = g.penalty_time_s == Some(640);
            let to_inf = g.temporary_offset_db == Some(70);
            if pt31 || to_inf {
                out.push(Detection::new(
                    self,
                    Severity::Low,
                    t,
                    "unusual C2 parameters on a new cell (PENALTY_TIME 31 or TEMPORARY_OFFSET infinity)",
                    json!({"penalty_time_s": g.penalty_time_s,
                           "temporary_offset_db": g.temporary_offset_db}),
                ));
            }
        }
        out
    }
}

/// `rxlev_access_min_anomaly`.
pub struct RxlevAccessMinAnomaly;

impl Rule for RxlevAccessMinAnomaly {
    rule_meta!(
        "rxlev_access_min_anomaly",
        "Access level / hysteresis unlike the operator",
        1,
        Severity::Low,
        "RXLEV_ACCESS_MIN 0 (-110 dBm) lets every phone camp, and the stacks default to it \
         (OpenBTS, YateBTS, Osmocom; srsRAN q-RxLevMin -130 dBm); CRH defaults differ from \
         operator choices. Needs operator norms (baseline, or >= 3 same-PLMN cells in the run): \
         RXLEV_ACCESS_MIN / q-RxLevMin >= 6 dB below the operator median -> low; \
         CELL_RESELECT_HYSTERESIS never used by the operator -> low. A fingerprint feature more \
         than an alarm; rural cells use -110 dBm. Sources: indicators.md section 0, \
         White-Stingray (WOOT 2017)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let t = cell.last_seen_unix_ms;
        let mut out = Vec::new();
        match cell.key.rat {
            Rat::Gsm => {
                let Some(g) = cell.gsm.as_ref() else {
                    return out;
                };
                if let (Some(r), Some(m)) = (g.rxlev_access_min, n.rxlev_access_min_median) {
                    // Raw steps are 1 dB (TS 45.008 8.1.4).
                    if m - f64::from(r) >= th.rxlev_below_median_db {
                        out.push(Detection::new(
                            self,
                            Severity::Low,
                            t,
                            format!(
                                "RXLEV_ACCESS_MIN {} dBm is {} dB below the operator median",
                                i32::from(r) - 110,
                                r2(m - f64::from(r))
                            ),
                            json!({"rxlev_access_min": r, "operator_median": m,
                                   "threshold_db": th.rxlev_below_median_db, "norms_from": src}),
                        ));
                    }
                }
                if let Some(h) = g.cell_reselect_hysteresis_db {
                    if !n.crh_set_db.is_empty() && !n.crh_set_db.contains(&h) {
                        out.push(Detection::new(
                            self,
                            Severity::Low,
                            t,
                            format!(
                                "CELL_RESELECT_HYSTERESIS {h} dB is not used by the operator {:?}",
                                n.crh_set_db
                            ),
                            json!({"cell_reselect_hysteresis_db": h,
                                   "operator_crh_db": n.crh_set_db, "norms_from": src}),
                        ));
                    }
                }
            }
            Rat::Lte => {
                let q = cell
                    .lte
                    .as_ref()
                    .and_then(|l| l.sib1.as_ref())
                    .and_then(|s| s.q_rxlevmin_dbm);
                if let (Some(q), Some(m)) = (q, n.q_rxlevmin_median_dbm) {
                    if m - f64::from(q) >= th.rxlev_below_median_db {
                        out.push(Detection::new(
                            self,
                            Severity::Low,
                            t,
                            format!(
                                "q-RxLevMin {q} dBm is {} dB below the operator median",
                                r2(m - f64::from(q))
                            ),
                            json!({"q_rxlevmin_dbm": q, "operator_median_dbm": m,
                                   "threshold_db": th.rxlev_below_median_db, "norms_from": src}),
                        ));
                    }
                }
            }
        }
        out
    }
}

/// `neighbour_list_empty_or_self`.
pub struct NeighbourListEmptyOrSelf;

impl Rule for NeighbourListEmptyOrSelf {
    rule_meta!(
        "neighbour_list_empty_or_self",
        "No neighbours announced",
        1,
        Severity::Medium,
        "A catcher wants phones to stay, so it announces no neighbours or only itself. GSM: \
         the BA list of SI2/SI2bis/SI2ter holds fewer than 2 ARFCNs other than the cell's own \
         -> medium (SnoopSnitch K1 scores 1.0 at <= 1 neighbour). LTE: SIB1 schedules neither \
         SIB4 nor SIB5 and no neighbours were decoded, on an operator heard on >= 2 EARFCNs -> \
         low. Judged only once SI2 / SIB1 is decoded. FPs: isolated rural cells, indoor DAS. \
         Sources: SnoopSnitch analysis/catcher/sql/k_01.sql; AIMSICD DF 4; rayhunter #534."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        match cell.key.rat {
            Rat::Gsm => self.gsm(cell, ctx),
            Rat::Lte => self.lte(cell, ctx),
        }
    }
}

impl NeighbourListEmptyOrSelf {
    fn gsm(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(list) = cell.gsm.as_ref().and_then(|g| g.neighbour_arfcns.as_ref()) else {
            return Vec::new();
        };
        let own = cell.key.channel;
        let mut others: Vec<u16> = list
            .iter()
            .copied()
            .filter(|a| Some(u32::from(*a)) != own)
            .collect();
        others.sort_unstable();
        others.dedup();
        let min = ctx.thresholds.min_neighbour_arfcns;
        if others.len() >= min {
            return Vec::new();
        }
        let what = if list.is_empty() {
            "empty".to_string()
        } else {
            format!("{} other ARFCN(s) {:?}", others.len(), list)
        };
        vec![Detection::new(
            self,
            Severity::Medium,
            cell.gsm_si_first_unix_ms.unwrap_or(cell.first_seen_unix_ms),
            format!("BA list is {what}"),
            json!({"ba_list": list, "own_arfcn": own, "other_arfcns": others.len(),
                   "min_neighbours": min}),
        )]
    }

    fn lte(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(l) = cell.lte.as_ref() else {
            return Vec::new();
        };
        let Some(s1) = l.sib1.as_ref() else {
            return Vec::new();
        };
        let scheduled = |n: u8| s1.scheduling.iter().flatten().any(|x| *x == n);
        let neighbours = l.sib4_neighbours.unwrap_or(0) + l.sib5_neighbours.unwrap_or(0);
        if scheduled(4) || scheduled(5) || neighbours > 0 || !l.inter_freq.is_empty() {
            return Vec::new();
        }
        let Some(plmn) = cell.key.plmn.as_ref() else {
            return Vec::new();
        };
        let mut earfcns: std::collections::BTreeSet<u32> = cell.key.channel.into_iter().collect();
        for o in ctx.same_plmn_others(cell, plmn) {
            earfcns.extend(o.key.channel);
        }
        for b in ctx.baseline.cells.iter().filter(|b| b.key.rat == Rat::Lte) {
            if b.key.plmn.as_ref().is_some_and(|p| p.same_network(plmn)) {
                earfcns.extend(b.key.channel);
            }
        }
        if earfcns.len() < 2 {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            "SIB1 schedules no SIB4/SIB5 and no neighbours on a multi-carrier operator",
            json!({"scheduling": s1.scheduling, "operator_earfcns": earfcns}),
        )]
    }
}

/// `neighbour_list_inconsistent`.
pub struct NeighbourListInconsistent;

impl Rule for NeighbourListInconsistent {
    rule_meta!(
        "neighbour_list_inconsistent",
        "Announced by none of its neighbours",
        1,
        Severity::Low,
        "Real cells are planned into their neighbours' BA lists; a catcher is not. Fires when \
         at least 3 same-PLMN GSM cells heard within 10 min have a decoded BA list and none \
         lists this cell's ARFCN -> low. FPs: asymmetric neighbour planning is common. Source: \
         SnoopSnitch R1 (analysis/catcher/sql/r_01.sql)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        if cell.key.rat != Rat::Gsm {
            return Vec::new();
        }
        let (Some(plmn), Some(arfcn)) = (cell.key.plmn.as_ref(), cell.key.channel) else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let mut lists = 0usize;
        for o in ctx.same_plmn_others(cell, plmn) {
            if !o.overlaps(
                cell.first_seen_unix_ms,
                cell.last_seen_unix_ms,
                th.lac_neighbour_window_ms,
            ) {
                continue;
            }
            let Some(ba) = o.gsm.as_ref().and_then(|g| g.neighbour_arfcns.as_ref()) else {
                continue;
            };
            if ba.iter().any(|a| u32::from(*a) == arfcn) {
                return Vec::new();
            }
            lists += 1;
        }
        if lists < th.inconsistent_neighbours_min {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!("ARFCN {arfcn} is in none of {lists} neighbours' BA lists"),
            json!({"arfcn": arfcn, "neighbour_lists": lists,
                   "min_neighbours": th.inconsistent_neighbours_min}),
        )]
    }
}

/// `missing_si2quater_si13`.
pub struct MissingSi2quaterSi13;

impl Rule for MissingSi2quaterSi13 {
    rule_meta!(
        "missing_si2quater_si13",
        "Announced/usual SI2quater or SI13 missing",
        1,
        Severity::Low,
        "Minimal stacks send SI1-SI4 only. SI3 rest octets announce SI2quater / SI13 (GPRS) but \
         the message was not received within 60 s of the first SI -> low; not announced while \
         >= 80 % of the operator's cells carry it -> low. FPs: 2G-only legacy cells without \
         3G/4G neighbours. Source: TS 44.018 10.5.2.34."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(g) = cell.gsm.as_ref() else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let waited =
            cell.last_seen_unix_ms - cell.gsm_si_first_unix_ms.unwrap_or(cell.last_seen_unix_ms);
        let norms = ctx.norms(cell);
        let mut out = Vec::new();
        let checks = [
            (
                "SI2quater",
                GsmSiType::Si2quater,
                g.si2quater_announced,
                norms.as_ref().and_then(|n| n.0.si2quater_share),
            ),
            (
                "SI13",
                GsmSiType::Si13,
                g.si13_announced,
                norms.as_ref().and_then(|n| n.0.si13_share),
            ),
        ];
        for (name, ty, announced, share) in checks {
            if g.si_types.contains(&ty) {
                continue;
            }
            match announced {
                Some(true) if waited >= th.si_wait_ms => out.push(Detection::new(
                    self,
                    Severity::Low,
                    cell.last_seen_unix_ms,
                    format!(
                        "{name} announced in SI3 but not received in {} s",
                        waited / 1000
                    ),
                    json!({"message": name, "announced": true, "waited_ms": waited,
                           "wait_ms": th.si_wait_ms}),
                )),
                Some(false) if share.is_some_and(|s| s >= th.operator_feature_share) => {
                    out.push(Detection::new(
                        self,
                        Severity::Low,
                        cell.last_seen_unix_ms,
                        format!(
                            "no {name} while {:.0} % of the operator's cells send it",
                            share.unwrap_or(0.0) * 100.0
                        ),
                        json!({"message": name, "announced": false, "operator_share": share,
                               "share_threshold": th.operator_feature_share,
                               "norms_from": norms.as_ref().map(|n| n.1)}),
                    ))
                }
                _ => {}
            }
        }
        out
    }
}

/// `no_gprs`.
pub struct NoGprs;

impl Rule for NoGprs {
    rule_meta!(
        "no_gprs",
        "No GPRS where the operator has it",
        1,
        Severity::Low,
        "SMS blasters need no data: OpenBTS GPRS.Enable=0, Osmocom 'gprs mode none'. Fires \
         when the SI3/SI4 rest octets carry no GPRS indicator while >= 80 % of the operator's \
         cells (baseline norms, or >= 3 same-PLMN cells in the run) have it -> low. FPs: \
         operators that removed GPRS from residual 2G. Source: indicators.md section 0."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        if cell.gsm.as_ref().and_then(|g| g.gprs_indicator) != Some(false) {
            return Vec::new();
        }
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let Some(share) = n.gprs_share.filter(|s| *s >= th.operator_feature_share) else {
            return Vec::new();
        };
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!(
                "no GPRS while {:.0} % of the operator's cells have it",
                share * 100.0
            ),
            json!({"gprs_indicator": false, "operator_gprs_share": share,
                   "share_threshold": th.operator_feature_share, "norms_from": src}),
        )]
    }
}

/// Presence pattern of the optional parts of the SI3 rest octets (TS 44.018 10.5.2.34): selection
/// parameters, SI2ter indicator, GPRS indicator, SI2quater indicator, e.g. "sel+gprs+2q". Each
/// vendor's stack writes its own pattern; `None` until the rest octets were decoded.
pub fn si3_rest_octets_fingerprint(g: &GsmSystemInfo) -> Option<String> {
    if g.si3_rest_octets_decoded != Some(true) {
        return None;
    }
    let parts: Vec<&str> = [
        (
            g.cell_reselect_offset_db.is_some() || g.cell_bar_qualify.is_some(),
            "sel",
        ),
        (g.si2ter_announced == Some(true), "2ter"),
        (g.gprs_indicator == Some(true), "gprs"),
        (g.si2quater_announced == Some(true), "2q"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    Some(if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join("+")
    })
}

/// `si3_rest_octets_odd`.
pub struct Si3RestOctetsOdd;

impl Rule for Si3RestOctetsOdd {
    rule_meta!(
        "si3_rest_octets_odd",
        "SI3 rest octets unlike the operator's",
        1,
        Severity::Low,
        "Each stack/vendor writes a recognisable SI3 rest-octet pattern (TS 44.018 10.5.2.34); \
         a rogue rig differs from the operator's vendor. Fires when the rest octets carry no \
         optional part at all (all padding), or when their presence pattern (selection \
         parameters, SI2ter, GPRS, SI2quater indicators) matches none of the operator's cells \
         (baseline norms, or >= 3 same-PLMN cells in the run) -> low. FPs: multi-vendor \
         operators (the norms keep every pattern seen). Sources: indicators.md; SnoopSnitch \
         cell_info."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(fp) = cell.gsm.as_ref().and_then(si3_rest_octets_fingerprint) else {
            return Vec::new();
        };
        if fp == "none" {
            return vec![Detection::new(
                self,
                Severity::Low,
                cell.last_seen_unix_ms,
                "SI3 rest octets carry no optional part (all padding)".to_string(),
                json!({"fingerprint": fp}),
            )];
        }
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        if n.si3_fingerprints.is_empty() || n.si3_fingerprints.contains(&fp) {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!(
                "SI3 rest octets pattern {fp} matches none of the operator's ({})",
                n.si3_fingerprints.join(", ")
            ),
            json!({"fingerprint": fp, "operator_fingerprints": n.si3_fingerprints,
                   "norms_from": src}),
        )]
    }
}

/// `paging_config_anomaly`.
pub struct PagingConfigAnomaly;

impl Rule for PagingConfigAnomaly {
    rule_meta!(
        "paging_config_anomaly",
        "Unusually many paging groups",
        1,
        Severity::Low,
        "Number of paging groups N = (CCCH blocks - BS_AG_BLKS_RES) * BS_PA_MFRMS, with 9 \
         CCCH blocks per 51-multiframe on a non-combined and 3 on a combined CCCH (TS 45.002 \
         6.5.1, 7 Table 5). N > 80 -> low (SnoopSnitch R2 n_norm = 80; operators also use \
         72-80, weak). Source: SnoopSnitch analysis/catcher/sql/r_02.sql."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(g) = cell.gsm.as_ref() else {
            return Vec::new();
        };
        let (Some(ag), Some(pa), Some(comb)) = (g.bs_ag_blks_res, g.bs_pa_mfrms, g.ccch_combined)
        else {
            return Vec::new();
        };
        let blocks: i32 = if comb { 3 } else { 9 };
        let n = (blocks - i32::from(ag)).max(0) * i32::from(pa);
        let max = ctx.thresholds.paging_groups_max;
        if n <= max as i32 {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!("{n} paging groups (limit {max})"),
            json!({"paging_groups": n, "bs_ag_blks_res": ag, "bs_pa_mfrms": pa,
                   "ccch_combined": comb, "max": max}),
        )]
    }
}

/// `paging_anomaly`.
pub struct PagingAnomaly;

impl Rule for PagingAnomaly {
    rule_meta!(
        "paging_anomaly",
        "Paging traffic unlike the operator",
        1,
        Severity::Low,
        "A rig without a core has almost no real paging, and IMSI paging harvests identities. \
         IMSI share of identity pagings > 3x the operator's share -> low; < 1 % non-empty \
         paging records over >= 5 min on a cell of an operator whose other cells are busy \
         (>= 5 % non-empty) -> low. Needs >= 20 records. FPs: night-time, core restarts (mass \
         IMSI paging); SnoopSnitch disabled F1. Sources: SnoopSnitch f_01.sql, t_03.sql; \
         rayhunter #534."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let p = cell.paging;
        let th = ctx.thresholds;
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let ids = p.non_empty();
        if ids >= th.paging_min_records {
            if let Some(op) = n.imsi_page_share {
                let share = f64::from(p.imsi_pages) / ids as f64;
                // An operator share of 0 would make any IMSI page an anomaly; floor it at 1 %.
                if share > th.imsi_ratio_factor * op.max(0.01) {
                    out.push(Detection::new(
                        self,
                        Severity::Low,
                        cell.last_seen_unix_ms,
                        format!(
                            "{:.0} % IMSI pagings vs {:.0} % on the operator's cells",
                            share * 100.0,
                            op * 100.0
                        ),
                        json!({"imsi_pages": p.imsi_pages, "tmsi_pages": p.tmsi_pages,
                               "imsi_share": r2(share), "operator_imsi_share": r2(op),
                               "factor": th.imsi_ratio_factor, "norms_from": src}),
                    ));
                }
            }
        }
        let span = cell.paging_span_unix_ms.map_or(0, |(a, b)| b - a);
        if p.total() >= th.paging_min_records && span >= th.paging_min_span_ms {
            let share = ids as f64 / p.total() as f64;
            let busy = n
                .nonempty_page_share
                .filter(|s| *s >= th.busy_nonempty_share);
            if let (true, Some(op)) = (share < th.paging_nonempty_min_share, busy) {
                out.push(Detection::new(
                    self,
                    Severity::Low,
                    cell.last_seen_unix_ms,
                    format!(
                        "{:.1} % non-empty paging over {} s while the operator's cells have {:.0} %",
                        share * 100.0,
                        span / 1000,
                        op * 100.0
                    ),
                    json!({"non_empty": ids, "total": p.total(), "share": r2(share),
                           "operator_share": r2(op), "span_ms": span,
                           "min_share": th.paging_nonempty_min_share, "norms_from": src}),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CellObservation, GsmSiType, LteSib1, LteSystemInfo, PagingCounters, RachControl,
    };
    use crate::rules::testkit::*;

    fn with_si(
        mut o: CellObservation,
        f: impl FnOnce(&mut crate::model::GsmSystemInfo),
    ) -> CellObservation {
        if let Some(g) = o.gsm.as_mut() {
            f(g);
        }
        o
    }

    fn three_vodafone() -> Vec<CellObservation> {
        vec![
            gsm(0, "234-15", 100, 1, 10, 20),
            gsm(0, "234-15", 100, 2, 12, 21),
            gsm(0, "234-15", 100, 3, 14, 22),
        ]
    }

    #[test]
    fn si3_rest_octets() {
        assert_eq!(
            si3_rest_octets_fingerprint(&legit_si(&[])).as_deref(),
            Some("sel+gprs+2q")
        );
        // Bare padding (the Osmocom default recording, per tshark) fires without any norm.
        let bare = with_si(gsm(0, "234-15", 1, 9, 62, 21), |g| {
            g.cell_reselect_offset_db = None;
            g.cell_bar_qualify = None;
            g.gprs_indicator = Some(false);
            g.si2quater_announced = Some(false);
        });
        let d = eval_last(&Si3RestOctetsOdd, &[bare]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].evidence["fingerprint"], "none");
        // Selection parameters only (the Osmocom blaster) vs three operator cells that all send
        // GPRS and SI2quater: a pattern the operator does not use.
        let blaster = with_si(gsm(0, "234-15", 1, 9, 62, 21), |g| {
            g.cell_reselect_offset_db = Some(126);
            g.gprs_indicator = Some(false);
            g.si2quater_announced = Some(false);
        });
        let mut obs = three_vodafone();
        obs.push(blaster.clone());
        let d = eval_last(&Si3RestOctetsOdd, &obs);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].evidence["fingerprint"], "sel");
        // Alone (no norms) a pattern with content says nothing; an operator-like one never fires.
        assert!(eval_last(&Si3RestOctetsOdd, &[blaster]).is_empty());
        let mut obs = three_vodafone();
        obs.push(gsm(0, "234-15", 100, 4, 16, 23));
        assert!(eval_last(&Si3RestOctetsOdd, &obs).is_empty());
    }

    #[test]
    fn emergency() {
        let ec = with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.rach = Some(RachControl {
                emergency_call_barred: true,
                access_class_barred_mask: 0x0400,
                ..RachControl::default()
            })
        });
        assert_eq!(
            eval_last(&EmergencyCallBarred, std::slice::from_ref(&ec))[0].severity,
            Severity::High
        );
        // Barred cell: phones do not camp, no alarm.
        let barred = with_si(ec, |g| g.rach.as_mut().unwrap().cell_barred = true);
        assert!(eval_last(&EmergencyCallBarred, &[barred]).is_empty());
        assert!(eval_last(&EmergencyCallBarred, &[gsm(0, "234-15", 1, 2, 62, 21)]).is_empty());
        // No RACH decoded yet: nothing.
        assert!(eval_last(&EmergencyCallBarred, &[CellObservation::gsm(0, 62)]).is_empty());
    }

    #[test]
    fn access_classes() {
        let ac = |mask: u16| {
            with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
                g.rach.as_mut().unwrap().access_class_barred_mask = mask;
            })
        };
        assert_eq!(eval_last(&AccessClassAnomaly, &[ac(0x03ff)]).len(), 1);
        // EC bit alone is another rule's business.
        assert!(eval_last(&AccessClassAnomaly, &[ac(0x0400)]).is_empty());
        // AC 3 barred where the operator bars nothing.
        let mut obs = three_vodafone();
        obs.push(ac(0x0008));
        assert_eq!(eval_last(&AccessClassAnomaly, &obs).len(), 1);
        obs.pop();
        obs.push(ac(0x0000));
        assert!(eval_last(&AccessClassAnomaly, &obs).is_empty());
    }

    #[test]
    fn neighbours_inconsistent() {
        // three_vodafone cells list ARFCN+2/+4/+6 of their own: 12, 14, 16 / 14, 16, 18 / ...
        let mut obs = three_vodafone();
        obs.push(gsm(0, "234-15", 100, 9, 62, 20));
        assert_eq!(eval_last(&NeighbourListInconsistent, &obs).len(), 1);
        obs.pop();
        obs.push(gsm(0, "234-15", 100, 9, 16, 20));
        assert!(eval_last(&NeighbourListInconsistent, &obs).is_empty());
        // Two lists only: not judged.
        let few = [
            obs[0].clone(),
            obs[1].clone(),
            gsm(0, "234-15", 100, 9, 62, 20),
        ];
        assert!(eval_last(&NeighbourListInconsistent, &few).is_empty());
    }

    #[test]
    fn t3212() {
        let t = |v: u8| {
            with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
                g.t3212_decihours = Some(v)
            })
        };
        assert_eq!(
            eval_last(&T3212ShortOrZero, &[t(3)])[0].severity,
            Severity::Medium
        );
        assert_eq!(
            eval_last(&T3212ShortOrZero, &[t(5)])[0].severity,
            Severity::Low
        );
        assert_eq!(
            eval_last(&T3212ShortOrZero, &[t(8)])[0].severity,
            Severity::Low
        );
        assert!(eval_last(&T3212ShortOrZero, &[t(10)]).is_empty());
        // 0 alone: no operator reference -> nothing; with operator cells at 10 -> low.
        assert!(eval_last(&T3212ShortOrZero, &[t(0)]).is_empty());
        let mut obs = three_vodafone();
        obs.push(t(0));
        assert_eq!(
            eval_last(&T3212ShortOrZero, &obs)[0].severity,
            Severity::Low
        );
        // Operator median 30 (3 h), cell 10: below 50 % -> low.
        let mut obs: Vec<_> = three_vodafone()
            .into_iter()
            .map(|o| with_si(o, |g| g.t3212_decihours = Some(30)))
            .collect();
        obs.push(t(10));
        assert_eq!(
            eval_last(&T3212ShortOrZero, &obs)[0].severity,
            Severity::Low
        );
    }

    #[test]
    fn c2() {
        let cro = |v: u8| {
            with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
                g.cell_reselect_offset_db = Some(v)
            })
        };
        assert_eq!(
            eval_last(&C2ReselectionAbuse, &[cro(126)])[0].severity,
            Severity::Medium
        );
        assert!(eval_last(&C2ReselectionAbuse, &[cro(40)]).is_empty());
        assert!(eval_last(&C2ReselectionAbuse, &[cro(0)]).is_empty());
        // Operator never goes above 10 dB: 20 dB fires.
        let mut obs: Vec<_> = three_vodafone()
            .into_iter()
            .map(|o| with_si(o, |g| g.cell_reselect_offset_db = Some(10)))
            .collect();
        obs.push(cro(20));
        assert_eq!(eval_last(&C2ReselectionAbuse, &obs).len(), 1);
        let pt = with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.penalty_time_s = Some(640)
        });
        assert_eq!(
            eval_last(&C2ReselectionAbuse, &[pt])[0].severity,
            Severity::Low
        );
    }

    #[test]
    fn rxlev() {
        let mut obs = three_vodafone();
        // Operator median 8 (-102 dBm), CRH 6 dB. Cell: 0 and 4 dB.
        obs.push(with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.rxlev_access_min = Some(0);
            g.cell_reselect_hysteresis_db = Some(4);
        }));
        let d = eval_last(&RxlevAccessMinAnomaly, &obs);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.severity == Severity::Low));
        // Same as operator: nothing. No operator cells: nothing.
        obs.pop();
        obs.push(gsm(0, "234-15", 1, 2, 62, 21));
        assert!(eval_last(&RxlevAccessMinAnomaly, &obs).is_empty());
        let lone = with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.rxlev_access_min = Some(0)
        });
        assert!(eval_last(&RxlevAccessMinAnomaly, &[lone]).is_empty());
    }

    #[test]
    fn neighbours_gsm() {
        let nb = |v: Vec<u16>| {
            with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
                g.neighbour_arfcns = Some(v)
            })
        };
        assert_eq!(eval_last(&NeighbourListEmptyOrSelf, &[nb(vec![])]).len(), 1);
        assert_eq!(
            eval_last(&NeighbourListEmptyOrSelf, &[nb(vec![62])]).len(),
            1
        );
        assert_eq!(
            eval_last(&NeighbourListEmptyOrSelf, &[nb(vec![62, 64])]).len(),
            1
        );
        assert!(eval_last(&NeighbourListEmptyOrSelf, &[nb(vec![62, 64, 66])]).is_empty());
        // SI2 not decoded yet: no judgement.
        let undecoded = with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.neighbour_arfcns = None
        });
        assert!(eval_last(&NeighbourListEmptyOrSelf, &[undecoded]).is_empty());
    }

    #[test]
    fn neighbours_lte() {
        let mut a = lte(0, "234-20", 10, 100, 1300, 5);
        a.lte = Some(LteSystemInfo {
            sib1: Some(LteSib1 {
                scheduling: vec![vec![3]],
                ..LteSib1::default()
            }),
            ..LteSystemInfo::default()
        });
        let other = lte(0, "234-20", 10, 101, 6300, 6);
        assert_eq!(
            eval_last(&NeighbourListEmptyOrSelf, &[other.clone(), a.clone()])[0].severity,
            Severity::Low
        );
        // Single-carrier operator: no.
        assert!(eval_last(&NeighbourListEmptyOrSelf, std::slice::from_ref(&a)).is_empty());
        // SIB5 scheduled: no.
        a.lte.as_mut().unwrap().sib1.as_mut().unwrap().scheduling = vec![vec![3], vec![5]];
        assert!(eval_last(&NeighbourListEmptyOrSelf, &[other, a]).is_empty());
    }

    #[test]
    fn si2quater_si13_and_gprs() {
        // Announced but missing after 60 s.
        let mut a = with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
            g.si_types.retain(|t| *t != GsmSiType::Si2quater);
        });
        let mut b = a.clone();
        b.time_unix_ms = 61_000;
        b.gsm = None;
        assert_eq!(eval_last(&MissingSi2quaterSi13, &[a.clone(), b]).len(), 1);
        assert!(eval_last(&MissingSi2quaterSi13, std::slice::from_ref(&a)).is_empty());
        // Not announced, operator cells all carry SI2quater and SI13 -> two lows.
        a = with_si(a, |g| {
            g.si_types = vec![
                GsmSiType::Si1,
                GsmSiType::Si2,
                GsmSiType::Si3,
                GsmSiType::Si4,
            ];
            g.si2quater_announced = Some(false);
            g.si13_announced = Some(false);
            g.gprs_indicator = Some(false);
        });
        let mut obs = three_vodafone();
        obs.push(a.clone());
        assert_eq!(eval_last(&MissingSi2quaterSi13, &obs).len(), 2);
        assert_eq!(eval_last(&NoGprs, &obs).len(), 1);
        // Alone: no reference, nothing.
        assert!(eval_last(&MissingSi2quaterSi13, std::slice::from_ref(&a)).is_empty());
        assert!(eval_last(&NoGprs, &[a]).is_empty());
        // Operator without GPRS either: nothing.
        let obs: Vec<_> = obs
            .into_iter()
            .map(|o| with_si(o, |g| g.gprs_indicator = Some(false)))
            .collect();
        assert!(eval_last(&NoGprs, &obs).is_empty());
    }

    #[test]
    fn paging_groups() {
        let cfg = |ag: u8, pa: u8, comb: bool| {
            with_si(gsm(0, "234-15", 1, 2, 62, 21), |g| {
                g.bs_ag_blks_res = Some(ag);
                g.bs_pa_mfrms = Some(pa);
                g.ccch_combined = Some(comb);
            })
        };
        // Osmocom: combined, AG 1, PA 5 -> 10 groups.
        assert!(eval_last(&PagingConfigAnomaly, &[cfg(1, 5, true)]).is_empty());
        // (9 - 0) * 9 = 81 > 80.
        assert_eq!(
            eval_last(&PagingConfigAnomaly, &[cfg(0, 9, false)]).len(),
            1
        );
        assert!(eval_last(&PagingConfigAnomaly, &[cfg(1, 9, false)]).is_empty());
    }

    #[test]
    fn paging_traffic() {
        let pg = |t: i64, imsi: u32, tmsi: u32, empty: u32, ci: u32| {
            let mut o = gsm(t, "234-15", 100, ci, 10 + ci as u16 * 2, 20);
            o.paging = Some(PagingCounters {
                imsi_pages: imsi,
                tmsi_pages: tmsi,
                empty_pages: empty,
            });
            o
        };
        let mut obs = vec![
            pg(0, 2, 98, 100, 1),
            pg(0, 1, 99, 100, 2),
            pg(0, 3, 97, 100, 3),
        ];
        // Suspect: half IMSI.
        obs.push(pg(0, 20, 20, 0, 4));
        assert_eq!(eval_last(&PagingAnomaly, &obs).len(), 1);
        obs.pop();
        // Silent cell over 6 min while the operator is busy.
        obs.push(pg(0, 0, 0, 100, 5));
        obs.push(pg(360_000, 0, 0, 100, 5));
        assert_eq!(eval_last(&PagingAnomaly, &obs).len(), 1);
        obs.pop();
        // Only 0 s of counters: not judged.
        assert!(eval_last(&PagingAnomaly, &obs).is_empty());
        // Normal mix: nothing.
        obs.push(pg(0, 2, 98, 100, 6));
        assert!(eval_last(&PagingAnomaly, &obs).is_empty());
    }
}
