//! Sharing what a cellsentry sensor finds, and watching for what others found.
//!
//! * [`sighting::collect`] turns a store's suspected cells into plain [`Sighting`]s (time window
//!   with its time basis, sensor position, identity, power, offset, SI fingerprint, rules fired,
//!   SHA-256 of the evidence recordings; never a subscriber identity);
//! * [`misp`] writes them as MISP core-format events (GSMA taxonomy and TLP tags, one
//!   `false-base-station-sighting` object each, template shipped in `misp-objects/`) and reads
//!   them back;
//! * [`stix`] writes and reads STIX 2.1 bundles (identity, observed-data, sighting, location,
//!   indicator, an extension definition for the cell observable, TLP marking);
//! * [`read_file`] detects the format of a shared file by its content and refuses a malformed
//!   one whole; [`watchlist`] turns imported sightings into the detector's watch-list.

pub mod misp;
pub mod sighting;
pub mod stix;

use std::path::Path;

use cellsentry_detect::Watchlist;
use cellsentry_store::{NewSharedSighting, ShareFormat, SharedSightingRow};
use serde_json::Value;

pub use sighting::{collect, Filter, Producer, RunSightings, Sighting, TimeBasis};

/// Errors of the share crate; each prints as one line.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// A shared file (or a value in it) is not what it claims to be.
    #[error("{0}")]
    Invalid(String),
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] cellsentry_store::StoreError),
}

/// Traffic Light Protocol level of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tlp {
    /// TLP:CLEAR (TLP 1.0 WHITE).
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER (the default: regulators and operators share with need-to-know).
    #[default]
    Amber,
    /// TLP:AMBER+STRICT.
    AmberStrict,
    /// TLP:RED.
    Red,
}

impl Tlp {
    /// Parses "clear", "white", "green", "amber", "amber+strict", "red" (any case, optional
    /// "tlp:" prefix).
    pub fn parse(text: &str) -> Option<Tlp> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_prefix("tlp:").unwrap_or(&t);
        Some(match t {
            "clear" | "white" => Tlp::Clear,
            "green" => Tlp::Green,
            "amber" => Tlp::Amber,
            "amber+strict" | "amber-strict" => Tlp::AmberStrict,
            "red" => Tlp::Red,
            _ => return None,
        })
    }

    /// The MISP `tlp` taxonomy tag.
    pub fn misp_tag(self) -> &'static str {
        match self {
            Tlp::Clear => "tlp:clear",
            Tlp::Green => "tlp:green",
            Tlp::Amber => "tlp:amber",
            Tlp::AmberStrict => "tlp:amber+strict",
            Tlp::Red => "tlp:red",
        }
    }
}

/// Sightings read from a shared document, with its format: a STIX bundle (`"type":
/// "bundle"`) or a MISP event (anything else is tried as MISP and refused if it is not).
pub fn read_document(doc: &Value) -> Result<(ShareFormat, Vec<Sighting>), ShareError> {
    if doc.get("type").and_then(Value::as_str) == Some("bundle") {
        Ok((ShareFormat::Stix, stix::import(doc)?))
    } else {
        Ok((ShareFormat::Misp, misp::import(doc)?))
    }
}

/// A shared file read whole and checked whole, as rows ready for `Store::import_sightings`.
pub fn read_file(path: &Path) -> Result<(ShareFormat, Vec<NewSharedSighting>), ShareError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ShareError::Io {
        path: shown.clone(),
        source: e,
    })?;
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ShareError::Invalid(format!("{shown}: not JSON: {e}")))?;
    let (format, sightings) =
        read_document(&doc).map_err(|e| ShareError::Invalid(format!("{shown}: {e}")))?;
    let (sha256, _) = cellsentry_capture::sha256_file(path).map_err(|e| ShareError::Io {
        path: shown.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let rows = sightings
        .into_iter()
        .map(|s| {
            let sighting = serde_json::to_value(&s)
                .map_err(|e| ShareError::Invalid(format!("{shown}: {e}")))?;
            Ok(NewSharedSighting {
                uuid: s.id.clone(),
                format,
                source: s.source.describe(),
                import_file: Some(shown.clone()),
                import_file_sha256: Some(sha256.clone()),
                sighting,
            })
        })
        .collect::<Result<Vec<_>, ShareError>>()?;
    Ok((format, rows))
}

/// The detector's watch-list from imported sightings (and/or a file read directly).
pub fn watchlist(rows: &[SharedSightingRow], extra: &[Sighting]) -> Result<Watchlist, ShareError> {
    let mut cells = Vec::new();
    for r in rows {
        let s: Sighting = serde_json::from_value(r.sighting.sighting.clone()).map_err(|e| {
            ShareError::Invalid(format!("stored sighting {}: {e}", r.sighting.uuid))
        })?;
        cells.push(s.to_watched()?);
    }
    for s in extra {
        cells.push(s.to_watched()?);
    }
    Ok(Watchlist { cells })
}

/// Sightings of a shared file, for `--watchlist FILE` (no store involved).
pub fn read_sightings(path: &Path) -> Result<Vec<Sighting>, ShareError> {
    let rows = read_file(path)?.1;
    rows.into_iter()
        .map(|r| {
            serde_json::from_value(r.sighting)
                .map_err(|e| ShareError::Invalid(format!("{}: {e}", path.display())))
        })
        .collect()
}
