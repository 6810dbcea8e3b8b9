//! Streams [`IqBlock`]s into a SigMF recording: samples go straight to `NAME.sigmf-data`
//! through a buffered writer; `NAME.sigmf-meta` is written by [`SigmfWriter::finish`].
//!
//! A new capture segment starts whenever the centre frequency changes (retune) or the stream
//! index jumps (samples dropped by the radio); the jump is recorded as `core:global_index`,
//! so a replay reproduces the original timing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use num_complex::Complex32;

use crate::SampleCodec;
use serde_json::Value;

use super::{
    Annotation, CaptureSegment, GeoPoint, SigmfGlobal, SigmfMeta, EXTENSION_NAMESPACE,
    SIGMF_VERSION,
};
use crate::raw::{check_rate, io_err};
use crate::timefmt::format_unix_ns;
use crate::{CaptureError, IqBlock, SampleFormat, SourceInfo};

/// What goes into the `global` object of a recording we write.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmfWriterConfig {
    pub sample_rate_hz: f64,
    /// On-disk datatype; `cf32_le` keeps every bit, `ci16_le` halves the size.
    pub format: SampleFormat,
    pub description: Option<String>,
    /// `core:hw`: the radio (e.g. `hackrf`, `LimeSDR Mini`).
    pub hw: Option<String>,
    pub author: Option<String>,
    pub license: Option<String>,
    pub geolocation: Option<GeoPoint>,
    /// Written as `cellsentry:gain_db`.
    pub gain_db: Option<f64>,
    /// Unix time of stream sample 0; when set, every capture segment gets a `core:datetime`.
    pub start_unix_ns: Option<i128>,
    /// Further global keys, e.g. `cellsentry:scenario`; must carry a namespace prefix.
    pub extra_global: BTreeMap<String, Value>,
}

impl SigmfWriterConfig {
    /// cf32_le at `sample_rate_hz`, nothing else set.
    pub fn new(sample_rate_hz: f64) -> Self {
        SigmfWriterConfig {
            sample_rate_hz,
            format: SampleFormat::Cf32Le,
            description: None,
            hw: None,
            author: None,
            license: None,
            geolocation: None,
            gain_db: None,
            start_unix_ns: None,
            extra_global: BTreeMap::new(),
        }
    }

    /// Copies rate, sample format, device, gain, description and start time from a source.
    /// Keeping the source's format makes a recording of a live radio lossless and compact: the
    /// SoapySDR backend delivers the radio's native integers scaled exactly as this format's
    /// decoder scales them.
    pub fn from_source_info(info: &SourceInfo) -> Self {
        SigmfWriterConfig {
            format: info.format,
            description: Some(info.description.clone()),
            hw: info.device.clone(),
            gain_db: info.gain_db,
            start_unix_ns: info.start_unix_ns,
            ..SigmfWriterConfig::new(info.sample_rate_hz)
        }
    }
}

/// Paths of a written recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmfPaths {
    pub meta: PathBuf,
    pub data: PathBuf,
}

/// Writes a SigMF recording incrementally; memory use does not grow with its length.
pub struct SigmfWriter {
    data: BufWriter<File>,
    paths: SigmfPaths,
    config: SigmfWriterConfig,
    bytes: Vec<u8>,
    captures: Vec<CaptureSegment>,
    annotations: Vec<Annotation>,
    written: u64,
    last_freq_hz: Option<f64>,
    next_stream_index: Option<u64>,
    finished: bool,
}

impl SigmfWriter {
    /// Creates `BASE.sigmf-data` (truncating it) for `base` given as `BASE`,
    /// `BASE.sigmf-meta` or `BASE.sigmf-data`.
    pub fn create(base: impl AsRef<Path>, config: SigmfWriterConfig) -> Result<Self, CaptureError> {
        check_rate(config.sample_rate_hz)?;
        for key in config.extra_global.keys() {
            if !key.contains(':') {
                return Err(CaptureError::Metadata(format!(
                    "SigMF global key \"{key}\" needs a namespace prefix (e.g. cellsentry:{key})"
                )));
            }
        }
        let (meta, data) = super::sigmf_paths(base.as_ref());
        let file = File::create(&data).map_err(|e| io_err(&data.display().to_string(), e))?;
        Ok(SigmfWriter {
            data: BufWriter::with_capacity(1 << 20, file),
            paths: SigmfPaths { meta, data },
            config,
            bytes: Vec::new(),
            captures: Vec::new(),
            annotations: Vec::new(),
            written: 0,
            last_freq_hz: None,
            next_stream_index: None,
            finished: false,
        })
    }

