//! Errors of the detection crate: one enum, one line each.

use thiserror::Error;

/// Everything that can go wrong loading detector inputs (profiles, baselines, thresholds,
/// cell databases). Rule evaluation itself cannot fail.
#[derive(Debug, Error)]
pub enum DetectError {
    /// A PLMN that is not MCC 0..=999 with a 2- or 3-digit MNC.
    #[error("invalid PLMN: {0}")]
    InvalidPlmn(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File concerned.
        path: String,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON document (profile, baseline, thresholds) did not parse.
    #[error("{what}: invalid JSON: {source}")]
    Json {
        /// What was being read.
        what: String,
        /// Underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A profile/thresholds/baseline value is out of range or inconsistent.
    #[error("{what}: {reason}")]
    Invalid {
        /// What was being read.
        what: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A built-in profile name that does not exist.
    #[error("unknown built-in profile {0:?} (known: uk, us, ca, au, nz, jp)")]
    UnknownProfile(String),
    /// A cell database file that is not OpenCellID/MLS CSV at all.
    #[error("{path}: not an OpenCellID/MLS CSV file: {reason}")]
    CellDbFormat {
        /// File concerned.
        path: String,
        /// Why.
        reason: String,
    },
}

impl DetectError {
    pub(crate) fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        DetectError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn json(what: impl Into<String>, source: serde_json::Error) -> Self {
        DetectError::Json {
            what: what.into(),
            source,
        }
    }
}
