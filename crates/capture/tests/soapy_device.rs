//! The SoapySDR backend against a real SoapySDR device: our `cellsentry_test` module
//! (tests/soapy_module), built here against libSoapySDR and loaded through
//! SOAPY_SDR_PLUGIN_PATH. It plays the bundled Osmocom blaster recording at the radio's pace,
//! so everything below goes through the real library: enumeration, settings, native-format
//! streams, overflows, a device dying mid-stream. The truth is the recording itself, read by
//! the file reader: every delivered block must be the recording's samples at the block's
//! stream index, bit for bit.

#![cfg(feature = "soapy")]

#[path = "soapy_module/mod.rs"]
mod soapy_module;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cellsentry_capture::soapy::{self, SoapySource};
use cellsentry_capture::{
    open_source, spawn_reader, CaptureError, IqBlock, IqSource, OpenOptions, RadioSettings,
    SampleCodec, SampleFormat,
};
use num_complex::Complex32;

const RATE: f64 = 1_083_333.33;
const FREQ: f64 = 947.4e6;

/// Builds the module once and points SoapySDR at it, before the library loads its modules.
fn setup() {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = soapy_module::build(Path::new(env!("CARGO_TARGET_TMPDIR")));
        std::env::set_var("SOAPY_SDR_PLUGIN_PATH", &dir);
        dir
    });
}

fn blaster() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16")
}

/// Every sample of a recording, as the file reader gives them.
fn read_file(path: &Path, format: SampleFormat) -> Vec<Complex32> {
    let options = OpenOptions {
        rate_hz: Some(RATE),
        freq_hz: Some(FREQ),
        format: Some(format),
    };
    let mut source = open_source(path, &options).unwrap();
    let mut all = Vec::new();
    while let Some(block) = source.read_block(1 << 16).unwrap() {
        all.extend_from_slice(&block.samples);
    }
    all
}

fn blaster_samples() -> &'static [Complex32] {
    static SAMPLES: OnceLock<Vec<Complex32>> = OnceLock::new();
    SAMPLES.get_or_init(|| read_file(&blaster(), SampleFormat::Ci16Le))
}

/// Device string for the module playing `file`; the serial keeps each test's radio its own
/// (SoapySDR hands out one shared device per enumerated identity).
fn device_args(file: &Path, serial: &str, extra: &str) -> String {
    let mut args = format!(
        "driver={},file={},freq={FREQ},serial={serial}",
        soapy_module::DRIVER,
        file.display()
    );
    if !extra.is_empty() {
        args.push(',');
        args.push_str(extra);
    }
    args
}

fn settings() -> RadioSettings {
    RadioSettings {
        center_freq_hz: FREQ,
        sample_rate_hz: RATE,
        ..RadioSettings::default()
    }
}

fn open(args: &str) -> SoapySource {
    setup();
    SoapySource::open(args, &settings()).unwrap_or_else(|e| panic!("{args}: {e}"))
}

/// Whether `block` holds the (looping) recording's samples at its stream index, bit for bit.
fn matches_recording(block: &IqBlock, recording: &[Complex32]) -> bool {
    let len = recording.len() as u64;
    block
        .samples
        .iter()
        .enumerate()
        .all(|(i, s)| *s == recording[((block.first_sample + i as u64) % len) as usize])
}

/// Reads blocks until the stream index reaches `until`; the blocks and the time it took.
fn read_until(source: &mut SoapySource, until: u64, block_len: usize) -> (Vec<IqBlock>, Duration) {
    let started = Instant::now();
    let mut blocks = Vec::new();
    loop {
        let block = source
            .read_block(block_len)
            .unwrap()
            .expect("a live stream never ends");
        let end = block.first_sample + block.samples.len() as u64;
        blocks.push(block);
        if end >= until {
            return (blocks, started.elapsed());
        }
    }
}

#[test]
fn devices_lists_the_test_radio() {
    setup();
    let devices = soapy::list_devices().unwrap();
    let ours = devices
        .iter()
        .find(|d| d.driver == soapy_module::DRIVER)
        .unwrap_or_else(|| panic!("{devices:?}"));
    assert!(ours.label.contains("cellsentry test radio"), "{ours:?}");
    let modules = soapy::list_modules().unwrap();
    assert!(
        modules.iter().any(|m| m.ends_with("libcellsentry_test.so")),
        "{modules:?}"
    );
}

