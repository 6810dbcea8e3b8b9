//! Raw recordings: bit-exact decoding of every format, real recordings checked against figures
//! computed independently (the shared captures' READMEs, Python `struct` on the same bytes),
//! name parsing through `open_source`, and bad input.

use std::path::{Path, PathBuf};

use cellsentry_capture::{
    list_capture_files, open_source, CaptureError, CaptureKind, IqSource, OpenOptions, SampleFormat,
};
use num_complex::Complex32;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    manifest().join("../../captures/capture-tests")
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = manifest().join("../../../shared/captures").join(rel);
    if p.is_file() {
        Some(p)
    } else {
        println!("note: {rel} not found beside the repository; skipping this check");
        None
    }
}

fn read_all(src: &mut dyn IqSource) -> Vec<Complex32> {
    let mut out = Vec::new();
    while let Some(b) = src.read_block(4096).unwrap() {
        assert_eq!(b.first_sample, out.len() as u64);
        out.extend_from_slice(&b.samples);
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn c(re: f32, im: f32) -> Complex32 {
    Complex32::new(re, im)
}

#[test]
fn every_format_decodes_bit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions {
        rate_hz: Some(1e6),
        ..Default::default()
    };

    // cf32: exact float bit patterns, including extremes and a negative zero.
    let vals = [1.5f32, -2.25, f32::MAX, f32::MIN_POSITIVE, -0.0, 13395.0];
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let p = write(dir.path(), "a.cf32", &bytes);
    let got = read_all(open_source(&p, &opts).unwrap().as_mut());
    assert_eq!(got.len(), 3);
    for (g, pair) in got.iter().zip(vals.chunks(2)) {
        assert_eq!(g.re.to_bits(), pair[0].to_bits());
        assert_eq!(g.im.to_bits(), pair[1].to_bits());
    }

    // ci16: full scale 32768, little endian.
    let vals: [i16; 6] = [i16::MIN, i16::MAX, 0, 1, -1, 9850];
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let p = write(dir.path(), "a.cs16", &bytes);
    let got = read_all(open_source(&p, &opts).unwrap().as_mut());
    assert_eq!(
        got,
        vec![
            c(-1.0, 32767.0 / 32768.0),
            c(0.0, 1.0 / 32768.0),
            c(-1.0 / 32768.0, 9850.0 / 32768.0)
        ]
    );

    // ci8 (hackrf_transfer): two's complement, full scale 128.
    let p = write(dir.path(), "a.cs8", &[0x80, 0x7f, 0x00, 0xff, 0x01, 0x40]);
    let got = read_all(open_source(&p, &opts).unwrap().as_mut());
    assert_eq!(
        got,
        vec![
            c(-1.0, 127.0 / 128.0),
            c(0.0, -1.0 / 128.0),
            c(1.0 / 128.0, 0.5)
        ]
    );

    // cu8 (rtl_sdr): offset binary around 127.5.
    let p = write(dir.path(), "a.cu8", &[0, 255, 127, 128, 64, 191]);
    let got = read_all(open_source(&p, &opts).unwrap().as_mut());
    assert_eq!(
        got,
        vec![
            c(-127.5 / 128.0, 127.5 / 128.0),
            c(-0.5 / 128.0, 0.5 / 128.0),
            c(-63.5 / 128.0, 63.5 / 128.0)
        ]
    );
}

#[test]
fn format_comes_from_extension_token_or_option() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = [0u8, 255, 10, 20, 1, 2, 3, 4];
    let rate = OpenOptions {
        rate_hz: Some(1e6),
        ..Default::default()
    };
    // .bin defaults to cu8, a cs8 token in the name wins, an explicit option wins over both.
    let cases = [
        ("plain.bin", None, SampleFormat::Cu8),
        ("f796_s1.92_cs8_hackrf.bin", None, SampleFormat::Ci8),
        ("f796_s1.92_cu8_rtlsdr.bin", None, SampleFormat::Cu8),
        ("x_cs8.dat", None, SampleFormat::Ci8),
        ("x.dat", None, SampleFormat::Cf32Le),
        ("x_cu8.cs16", None, SampleFormat::Ci16Le),
        (
            "plain.bin",
            Some(SampleFormat::Ci16Le),
            SampleFormat::Ci16Le,
        ),
        ("noext", Some(SampleFormat::Ci8), SampleFormat::Ci8),
    ];
    for (name, explicit, want) in cases {
        let p = write(dir.path(), name, &bytes);
        let opts = OpenOptions {
            format: explicit,
            ..rate
        };
        let src = open_source(&p, &opts).unwrap();
        assert_eq!(src.info().format, want, "{name}");
    }
    let p = write(dir.path(), "mystery.iq", &bytes);
    let e = open_source(&p, &rate).err().unwrap().to_string();
    assert!(e.contains("pass --format"), "{e}");
}

