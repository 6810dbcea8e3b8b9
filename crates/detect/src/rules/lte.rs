//! LTE system-information and PCI rules (indicators.md sections 2 and 4).

use serde_json::json;

use super::{r2, Context, Detection, Rule, Severity};
use crate::model::Rat;
use crate::scene::CellHistory;

/// `lte_sib1_incomplete_scheduling`.
pub struct LteSib1IncompleteScheduling;

impl Rule for LteSib1IncompleteScheduling {
    rule_meta!(
        "lte_sib1_incomplete_scheduling",
        "SIB1 schedules almost nothing",
        1,
        Severity::Medium,
        "Fake eNBs often send SIB1 + SIB2 and little else; srsRAN's default sib.conf maps only \
         SIB3. Fires when SIB1's schedulingInfoList (TS 36.331 6.2.2) has fewer than 2 entries \
         -> medium for this sensor (Rayhunter reports it as informational, to be combined). \
         FPs: minimal small-cell configurations. Sources: EFForg/rayhunter \
         lib/src/analysis/incomplete_sib.rs; srsRAN srsenb/sib.conf.example."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let Some(s1) = cell.lte.as_ref().and_then(|l| l.sib1.as_ref()) else {
            return Vec::new();
        };
        let min = ctx.thresholds.lte_min_scheduling_entries;
        if s1.scheduling.len() >= min {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Medium,
            cell.first_seen_unix_ms,
            format!(
                "SIB1 schedulingInfoList has {} entr(y/ies) {:?}",
                s1.scheduling.len(),
                s1.scheduling
            ),
            json!({"entries": s1.scheduling.len(), "scheduling": s1.scheduling, "min_entries": min}),
        )]
    }
}

/// `lte_priority_downgrade`.
pub struct LtePriorityDowngrade;

impl Rule for LtePriorityDowngrade {
    rule_meta!(
        "lte_priority_downgrade",
        "Reselection priorities steer phones to 2G/3G",
        1,
        Severity::High,
        "Absolute-priority reselection (TS 36.304 5.2.4) steers idle phones to the highest \
         priority layer. Fires when the highest GERAN (SIB7) or UTRA (SIB6) \
         cellReselectionPriority exceeds the highest E-UTRA priority (SIB3 serving, SIB5 \
         inter-frequency) -> high; legacy priorities with SIB3 decoded but no LTE priority at \
         all -> info (Rayhunter v2, PR #814 fixed EU false positives). Source: \
         EFForg/rayhunter lib/src/analysis/priority_2g_downgrade.rs (heuristic T7 of Park et \
         al.)."
    );

    fn evaluate(&self, cell: &CellHistory, _ctx: &Context) -> Vec<Detection> {
        let Some(l) = cell.lte.as_ref() else {
            return Vec::new();
        };
        let legacy = l
            .geran
            .iter()
            .chain(l.utra.iter())
            .filter_map(|f| f.priority)
            .max();
        let Some(legacy) = legacy else {
            return Vec::new();
        };
        let lte = l
            .inter_freq
            .iter()
            .filter_map(|f| f.priority)
            .chain(l.serving_priority)
            .max();
        let t = cell.last_seen_unix_ms;
        match lte {
            Some(p) if legacy > p => vec![Detection::new(
                self,
                Severity::High,
                t,
                format!("2G/3G reselection priority {legacy} above the best LTE priority {p}"),
                json!({"max_legacy_priority": legacy, "max_lte_priority": p,
                       "geran": l.geran, "utra": l.utra, "serving_priority": l.serving_priority,
                       "inter_freq": l.inter_freq}),
            )],
            None if l.sibs_received.contains(&3) => vec![Detection::new(
                self,
                Severity::Info,
                t,
                format!("2G/3G priority {legacy} set, no LTE priority broadcast"),
                json!({"max_legacy_priority": legacy, "max_lte_priority": null}),
            )],
            _ => Vec::new(),
        }
    }
}

/// `unknown_pci_on_known_earfcn`.
pub struct UnknownPciOnKnownEarfcn;