/// 3 s of stream (the 2.35 s recording loops once) come out bit-exact, contiguous, at the
/// radio's pace, with no loss.
#[test]
fn stream_is_the_recording_bit_for_bit_at_the_radios_pace() {
    let recording = blaster_samples();
    // A generous device buffer: this test is about the samples, not about overflows.
    let mut source = open(&device_args(
        &blaster(),
        "exact",
        "rate=1083333.33,buffers=64",
    ));
    let info = source.info().clone();
    assert_eq!(info.sample_rate_hz, RATE);
    assert_eq!(info.center_freq_hz, FREQ);
    assert_eq!(
        info.format,
        SampleFormat::Ci16Le,
        "read in the native format"
    );
    assert_eq!(info.device.as_deref(), Some(soapy_module::DRIVER));
    assert!(source.has_hardware_timing());

    let until = (3.0 * RATE) as u64;
    let (blocks, took) = read_until(&mut source, until, 1 << 16);
    let mut next = 0;
    for b in &blocks {
        assert_eq!(b.first_sample, next, "contiguous");
        assert!(
            matches_recording(b, recording),
            "block at {}",
            b.first_sample
        );
        assert_eq!(b.dropped_total, 0);
        next += b.samples.len() as u64;
    }
    let stats = source.stats();
    assert_eq!((stats.overflows, stats.dropped_total), (0, 0), "{stats:?}");
    assert_eq!(source.sensor("dropped_samples").as_deref(), Some("0"));
    // Paced like a radio: 3 s of samples take 3 s (less the first transfer's wait).
    let signal_s = next as f64 / RATE;
    println!("{signal_s:.3} s of signal in {:.3} s", took.as_secs_f64());
    assert!(took.as_secs_f64() > signal_s - 0.1, "too fast: {took:?}");
    assert!(took.as_secs_f64() < signal_s + 1.0, "too slow: {took:?}");
}

/// The other formats the module plays (cf32, cs8, cu8) arrive bit-exact too: read natively
/// (cs8, cu8) or as cf32, and converted as the file reader converts them.
#[test]
fn every_sample_format_streams_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    // 0.6 s of the recording in each format (quantised by the encoder for the 8-bit ones).
    let cut = &blaster_samples()[..(0.6 * RATE) as usize];
    for (format, ext) in [
        (SampleFormat::Cf32Le, "cf32"),
        (SampleFormat::Ci8, "cs8"),
        (SampleFormat::Cu8, "cu8"),
    ] {
        let path = dir.path().join(format!("cut.{ext}"));
        let mut bytes = Vec::new();
        format.encode_into(cut, &mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        let recording = read_file(&path, format);

        let mut source = open(&device_args(&path, ext, "rate=1083333.33,buffers=64"));
        assert_eq!(source.info().format, format);
        let (blocks, _) = read_until(&mut source, (0.9 * RATE) as u64, 1 << 15);
        let mut next = 0;
        for b in &blocks {
            assert_eq!(b.first_sample, next, "{ext}: contiguous");
            assert!(matches_recording(b, &recording), "{ext}: block at {next}");
            next += b.samples.len() as u64;
        }
        assert_eq!(source.stats().dropped_total, 0, "{ext}");
    }
}