#[test]
fn rate_and_frequency_from_names_or_options() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = [0u8; 16];
    let p = write(dir.path(), "capture_941.8M_2Msps.cf32", &bytes);
    let src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().sample_rate_hz, 2e6);
    assert_eq!(src.info().center_freq_hz, 941.8e6);
    assert_eq!(src.info().total_samples, Some(2));

    let p = write(dir.path(), "f796_s1.92_cu8_rtlsdr_80ms.bin", &bytes);
    let src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().format, SampleFormat::Cu8);
    assert_eq!(src.info().sample_rate_hz, 1.92e6);
    assert_eq!(src.info().center_freq_hz, 796e6);

    // Explicit options beat the name.
    let opts = OpenOptions {
        rate_hz: Some(1_083_333.333),
        freq_hz: Some(947.4e6),
        format: None,
    };
    let src = open_source(&p, &opts).unwrap();
    assert_eq!(src.info().sample_rate_hz, 1_083_333.333);
    assert_eq!(src.info().center_freq_hz, 947.4e6);

    // No rate anywhere: the exact message the CLI shows.
    let p = write(
        dir.path(),
        "osmocom_blaster_234-15_gsm900_arfcn62.cs16",
        &bytes,
    );
    let e = open_source(&p, &OpenOptions::default()).err().unwrap();
    assert!(matches!(e, CaptureError::Metadata(_)));
    assert!(e
        .to_string()
        .ends_with("no sample rate: pass --rate or use a SigMF recording"));
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rate = OpenOptions {
        rate_hz: Some(1e6),
        ..Default::default()
    };
    // Empty file.
    let p = write(dir.path(), "empty.cf32", &[]);
    let e = open_source(&p, &rate).err().unwrap().to_string();
    assert!(e.contains("empty recording"), "{e}");
    // Shorter than one sample.
    let p = write(dir.path(), "tiny.cf32", &[1, 2, 3]);
    let e = open_source(&p, &rate).err().unwrap().to_string();
    assert!(e.contains("less than one"), "{e}");
    // Missing file.
    let e = open_source(dir.path().join("nope.cf32"), &rate)
        .err()
        .unwrap();
    assert!(matches!(e, CaptureError::Io { .. }), "{e}");
    // A directory.
    std::fs::create_dir(dir.path().join("d.cf32")).unwrap();
    let e = open_source(dir.path().join("d.cf32"), &rate).err().unwrap();
    assert!(e.to_string().contains("directory"), "{e}");
    // Bad rates.
    for r in [0.0, -1.0, f64::NAN] {
        let p = write(dir.path(), "ok.cf32", &[0; 8]);
        let opts = OpenOptions {
            rate_hz: Some(r),
            ..Default::default()
        };
        assert!(open_source(&p, &opts).is_err());
    }
    // max_samples = 0 is refused rather than looping forever.
    let p = write(dir.path(), "ok.cf32", &[0; 8]);
    let mut src = open_source(&p, &rate).unwrap();
    assert!(src.read_block(0).is_err());
    // Errors are one line.
    let e = open_source(dir.path().join("empty.cf32"), &rate)
        .err()
        .unwrap();
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn truncated_file_delivers_complete_samples_then_reports() {
    let dir = tempfile::tempdir().unwrap();
    // 3 whole ci16 samples and 3 stray bytes.
    let mut bytes: Vec<u8> = [100i16, -100, 200, -200, 300, -300]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    bytes.extend_from_slice(&[1, 2, 3]);
    let p = write(dir.path(), "cut.cs16", &bytes);
    let opts = OpenOptions {
        rate_hz: Some(1e6),
        ..Default::default()
    };
    let mut src = open_source(&p, &opts).unwrap();
    assert_eq!(src.info().total_samples, Some(3));
    let b = src.read_block(2).unwrap().unwrap();
    assert_eq!(
        b.samples,
        vec![
            c(100.0 / 32768.0, -100.0 / 32768.0),
            c(200.0 / 32768.0, -200.0 / 32768.0)
        ]
    );
    let b = src.read_block(100).unwrap().unwrap();
    assert_eq!(b.first_sample, 2);
    assert_eq!(b.samples, vec![c(300.0 / 32768.0, -300.0 / 32768.0)]);
    match src.read_block(100) {
        Err(CaptureError::Truncated {
            trailing_bytes,
            sample_bytes,
            ..
        }) => assert_eq!((trailing_bytes, sample_bytes), (3, 4)),
        other => panic!("expected Truncated, got {other:?}"),
    }
    // Reported once, then a normal end.
    assert!(src.read_block(100).unwrap().is_none());
}

