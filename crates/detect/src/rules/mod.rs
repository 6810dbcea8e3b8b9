//! The rule engine's building blocks: `Severity`, `Detection`, the `Rule` trait, the evaluation
//! `Context`, and the registry of all rules. Rule ids are the indicator ids of the shared
//! indicator catalogue (`indicators.md`); each rule's `description()` says why it exists and
//! where the idea and its default threshold come from.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::baseline::{Baseline, BaselineIndex, KnownCell, OperatorNorms};
use crate::model::{Plmn, Rat};
use crate::profile::Profile;
use crate::scene::{CellHistory, Scene};
use crate::thresholds::Thresholds;
use crate::watchlist::{KnownFakeCell, Watchlist};

/// Implements the metadata half of [`Rule`].
macro_rules! rule_meta {
    ($id:expr, $name:expr, $ver:expr, $sev:expr, $desc:expr) => {
        fn id(&self) -> &'static str {
            $id
        }
        fn name(&self) -> &'static str {
            $name
        }
        fn version(&self) -> u32 {
            $ver
        }
        fn description(&self) -> &'static str {
            $desc
        }
        fn default_severity(&self) -> Severity {
            $sev
        }
    };
}

pub(crate) mod gsm_si;
mod identity;
mod lte;
mod rf;
pub mod texts;

#[cfg(test)]
pub(crate) mod testkit;

pub use gsm_si::*;
pub use identity::*;
pub use lte::*;
pub use rf::*;

pub use cellsentry_model::Severity;

/// One rule firing on one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Rule id (indicator id), e.g. "test_plmn".
    pub rule_id: String,
    /// Version of the rule's logic.
    pub rule_version: u32,
    /// Severity.
    pub severity: Severity,
    /// Contribution to the cell's score (the severity weight of the engine's `Scoring`).
    pub score: f64,
    /// Time of the evidence, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// One-line human summary.
    pub summary: String,
    /// Values compared, thresholds and times.
    pub evidence: Value,
}

impl Detection {
    /// A detection of `rule`; the score is filled in by the engine from the severity.
    pub fn new(
        rule: &dyn Rule,
        severity: Severity,
        time_unix_ms: i64,
        summary: impl Into<String>,
        evidence: Value,
    ) -> Self {
        Detection {
            rule_id: rule.id().to_string(),
            rule_version: rule.version(),
            severity,
            score: 0.0,
            time_unix_ms,
            summary: summary.into(),
            evidence,
        }
    }
}

/// A detection rule. Rules are pure: same cell and context, same detections.
pub trait Rule: Send + Sync {
    /// Stable id (indicator id).
    fn id(&self) -> &'static str;
    /// Short human name.
    fn name(&self) -> &'static str;
    /// Version of the logic/thresholds; bump on any change of meaning.
    fn version(&self) -> u32;
    /// Why the rule exists, its threshold and its sources.
    fn description(&self) -> &'static str;
    /// Usual severity (some rules grade up or down, as documented).
    fn default_severity(&self) -> Severity;
    /// Evaluates one cell.
    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection>;
}

/// Everything a rule may look at besides the cell itself.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// All cells and carriers of the run.
    pub scene: &'a Scene,
    /// Known cells and norms.
    pub baseline: &'a Baseline,
    /// Index into the baseline.
    pub index: &'a BaselineIndex,
    /// Country profile, if one is configured.
    pub profile: Option<&'a Profile>,
    /// Thresholds.
    pub thresholds: &'a Thresholds,
    /// "Now": the end of the scene.
    pub now_unix_ms: i64,
    /// Fake cells shared by other sensors (empty unless a watch-list was loaded).
    pub watchlist: &'a Watchlist,
}

/// The watch-list of a context built without one.
static NO_WATCHLIST: Watchlist = Watchlist::empty();

/// Where operator norms came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormSource {
    /// The baseline's learned norms.
    Baseline,
    /// Computed from the other cells of the PLMN heard in this run.
    Scene,
}

impl<'a> Context<'a> {
    /// Builds a context; `now` is the scene's last observation.
    pub fn new(
        scene: &'a Scene,
        baseline: &'a Baseline,
        index: &'a BaselineIndex,
        profile: Option<&'a Profile>,
        thresholds: &'a Thresholds,
    ) -> Self {
        Context {
            scene,
            baseline,
            index,
            profile,
            thresholds,
            now_unix_ms: scene.end_unix_ms().unwrap_or(0),
            watchlist: &NO_WATCHLIST,
        }
    }

