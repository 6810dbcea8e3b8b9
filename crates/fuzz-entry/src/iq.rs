//! Recordings: raw IQ files (cf32, cs16, cs8, cu8, any length), SigMF metadata, SigMF
//! meta + data pairs and `.sigmf` tar archives, read through the same `open_source` a replay
//! uses, block by block to the end.

use std::path::Path;

use cellsentry_capture::naming::{extension_kind, parse_file_name};
use cellsentry_capture::sigmf::SigmfMeta;
use cellsentry_capture::{
    open_source, resolve_raw_format, CaptureError, IqSource, OpenOptions, ALL_FORMATS,
};

use crate::soft::split;

/// Block sizes a reader is asked for, from the control byte.
const BLOCK_SIZES: [usize; 8] = [1, 3, 7, 64, 1000, 4096, 65_536, usize::MAX];

/// A scratch directory per call, so no call sees another's files.
fn scratch() -> Option<tempfile::TempDir> {
    tempfile::Builder::new().prefix("cs-fuzz").tempdir().ok()
}

/// A name a file can have: no separators or NUL, not empty, not `.`/`..`, at most 200 bytes.
fn file_name(raw: &[u8]) -> Option<String> {
    let name: String = String::from_utf8_lossy(raw)
        .chars()
        .map(|c| if c == '/' || c == '\0' { '_' } else { c })
        .collect();
    if name.is_empty() || name == "." || name == ".." || name.len() > 200 {
        return None;
    }
    Some(name)
}

/// Reads a source to its end and checks what every reader promises: blocks no larger than
/// asked, contiguous sample indices, and (when the stream ends cleanly) exactly the announced
/// number of samples.
fn drain(mut source: Box<dyn IqSource>, max: usize) {
    let total = source.info().total_samples;
    let mut delivered = 0u64;
    let mut next_first: Option<u64> = None;
    // Bounded: a file source never yields more blocks than samples, plus one truncation error.
    let limit = total.unwrap_or(0).saturating_add(2);
    let mut clean_end = false;
    for _ in 0..limit {
        match source.read_block(max) {
            Ok(Some(block)) => {
                assert!(
                    !block.samples.is_empty(),
                    "a file source yielded an empty block"
                );
                assert!(block.samples.len() <= max, "block larger than asked");
                if let Some(first) = next_first {
                    assert!(block.first_sample >= first, "sample index went backwards");
                }
                next_first = Some(block.first_sample + block.samples.len() as u64);
                delivered += block.samples.len() as u64;
            }
            Ok(None) => {
                clean_end = true;
                break;
            }
            Err(CaptureError::Truncated { .. }) => continue,
            Err(_) => break,
        }
    }
    if clean_end {
        if let Some(total) = total {
            assert_eq!(
                delivered, total,
                "samples delivered differ from the announced total"
            );
        }
    }
}

/// A raw recording. Control byte: bits 0-1 sample format, 2-4 block size, 5 format given
/// explicitly (else from the name), 6 rate and frequency from the name only. Then one length
/// byte and that many bytes of file name (parsed for rate/frequency/format hints), then the
/// file's content.
pub fn raw(data: &[u8]) {
    let (ctrl, rest) = split(data);
    let format = ALL_FORMATS[usize::from(ctrl & 3)];
    let max = BLOCK_SIZES[usize::from((ctrl >> 2) & 7)];
    let explicit = ctrl & 0x20 != 0;
    let name_hints_only = ctrl & 0x40 != 0;
    let (name_len, rest) = split(rest);
    let name_len = usize::from(name_len).min(rest.len());
    let (name_bytes, content) = rest.split_at(name_len);
    let fallback = format!("rec.{}", format.short_name());
    let name = file_name(name_bytes).unwrap_or(fallback);
    // The name parsers on their own (a folder listing sees every name).
    let hints = parse_file_name(Path::new(&name));
    let _ = extension_kind(Path::new(&name));
    let _ = resolve_raw_format(Path::new(&name), None);
    if let Some(rate) = hints.sample_rate_hz {
        assert!(rate.is_finite(), "a name gave a non-finite rate");
    }
    let Some(dir) = scratch() else { return };
    let path = dir.path().join(&name);
    if std::fs::write(&path, content).is_err() {
        return;
    }
    let options = OpenOptions {
        rate_hz: (!name_hints_only).then_some(1_000_000.0),
        freq_hz: (!name_hints_only).then_some(947.4e6),
        format: explicit.then_some(format),
    };
    if let Ok(source) = open_source(&path, &options) {
        drain(source, max);
    }
}

/// SigMF metadata text alone: parsed, queried, and written back (what we write must read back).
pub fn sigmf_meta(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(meta) = SigmfMeta::from_json_str(&text) else {
        return;
    };
    let _ = meta.global.sample_format();
    let _ = meta.global.geolocation_point();
    let _ = meta.global.ext_f64("gain_db");
    for c in &meta.captures {
        let _ = meta.segment_at(c.sample_start);
        let _ = meta.annotations_in(c.sample_start, 1 << 20).count();
    }
    let _ = meta.segment_at(u64::MAX);
    let _ = meta.annotations_in(u64::MAX - 1, u64::MAX).count();
    let Ok(written) = meta.to_json_string() else {
        panic!("parsed SigMF metadata could not be written back");
    };
    if let Err(e) = SigmfMeta::from_json_str(&written) {
        panic!("SigMF metadata we wrote does not read back: {e}");
    }
}

/// A SigMF recording: the metadata text up to the first NUL byte, the data file after it.
pub fn sigmf_recording(data: &[u8]) {
    let (meta, samples) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Some(dir) = scratch() else { return };
    let meta_path = dir.path().join("r.sigmf-meta");
    if std::fs::write(&meta_path, meta).is_err()
        || std::fs::write(dir.path().join("r.sigmf-data"), samples).is_err()
    {
        return;
    }
    if let Ok(source) = open_source(&meta_path, &OpenOptions::default()) {
        drain(source, 4096);
    }
}

/// A `.sigmf` archive (tar of NAME.sigmf-meta and NAME.sigmf-data), the whole input.
pub fn sigmf_archive(data: &[u8]) {
    let Some(dir) = scratch() else { return };
    let path = dir.path().join("r.sigmf");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(source) = open_source(&path, &OpenOptions::default()) {
        drain(source, 4096);
    }
}