/// Small cuts of the shared recordings (see captures/capture-tests/PROVENANCE.md). Expected
/// values were computed from the same bytes with Python's `struct`, independently of this
/// crate.
#[test]
fn fixture_cuts_match_independent_decode() {
    struct Case {
        file: &'static str,
        rate_hz: Option<f64>,
        n: usize,
        format: SampleFormat,
        s0: (f32, f32),
        s1234: (f32, f32),
        last: (f32, f32),
        energy: f64,
    }
    let cases = [
        Case {
            file: "gsmsp2007_941.0M_500ksps_arfcn30_cut2000.cf32",
            rate_hz: None,
            n: 2000,
            format: SampleFormat::Cf32Le,
            s0: (-4299.0, 935.0),
            s1234: (4383.0, 1301.0),
            last: (4489.0, 1461.0),
            energy: 39010557625.0,
        },
        Case {
            file: "osmocom_blaster_234-15_gsm900_arfcn62_cut4000.cs16",
            rate_hz: Some(1_083_333.333),
            n: 4000,
            format: SampleFormat::Ci16Le,
            s0: (-44.0 / 32768.0, 0.0),
            s1234: (0.0, -280.0 / 32768.0),
            last: (-6381.0 / 32768.0, -7499.0 / 32768.0),
            energy: 346.0256455093622,
        },
        Case {
            file: "f796_s1.92_cu8_rtlsdr_80ms_cut4000.bin",
            rate_hz: None,
            n: 4000,
            format: SampleFormat::Cu8,
            s0: (0.21484375, 0.99609375),
            s1234: (0.23046875, 0.99609375),
            last: (0.40234375, 0.99609375),
            energy: 1260.362548828125,
        },
        Case {
            file: "f796_s19.2_cs8_hackrf_80ms_cut4000.bin",
            rate_hz: None,
            n: 4000,
            format: SampleFormat::Ci8,
            s0: (0.0703125, -0.703125),
            s1234: (0.2421875, -0.09375),
            last: (0.046875, -0.09375),
            energy: 1452.6488647460938,
        },
    ];
    for case in cases {
        let opts = OpenOptions {
            rate_hz: case.rate_hz,
            ..Default::default()
        };
        let mut src = open_source(fixtures().join(case.file), &opts).unwrap();
        assert_eq!(src.info().format, case.format, "{}", case.file);
        let x = read_all(src.as_mut());
        assert_eq!(x.len(), case.n, "{}", case.file);
        assert_eq!((x[0].re, x[0].im), case.s0, "{}", case.file);
        assert_eq!((x[1234].re, x[1234].im), case.s1234, "{}", case.file);
        let l = x[case.n - 1];
        assert_eq!((l.re, l.im), case.last, "{}", case.file);
        let energy: f64 = x.iter().map(|s| f64::from(s.norm_sqr())).sum();
        assert!(
            (energy - case.energy).abs() <= case.energy * 1e-6,
            "{}: energy {energy} vs {}",
            case.file,
            case.energy
        );
    }
}

fn stats(x: &[Complex32]) -> (f64, f64) {
    let max = x.iter().map(|s| f64::from(s.norm())).fold(0.0, f64::max);
    let rms = (x.iter().map(|s| f64::from(s.norm_sqr())).sum::<f64>() / x.len() as f64).sqrt();
    (max, rms)
}

/// gsm/README.md: 80000 samples, max |x| about 13395, RMS about 4437 (not normalised).
#[test]
fn shared_gsm_cf32_matches_readme() {
    let Some(p) = shared("gsm/gsmsp2007_941.0M_500ksps_arfcn30.cf32") else {
        return;
    };
    let mut src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().sample_rate_hz, 500e3);
    assert_eq!(src.info().center_freq_hz, 941.0e6);
    let x = read_all(src.as_mut());
    assert_eq!(x.len(), 80_000);
    let (max, rms) = stats(&x);
    assert!((max - 13395.0).abs() < 1.0, "max {max}");
    assert!((rms - 4437.0).abs() < 1.0, "rms {rms}");
}