/// A reader that falls behind loses what the device could not hold: each loss is an
/// overflow, counted, and the stream goes on with the sample indices still true (exactly,
/// from the device's timestamps), the count equal to the device's own.
#[test]
fn slow_consumer_gets_counted_overflows_and_true_indices() {
    let recording = blaster_samples();
    // 4 transfers of 16384 samples: the device holds 60 ms.
    let mut source = open(&device_args(&blaster(), "slow", "buffers=4"));
    let started = Instant::now();
    let mut delivered = 0u64;
    let mut end = 0u64;
    let mut stalls = 0;
    for i in 0.. {
        let block = source.read_block(16_384).unwrap().unwrap();
        assert!(
            matches_recording(&block, recording),
            "block {i} at {} is not the recording there",
            block.first_sample
        );
        assert!(block.first_sample >= end, "indices never go back");
        assert_eq!(block.dropped_total, block.first_sample - delivered);
        delivered += block.samples.len() as u64;
        end = block.first_sample + block.samples.len() as u64;
        if i % 8 == 7 {
            // Decoding took too long: the device fills up and starts overwriting.
            std::thread::sleep(Duration::from_millis(250));
            stalls += 1;
        }
        if end as f64 >= 3.0 * RATE {
            break;
        }
    }
    let stats = source.stats();
    println!(
        "{stalls} stalls in {:.2} s: {stats:?}",
        started.elapsed().as_secs_f64()
    );
    assert!(stats.overflows >= stalls, "{stats:?}");
    assert_eq!(stats.dropped_total, end - delivered);
    // Each stall lost about 250 ms less what the device held (60 ms).
    assert!(
        stats.dropped_total as f64 > stalls as f64 * 0.15 * RATE,
        "{stats:?}"
    );
    assert_eq!(
        source.sensor("dropped_samples"),
        Some(stats.dropped_total.to_string()),
        "our count is the device's"
    );
}

/// Where `window` (a whole block: several TDMA frames, so the recording's repeating dummy
/// bursts cannot alias it) really is in the recording, searched within `tolerance` of
/// `claimed`: the offsets where it matches, bit for bit.
fn true_offsets(
    recording: &[Complex32],
    window: &[Complex32],
    claimed: u64,
    tolerance: u64,
) -> Vec<i64> {
    let len = recording.len() as u64;
    (claimed.saturating_sub(tolerance)..=claimed + tolerance)
        .filter(|&start| {
            window
                .iter()
                .enumerate()
                .all(|(i, s)| *s == recording[((start + i as u64) % len) as usize])
        })
        .map(|start| start as i64 - claimed as i64)
        .collect()
}

#[test]
fn without_timestamps_gaps_are_sized_from_the_wall_clock() {
    let recording = blaster_samples();
    let mut source = open(&device_args(&blaster(), "notime", "buffers=4,timestamps=0"));
    assert!(!source.has_hardware_timing());
    // Scheduler latency on a busy machine shows up as a few ms of error.
    let tolerance = (0.025 * RATE) as u64;
    let mut worst = 0i64;
    let mut checked = 0;
    let mut delivered = 0u64;
    let mut end = 0u64;
    for i in 0.. {
        let block = source.read_block(16_384).unwrap().unwrap();
        if block.samples.len() == 16_384 {
            // Stretches of the recording repeat every timeslot (dummy bursts): only a block
            // found at one place can be checked.
            let offsets = true_offsets(recording, &block.samples, block.first_sample, tolerance);
            assert!(
                !offsets.is_empty(),
                "block {i} at {} is more than 25 ms off",
                block.first_sample
            );
            if let [offset] = offsets[..] {
                worst = worst.max(offset.abs());
                checked += 1;
            }
        }
        delivered += block.samples.len() as u64;
        end = block.first_sample + block.samples.len() as u64;
        if i % 8 == 7 {
            std::thread::sleep(Duration::from_millis(250));
        }
        if end as f64 >= 3.0 * RATE {
            break;
        }
    }
    let stats = source.stats();
    println!(
        "worst index error {:.2} ms; {stats:?}; device dropped {:?}",
        worst as f64 / RATE * 1e3,
        source.sensor("dropped_samples")
    );
    assert!(stats.overflows >= 3, "{stats:?}");
    assert!(checked >= 10, "only {checked} blocks could be placed");
    assert_eq!(stats.dropped_total, end - delivered);
    // The device's own count of what it overwrote, within 1 %.
    let device_dropped: f64 = source.sensor("dropped_samples").unwrap().parse().unwrap();
    assert!(
        (stats.dropped_total as f64 - device_dropped).abs() <= 0.01 * device_dropped,
        "{stats:?} vs {device_dropped}"
    );
}

