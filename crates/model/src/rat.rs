//! Radio access technology.

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Radio access technology of a cell or carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rat {
    /// GSM / 2G (BCCH carrier C0).
    Gsm,
    /// LTE / 4G.
    Lte,
}

impl Rat {
    /// Every RAT, in order.
    pub const ALL: [Rat; 2] = [Rat::Gsm, Rat::Lte];

    /// Lower-case name, as stored and printed in JSON ("gsm", "lte").
    pub const fn as_str(self) -> &'static str {
        match self {
            Rat::Gsm => "gsm",
            Rat::Lte => "lte",
        }
    }
}

impl std::fmt::Display for Rat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rat {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gsm" | "2g" => Ok(Rat::Gsm),
            "lte" | "4g" => Ok(Rat::Lte),
            other => Err(ModelError::Unknown {
                what: "RAT",
                value: other.to_string(),
                expected: "gsm, lte",
            }),
        }
    }
}
