//! Replays a SigMF recording (meta + data pair, or a `.sigmf` tar archive) as an [`IqSource`].
//!
//! Blocks never straddle two capture segments, so each block carries the one centre frequency
//! that applies to all its samples. `core:global_index` gaps (samples the recorder dropped)
//! show up in `first_sample` and `dropped_total`, keeping `first_sample / rate` true time.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{sigmf_paths, SigmfMeta};
use crate::raw::{check_rate, io_err, SampleReader};
use crate::timefmt::parse_iso8601;
use crate::{CaptureError, IqBlock, IqSource, OpenOptions, SourceInfo};

/// A capture segment resolved against the data file.
#[derive(Debug, Clone, Copy, Default)]
struct Segment {
    start: u64,
    freq_hz: f64,
    header_bytes: u64,
    /// Stream index minus data-file index (samples dropped before this segment).
    index_offset: u64,
}

/// A SigMF recording replayed from disk.
pub struct SigmfSource {
    meta: SigmfMeta,
    meta_path: PathBuf,
    data_path: PathBuf,
    reader: SampleReader,
    info: SourceInfo,
    segments: Vec<Segment>,
    /// Index of the next segment whose header has not been skipped yet.
    next_segment: usize,
    freq_override: Option<f64>,
}

impl SigmfSource {
    /// Opens a recording from its `.sigmf-meta`, its `.sigmf-data`, its base name or a `.sigmf`
    /// archive. Explicit `options` override the metadata (to correct a wrong recording); an
    /// explicit format must agree with `core:datatype`.
    pub fn open(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        if path.extension().is_some_and(|e| e == "sigmf") {
            return Self::open_archive(path, options);
        }
        let (meta_path, default_data) = sigmf_paths(path);
        if !meta_path.is_file() {
            return Err(CaptureError::Metadata(format!(
                "{}: SigMF metadata file missing",
                meta_path.display()
            )));
        }
        let meta = SigmfMeta::load(&meta_path)?;
        let data_path = match meta.global.dataset.as_deref() {
            // Non-conforming dataset: only its file name counts, it lives beside the metadata.
            Some(name) => match Path::new(name).file_name() {
                Some(file) => meta_path.with_file_name(file),
                None => {
                    return Err(CaptureError::Metadata(format!(
                        "{}: core:dataset \"{name}\" is not a file name",
                        meta_path.display()
                    )))
                }
            },
            None => default_data,
        };
        if !data_path.is_file() {
            return Err(CaptureError::Metadata(format!(
                "{}: SigMF data file missing (metadata: {})",
                data_path.display(),
                meta_path.display()
            )));
        }
        let file_len = std::fs::metadata(&data_path)
            .map_err(|e| io_err(&data_path.display().to_string(), e))?
            .len();
        Self::build(meta, meta_path, data_path, 0, file_len, options)
    }

    /// Opens the first recording inside a `.sigmf` archive (a tar of NAME.sigmf-meta and
    /// NAME.sigmf-data); samples are read in place from the archive.
    fn open_archive(path: &Path, options: &OpenOptions) -> Result<Self, CaptureError> {
        let members = tar_members(path)?;
        let meta_member = members
            .iter()
            .find(|m| m.name.ends_with(".sigmf-meta"))
            .ok_or_else(|| {
                CaptureError::Metadata(format!(
                    "{}: archive holds no .sigmf-meta file",
                    path.display()
                ))
            })?;
        let stem = meta_member.name.trim_end_matches(".sigmf-meta");
        let data_name = format!("{stem}.sigmf-data");
        let data_member = members
            .iter()
            .find(|m| m.name == data_name)
            .ok_or_else(|| {
                CaptureError::Metadata(format!(
                    "{}: archive holds no {data_name} for {}",
                    path.display(),
                    meta_member.name
                ))
            })?;
        const MAX_META_BYTES: u64 = 64 << 20;
        if meta_member.len > MAX_META_BYTES {
            return Err(CaptureError::Metadata(format!(
                "{}: {} is implausibly large ({} bytes)",
                path.display(),
                meta_member.name,
                meta_member.len
            )));
        }
        let path_str = path.display().to_string();
        let mut f = File::open(path).map_err(|e| io_err(&path_str, e))?;
        f.seek(SeekFrom::Start(meta_member.offset))
            .map_err(|e| io_err(&path_str, e))?;
        let mut text = String::new();
        f.take(meta_member.len)
            .read_to_string(&mut text)
            .map_err(|e| io_err(&path_str, e))?;
        let meta = SigmfMeta::from_json_str(&text)
            .map_err(|e| CaptureError::Metadata(format!("{path_str}:{}: {e}", meta_member.name)))?;
        Self::build(
            meta,
            path.to_path_buf(),
            path.to_path_buf(),
            data_member.offset,
            data_member.len,
            options,
        )
    }