    /// Appends a block; starts a capture segment on a retune or a gap in `first_sample`.
    pub fn write_block(&mut self, block: &IqBlock) -> Result<(), CaptureError> {
        self.write_at(&block.samples, block.first_sample, block.center_freq_hz)
    }

    /// Appends samples that follow the previous ones without a gap.
    pub fn write_samples(
        &mut self,
        samples: &[Complex32],
        center_freq_hz: f64,
    ) -> Result<(), CaptureError> {
        let index = self.next_stream_index.unwrap_or(0);
        self.write_at(samples, index, center_freq_hz)
    }

    fn write_at(
        &mut self,
        samples: &[Complex32],
        stream_index: u64,
        center_freq_hz: f64,
    ) -> Result<(), CaptureError> {
        if samples.is_empty() {
            return Ok(());
        }
        let retuned = self.last_freq_hz != Some(center_freq_hz);
        let gap = self.next_stream_index != Some(stream_index);
        if retuned || gap {
            let datetime = self.config.start_unix_ns.map(|t0| {
                let dt_ns = stream_index as f64 / self.config.sample_rate_hz * 1e9;
                format_unix_ns(t0 + dt_ns.round() as i128)
            });
            self.captures.push(CaptureSegment {
                sample_start: self.written,
                frequency_hz: Some(center_freq_hz),
                datetime,
                global_index: (stream_index != self.written).then_some(stream_index),
                ..Default::default()
            });
            self.last_freq_hz = Some(center_freq_hz);
        }
        self.bytes.clear();
        self.config.format.encode_into(samples, &mut self.bytes);
        self.data
            .write_all(&self.bytes)
            .map_err(|e| io_err(&self.paths.data.display().to_string(), e))?;
        self.written += samples.len() as u64;
        self.next_stream_index = Some(stream_index + samples.len() as u64);
        Ok(())
    }

    /// Adds an annotation (sample indices are data-file indices, i.e. samples written so far
    /// count from 0; without dropped samples that is the stream index).
    pub fn add_annotation(&mut self, annotation: Annotation) {
        self.annotations.push(annotation);
    }

    /// Samples written so far.
    pub fn samples_written(&self) -> u64 {
        self.written
    }

    pub fn paths(&self) -> &SigmfPaths {
        &self.paths
    }

    /// The metadata as it would be written now.
    pub fn meta(&self) -> SigmfMeta {
        let c = &self.config;
        let mut extra = c.extra_global.clone();
        if let Some(g) = c.gain_db {
            extra.insert(format!("{EXTENSION_NAMESPACE}:gain_db"), Value::from(g));
        }
        let mut annotations = self.annotations.clone();
        annotations.sort_by_key(|a| a.sample_start);
        SigmfMeta {
            global: SigmfGlobal {
                datatype: Some(c.format.sigmf_datatype().to_string()),
                sample_rate_hz: Some(c.sample_rate_hz),
                version: Some(SIGMF_VERSION.to_string()),
                hw: c.hw.clone(),
                description: c.description.clone(),
                recorder: Some("cellsentry".to_string()),
                author: c.author.clone(),
                license: c.license.clone(),
                geolocation: c.geolocation.as_ref().map(super::geojson_point),
                extensions: Some(serde_json::json!([{
                    "name": EXTENSION_NAMESPACE,
                    "version": env!("CARGO_PKG_VERSION"),
                    "optional": true
                }])),
                extra,
                ..Default::default()
            },
            captures: self.captures.clone(),
            annotations,
        }
    }

    fn write_meta(&mut self) -> Result<(), CaptureError> {
        let meta_name = self.paths.meta.display().to_string();
        self.data
            .flush()
            .map_err(|e| io_err(&self.paths.data.display().to_string(), e))?;
        let text = self.meta().to_json_string()?;
        std::fs::write(&self.paths.meta, text + "\n").map_err(|e| io_err(&meta_name, e))?;
        self.finished = true;
        Ok(())
    }

    /// Flushes the samples and writes the metadata.
    pub fn finish(mut self) -> Result<SigmfPaths, CaptureError> {
        self.write_meta()?;
        Ok(self.paths.clone())
    }
}

impl Drop for SigmfWriter {
    /// A writer dropped without `finish` (an error or Ctrl-C path) still leaves a readable
    /// recording; errors cannot be reported from here.
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.write_meta();
        }
    }
}