    /// The same context with a watch-list of shared fake cells.
    pub fn with_watchlist(mut self, watchlist: &'a Watchlist) -> Self {
        self.watchlist = watchlist;
        self
    }

    /// Baseline cells matching this cell.
    pub fn known(&self, cell: &CellHistory) -> Vec<&'a KnownCell> {
        self.index.matches(self.baseline, &cell.key)
    }

    /// Other cells of the scene.
    pub fn others<'s>(
        &'s self,
        cell: &'s CellHistory,
    ) -> impl Iterator<Item = &'a CellHistory> + 's {
        self.scene
            .cells()
            .iter()
            .filter(move |c| !std::ptr::eq(*c, cell))
    }

    /// Other cells of the same RAT broadcasting the same PLMN (MNC by value).
    pub fn same_plmn_others<'s>(
        &'s self,
        cell: &'s CellHistory,
        plmn: &'s Plmn,
    ) -> impl Iterator<Item = &'a CellHistory> + 's {
        self.others(cell).filter(move |c| {
            c.key.rat == cell.key.rat && c.key.plmn.as_ref().is_some_and(|p| p.same_network(plmn))
        })
    }

    /// Operator norms for the cell's PLMN: the baseline's if it has them from at least
    /// `min_operator_cells` cells of the RAT, else computed from the other same-PLMN cells of
    /// this run if there are enough of them.
    pub fn norms(&self, cell: &CellHistory) -> Option<(OperatorNorms, NormSource)> {
        let plmn = cell.key.plmn.as_ref()?;
        let min = self.thresholds.min_operator_cells as u32;
        let count = |n: &OperatorNorms| match cell.key.rat {
            Rat::Gsm => n.gsm_cells,
            Rat::Lte => n.lte_cells,
        };
        if let Some(n) = self.baseline.norms(plmn) {
            if count(n) >= min {
                return Some((n.clone(), NormSource::Baseline));
            }
        }
        let others: Vec<&CellHistory> = self.same_plmn_others(cell, plmn).collect();
        let n = OperatorNorms::from_cells(others);
        (count(&n) >= min).then_some((n, NormSource::Scene))
    }

    /// The PLMN is a test/default PLMN (`test_plmn` logic, shared with other rules).
    pub fn is_test_plmn(&self, plmn: &Plmn) -> bool {
        if plmn.is_test_mcc() {
            return true;
        }
        let local = self
            .profile
            .is_some_and(|p| plmn.mcc_value().is_some_and(|m| p.is_local_mcc(m)));
        !local
            && self
                .thresholds
                .default_plmns
                .iter()
                .filter_map(|s| Plmn::parse(s).ok())
                .any(|p| p.same_network(plmn))
    }
}

/// All rules, in catalogue order.
pub fn all_rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(UnknownCellVsBaseline),
        Box::new(ForeignPlmn),
        Box::new(TestPlmn),
        Box::new(MalformedPlmn),
        Box::new(DefaultBtsIdentity),
        Box::new(EmergencyCallBarred),
        Box::new(AccessClassAnomaly),
        Box::new(T3212ShortOrZero),
        Box::new(C2ReselectionAbuse),
        Box::new(RxlevAccessMinAnomaly),
        Box::new(NeighbourListEmptyOrSelf),
        Box::new(NeighbourListInconsistent),
        Box::new(LacInconsistentWithNeighbours),
        Box::new(SingleCellLac),
        Box::new(LacTacChange),
        Box::new(SameCiOtherArfcn),
        Box::new(ArfcnIdentityChange),
        Box::new(BsicNccUnexpected),
        Box::new(UnknownPciOnKnownEarfcn),
        Box::new(MissingSi2quaterSi13),
        Box::new(NoGprs),
        Box::new(Si3RestOctetsOdd),
        Box::new(PagingConfigAnomaly),
        Box::new(PagingAnomaly),
        Box::new(LteSib1IncompleteScheduling),
        Box::new(LtePriorityDowngrade),
        Box::new(AbnormalPower),
        Box::new(MovingSourcePower),
        Box::new(FrequencyOffsetOutlier),
        Box::new(ShortLivedCell),
        Box::new(NewArfcnUnusualChannel),
        Box::new(SmsBlasterPattern),
        Box::new(KnownFakeCell),
    ]
}

/// Rounds for evidence (keeps JSON readable and stable).
pub(crate) fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_unique_and_documented() {
        let rules = all_rules();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        for r in &rules {
            assert!(r.version() >= 1);
            assert!(r.description().len() > 60, "{} lacks a description", r.id());
            assert!(!r.name().is_empty());
        }
        assert!(n >= 30);
    }
}