impl Rule for UnknownPciOnKnownEarfcn {
    rule_meta!(
        "unknown_pci_on_known_earfcn",
        "New PCI on an operator carrier",
        1,
        Severity::Medium,
        "The LTE leg of a blaster or an LTE catcher shows up as a new PCI on the operator's \
         carrier. Fires when the baseline knows PCIs on this EARFCN, this PCI is not among \
         them, and the cell is among the 2 strongest on the EARFCN in the run -> medium; with \
         lte_sib1_incomplete_scheduling or a test PLMN -> high. Misses a re-used real PCI (see \
         abnormal_power). FPs: new sites, PCI re-planning, ducting. Sources: Nakarmi et al. \
         arXiv 2207.10999; Crocodile Hunter."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        if k.rat != Rat::Lte {
            return Vec::new();
        }
        let (Some(earfcn), Some(pci)) = (k.channel, k.bsic_pci) else {
            return Vec::new();
        };
        let known: Vec<u16> = ctx
            .index
            .by_channel(ctx.baseline, Rat::Lte, earfcn)
            .iter()
            .filter_map(|c| c.key.bsic_pci)
            .collect();
        if known.is_empty() || known.contains(&pci) {
            return Vec::new();
        }
        let Some(own) = cell.median_power_dbfs() else {
            return Vec::new();
        };
        let mut powers: Vec<f64> = ctx
            .others(cell)
            .filter(|o| o.key.rat == Rat::Lte && o.key.channel == Some(earfcn))
            .filter(|o| o.overlaps(cell.first_seen_unix_ms, cell.last_seen_unix_ms, 300_000))
            .filter_map(|o| o.median_power_dbfs())
            .collect();
        let rank = 1 + powers.iter().filter(|p| **p > own).count();
        if rank > ctx.thresholds.pci_strongest_n {
            return Vec::new();
        }
        let incomplete = cell
            .lte
            .as_ref()
            .and_then(|l| l.sib1.as_ref())
            .is_some_and(|s| s.scheduling.len() < ctx.thresholds.lte_min_scheduling_entries);
        let test = k.plmn.as_ref().is_some_and(|p| ctx.is_test_plmn(p));
        let sev = if incomplete || test {
            Severity::High
        } else {
            Severity::Medium
        };
        powers.sort_by(|a, b| b.total_cmp(a));
        let mut known = known;
        known.sort_unstable();
        known.dedup();
        vec![Detection::new(
            self,
            sev,
            cell.first_seen_unix_ms,
            format!(
                "PCI {pci} never seen on EARFCN {earfcn} (known {known:?}), rank {rank} by power"
            ),
            json!({"earfcn": earfcn, "pci": pci, "baseline_pcis": known, "rank": rank,
                   "power_dbfs": r2(own), "strongest_n": ctx.thresholds.pci_strongest_n,
                   "incomplete_sib1": incomplete, "test_plmn": test}),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FreqPriority, LteSib1, LteSystemInfo};
    use crate::rules::testkit::*;

    fn with_lte(
        mut o: crate::model::CellObservation,
        l: LteSystemInfo,
    ) -> crate::model::CellObservation {
        o.lte = Some(l);
        o
    }

    #[test]
    fn sib1_scheduling() {
        let sib = |entries: Vec<Vec<u8>>| LteSystemInfo {
            sibs_received: vec![1, 2],
            sib1: Some(LteSib1 {
                scheduling: entries,
                ..LteSib1::default()
            }),
            ..LteSystemInfo::default()
        };
        let srs = with_lte(lte(0, "001-01", 7, 0x19B01, 3350, 1), sib(vec![vec![3]]));
        assert_eq!(
            eval_last(&LteSib1IncompleteScheduling, &[srs])[0].severity,
            Severity::Medium
        );
        let ok = with_lte(
            lte(0, "234-20", 7, 5, 1300, 9),
            sib(vec![vec![3], vec![5], vec![6, 7]]),
        );
        assert!(eval_last(&LteSib1IncompleteScheduling, &[ok]).is_empty());
        assert!(eval_last(
            &LteSib1IncompleteScheduling,
            &[lte(0, "234-20", 7, 5, 1300, 9)]
        )
        .is_empty());
    }

    #[test]
    fn priorities() {
        let p = |c: u32, v: u8| FreqPriority {
            channel: c,
            priority: Some(v),
        };
        let bad = LteSystemInfo {
            sibs_received: vec![1, 2, 3, 7],
            serving_priority: Some(3),
            geran: vec![p(62, 7)],
            ..LteSystemInfo::default()
        };
        let d = eval_last(
            &LtePriorityDowngrade,
            &[with_lte(lte(0, "234-15", 1, 2, 1300, 3), bad.clone())],
        );
        assert_eq!(d[0].severity, Severity::High);
        let mut good = bad.clone();
        good.serving_priority = Some(7);
        good.geran = vec![p(62, 1)];
        good.inter_freq = vec![p(6300, 6)];
        assert!(eval_last(
            &LtePriorityDowngrade,
            &[with_lte(lte(0, "234-15", 1, 2, 1300, 3), good)]
        )
        .is_empty());
        let mut none = bad;
        none.serving_priority = None;
        let d = eval_last(
            &LtePriorityDowngrade,
            &[with_lte(lte(0, "234-15", 1, 2, 1300, 3), none)],
        );
        assert_eq!(d[0].severity, Severity::Info);
    }

    #[test]
    fn unknown_pci() {
        let a = lte(0, "234-20", 10, 100, 1300, 5);
        let b = lte(0, "234-20", 10, 101, 1300, 6);
        let base = baseline_of(&[a.clone(), b.clone()]);
        let mut fake = lte(1000, "234-20", 10, 999, 1300, 77);
        fake.power_dbfs = Some(-40.0);
        let d = eval_last_with(
            &UnknownPciOnKnownEarfcn,
            &[a.clone(), b.clone(), fake.clone()],
            &base,
        );
        assert_eq!(d[0].severity, Severity::Medium);
        // Weak (third strongest): no.
        let mut weak = fake.clone();
        weak.power_dbfs = Some(-90.0);
        assert!(eval_last_with(
            &UnknownPciOnKnownEarfcn,
            &[a.clone(), b.clone(), weak],
            &base
        )
        .is_empty());
        // Known PCI: no. Unknown EARFCN: no.
        assert!(
            eval_last_with(&UnknownPciOnKnownEarfcn, std::slice::from_ref(&a), &base).is_empty()
        );
        let mut other = fake.clone();
        other.channel = Some(6300);
        assert!(eval_last_with(&UnknownPciOnKnownEarfcn, &[other], &base).is_empty());
        // With an incomplete SIB1: high.
        fake.lte = Some(LteSystemInfo {
            sib1: Some(LteSib1 {
                scheduling: vec![vec![3]],
                ..LteSib1::default()
            }),
            ..LteSystemInfo::default()
        });
        let d = eval_last_with(&UnknownPciOnKnownEarfcn, &[a, b, fake], &base);
        assert_eq!(d[0].severity, Severity::High);
    }
}
