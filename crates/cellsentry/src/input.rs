//! Turning command-line inputs into IQ sources: files, folders of recordings, or a radio.

use std::path::{Path, PathBuf};

use anyhow::Result;
use cellsentry_capture::{list_capture_files, open_source, IqSource, OpenOptions, RadioSettings};

use crate::cli::{RadioOpts, RawOpts};
use crate::exit::BadInput;

impl RawOpts {
    pub fn open_options(&self) -> OpenOptions {
        OpenOptions {
            rate_hz: self.rate,
            freq_hz: self.freq,
            format: self.format,
        }
    }
}

/// Expands the command line's paths: files stay, folders become the recordings inside them.
/// Files in a folder that are not recordings are reported in `skipped` (with the reason);
/// a folder with no recording at all is an error.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let listing = list_capture_files(input)?;
            if listing.recordings.is_empty() {
                return Err(BadInput(format!(
                    "{}: no recordings in this folder ({} other files)",
                    input.display(),
                    listing.unrecognised.len()
                ))
                .into());
            }
            files.extend(listing.recordings.into_iter().map(|r| r.path));
            skipped.extend(
                listing
                    .unrecognised
                    .into_iter()
                    .map(|s| format!("{}: {}", s.path.display(), s.reason)),
            );
        } else {
            files.push(input.clone());
        }
    }
    Ok((files, skipped))
}

/// Opens a recording with the user's overrides.
pub fn open_file(path: &Path, raw: &RawOpts) -> Result<Box<dyn IqSource>> {
    // Capture errors already name the file.
    Ok(open_source(path, &raw.open_options())?)
}

/// Opens a live radio (needs the `soapy` feature).
pub fn open_radio(
    radio: &RadioOpts,
    freq_hz: f64,
    rate_sps: Option<f64>,
) -> Result<Box<dyn IqSource>> {
    let args = radio.device.clone().unwrap_or_default();
    let settings = RadioSettings {
        center_freq_hz: freq_hz,
        sample_rate_hz: rate_sps.unwrap_or(0.0),
        gain_db: radio.gain,
        ppm: radio.ppm,
        ..RadioSettings::default()
    };
    let source = cellsentry_capture::soapy::SoapySource::open(&args, &settings)?;
    Ok(Box::new(source))
}
