//! Opening a recording of any supported kind, and listing the recordings in a folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::naming::{extension_kind, parse_file_name, ExtensionKind};
use crate::raw::{resolve_raw_format, RawFileSource};
use crate::sigmf::SigmfSource;
use crate::{CaptureError, IqSource, SampleFormat};

/// What the user told us about a recording; each `Some` overrides the file name or metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenOptions {
    /// Sample rate in samples per second (`--rate`).
    pub rate_hz: Option<f64>,
    /// Centre frequency in Hz (`--freq`).
    pub freq_hz: Option<f64>,
    /// Sample format (`--format`).
    pub format: Option<SampleFormat>,
}

/// Opens a recording: SigMF (`.sigmf-meta`, `.sigmf-data`, `.sigmf` archive, or a base name
/// with a `.sigmf-meta` beside it) or a raw file.
pub fn open_source(
    path: impl AsRef<Path>,
    options: &OpenOptions,
) -> Result<Box<dyn IqSource>, CaptureError> {
    let path = path.as_ref();
    let is_sigmf = matches!(extension_kind(path), Some(ExtensionKind::Sigmf))
        || (!path.exists() && crate::sigmf::sigmf_paths(path).0.is_file());
    if is_sigmf {
        return Ok(Box::new(SigmfSource::open(path, options)?));
    }
    if !path.exists() {
        return Err(CaptureError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    Ok(Box::new(RawFileSource::open(path, options)?))
}

/// How a listed file would be read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureKind {
    /// A headerless file of this format (rate/frequency may still be missing from the name).
    Raw {
        format: SampleFormat,
        sample_rate_hz: Option<f64>,
        center_freq_hz: Option<f64>,
    },
    /// A SigMF recording (listed once, by its `.sigmf-meta` or `.sigmf` archive).
    Sigmf,
}

/// One recording found in a folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureFile {
    pub path: PathBuf,
    pub kind: CaptureKind,
}

/// A file that is not a recording we can read, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: String,
}

/// Result of [`list_capture_files`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureListing {
    /// Sorted by path.
    pub recordings: Vec<CaptureFile>,
    /// Files that are not recordings (README, pcaps, a `.sigmf-data` without its metadata, ...):
    /// the CLI warns about them, or fails in strict mode.
    pub unrecognised: Vec<SkippedFile>,
}

/// Lists the recordings directly inside `dir` (not recursive; hidden files and subfolders are
/// ignored).
pub fn list_capture_files(dir: impl AsRef<Path>) -> Result<CaptureListing, CaptureError> {
    let dir = dir.as_ref();
    let dir_name = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| CaptureError::Io {
        path: dir_name.clone(),
        source: e,
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CaptureError::Io {
            path: dir_name.clone(),
            source: e,
        })?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if !hidden && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();

    let mut listing = CaptureListing::default();
    for path in paths {
        let name = path.to_string_lossy().to_string();
        match extension_kind(&path) {
            Some(ExtensionKind::Sigmf) => {
                if name.ends_with(".sigmf-data") {
                    let meta = crate::sigmf::sigmf_paths(&path).0;
                    if !meta.is_file() {
                        listing.unrecognised.push(SkippedFile {
                            path,
                            reason: "SigMF data without its .sigmf-meta".to_string(),
                        });
                    }
                    // Otherwise listed through its .sigmf-meta.
                } else if name.ends_with(".sigmf-meta")
                    && !crate::sigmf::sigmf_paths(&path).1.is_file()
                    && !meta_names_dataset(&path)
                {
                    listing.unrecognised.push(SkippedFile {
                        path,
                        reason: "SigMF metadata without its .sigmf-data".to_string(),
                    });
                } else {
                    listing.recordings.push(CaptureFile {
                        path,
                        kind: CaptureKind::Sigmf,
                    });
                }
            }
            Some(_) => {
                let hints = parse_file_name(&path);
                match resolve_raw_format(&path, None) {
                    Ok(format) => listing.recordings.push(CaptureFile {
                        path,
                        kind: CaptureKind::Raw {
                            format,
                            sample_rate_hz: hints.sample_rate_hz,
                            center_freq_hz: hints.center_freq_hz,
                        },
                    }),
                    Err(e) => listing.unrecognised.push(SkippedFile {
                        path,
                        reason: e.to_string(),
                    }),
                }
            }
            None => listing.unrecognised.push(SkippedFile {
                path,
                reason: "not a recognised IQ recording extension".to_string(),
            }),
        }
    }
    Ok(listing)
}

/// True when a metadata file points at a differently named data file (`core:dataset`).
fn meta_names_dataset(meta: &Path) -> bool {
    crate::sigmf::SigmfMeta::load(meta)
        .ok()
        .and_then(|m| m.global.dataset)
        .is_some()
}
