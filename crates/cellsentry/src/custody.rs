//! Chain of custody of a run: which recording it read (SHA-256, size, format, rate, frequency,
//! the recording's own time, sensor and position) and the command line that started it, stored
//! beside the run so that reports and exports can tie every verdict to the exact file.

use std::path::Path;

use anyhow::Result;
use cellsentry_capture::{describe_recording, RecordingEvidence, SourceInfo};
use cellsentry_store::{NewRecording, RunId, Store};

/// Hashes the recording at `path` (read with `info`): a pass of its own over the file.
pub fn describe(path: &Path, info: &SourceInfo) -> Result<RecordingEvidence> {
    Ok(describe_recording(path, info)?)
}

/// Stores the recording's evidence for `run`. (The session stores the command line and the ids
/// and versions of the rules in the run's settings.)
pub fn store_evidence(store: &mut Store, run: RunId, ev: RecordingEvidence) -> Result<()> {
    store.add_recording(&NewRecording {
        run_id: run,
        path: ev.data_path.display().to_string(),
        sha256: ev.sha256,
        size_bytes: ev.size_bytes,
        meta_path: ev.meta_path.map(|p| p.display().to_string()),
        meta_sha256: ev.meta_sha256,
        format: ev.format,
        sample_rate_hz: Some(ev.sample_rate_hz),
        center_freq_hz: Some(ev.center_freq_hz),
        recorded_unix_ms: ev
            .recorded_unix_ns
            .map(|ns| ns.div_euclid(1_000_000) as i64),
        sensor_id: ev.sensor_id,
        sensor_lat_deg: ev.sensor_lat_deg,
        sensor_lon_deg: ev.sensor_lon_deg,
        metadata: ev.metadata,
    })?;
    Ok(())
}

/// The program's arguments as the user typed them (lossy for non-UTF-8 bytes).
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
