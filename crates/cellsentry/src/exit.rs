//! Exit codes scripts can rely on, and one-line error messages.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (and, with `--fail-on`, no cell at or above that level) |
//! | 1 | any other failure |
//! | 2 | command-line usage error (from clap) |
//! | 3 | bad input: unreadable, truncated, unknown format, missing sample rate |
//! | 4 | radio/device error: no SoapySDR support, no such device, stream failure |
//! | 5 | database error |
//! | 10 | `--fail-on LEVEL` was given and a cell reached that level |
//! | 130 | interrupted (SIGINT/SIGTERM): the run is kept, marked `interrupted`; a sync stops between batches |

use cellsentry_capture::CaptureError;

pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const USAGE: i32 = 2;
pub const BAD_INPUT: i32 = 3;
pub const DEVICE: i32 = 4;
pub const DATABASE: i32 = 5;
pub const DETECTION: i32 = 10;
pub const INTERRUPTED: i32 = 130;

/// Marks an error as caused by the user's input (exit code 3) where no library error says so.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

pub fn code_for(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<CaptureError>() {
            return match e {
                CaptureError::Device(_) => DEVICE,
                CaptureError::Unsupported(_) => FAILURE,
                _ => BAD_INPUT,
            };
        }
        if cause.downcast_ref::<BadInput>().is_some() {
            return BAD_INPUT;
        }
        if let Some(e) = cause.downcast_ref::<cellsentry_fleet::FleetError>() {
            return match e {
                cellsentry_fleet::FleetError::Config(_) => USAGE,
                cellsentry_fleet::FleetError::InvalidInput(_) => BAD_INPUT,
                _ => DATABASE,
            };
        }
        if let Some(cellsentry_pipeline::PipelineError::Input(_)) = cause.downcast_ref() {
            return BAD_INPUT;
        }
        if cause
            .downcast_ref::<cellsentry_store::StoreError>()
            .is_some()
        {
            return DATABASE;
        }
    }
    FAILURE
}

pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string().replace('\n', " ");
        // Library errors often repeat their source's text; print each piece once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
