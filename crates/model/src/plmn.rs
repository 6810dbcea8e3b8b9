//! PLMN identity as broadcast (TS 23.003 2.2, TS 24.008 10.5.1.3, TS 36.331 PLMN-Identity).
//!
//! A fake cell chooses every byte it sends, including BCD nibbles 0xA-0xE that no real network
//! uses. The receivers keep such digits (as hex letters) instead of dropping the PLMN, so the
//! detector can judge the cell with its PLMN as broadcast and flag the malformed identity.

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A PLMN identity. The digits are kept as strings, exactly as broadcast: "01" and "001" stay
/// distinct (the MNC length is part of the identity), and a non-decimal BCD nibble is kept as
/// a hex letter (see [`Plmn::is_valid`]). Serialised as `{"mcc": "234", "mnc": "15"}`; a
/// numeric MCC (older baseline files) is accepted when reading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Plmn {
    /// Mobile country code, 3 digits as broadcast.
    pub mcc: String,
    /// Mobile network code, 2 or 3 digits as broadcast, leading zeros kept.
    pub mnc: String,
}

impl Plmn {
    /// A checked PLMN: MCC 0..=999, MNC 2 or 3 decimal digits.
    pub fn new(mcc: u16, mnc: &str) -> Result<Self, ModelError> {
        if mcc > 999 {
            return Err(ModelError::InvalidPlmn(format!("MCC {mcc} > 999")));
        }
        if !(2..=3).contains(&mnc.len()) || !mnc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ModelError::InvalidPlmn(format!(
                "MNC {mnc:?} is not 2 or 3 digits"
            )));
        }
        Ok(Plmn {
            mcc: format!("{mcc:03}"),
            mnc: mnc.to_string(),
        })
    }

    /// A PLMN exactly as a receiver decoded it, valid or not.
    pub fn broadcast(mcc: impl Into<String>, mnc: impl Into<String>) -> Self {
        Plmn {
            mcc: mcc.into(),
            mnc: mnc.into(),
        }
    }

    /// Parses "234-15", "234-015", "23415" (5 digits = 2-digit MNC) or "310410"; decimal only.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let t = text.trim();
        let (mcc, mnc) = if let Some((a, b)) = t.split_once(['-', '/', ' ']) {
            (a.trim(), b.trim())
        } else if (5..=6).contains(&t.len()) && t.is_ascii() {
            t.split_at(3)
        } else {
            return Err(ModelError::InvalidPlmn(format!("cannot parse {text:?}")));
        };
        let mcc: u16 = mcc
            .parse()
            .map_err(|_| ModelError::InvalidPlmn(format!("bad MCC in {text:?}")))?;
        Plmn::new(mcc, mnc)
    }

    /// True when the MCC is 3 decimal digits and the MNC 2 or 3 (TS 23.003 2.2). A broadcast
    /// PLMN with any other digit is malformed: no real network sends one.
    pub fn is_valid(&self) -> bool {
        self.mcc.len() == 3
            && (2..=3).contains(&self.mnc.len())
            && self
                .mcc
                .bytes()
                .chain(self.mnc.bytes())
                .all(|b| b.is_ascii_digit())
    }

    /// MCC as a number, when decimal.
    pub fn mcc_value(&self) -> Option<u16> {
        decimal(&self.mcc)
    }

    /// MNC as a number, when decimal ("02" and "002" both give 2: compare strings for
    /// identity, this for sources that lose leading zeros).
    pub fn mnc_value(&self) -> Option<u16> {
        decimal(&self.mnc)
    }

    /// Same network, comparing MCC and MNC by value: OpenCellID/MLS exports and some decoders
    /// lose the leading zeros, and within one MCC the MNC length is fixed in practice.
    /// Non-decimal identities match only themselves, digit for digit.
    pub fn same_network(&self, other: &Plmn) -> bool {
        match (
            self.mcc_value(),
            self.mnc_value(),
            other.mcc_value(),
            other.mnc_value(),
        ) {
            (Some(a), Some(b), Some(c), Some(d)) => a == c && b == d,
            _ => self == other,
        }
    }

    /// ITU-T E.212 test/reserved MCCs: 001-009 (test networks) and 999 (internal/private).
    pub fn is_test_mcc(&self) -> bool {
        self.mcc_value()
            .is_some_and(|m| (1..=9).contains(&m) || m == 999)
    }
}

fn decimal(digits: &str) -> Option<u16> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl std::fmt::Display for Plmn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.mcc, self.mnc)
    }
}

impl<'de> Deserialize<'de> for Plmn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Digits {
            Text(String),
            Number(u16),
        }
        #[derive(Deserialize)]
        struct Raw {
            mcc: Digits,
            mnc: Digits,
        }
        let raw = Raw::deserialize(d)?;
        let mcc = match raw.mcc {
            Digits::Text(t) => t,
            Digits::Number(n) => format!("{n:03}"),
        };
        let mnc = match raw.mnc {
            Digits::Text(t) => t,
            // A numeric MNC has lost its length; two digits is the common case.
            Digits::Number(n) => format!("{n:02}"),
        };
        Ok(Plmn { mcc, mnc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let p = Plmn::parse("001-01").unwrap();
        assert_eq!((p.mcc.as_str(), p.mnc.as_str()), ("001", "01"));
        assert_eq!(p.to_string(), "001-01");
        let q = Plmn::parse("310410").unwrap();
        assert_eq!((q.mcc_value(), q.mnc.as_str()), (Some(310), "410"));
        assert!(Plmn::parse("1000-01").is_err());
        assert!(Plmn::parse("234-1").is_err());
        assert!(p.is_test_mcc() && p.is_valid());
        assert!(Plmn::parse("234-015")
            .unwrap()
            .same_network(&Plmn::parse("234-15").unwrap()));
    }

    #[test]
    fn broadcast_digits_are_kept() {
        // BCD nibble 0xA in the MCC (TS 24.008 10.5.1.3 allows only 0-9).
        let p = Plmn::broadcast("2a4", "15");
        assert!(!p.is_valid());
        assert_eq!(p.mcc_value(), None);
        assert!(!p.is_test_mcc());
        assert_eq!(p.to_string(), "2a4-15");
        assert!(p.same_network(&p.clone()));
        assert!(!p.same_network(&Plmn::parse("234-15").unwrap()));
    }

    #[test]
    fn serde_as_strings_and_reads_numbers() {
        let p = Plmn::parse("206-01").unwrap();
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v, serde_json::json!({"mcc": "206", "mnc": "01"}));
        let old: Plmn = serde_json::from_str(r#"{"mcc": 1, "mnc": "01"}"#).unwrap();
        assert_eq!(old, Plmn::parse("001-01").unwrap());
        assert_eq!(serde_json::from_value::<Plmn>(v).unwrap(), p);
    }
}
