//! IQ sources for cellsentry.
//!
//! Everything that yields baseband samples (a raw recording, a SigMF recording, a live SoapySDR
//! radio, a simulated radio backed by a synthetic scene) implements [`IqSource`]. Downstream
//! stages see only [`SourceInfo`] and a stream of [`IqBlock`]s, so a replayed file and a live
//! radio go through exactly the same receiver code.
//!
//! * Files: [`open_source`] picks SigMF or raw (`.cfile`/`.cf32`, `.cs16`, `.cs8`, `.cu8`,
//!   `.bin`, ...); rate, frequency and format come from [`OpenOptions`], the SigMF metadata or
//!   the file name ([`naming`]). [`list_capture_files`] lists a folder's recordings and junk.
//! * [`spawn_reader`] reads any source on its own thread through a bounded channel, so a
//!   multi-gigabyte replay runs in constant memory.
//! * [`SigmfWriter`] records blocks (and truth annotations) as SigMF.
//! * [`soapy`] opens live radios (feature `soapy`; without it the same API fails with a clear
//!   message), configured by [`RadioSettings`] and the per-radio [`RadioProfile`] table.
//!
//! Sample values: cf32 as stored; cs16 / 32768; cs8 / 128; cu8 (b - 127.5) / 128.
//!
//! ```no_run
//! use cellsentry_capture::{open_source, spawn_reader, OpenOptions, CaptureError};
//!
//! # fn main() -> Result<(), CaptureError> {
//! // Rate and frequency are read from the name; pass them in OpenOptions otherwise.
//! let source = open_source("capture_941.8M_2Msps.cf32", &OpenOptions::default())?;
//! let rate_sps = source.info().sample_rate_hz;
//! let (blocks, reader) = spawn_reader(source, 65_536, 8);
//! for block in blocks {
//!     match block {
//!         Ok(b) => println!("{} samples at t = {:.3} s", b.samples.len(), b.first_sample as f64 / rate_sps),
//!         // Every complete sample was delivered; the file just ends mid-sample.
//!         Err(e @ CaptureError::Truncated { .. }) => eprintln!("warning: {e}"),
//!         Err(e) => return Err(e),
//!     }
//! }
//! let _source = reader.join().expect("reader thread panicked");
//! # Ok(())
//! # }
//! ```

pub mod evidence;
mod files;
mod format;
pub mod naming;
mod paced;
pub mod radio;
mod raw;
pub mod sigmf;
#[cfg_attr(feature = "soapy", path = "soapy.rs")]
#[cfg_attr(not(feature = "soapy"), path = "soapy_stub.rs")]
pub mod soapy;
mod stream;
pub mod timefmt;

pub use cellsentry_model::{GeoPoint, SampleFormat, ALL_FORMATS};
pub use evidence::{describe_recording, sha256_file, RecordingEvidence};
pub use files::{
    list_capture_files, open_source, CaptureFile, CaptureKind, CaptureListing, OpenOptions,
    SkippedFile,
};
pub use format::{decode_samples, sample_format_from_sigmf, SampleCodec};
pub use paced::PacedSource;
pub use radio::{DeviceInfo, GainStage, LiveStats, RadioProfile, RadioSettings};
pub use raw::{resolve_raw_format, RawFileSource, MAX_BLOCK_SAMPLES};
pub use sigmf::{Annotation, SigmfMeta, SigmfSource, SigmfWriter, SigmfWriterConfig};
pub use stream::{spawn_reader, BlockResult};

use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// What a stream is: everything a receiver needs to interpret the samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Sample rate in samples per second.
    pub sample_rate_hz: f64,
    /// Centre (tuned) frequency in Hz; 0 Hz baseband is this RF frequency.
    pub center_freq_hz: f64,
    /// Sample encoding of the underlying file or device stream.
    pub format: SampleFormat,
    /// Human-readable origin: a file path, a SoapySDR device string, `sim:<scenario>`.
    pub description: String,
    /// Device/driver name when known (e.g. `hackrf`, `lime`, `rtlsdr`).
    pub device: Option<String>,
    /// Total receive gain in dB when known.
    pub gain_db: Option<f64>,
    /// Total number of samples when known in advance (files); `None` for live streams.
    pub total_samples: Option<u64>,
    /// Unix time of the first sample in nanoseconds when known (SigMF `core:datetime`, live radios).
    pub start_unix_ns: Option<i128>,
}

/// One block of samples from a source.
#[derive(Debug, Clone, PartialEq)]
pub struct IqBlock {
    pub samples: Vec<Complex32>,
    /// Index of `samples[0]` in the stream, counting dropped samples too, so that
    /// `first_sample / sample_rate_hz` is the true time since the start.
    pub first_sample: u64,
    /// Centre frequency the samples were taken at (changes after a retune).
    pub center_freq_hz: f64,
    /// Running total of samples lost so far (overflows); never fatal.
    pub dropped_total: u64,
}

/// Errors of every IQ source. Every variant prints as one clear line.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Metadata(String),
    #[error("{0}")]
    Device(String),
    #[error("this source cannot {0}")]
    Unsupported(&'static str),
    /// The file ends with a partial sample. Raised once, after every complete sample was
    /// delivered; callers may treat it as a warning.
    #[error("{path}: file ends with {trailing_bytes} stray byte(s), not a whole {sample_bytes}-byte sample (recording cut short?); all complete samples were read")]
    Truncated {
        path: String,
        trailing_bytes: u64,
        sample_bytes: usize,
    },
}

/// A source of IQ samples.
pub trait IqSource: Send {
    fn info(&self) -> &SourceInfo;

    /// Reads up to `max_samples` samples. `Ok(None)` is the end of the stream.
    ///
    /// File sources cap a block at [`MAX_BLOCK_SAMPLES`] and refuse `max_samples == 0`; a
    /// SigMF block never spans two capture segments. A live radio returns an empty block when
    /// it delivered nothing for about a second, so callers can check for shutdown.
    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError>;

    /// Tunes to another centre frequency, where the source can (radios, simulated radios).
    fn retune(&mut self, _center_freq_hz: f64) -> Result<(), CaptureError> {
        Err(CaptureError::Unsupported("retune"))
    }

    /// The SigMF metadata (annotations included) when the source is a SigMF recording.
    fn sigmf_meta(&self) -> Option<&sigmf::SigmfMeta> {
        None
    }
}

/// Lets a boxed source (what [`open_source`] returns) go wherever a source is expected.
impl<S: IqSource + ?Sized> IqSource for Box<S> {
    fn info(&self) -> &SourceInfo {
        (**self).info()
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        (**self).read_block(max_samples)
    }

    fn retune(&mut self, center_freq_hz: f64) -> Result<(), CaptureError> {
        (**self).retune(center_freq_hz)
    }

    fn sigmf_meta(&self) -> Option<&sigmf::SigmfMeta> {
        (**self).sigmf_meta()
    }
}
