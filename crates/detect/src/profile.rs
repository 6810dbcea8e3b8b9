//! Country/operator profiles: which MCCs and operators are local, and what each operator is
//! known to run (used by `foreign_plmn`, `test_plmn` and `new_arfcn_unusual_channel`).
//!
//! File format (JSON, `profiles/*.json`, one country per file):
//!
//! ```json
//! {
//!   "format": "cellsentry-profile/1",
//!   "country": "United Kingdom", "iso3166": "GB",
//!   "mccs": [234, 235],
//!   "mnc_list_complete": false,
//!   "comment": "sources and caveats",
//!   "operators": [
//!     { "name": "Vodafone UK", "plmns": ["234-15"],
//!       "gsm_in_service": true,
//!       "channels": [ { "rat": "gsm", "first": 1, "last": 124, "verified": false,
//!                       "comment": "where the block comes from" } ],
//!       "comment": "..." }
//!   ]
//! }
//! ```
//!
//! `mnc_list_complete = false` says the list holds the main operators only (MVNOs with own
//! MNCs, private networks and GSM-R are missing), so an unknown MNC is reported at `info`, not
//! `low`. `gsm_in_service = false` states the operator runs no GSM network (never had one, or
//! switched it off); `null` means not stated. `channels` lists licensed ARFCN/EARFCN blocks;
//! a block with `verified: false` is never used to raise an alarm. An operator's verified blocks
//! of one band are taken as its whole licence in that band (a channel of that band outside all
//! of them alarms; other bands are not judged by them), so a block may only be marked verified
//! once the operator's list for that band is complete. The shipped profiles carry unverified UK
//! blocks only (GSM900, LTE bands 8/20/28/67, each with its source in `comment`), taken from a
//! survey of deployed carriers rather than the licence register, so none is verified yet.

use serde::{Deserialize, Serialize};

use cellsentry_dsp::GsmBand;

use crate::error::DetectError;
use crate::model::{Plmn, Rat};

/// A licensed channel block of one operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelBlock {
    /// GSM (ARFCN) or LTE (EARFCN).
    pub rat: Rat,
    /// First channel number of the block.
    pub first: u32,
    /// Last channel number (inclusive).
    pub last: u32,
    /// Checked against the regulator's licence register.
    #[serde(default)]
    pub verified: bool,
    /// Where the block comes from.
    #[serde(default)]
    pub comment: String,
}

/// One operator of a country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operator {
    /// Brand / company name.
    pub name: String,
    /// PLMNs ("MCC-MNC") it broadcasts.
    pub plmns: Vec<String>,
    /// Whether it runs a GSM network now (`None` = not stated).
    #[serde(default)]
    pub gsm_in_service: Option<bool>,
    /// Licensed channel blocks.
    #[serde(default)]
    pub channels: Vec<ChannelBlock>,
    /// Sources, caveats.
    #[serde(default)]
    pub comment: String,
}

/// A country profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Format tag, "cellsentry-profile/1".
    pub format: String,
    /// Country name.
    pub country: String,
    /// ISO 3166-1 alpha-2 code.
    pub iso3166: String,
    /// Local MCCs (ITU-T E.212).
    pub mccs: Vec<u16>,
    /// The operator list covers every MNC in use.
    #[serde(default)]
    pub mnc_list_complete: bool,
    /// Operators.
    pub operators: Vec<Operator>,
    /// GSM bands the country licenses for public and railway GSM networks (an empty list: no
    /// GSM network at all; absent: not stated). A GSM cell on any other band is not a domestic
    /// network whatever PLMN it claims: a blaster built for 900/1800 MHz carried into an
    /// 850/1900 MHz country shows up here.
    #[serde(default)]
    pub gsm_bands: Option<Vec<GsmBand>>,
    /// Where `gsm_bands` comes from.
    #[serde(default)]
    pub gsm_bands_source: String,
    /// Sources, caveats.
    #[serde(default)]
    pub comment: String,
    #[serde(skip)]
    parsed: Vec<(usize, Plmn)>,
}

const BUILTIN: [(&str, &str); 6] = [
    ("uk", include_str!("../profiles/uk.json")),
    ("us", include_str!("../profiles/us.json")),
    ("ca", include_str!("../profiles/ca.json")),
    ("au", include_str!("../profiles/au.json")),
    ("nz", include_str!("../profiles/nz.json")),
    ("jp", include_str!("../profiles/jp.json")),
];

