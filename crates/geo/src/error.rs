//! Errors of the geo crate; each prints as one line naming the file (and line) at fault.

/// What went wrong reading a track or talking to gpsd.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A track file is malformed; `line` is 1-based when the format has lines.
    #[error("{path}{}: {reason}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Malformed {
        path: String,
        line: Option<usize>,
        reason: String,
    },
    /// A coordinate, time, speed or heading outside its valid range.
    #[error("position out of range: {0}")]
    OutOfRange(String),
    /// The track and the recording do not share any time.
    #[error("{0}")]
    NoOverlap(String),
    /// gpsd is not running, refused us, or talks nonsense.
    #[error("gpsd at {addr}: {reason}")]
    Gpsd { addr: String, reason: String },
}

impl GeoError {
    pub(crate) fn malformed(path: &str, line: Option<usize>, reason: impl Into<String>) -> Self {
        GeoError::Malformed {
            path: path.to_string(),
            line,
            reason: reason.into(),
        }
    }
}
