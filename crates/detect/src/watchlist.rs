//! The watch-list: fake cells other sensors or agencies have seen and shared (MISP events, STIX
//! bundles, read by the share crate), and the `known_fake_cell` rule that flags a cell matching
//! one of them.
//!
//! A match is either by identity (the same cell: RAT, PLMN, LAC/TAC, CI/ECI, channel and
//! BSIC/PCI all known and equal) or by system-information fingerprint ([`SiFingerprint`]): the
//! same blaster software configuration under whatever identity it broadcasts today. Identity
//! alone includes the channel on purpose: a blaster that cloned a real cell's identity on
//! another channel must not make the real cell match.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::fingerprint::SiFingerprint;
use crate::model::{Plmn, Rat};
use crate::rules::{Context, Detection, Rule, Severity};
use crate::scene::CellHistory;

/// One shared sighting of a fake cell, as far as matching and evidence need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchedCell {
    /// Id of the sighting in its source (MISP object uuid, STIX sighting id).
    pub reference: String,
    /// Who shared it (organisation, sensor).
    pub source: String,
    /// First and last time the source saw it, ms since the Unix epoch.
    pub first_seen_unix_ms: Option<i64>,
    /// Last seen.
    pub last_seen_unix_ms: Option<i64>,
    /// Where the source saw it (WGS84 degrees) and how precisely (metres).
    pub lat_deg: Option<f64>,
    /// Longitude.
    pub lon_deg: Option<f64>,
    /// Radius of the position's uncertainty.
    pub accuracy_m: Option<f64>,
    /// Radio technology.
    pub rat: Rat,
    /// PLMN it broadcast.
    pub plmn: Option<Plmn>,
    /// LAC / TAC.
    pub lac_tac: Option<u32>,
    /// CI / ECI.
    pub cell_id: Option<u32>,
    /// ARFCN / EARFCN.
    pub channel: Option<u32>,
    /// BSIC / PCI.
    pub bsic_pci: Option<u16>,
    /// Its system-information fingerprint id (`SiFingerprint::id`).
    pub si_fingerprint: Option<String>,
    /// The source's verdict ("suspicious", "likely_fake").
    pub verdict: Option<String>,
}

impl WatchedCell {
    /// Same cell: every identity field known on both sides and equal.
    fn identity_matches(&self, cell: &CellHistory) -> bool {
        let k = &cell.key;
        fn both<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            matches!((a, b), (Some(x), Some(y)) if x == y)
        }
        self.rat == k.rat
            && matches!((&self.plmn, &k.plmn), (Some(a), Some(b)) if a.same_network(b))
            && both(&self.lac_tac, &k.lac_tac)
            && both(&self.cell_id, &k.cell_id)
            && both(&self.channel, &k.channel)
            && both(&self.bsic_pci, &k.bsic_pci)
    }
}

/// The shared sightings a sensor watches for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Watchlist {
    /// Every sighting.
    pub cells: Vec<WatchedCell>,
}

impl Watchlist {
    /// An empty watch-list (nothing shared yet).
    pub const fn empty() -> Self {
        Watchlist { cells: Vec::new() }
    }