impl Profile {
    /// Names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in profile by name ("uk", "us", "ca", "au", "nz", "jp"; ISO codes "gb" too).
    pub fn builtin(name: &str) -> Result<Profile, DetectError> {
        let n = name.trim().to_ascii_lowercase();
        let n = if n == "gb" { "uk".to_string() } else { n };
        let text = BUILTIN
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, t)| *t)
            .ok_or_else(|| DetectError::UnknownProfile(name.to_string()))?;
        Profile::from_json_str(text, &format!("built-in profile {n}"))
    }

    /// Parses and validates a profile.
    pub fn from_json_str(text: &str, what: &str) -> Result<Profile, DetectError> {
        let mut p: Profile = serde_json::from_str(text).map_err(|e| DetectError::json(what, e))?;
        if p.format != "cellsentry-profile/1" {
            return Err(DetectError::Invalid {
                what: what.to_string(),
                reason: format!("unknown format {:?}", p.format),
            });
        }
        if p.mccs.is_empty() || p.mccs.iter().any(|m| *m > 999) {
            return Err(DetectError::Invalid {
                what: what.to_string(),
                reason: "mccs must be a non-empty list of 0..=999".into(),
            });
        }
        let mut parsed = Vec::new();
        for (i, op) in p.operators.iter().enumerate() {
            for s in &op.plmns {
                let plmn = Plmn::parse(s).map_err(|e| DetectError::Invalid {
                    what: what.to_string(),
                    reason: format!("operator {:?}: {e}", op.name),
                })?;
                parsed.push((i, plmn));
            }
            for b in &op.channels {
                if b.first > b.last {
                    return Err(DetectError::Invalid {
                        what: what.to_string(),
                        reason: format!("operator {:?}: channel block first > last", op.name),
                    });
                }
            }
        }
        p.parsed = parsed;
        Ok(p)
    }

    /// Loads a profile file.
    pub fn load(path: &std::path::Path) -> Result<Profile, DetectError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DetectError::io(path.display().to_string(), e))?;
        Profile::from_json_str(&text, &path.display().to_string())
    }

    /// The MCC is one of the country's.
    pub fn is_local_mcc(&self, mcc: u16) -> bool {
        self.mccs.contains(&mcc)
    }

    /// The operator broadcasting this PLMN (MNC compared by value).
    pub fn operator_of(&self, plmn: &Plmn) -> Option<&Operator> {
        self.parsed
            .iter()
            .find(|(_, p)| p.same_network(plmn))
            .and_then(|(i, _)| self.operators.get(*i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_builtins_parse_and_are_consistent() {
        for n in Profile::builtin_names() {
            let p = Profile::builtin(n).unwrap();
            assert!(!p.operators.is_empty(), "{n}");
            for (_, plmn) in &p.parsed {
                assert!(
                    plmn.mcc_value().is_some_and(|m| p.is_local_mcc(m)),
                    "{n}: {plmn} outside the country's MCCs"
                );
            }
            // No operator's block list is complete yet (see profiles/README.md), so none may
            // be verified: a verified subset would flag the operator's cells on missing bands.
            for op in &p.operators {
                assert!(op.channels.iter().all(|b| !b.verified), "{n}: {}", op.name);
            }
        }
        assert!(Profile::builtin("xx").is_err());
    }

    #[test]
    fn uk_profile_facts() {
        let p = Profile::builtin("GB").unwrap();
        assert_eq!(p.mccs, vec![234, 235]);
        let voda = p.operator_of(&Plmn::parse("234-15").unwrap()).unwrap();
        assert!(voda.name.contains("Vodafone"));
        assert_eq!(voda.gsm_in_service, Some(true));
        let three = p.operator_of(&Plmn::parse("234-20").unwrap()).unwrap();
        assert_eq!(three.gsm_in_service, Some(false));
        assert!(p.operator_of(&Plmn::parse("001-01").unwrap()).is_none());
        let jp = Profile::builtin("jp").unwrap();
        assert!(jp.operators.iter().all(|o| o.gsm_in_service == Some(false)));
    }

    #[test]
    fn load_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nz.json");
        std::fs::write(&p, include_str!("../profiles/nz.json")).unwrap();
        let nz = Profile::load(&p).unwrap();
        assert_eq!(nz.mccs, vec![530]);
        assert_eq!(nz, Profile::builtin("nz").unwrap());
        assert!(Profile::load(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn bad_profiles_are_rejected() {
        assert!(Profile::from_json_str("{", "t").is_err());
        let bad = r#"{"format":"cellsentry-profile/1","country":"X","iso3166":"XX","mccs":[1000],"operators":[]}"#;
        assert!(Profile::from_json_str(bad, "t").is_err());
        let bad = r#"{"format":"cellsentry-profile/1","country":"X","iso3166":"XX","mccs":[1],"operators":[{"name":"a","plmns":["1-x"]}]}"#;
        assert!(Profile::from_json_str(bad, "t").is_err());
        let bad = r#"{"format":"other","country":"X","iso3166":"XX","mccs":[1],"operators":[]}"#;
        assert!(Profile::from_json_str(bad, "t").is_err());
    }
}
