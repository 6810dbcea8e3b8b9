//! Headerless IQ recordings (`.cfile`, `.cs16`, `.cs8`, `.cu8`, `.bin`, ...) replayed as blocks.
//!
//! Reading is chunked through one reused byte buffer, so memory stays constant whatever the
//! file size, and each block costs one `read` call plus one bulk conversion.
//!
//! A file whose size is not a multiple of the sample size (a recorder killed mid-write) is
//! still replayed: every complete sample is delivered, then the next read returns
//! [`CaptureError::Truncated`] once (callers may treat it as a warning), then end of stream.

use crate::SampleCodec;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use num_complex::Complex32;

use crate::naming::{extension_kind, parse_file_name, ExtensionKind};
use crate::{CaptureError, IqBlock, IqSource, OpenOptions, SampleFormat, SourceInfo};

/// Largest block a file source hands out in one `read_block`, whatever the caller asks:
/// 4 Mi samples (32 MiB of `Complex32`), so a huge request cannot exhaust memory.
pub const MAX_BLOCK_SAMPLES: usize = 1 << 22;

/// I/O buffer for small reads; larger reads bypass it and go straight into our buffer.
const IO_BUFFER_BYTES: usize = 256 * 1024;

pub(crate) fn io_err(path: &str, source: std::io::Error) -> CaptureError {
    CaptureError::Io {
        path: path.to_string(),
        source,
    }
}

/// Sequential reader of whole samples from a byte region of a file. Shared by raw and SigMF
/// sources.
pub(crate) struct SampleReader {
    file: BufReader<File>,
    path: String,
    format: SampleFormat,
    bytes: Vec<u8>,
    /// Complete samples in the region.
    total_samples: u64,
    /// Bytes after the last complete sample.
    trailing_bytes: u64,
    /// Samples delivered so far.
    pos: u64,
    truncation_reported: bool,
}

impl SampleReader {
    /// Opens `path` for reading `format` samples from byte `start` for `len` bytes (to the end
    /// of the file when `None`). `payload_skip` bytes inside the region are not samples (SigMF
    /// `core:header_bytes`), they are skipped by the caller with [`Self::skip_bytes`].
    pub(crate) fn open(
        path: &Path,
        format: SampleFormat,
        start: u64,
        len: Option<u64>,
        payload_skip: u64,
    ) -> Result<Self, CaptureError> {
        let path_str = path.display().to_string();
        let file = File::open(path).map_err(|e| io_err(&path_str, e))?;
        let meta = file.metadata().map_err(|e| io_err(&path_str, e))?;
        if meta.is_dir() {
            return Err(CaptureError::Format(format!(
                "{path_str}: is a directory, not a recording"
            )));
        }
        let file_len = meta.len();
        let region_len = match len {
            Some(l) => l,
            None => file_len.saturating_sub(start),
        };
        if start.saturating_add(region_len) > file_len {
            return Err(CaptureError::Format(format!(
                "{path_str}: file is shorter ({file_len} bytes) than its metadata says ({} bytes)",
                start.saturating_add(region_len)
            )));
        }
        let payload = region_len.saturating_sub(payload_skip);
        if payload == 0 {
            return Err(CaptureError::Format(format!(
                "{path_str}: empty recording (no sample data)"
            )));
        }
        let size = format.bytes_per_sample() as u64;
        let total_samples = payload / size;
        if total_samples == 0 {
            return Err(CaptureError::Format(format!(
                "{path_str}: {payload} bytes is less than one {format} sample ({size} bytes)"
            )));
        }
        let mut file = BufReader::with_capacity(IO_BUFFER_BYTES, file);
        if start > 0 {
            file.seek(SeekFrom::Start(start))
                .map_err(|e| io_err(&path_str, e))?;
        }
        Ok(SampleReader {
            file,
            path: path_str,
            format,
            bytes: Vec::new(),
            total_samples,
            trailing_bytes: payload % size,
            pos: 0,
            truncation_reported: false,
        })
    }

    pub(crate) fn total_samples(&self) -> u64 {
        self.total_samples
    }

    pub(crate) fn trailing_bytes(&self) -> u64 {
        self.trailing_bytes
    }

    pub(crate) fn position(&self) -> u64 {
        self.pos
    }

    pub(crate) fn skip_bytes(&mut self, n: u64) -> Result<(), CaptureError> {
        let n = i64::try_from(n).map_err(|_| {
            CaptureError::Format(format!("{}: header size {n} out of range", self.path))
        })?;
        self.file
            .seek_relative(n)
            .map_err(|e| io_err(&self.path, e))
    }

