//! What a regulator needs to tie a verdict to a file: the SHA-256 and size of a recording, and
//! what the recording itself says about when, where and by which sensor it was made.
//!
//! Hashing is a separate streaming pass over the file (1 MiB reads, constant memory) made
//! before or after decoding; the page cache makes the second read of a file cheap, and it keeps
//! the reader thread of the decoding path free of evidence bookkeeping.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::naming::{extension_kind, ExtensionKind};
use crate::sigmf::{sigmf_paths, SigmfMeta};
use crate::{CaptureError, SourceInfo};

/// SHA-256 (lower-case hex) and size in bytes of a file, read in 1 MiB pieces.
pub fn sha256_file(path: &Path) -> Result<(String, u64), CaptureError> {
    let io = |e: std::io::Error| CaptureError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    Ok((hex, size))
}

/// One recording as evidence: the files, their hashes, and what its metadata states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingEvidence {
    /// File holding the samples (the `.sigmf-data`, the raw file, or a `.sigmf` archive).
    pub data_path: PathBuf,
    /// SHA-256 of `data_path`.
    pub sha256: String,
    /// Size of `data_path` in bytes.
    pub size_bytes: u64,
    /// The `.sigmf-meta` beside it, if any.
    pub meta_path: Option<PathBuf>,
    /// SHA-256 of the metadata file.
    pub meta_sha256: Option<String>,
    /// Sample format as SigMF names it (`ci16_le`, `cu8`, ...).
    pub format: String,
    /// Sample rate the samples were read at.
    pub sample_rate_hz: f64,
    /// Centre frequency.
    pub center_freq_hz: f64,
    /// Time of the first sample as the recording states it (SigMF `core:datetime`), ns since
    /// the Unix epoch; `None` when the recording does not say (raw files).
    pub recorded_unix_ns: Option<i128>,
    /// Sensor identity the recording states (`cellsentry:sensor_id`, else `core:hw`).
    pub sensor_id: Option<String>,
    /// Sensor position the recording states (`core:geolocation`), degrees.
    pub sensor_lat_deg: Option<f64>,
    /// Longitude.
    pub sensor_lon_deg: Option<f64>,
    /// Further metadata kept verbatim for the report: hardware, author, recorder, description.
    pub metadata: Value,
}

/// Hashes the files of the recording at `path` (as given to `open_source`) and collects what
/// its metadata states; `info` is what the source was opened with (rate and frequency may come
/// from the command line or the file name for raw files).
pub fn describe_recording(
    path: &Path,
    info: &SourceInfo,
) -> Result<RecordingEvidence, CaptureError> {
    let is_sigmf_pair = matches!(extension_kind(path), Some(ExtensionKind::Sigmf))
        && !path.to_string_lossy().ends_with(".sigmf")
        || (!path.exists() && sigmf_paths(path).0.is_file());
    let (data_path, meta_path, meta) = if is_sigmf_pair {
        let (meta_path, default_data) = sigmf_paths(path);
        let meta = SigmfMeta::load(&meta_path)?;
        // A non-conforming dataset names its data file; it sits beside the metadata.
        let data = match &meta.global.dataset {
            Some(name) => meta_path
                .parent()
                .map_or_else(|| PathBuf::from(name), |dir| dir.join(name)),
            None => default_data,
        };
        (data, Some(meta_path), Some(meta))
    } else {
        (path.to_path_buf(), None, None)
    };
    let (sha256, size_bytes) = sha256_file(&data_path)?;
    let meta_sha256 = match &meta_path {
        Some(p) => Some(sha256_file(p)?.0),
        None => None,
    };
    let global = meta.as_ref().map(|m| &m.global);
    let point = global.and_then(|g| g.geolocation_point());
    let sensor_id = global.and_then(|g| {
        g.extra
            .get("cellsentry:sensor_id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| g.hw.clone())
    });
    let metadata = match global {
        Some(g) => json!({
            "hw": g.hw, "author": g.author, "recorder": g.recorder,
            "description": g.description, "license": g.license, "sigmf_version": g.version,
        }),
        None => json!({}),
    };
    Ok(RecordingEvidence {
        data_path,
        sha256,
        size_bytes,
        meta_path,
        meta_sha256,
        format: info.format.sigmf_datatype().to_string(),
        sample_rate_hz: info.sample_rate_hz,
        center_freq_hz: info.center_freq_hz,
        recorded_unix_ns: info.start_unix_ns,
        sensor_id,
        sensor_lat_deg: point.map(|p| p.lat_deg),
        sensor_lon_deg: point.map(|p| p.lon_deg),
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_vectors() {
        // FIPS 180-2 appendix B.1 ("abc") and the empty message.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc.bin");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            (
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string(),
                3
            )
        );
        std::fs::write(&p, b"").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap().0,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Longer than one read: 1 MiB + 3 bytes of 'a' against a one-shot digest.
        let data = vec![b'a'; (1 << 20) + 3];
        std::fs::write(&p, &data).unwrap();
        let expect: String = Sha256::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha256_file(&p).unwrap(), (expect, data.len() as u64));
    }
}
