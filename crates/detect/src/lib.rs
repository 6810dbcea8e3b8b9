//! Fake base station detection for cellsentry: fingerprints, baseline, rules, verdicts.
//!
//! The receivers' outputs are mapped (by the CLI) onto this crate's own plain input model
//! ([`CellObservation`], [`CarrierObservation`]); observations are grouped into cells
//! ([`Scene`], [`CellHistory`], partial [`CellKey`]s allowed); every [`Rule`] (ids from the
//! shared indicator catalogue) looks at one cell in the [`Context`] of the whole run, the
//! [`Baseline`] of known cells and operator norms, and the country [`Profile`]; the [`Engine`]
//! sums the detections into a [`Verdict`] per cell, for a whole run or live with [`Alert`]s.
//!
//! ```
//! use cellsentry_detect::{Baseline, CellObservation, Engine, Plmn, Profile, Scene, Thresholds};
//! let mut obs = CellObservation::gsm(0, 871);
//! obs.plmn = Some(Plmn::parse("001-01").unwrap());
//! let scene = Scene::from_observations(&[obs]);
//! let engine = Engine::new(Profile::builtin("uk").ok(), Baseline::empty(), Thresholds::default());
//! let verdicts = engine.evaluate(&scene);
//! assert!(verdicts[0].verdict.fired("test_plmn"));
//! ```

pub mod baseline;
pub mod engine;
pub mod error;
pub mod fingerprint;
pub mod model;
pub mod profile;
pub mod rules;
pub mod scene;
pub mod thresholds;
pub mod watchlist;

pub use baseline::{
    Baseline, BaselineFileKind, BaselineIndex, BaselineSource, GeoPoint, ImportReport,
    KnownCarrier, KnownCell, OperatorNorms, Survey,
};
pub use engine::{Alert, CellVerdict, Engine, Verdict, VerdictLevel};
pub use error::DetectError;
pub use fingerprint::{SiFingerprint, FINGERPRINT_VERSION};
pub use model::{
    CarrierObservation, CellObservation, FreqPriority, GsmSiType, GsmSystemInfo, LteSib1,
    LteSystemInfo, PagingCounters, Plmn, RachControl, Rat,
};
pub use profile::{ChannelBlock, Operator, Profile};
pub use rules::texts::{rule_text, RuleText, RULE_TEXTS};
pub use rules::{all_rules, Context, Detection, Rule, Severity};
pub use scene::{CellHistory, CellKey, PositionedPower, Sample, Scene};
pub use thresholds::{Scoring, Thresholds};
pub use watchlist::{KnownFakeCell, WatchedCell, Watchlist};
