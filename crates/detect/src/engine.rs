//! Verdicts and the engine: runs every enabled rule on every cell of a scene and combines the
//! detections into a per-cell verdict (SnoopSnitch-style sum of sub-scores), either for a whole
//! recorded run (`evaluate`) or live, one observation at a time (`observe`), raising an alert
//! the moment a cell's level rises.

pub use cellsentry_model::VerdictLevel;
use serde::{Deserialize, Serialize};

use crate::baseline::{Baseline, BaselineIndex};
use crate::model::{CarrierObservation, CellObservation};
use crate::profile::Profile;
use crate::rules::{all_rules, Context, Detection, Rule};
use crate::scene::{CellKey, Scene};
use crate::thresholds::{Scoring, Thresholds};
use crate::watchlist::Watchlist;

/// The combined judgement on one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Level.
    pub level: VerdictLevel,
    /// Sum over rules of each rule's highest detection score.
    pub score: f64,
    /// Every detection, highest severity first.
    pub detections: Vec<Detection>,
}

impl Verdict {
    /// Scores detections: each gets its severity weight; a rule counts once (its highest
    /// score), so a rule firing twice on one cell cannot push it over a limit alone.
    pub fn from_detections(mut detections: Vec<Detection>, scoring: &Scoring) -> Self {
        for d in &mut detections {
            d.score = scoring.weight(d.severity);
        }
        detections.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule_id.cmp(&b.rule_id))
                .then_with(|| a.time_unix_ms.cmp(&b.time_unix_ms))
        });
        let mut best: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
        for d in &detections {
            let e = best.entry(d.rule_id.as_str()).or_insert(0.0);
            *e = e.max(d.score);
        }
        let score = (best.values().sum::<f64>() * 1000.0).round() / 1000.0;
        let level = if score >= scoring.likely_fake_min {
            VerdictLevel::LikelyFake
        } else if score >= scoring.suspicious_min {
            VerdictLevel::Suspicious
        } else {
            VerdictLevel::Clean
        };
        Verdict {
            level,
            score,
            detections,
        }
    }

    /// Whether a rule fired (any severity).
    pub fn fired(&self, rule_id: &str) -> bool {
        self.detections.iter().any(|d| d.rule_id == rule_id)
    }

    /// Ids of the rules that fired, sorted, deduplicated.
    pub fn rule_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.detections.iter().map(|d| d.rule_id.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// The verdict on one cell of a scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellVerdict {
    /// Index of the cell in `Scene::cells()`.
    pub cell_index: usize,
    /// Cell identity as decoded.
    pub key: CellKey,
    /// First seen, ms since the Unix epoch.
    pub first_seen_unix_ms: i64,
    /// Last seen.
    pub last_seen_unix_ms: i64,
    /// Verdict.
    pub verdict: Verdict,
}

/// Raised by the live API when a cell's level rises above the highest level alerted before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Time of the observation that raised it, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Cell identity.
    pub key: CellKey,
    /// Level before.
    pub previous: VerdictLevel,
    /// The new verdict (level, score, all detections).
    pub verdict: Verdict,
}

/// Runs the rules. One engine per sensor location (profile + baseline + thresholds).
pub struct Engine {
    profile: Option<Profile>,
    baseline: Baseline,
    index: BaselineIndex,
    thresholds: Thresholds,
    rules: Vec<Box<dyn Rule>>,
    live: Scene,
    alerted: Vec<VerdictLevel>,
    watchlist: Watchlist,
}

impl Engine {
    /// An engine with every rule of [`all_rules`] not disabled in `thresholds`.
    pub fn new(profile: Option<Profile>, baseline: Baseline, thresholds: Thresholds) -> Self {
        let rules = all_rules()
            .into_iter()
            .filter(|r| thresholds.enabled(r.id()))
            .collect();
        Engine {
            index: BaselineIndex::new(&baseline),
            profile,
            baseline,
            thresholds,
            rules,
            live: Scene::new(),
            alerted: Vec::new(),
            watchlist: Watchlist::empty(),
        }
    }

    /// The rules that run.
    pub fn rules(&self) -> &[Box<dyn Rule>] {
        &self.rules
    }

