//! Errors of a session: one enum, one line each. Each variant keeps its cause as the error's
//! source, so a caller can tell a radio failure from a database failure by walking the chain.

use cellsentry_capture::CaptureError;
use cellsentry_store::StoreError;

/// What can end a session (or keep one from starting).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The source failed: unreadable or truncated file, unknown format, radio gone.
    #[error("{0}")]
    Capture(#[from] CaptureError),
    /// The database refused a write (disk full, locked, read-only, corrupt).
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Writing a side output (pcap) failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The input cannot be processed as asked (too short, bad parameters).
    #[error("{0}")]
    Input(String),
}