    fn build(
        meta: SigmfMeta,
        meta_path: PathBuf,
        data_path: PathBuf,
        data_start: u64,
        data_len: u64,
        options: &OpenOptions,
    ) -> Result<Self, CaptureError> {
        let meta_name = meta_path.display().to_string();
        let format = meta.global.sample_format()?;
        if let Some(f) = options.format {
            if f != format {
                return Err(CaptureError::Metadata(format!(
                    "{meta_name}: format {f} given, but the recording's core:datatype is {format}"
                )));
            }
        }
        let sample_rate_hz = options
            .rate_hz
            .or(meta.global.sample_rate_hz)
            .ok_or_else(|| {
                CaptureError::Metadata(format!(
                    "{meta_name}: no sample rate: core:sample_rate is missing; pass --rate"
                ))
            })?;
        check_rate(sample_rate_hz)?;
        let trailing = meta.global.trailing_bytes.unwrap_or(0);
        let region_len = data_len.checked_sub(trailing).ok_or_else(|| {
            CaptureError::Metadata(format!(
                "{meta_name}: core:trailing_bytes ({trailing}) exceeds the data size ({data_len})"
            ))
        })?;
        let header_total: u64 = meta
            .captures
            .iter()
            .map(|c| c.header_bytes.unwrap_or(0))
            .fold(0u64, u64::saturating_add);
        let reader = SampleReader::open(
            &data_path,
            format,
            data_start,
            Some(region_len),
            header_total,
        )?;
        let total = reader.total_samples();

        let mut segments = Vec::with_capacity(meta.captures.len().max(1));
        let mut freq_hz = options.freq_hz.unwrap_or(0.0);
        let mut index_offset = 0u64;
        for (i, c) in meta.captures.iter().enumerate() {
            if c.sample_start >= total {
                return Err(CaptureError::Metadata(format!(
                    "{meta_name}: capture segment {i} starts at sample {} but {} holds only {total} samples",
                    c.sample_start,
                    data_path.display()
                )));
            }
            if let Some(f) = c.frequency_hz {
                freq_hz = f;
            }
            if let Some(g) = c.global_index {
                let offset = g.checked_sub(c.sample_start).ok_or_else(|| {
                    CaptureError::Metadata(format!(
                        "{meta_name}: capture segment {i} has core:global_index {g} below its core:sample_start {}",
                        c.sample_start
                    ))
                })?;
                // The stream index only grows (a gap is samples dropped, never taken back):
                // first_sample / rate is the replay's clock and must not run backwards.
                if offset < index_offset {
                    return Err(CaptureError::Metadata(format!(
                        "{meta_name}: capture segment {i} has core:global_index {g}, behind the stream index the previous segment reached ({}): the global index must only grow",
                        c.sample_start + index_offset
                    )));
                }
                if offset.checked_add(total).is_none() {
                    return Err(CaptureError::Metadata(format!(
                        "{meta_name}: capture segment {i} has core:global_index {g}, too large for a sample index"
                    )));
                }
                index_offset = offset;
            }
            segments.push(Segment {
                start: c.sample_start,
                freq_hz,
                header_bytes: c.header_bytes.unwrap_or(0),
                index_offset,
            });
        }
        if segments.is_empty() {
            // SigMF 1.x: no segments implies one segment from sample 0 with no metadata.
            segments.push(Segment {
                start: 0,
                freq_hz,
                header_bytes: 0,
                index_offset: 0,
            });
        }
        // Samples before the first segment (unusual) take the first segment's tuning.
        let first_freq = segments[0].freq_hz;
        let start_unix_ns = meta.captures.first().and_then(|c| {
            let t = parse_iso8601(c.datetime.as_deref()?)?;
            let back = (c.sample_start as f64 / sample_rate_hz * 1e9).round() as i128;
            Some(t - back)
        });
        let info = SourceInfo {
            sample_rate_hz,
            center_freq_hz: options.freq_hz.unwrap_or(first_freq),
            format,
            description: meta_path.display().to_string(),
            device: meta.global.hw.clone(),
            gain_db: meta.global.ext_f64("gain_db"),
            total_samples: Some(total),
            start_unix_ns,
        };
        Ok(SigmfSource {
            meta,
            meta_path,
            data_path,
            reader,
            info,
            segments,
            next_segment: 0,
            freq_override: options.freq_hz,
        })
    }