    /// Thresholds in force.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Baseline in use.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Sets the fake cells shared by other sensors that `known_fake_cell` matches against.
    pub fn set_watchlist(&mut self, watchlist: Watchlist) {
        self.watchlist = watchlist;
    }

    /// The watch-list in use.
    pub fn watchlist(&self) -> &Watchlist {
        &self.watchlist
    }

    /// Profile in use.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    fn context<'a>(&'a self, scene: &'a Scene) -> Context<'a> {
        Context::new(
            scene,
            &self.baseline,
            &self.index,
            self.profile.as_ref(),
            &self.thresholds,
        )
        .with_watchlist(&self.watchlist)
    }

    /// The verdict on cell `cell_index` of `scene` (`None` if out of range).
    pub fn evaluate_cell(&self, scene: &Scene, cell_index: usize) -> Option<CellVerdict> {
        let cell = scene.cells().get(cell_index)?;
        let ctx = self.context(scene);
        let detections = self
            .rules
            .iter()
            .flat_map(|r| r.evaluate(cell, &ctx))
            .collect();
        Some(CellVerdict {
            cell_index,
            key: cell.key.clone(),
            first_seen_unix_ms: cell.first_seen_unix_ms,
            last_seen_unix_ms: cell.last_seen_unix_ms,
            verdict: Verdict::from_detections(detections, &self.thresholds.scoring),
        })
    }

    /// Verdicts on every cell of a recorded run, in `scene.cells()` order.
    pub fn evaluate(&self, scene: &Scene) -> Vec<CellVerdict> {
        (0..scene.cells().len())
            .filter_map(|i| self.evaluate_cell(scene, i))
            .collect()
    }

    /// Live: adds an observation; gives the index of the live cell it joined (in
    /// `live_scene().cells()`) and an alert if that cell's level rose.
    pub fn observe_indexed(&mut self, obs: &CellObservation) -> (usize, Vec<Alert>) {
        let i = self.live.push(obs);
        self.alerted
            .resize(self.live.cells().len(), VerdictLevel::Clean);
        (i, self.reevaluate(obs.time_unix_ms, &[i]))
    }

    /// Forgets the live scene (a new recording starts): cells, carriers and alert levels.
    pub fn reset_live(&mut self) {
        self.live = Scene::new();
        self.alerted.clear();
    }

    /// Live: adds an observation and returns an alert if the observed cell's level rose.
    /// Only that cell is re-evaluated: every cell is re-judged at its own next sighting, which
    /// keeps the cost per observation at one cell's rules (cross-cell evidence about other
    /// cells is picked up when they are next seen).
    pub fn observe(&mut self, obs: &CellObservation) -> Vec<Alert> {
        let i = self.live.push(obs);
        self.alerted
            .resize(self.live.cells().len(), VerdictLevel::Clean);
        self.reevaluate(obs.time_unix_ms, &[i])
    }

    /// Live: adds a carrier measurement (jamming evidence) and returns alerts for the GSM cells
    /// that appeared within the blaster window of it.
    pub fn observe_carrier(&mut self, c: &CarrierObservation) -> Vec<Alert> {
        self.live.push_carrier(c);
        let w = self.thresholds.blaster_window_ms;
        let targets: Vec<usize> = self
            .live
            .cells()
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.key.rat == crate::model::Rat::Gsm
                    && (h.first_seen_unix_ms - c.time_unix_ms).abs() <= w
            })
            .map(|(j, _)| j)
            .collect();
        self.reevaluate(c.time_unix_ms, &targets)
    }

    fn reevaluate(&mut self, t: i64, targets: &[usize]) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for &j in targets {
            let Some(v) = self.evaluate_cell(&self.live, j) else {
                continue;
            };
            let Some(prev) = self.alerted.get(j).copied() else {
                continue;
            };
            if v.verdict.level > prev {
                if let Some(slot) = self.alerted.get_mut(j) {
                    *slot = v.verdict.level;
                }
                alerts.push(Alert {
                    time_unix_ms: t,
                    key: v.key,
                    previous: prev,
                    verdict: v.verdict,
                });
            }
        }
        alerts
    }

    /// The live scene so far.
    pub fn live_scene(&self) -> &Scene {
        &self.live
    }

    /// Verdicts on every live cell now.
    pub fn live_verdicts(&self) -> Vec<CellVerdict> {
        self.evaluate(&self.live)
    }

    /// Forgets live cells last seen before `time_unix_ms` (long sessions). Returns how many.
    pub fn prune_before(&mut self, time_unix_ms: i64) -> usize {
        let keep: Vec<bool> = self
            .live
            .cells()
            .iter()
            .map(|c| c.last_seen_unix_ms >= time_unix_ms)
            .collect();
        let mut k = keep.iter();
        self.alerted.retain(|_| *k.next().unwrap_or(&true));
        self.live.prune_before(time_unix_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;
    use crate::rules::Severity;
    use serde_json::json;

    fn det(id: &str, sev: Severity) -> Detection {
        Detection {
            rule_id: id.into(),
            rule_version: 1,
            severity: sev,
            score: 0.0,
            time_unix_ms: 0,
            summary: String::new(),
            evidence: json!({}),
        }
    }

    #[test]
    fn scoring_levels() {
        let s = Scoring::default();
        assert_eq!(
            Verdict::from_detections(vec![], &s).level,
            VerdictLevel::Clean
        );
        let v = Verdict::from_detections(vec![det("a", Severity::Low)], &s);
        assert_eq!((v.level, v.score), (VerdictLevel::Clean, 0.5));
        let v = Verdict::from_detections(vec![det("a", Severity::Medium)], &s);
        assert_eq!(v.level, VerdictLevel::Suspicious);
        // 2 + 0.5 = 2.5 < 2.6: still suspicious; + info changes nothing.
        let v = Verdict::from_detections(
            vec![
                det("a", Severity::High),
                det("b", Severity::Low),
                det("c", Severity::Info),
            ],
            &s,
        );
        assert_eq!((v.level, v.score), (VerdictLevel::Suspicious, 2.5));
        let v = Verdict::from_detections(
            vec![det("a", Severity::High), det("b", Severity::Medium)],
            &s,
        );
        assert_eq!((v.level, v.score), (VerdictLevel::LikelyFake, 3.0));
        assert_eq!(v.detections[0].rule_id, "a");
        // The same rule twice counts once.
        let v =
            Verdict::from_detections(vec![det("a", Severity::High), det("a", Severity::High)], &s);
        assert_eq!(v.score, 2.0);
    }

    #[test]
    fn live_alerts_once_per_rise() {
        let mut e = Engine::new(
            Some(Profile::builtin("uk").unwrap()),
            Baseline::empty(),
            Thresholds::default(),
        );
        // A cell with no identity at all: nothing to say.
        assert!(e.observe(&CellObservation::gsm(0, 30)).is_empty());
        // Seen first by SCH only: ARFCN 871 + BSIC 63 are already two Osmocom defaults.
        let mut o = CellObservation::gsm(0, 871);
        o.bsic_pci = Some(63);
        let a = e.observe(&o);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].verdict.level, VerdictLevel::Suspicious);
        assert_eq!(a[0].verdict.rule_ids(), vec!["default_bts_identity"]);
        // SI3 decoded: test PLMN + stack defaults -> likely fake at once.
        let mut full = gsm(2_000, "001-01", 1, 6969, 871, 63);
        full.gsm.as_mut().unwrap().neighbour_arfcns = Some(vec![]);
        let a = e.observe(&full);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].previous, VerdictLevel::Suspicious);
        assert_eq!(a[0].verdict.level, VerdictLevel::LikelyFake);
        // Same again: no repeated alert.
        full.time_unix_ms = 4_000;
        assert!(e.observe(&full).is_empty());
        assert_eq!(e.live_scene().cells().len(), 2);
        assert_eq!(e.live_verdicts()[1].verdict.level, VerdictLevel::LikelyFake);
        assert_eq!(e.prune_before(10_000), 2);
        assert!(e.live_scene().cells().is_empty());
    }

    #[test]
    fn disabled_rules_do_not_run() {
        let th = Thresholds {
            disabled_rules: vec!["test_plmn".into()],
            ..Thresholds::default()
        };
        let e = Engine::new(None, Baseline::empty(), th);
        assert!(e.rules().iter().all(|r| r.id() != "test_plmn"));
        let s = Scene::from_observations(&[gsm(0, "001-01", 5, 6, 10, 20)]);
        assert!(!e.evaluate(&s)[0].verdict.fired("test_plmn"));
    }

    use crate::model::CellObservation;
}