    /// Reads up to `max` samples. `Ok(None)` at the end; a partial trailing sample turns the
    /// first end-of-data read into `Err(Truncated)`.
    pub(crate) fn read(&mut self, max: usize) -> Result<Option<Vec<Complex32>>, CaptureError> {
        if max == 0 {
            return Err(CaptureError::Format(
                "read_block needs max_samples > 0".to_string(),
            ));
        }
        let left = self.total_samples - self.pos;
        let n = (max.min(MAX_BLOCK_SAMPLES) as u64).min(left) as usize;
        if n == 0 {
            if self.trailing_bytes > 0 && !self.truncation_reported {
                self.truncation_reported = true;
                return Err(CaptureError::Truncated {
                    path: self.path.clone(),
                    trailing_bytes: self.trailing_bytes,
                    sample_bytes: self.format.bytes_per_sample(),
                });
            }
            return Ok(None);
        }
        let nbytes = n * self.format.bytes_per_sample();
        if self.bytes.len() < nbytes {
            self.bytes.resize(nbytes, 0);
        }
        let buf = &mut self.bytes[..nbytes];
        self.file.read_exact(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                CaptureError::Format(format!(
                    "{}: file ended early (shrank while being read?)",
                    self.path
                ))
            } else {
                io_err(&self.path, e)
            }
        })?;
        let mut out = Vec::with_capacity(n);
        self.format.decode_into(buf, &mut out);
        self.pos += n as u64;
        Ok(Some(out))
    }
}

/// Decides the sample format of a raw file: explicit option, then a format-specific extension,
/// then a name token (`_cu8_`), then the generic extension's default (`.bin` = cu8,
/// `.dat`/`.raw` = cf32).
pub fn resolve_raw_format(
    path: &Path,
    explicit: Option<SampleFormat>,
) -> Result<SampleFormat, CaptureError> {
    if let Some(f) = explicit {
        return Ok(f);
    }
    let hints = parse_file_name(path);
    match extension_kind(path) {
        Some(ExtensionKind::Specific(f)) => Ok(f),
        Some(ExtensionKind::Generic(default)) => Ok(hints.format.unwrap_or(default)),
        Some(ExtensionKind::Sigmf) => Err(CaptureError::Format(format!(
            "{}: is a SigMF file, not a raw recording",
            path.display()
        ))),
        None => hints.format.ok_or_else(|| {
            CaptureError::Format(format!(
                "{}: cannot tell the sample format from the name: pass --format (cf32, cs16, cs8, cu8)",
                path.display()
            ))
        }),
    }
}

/// A headerless recording replayed from disk.
pub struct RawFileSource {
    reader: SampleReader,
    info: SourceInfo,
}

impl RawFileSource {
    /// Opens a raw recording. Rate and frequency come from `options`, else from the file name;
    /// a missing rate is an error, a missing frequency is reported as 0 Hz (unknown).
    pub fn open(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let format = resolve_raw_format(path, options.format)?;
        let hints = parse_file_name(path);
        let sample_rate_hz = options.rate_hz.or(hints.sample_rate_hz).ok_or_else(|| {
            CaptureError::Metadata(format!(
                "{}: no sample rate: pass --rate or use a SigMF recording",
                path.display()
            ))
        })?;
        check_rate(sample_rate_hz)?;
        let center_freq_hz = options.freq_hz.or(hints.center_freq_hz).unwrap_or(0.0);
        let reader = SampleReader::open(path, format, 0, None, 0)?;
        let info = SourceInfo {
            sample_rate_hz,
            center_freq_hz,
            format,
            description: path.display().to_string(),
            device: None,
            gain_db: None,
            total_samples: Some(reader.total_samples()),
            start_unix_ns: None,
        };
        Ok(RawFileSource { reader, info })
    }

    /// Bytes after the last complete sample (non-zero for a truncated recording).
    pub fn trailing_bytes(&self) -> u64 {
        self.reader.trailing_bytes()
    }
}

pub(crate) fn check_rate(rate_hz: f64) -> Result<(), CaptureError> {
    if rate_hz.is_finite() && rate_hz > 0.0 {
        Ok(())
    } else {
        Err(CaptureError::Metadata(format!(
            "invalid sample rate {rate_hz} (must be a positive number of samples per second)"
        )))
    }
}

impl IqSource for RawFileSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        let first_sample = self.reader.position();
        Ok(self.reader.read(max_samples)?.map(|samples| IqBlock {
            samples,
            first_sample,
            center_freq_hz: self.info.center_freq_hz,
            dropped_total: 0,
        }))
    }
}