    /// The parsed metadata, including every annotation.
    pub fn meta(&self) -> &SigmfMeta {
        &self.meta
    }

    /// Path of the metadata (the archive for `.sigmf` archives).
    pub fn meta_path(&self) -> &Path {
        &self.meta_path
    }

    /// Path of the samples (the archive for `.sigmf` archives).
    pub fn data_path(&self) -> &Path {
        &self.data_path
    }
}

impl IqSource for SigmfSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        let pos = self.reader.position();
        while let Some(seg) = self.segments.get(self.next_segment) {
            if seg.start > pos {
                break;
            }
            if seg.header_bytes > 0 {
                self.reader.skip_bytes(seg.header_bytes)?;
            }
            self.next_segment += 1;
        }
        let current = self
            .segments
            .get(self.next_segment.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        let mut max = max_samples;
        if let Some(next) = self.segments.get(self.next_segment) {
            // Stop at the retune so the block's frequency is right for every sample.
            let to_next = usize::try_from(next.start - pos).unwrap_or(usize::MAX);
            max = max.min(to_next);
        }
        let Some(samples) = self.reader.read(max)? else {
            return Ok(None);
        };
        Ok(Some(IqBlock {
            samples,
            first_sample: pos + current.index_offset,
            center_freq_hz: self.freq_override.unwrap_or(current.freq_hz),
            dropped_total: current.index_offset,
        }))
    }

    fn sigmf_meta(&self) -> Option<&SigmfMeta> {
        Some(&self.meta)
    }
}

/// A regular file inside a tar archive.
struct TarMember {
    name: String,
    offset: u64,
    len: u64,
}

/// Lists the regular files of a (ustar, GNU or pax) tar archive.
fn tar_members(path: &Path) -> Result<Vec<TarMember>, CaptureError> {
    let path_str = path.display().to_string();
    let bad =
        |why: &str| CaptureError::Format(format!("{path_str}: not a valid .sigmf archive: {why}"));
    let mut f = File::open(path).map_err(|e| io_err(&path_str, e))?;
    let file_len = f.metadata().map_err(|e| io_err(&path_str, e))?.len();
    let mut members = Vec::new();
    let mut offset = 0u64;
    let mut long_name: Option<String> = None;
    let mut header = [0u8; 512];
    while offset + 512 <= file_len {
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| io_err(&path_str, e))?;
        f.read_exact(&mut header)
            .map_err(|e| io_err(&path_str, e))?;
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let field = |r: std::ops::Range<usize>| -> String {
            let b = &header[r];
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            String::from_utf8_lossy(&b[..end]).into_owned()
        };
        let size_text = field(124..136);
        let len = u64::from_str_radix(size_text.trim().trim_matches('\0'), 8)
            .map_err(|_| bad("unreadable member size"))?;
        let data_offset = offset + 512;
        if data_offset.saturating_add(len) > file_len {
            return Err(bad("member runs past the end of the file"));
        }
        let typeflag = header[156];
        let mut read_payload = |n: u64| -> Result<String, CaptureError> {
            if n > 1 << 20 {
                return Err(bad("oversized name record"));
            }
            let mut buf = vec![0u8; n as usize];
            f.read_exact(&mut buf).map_err(|e| io_err(&path_str, e))?;
            Ok(String::from_utf8_lossy(&buf).into_owned())
        };
        match typeflag {
            b'L' => long_name = Some(read_payload(len)?.trim_end_matches('\0').to_string()),
            b'x' => {
                // pax records: "<len> path=<name>\n"
                let text = read_payload(len)?;
                long_name = text
                    .lines()
                    .find_map(|l| l.split_once(" path=").map(|(_, p)| p.to_string()));
            }
            b'0' | 0 => {
                let name = long_name.take().unwrap_or_else(|| {
                    let prefix = field(345..500);
                    let name = field(0..100);
                    if prefix.is_empty() {
                        name
                    } else {
                        format!("{prefix}/{name}")
                    }
                });
                members.push(TarMember {
                    name,
                    offset: data_offset,
                    len,
                });
            }
            _ => long_name = None,
        }
        offset = data_offset + len.div_ceil(512) * 512;
    }
    Ok(members)
}