/// osmocom/README.md: 2 545 833 samples, |x| about 9850 raw, i.e. about 0.3006 after /32768.
#[test]
fn shared_osmocom_cs16_matches_readme() {
    let Some(p) = shared("osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16") else {
        return;
    };
    let opts = OpenOptions {
        rate_hz: Some(1_625_000.0 / 6.0 * 4.0),
        freq_hz: Some(947.4e6),
        format: None,
    };
    let mut src = open_source(&p, &opts).unwrap();
    assert_eq!(src.info().total_samples, Some(2_545_833));
    let x = read_all(src.as_mut());
    assert_eq!(x.len(), 2_545_833);
    let (max, rms) = stats(&x);
    // GMSK has a constant envelope: the peak and the RMS both sit near 9850 / 32768.
    assert!((max - 0.3006).abs() < 0.001, "max {max}");
    assert!((rms - 0.3006).abs() < 0.01, "rms {rms}");
}

/// lte/README.md: 307200 bytes of cu8 at 1.92 Msps = 80 ms; centre 796 MHz from the name.
#[test]
fn shared_lte_cu8_matches_readme() {
    let Some(p) = shared("lte/f796_s1.92_cu8_rtlsdr_80ms.bin") else {
        return;
    };
    let mut src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().format, SampleFormat::Cu8);
    assert_eq!(src.info().sample_rate_hz, 1.92e6);
    assert_eq!(src.info().center_freq_hz, 796e6);
    let x = read_all(src.as_mut());
    assert_eq!(x.len(), 153_600);
    assert!((x.len() as f64 / 1.92e6 - 0.080).abs() < 1e-12);
    // The first bytes of the file are 155, 255, 25, 255.
    assert_eq!(x[0], c(27.5 / 128.0, 127.5 / 128.0));
    assert_eq!(x[1], c(-102.5 / 128.0, 127.5 / 128.0));
    // Every value is an exact half-step of the 8-bit grid, within (-1, 1).
    assert!(x
        .iter()
        .all(|s| s.re.abs() < 1.0 && ((s.re * 128.0 + 127.5).fract() == 0.0)));
}

#[test]
fn listing_separates_recordings_from_junk() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "a_941.0M_500ksps.cf32",
        "f796_s1.92_cs8_hackrf.bin",
        "README.md",
        "trace.pcap",
        "orphan.sigmf-data",
        "rec.sigmf-meta",
        "rec.sigmf-data",
        ".hidden.cf32",
    ] {
        write(dir.path(), name, &[0; 8]);
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let l = list_capture_files(dir.path()).unwrap();
    let names: Vec<String> = l
        .recordings
        .iter()
        .map(|r| r.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "a_941.0M_500ksps.cf32",
            "f796_s1.92_cs8_hackrf.bin",
            "rec.sigmf-meta"
        ]
    );
    assert_eq!(
        l.recordings[0].kind,
        CaptureKind::Raw {
            format: SampleFormat::Cf32Le,
            sample_rate_hz: Some(500e3),
            center_freq_hz: Some(941.0e6)
        }
    );
    assert!(matches!(
        l.recordings[1].kind,
        CaptureKind::Raw {
            format: SampleFormat::Ci8,
            ..
        }
    ));
    let junk: Vec<String> = l
        .unrecognised
        .iter()
        .map(|r| r.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(junk, ["README.md", "orphan.sigmf-data", "trace.pcap"]);
    assert!(l.unrecognised[1].reason.contains("without its .sigmf-meta"));
    assert!(list_capture_files(dir.path().join("missing")).is_err());
}

#[test]
fn format_names_parse() {
    assert_eq!(
        "cs16".parse::<SampleFormat>().unwrap(),
        SampleFormat::Ci16Le
    );
    assert_eq!("ci8".parse::<SampleFormat>().unwrap(), SampleFormat::Ci8);
    assert_eq!(
        "CF32".parse::<SampleFormat>().unwrap(),
        SampleFormat::Cf32Le
    );
    assert_eq!("cu8".parse::<SampleFormat>().unwrap(), SampleFormat::Cu8);
    let e = "cf64".parse::<SampleFormat>().unwrap_err().to_string();
    assert!(e.contains("cf64") && e.contains("cs16"), "{e}");
    assert_eq!(SampleFormat::Ci16Le.to_string(), "ci16_le");
}