/// A device that dies mid-stream (every read a stream error) ends the stream about a second
/// later with one clear line that carries the driver's own explanation; the samples before
/// are all there.
#[test]
fn failing_device_ends_the_stream_quickly_with_one_clear_line() {
    setup();
    let recording = blaster_samples();
    let args = device_args(&blaster(), "fail", "fail_after_s=1.0");
    let source = open(&args);
    let started = Instant::now();
    let (blocks, reader) = spawn_reader(Box::new(source), 1 << 15, 4);
    let mut samples = 0u64;
    let mut error = None;
    for b in blocks {
        match b {
            Ok(b) => {
                assert!(matches_recording(&b, recording));
                samples += b.samples.len() as u64;
            }
            Err(e) => error = Some((e, started.elapsed())),
        }
    }
    reader.join().unwrap();
    let (error, after) = error.expect("the stream ends with an error");
    let text = error.to_string();
    println!("after {:.2} s: {text}", after.as_secs_f64());
    assert!(matches!(error, CaptureError::Device(_)), "{error:?}");
    assert!(!text.contains('\n'));
    assert!(
        text.contains("stopped streaming") && text.contains("device lost"),
        "{text}"
    );
    assert!(after < Duration::from_secs(4), "took {after:?}");
    // About the 1.0 s before the failure arrived.
    assert!(
        (samples as f64 / RATE - 1.0).abs() < 0.1,
        "{samples} samples"
    );
}

/// A radio that goes silent (the recording ends without looping, like an unplugged HackRF
/// whose reads time out) ends the stream after a few seconds of silence, every sample before
/// delivered.
#[test]
fn silent_radio_ends_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let cut = &blaster_samples()[..(0.3 * RATE) as usize];
    let path = dir.path().join("short.cs16");
    let mut bytes = Vec::new();
    SampleFormat::Ci16Le.encode_into(cut, &mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let mut source = open(&device_args(&path, "silent", "loop=0"));
    let mut samples = Vec::new();
    let error = loop {
        match source.read_block(1 << 15) {
            Ok(Some(b)) => samples.extend_from_slice(&b.samples),
            Ok(None) => panic!("a live stream does not end by itself"),
            Err(e) => break e,
        }
    };
    assert_eq!(samples, cut);
    let text = error.to_string();
    assert!(
        text.contains("stopped streaming: no samples for 3."),
        "{text}"
    );
}

/// Settings reach the device through the library: gain split over its stages, retuning
/// (silence away from the recording's frequency, the recording again when back, with the
/// pause counted as lost samples), and refusals as clear errors.
#[test]
fn settings_reach_the_device() {
    let recording = blaster_samples();
    setup();
    let args = device_args(&blaster(), "settings", "rate=1083333.33");
    let mut source = SoapySource::open(
        &args,
        &RadioSettings {
            gain_db: Some(30.0),
            ..settings()
        },
    )
    .unwrap();
    assert_eq!(source.info().gain_db, Some(30.0));
    let first = source.read_block(4096).unwrap().unwrap();
    assert!(matches_recording(&first, recording));

    source.retune(950e6).unwrap();
    let away = source.read_block(4096).unwrap().unwrap();
    assert_eq!(away.center_freq_hz, 950e6);
    assert!(
        away.samples.iter().all(|s| s.norm_sqr() == 0.0),
        "silence away from the cell"
    );
    assert!(away.dropped_total > 0, "the retune pause is counted");

    source.retune(FREQ).unwrap();
    let back = source.read_block(4096).unwrap().unwrap();
    assert!(back.first_sample > away.first_sample);
    assert!(
        matches_recording(&back, recording),
        "the recording again, at its true index"
    );

    // Out of the device's range, or not the recording's rate: one clear line each.
    let e = source.retune(7e9).unwrap_err().to_string();
    assert!(
        e.contains("cannot tune") && e.contains("1 MHz to 6 GHz"),
        "{e}"
    );
    drop(source);
    let e = SoapySource::open(
        &args,
        &RadioSettings {
            sample_rate_hz: 2e6,
            ..settings()
        },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("cannot set sample rate") && e.contains("plays a recording at"),
        "{e}"
    );
    let e = SoapySource::open(&format!("driver={}", soapy_module::DRIVER), &settings())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("needs file="), "{e}");
}
