//! How bad one finding is ([`Severity`]) and what is concluded about a cell ([`VerdictLevel`]).

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Severity of one detection (Rayhunter's four levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational, no score by default.
    Info,
    /// Weak lead.
    Low,
    /// Worth a look.
    Medium,
    /// Strong indicator of a fake cell.
    High,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
    ];

    /// Name as stored and printed ("info", "low", "medium", "high").
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| ModelError::Unknown {
                what: "severity",
                value: s.to_string(),
                expected: "info, low, medium, high",
            })
    }
}

/// Verdict level of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictLevel {
    /// Nothing suspicious (score below the suspicious threshold).
    Clean,
    /// Some indicators fired.
    Suspicious,
    /// Strong evidence of a fake base station.
    LikelyFake,
}

impl VerdictLevel {
    /// Every level, lowest first.
    pub const ALL: [VerdictLevel; 3] = [
        VerdictLevel::Clean,
        VerdictLevel::Suspicious,
        VerdictLevel::LikelyFake,
    ];

    /// Name as stored and in JSON ("clean", "suspicious", "likely_fake").
    pub const fn as_str(self) -> &'static str {
        match self {
            VerdictLevel::Clean => "clean",
            VerdictLevel::Suspicious => "suspicious",
            VerdictLevel::LikelyFake => "likely_fake",
        }
    }

    /// Name for people ("clean", "suspicious", "likely fake").
    pub const fn label(self) -> &'static str {
        match self {
            VerdictLevel::Clean => "clean",
            VerdictLevel::Suspicious => "suspicious",
            VerdictLevel::LikelyFake => "likely fake",
        }
    }
}

impl std::fmt::Display for VerdictLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for VerdictLevel {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let t = s.trim().replace(['-', ' '], "_");
        VerdictLevel::ALL
            .into_iter()
            .find(|v| v.as_str() == t)
            .ok_or_else(|| ModelError::Unknown {
                what: "verdict level",
                value: s.to_string(),
                expected: "clean, suspicious, likely_fake",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>().unwrap(), s);
        }
        for v in VerdictLevel::ALL {
            assert_eq!(v.as_str().parse::<VerdictLevel>().unwrap(), v);
        }
        assert_eq!(
            "likely fake".parse::<VerdictLevel>().unwrap(),
            VerdictLevel::LikelyFake
        );
        assert!(VerdictLevel::Clean < VerdictLevel::Suspicious);
        assert!(Severity::Medium < Severity::High);
    }
}