    /// Whether nothing is watched.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// `known_fake_cell`.
pub struct KnownFakeCell;

impl Rule for KnownFakeCell {
    fn id(&self) -> &'static str {
        "known_fake_cell"
    }
    fn name(&self) -> &'static str {
        "Matches a fake cell another sensor shared"
    }
    fn version(&self) -> u32 {
        1
    }
    fn description(&self) -> &'static str {
        "Another sensor or agency saw this cell, or a cell with the same system-information \
         configuration, judged it suspicious or likely fake and shared the sighting (MISP event \
         or STIX bundle). Fires when the cell's identity (RAT, PLMN, LAC/TAC, CI, channel, \
         BSIC/PCI) equals a shared sighting's, or when its SI fingerprint (T3212, RACH control, \
         selection parameters and rest octets, CCCH layout, neighbour-list shape; no identity) \
         equals one -> high if the source judged it likely fake, medium if suspicious. FPs: a \
         shared sighting that was itself a false alarm; a blaster configured exactly like the \
         local operator (then its fingerprint would match the operator's cells: measured not \
         to happen on the scene library and the shared captures, crates/detect/FINGERPRINT.md). \
         Source: regulators' and operators' information sharing on SMS blasters (GSMA \
         gsma-fraud:technical=\"false-base-station-attack\")."
    }
    fn default_severity(&self) -> Severity {
        Severity::High
    }

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        if ctx.watchlist.is_empty() {
            return Vec::new();
        }
        let fingerprint = SiFingerprint::of(cell);
        let mut out = Vec::new();
        for w in &ctx.watchlist.cells {
            if w.rat != cell.key.rat {
                continue;
            }
            let by_identity = w.identity_matches(cell);
            let by_fingerprint = matches!(
                (&fingerprint, &w.si_fingerprint),
                (Some(f), Some(id)) if &f.id == id
            );
            if !by_identity && !by_fingerprint {
                continue;
            }
            let how = match (by_identity, by_fingerprint) {
                (true, true) => "identity and SI fingerprint",
                (true, false) => "identity",
                _ => "SI fingerprint",
            };
            let severity = if w.verdict.as_deref() == Some("likely_fake") {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(Detection::new(
                self,
                severity,
                cell.first_seen_unix_ms,
                format!(
                    "matches by {how} a fake cell shared by {} (sighting {})",
                    w.source, w.reference
                ),
                json!({
                    "matched_by": how,
                    "source": w.source,
                    "sighting": w.reference,
                    "source_verdict": w.verdict,
                    "seen_by_source": {
                        "first_unix_ms": w.first_seen_unix_ms,
                        "last_unix_ms": w.last_seen_unix_ms,
                    },
                    "where": {
                        "lat_deg": w.lat_deg, "lon_deg": w.lon_deg, "accuracy_m": w.accuracy_m,
                    },
                    "shared_identity": {
                        "plmn": w.plmn.as_ref().map(ToString::to_string),
                        "lac_tac": w.lac_tac, "cell_id": w.cell_id,
                        "channel": w.channel, "bsic_pci": w.bsic_pci,
                    },
                    "si_fingerprint": fingerprint.as_ref().map(|f| &f.id),
                    "si_configuration": fingerprint.as_ref().map(|f| &f.text),
                }),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{Baseline, BaselineIndex};
    use crate::rules::testkit::{gsm, legit_si};
    use crate::scene::Scene;
    use crate::thresholds::Thresholds;

    fn blaster_si() -> crate::model::GsmSystemInfo {
        let mut si = legit_si(&[]);
        si.cell_reselect_offset_db = Some(126);
        si.t3212_decihours = Some(5);
        si
    }

    fn eval(obs: &crate::model::CellObservation, w: &Watchlist) -> Vec<Detection> {
        let scene = Scene::from_observations(std::slice::from_ref(obs));
        let b = Baseline::empty();
        let index = BaselineIndex::new(&b);
        let th = Thresholds::default();
        let ctx = Context::new(&scene, &b, &index, None, &th).with_watchlist(w);
        KnownFakeCell.evaluate(&scene.cells()[0], &ctx)
    }

    #[test]
    fn matches_by_identity_or_fingerprint_not_a_clone_on_another_channel() {
        let mut seen = gsm(0, "234-15", 3101, 40961, 62, 21);
        seen.gsm = Some(blaster_si());
        let fp = SiFingerprint::gsm(&blaster_si(), Some(62)).unwrap();
        let w = Watchlist {
            cells: vec![WatchedCell {
                reference: "s1".into(),
                source: "Ofcom sensor 7".into(),
                first_seen_unix_ms: Some(1),
                last_seen_unix_ms: Some(2),
                lat_deg: Some(51.5),
                lon_deg: Some(-0.12),
                accuracy_m: Some(30.0),
                rat: Rat::Gsm,
                plmn: Plmn::parse("234-15").ok(),
                lac_tac: Some(3101),
                cell_id: Some(40961),
                channel: Some(62),
                bsic_pci: Some(21),
                si_fingerprint: Some(fp.id.clone()),
                verdict: Some("likely_fake".into()),
            }],
        };
        let d = eval(&seen, &w);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::High);
        assert_eq!(d[0].evidence["matched_by"], "identity and SI fingerprint");
        assert_eq!(d[0].evidence["source"], "Ofcom sensor 7");
        // Redeployed: new CI, LAC, ARFCN, BSIC, same software configuration.
        let mut moved = gsm(0, "234-10", 77, 12345, 70, 5);
        moved.gsm = Some(blaster_si());
        let d = eval(&moved, &w);
        assert_eq!(d[0].evidence["matched_by"], "SI fingerprint");
        // A real cell whose identity the blaster copied, on its own channel and configuration.
        let mut real = gsm(0, "234-15", 3101, 40961, 59, 18);
        real.gsm = Some(legit_si(&[66, 55, 70, 49]));
        assert!(eval(&real, &w).is_empty());
        // Nothing watched: nothing fires.
        assert!(eval(&seen, &Watchlist::empty()).is_empty());
    }
}
