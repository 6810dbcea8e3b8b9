//! Errors of parsing the vocabulary from text.

/// A value that is not a valid member of the vocabulary; prints as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A PLMN that cannot be read (text form) or is out of range.
    #[error("invalid PLMN: {0}")]
    InvalidPlmn(String),
    /// An unknown name of an enumerated value (RAT, severity, format...).
    #[error("unknown {what} {value:?}; expected one of {expected}")]
    Unknown {
        what: &'static str,
        value: String,
        expected: &'static str,
    },
}
