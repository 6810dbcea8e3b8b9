//! SigMF reading (hand-written metadata per the v1.x spec, bad metadata, archives) and the
//! writer's round trip.

use std::path::{Path, PathBuf};

use cellsentry_capture::sigmf::SigmfMeta;
use cellsentry_capture::GeoPoint;
use cellsentry_capture::{
    open_source, Annotation, CaptureError, IqBlock, IqSource, OpenOptions, SampleFormat,
    SigmfSource, SigmfWriter, SigmfWriterConfig,
};
use num_complex::Complex32;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../captures/capture-tests")
}

fn blocks(src: &mut dyn IqSource, max: usize) -> Vec<IqBlock> {
    let mut out = Vec::new();
    while let Some(b) = src.read_block(max).unwrap() {
        out.push(b);
    }
    out
}

fn samples_of(blocks: &[IqBlock]) -> Vec<Complex32> {
    blocks
        .iter()
        .flat_map(|b| b.samples.iter().copied())
        .collect()
}

/// A recording whose data file holds `n` ci16 samples: sample k = (k, -k) / 32768.
fn ci16_pair(dir: &Path, name: &str, meta: &str, n: usize) -> PathBuf {
    let data: Vec<u8> = (0..n as i16)
        .flat_map(|k| [k.to_le_bytes(), (-k).to_le_bytes()].concat())
        .collect();
    std::fs::write(dir.join(format!("{name}.sigmf-data")), data).unwrap();
    let meta_path = dir.join(format!("{name}.sigmf-meta"));
    std::fs::write(&meta_path, meta).unwrap();
    meta_path
}

#[test]
fn reads_a_handwritten_recording_with_retunes() {
    let dir = tempfile::tempdir().unwrap();
    let meta = r#"{
      "global": {"core:datatype": "ci16_le", "core:sample_rate": 1000000,
                 "core:version": "1.0.0", "core:hw": "LimeSDR Mini",
                 "core:description": "two-band sweep", "core:recorder": "gqrx"},
      "captures": [
        {"core:sample_start": 0, "core:frequency": 947.4e6, "core:datetime": "2024-05-01T12:00:00.5Z"},
        {"core:sample_start": 250, "core:frequency": 1877.0e6},
        {"core:sample_start": 600, "core:frequency": 2645.0e6, "core:global_index": 1600}
      ],
      "annotations": [
        {"core:sample_start": 300, "core:sample_count": 50, "core:label": "BCCH",
         "core:comment": "C0", "core:freq_lower_edge": 1876.9e6, "core:freq_upper_edge": 1877.1e6,
         "cellsentry:arfcn": 871, "other:thing": {"nested": true}}
      ]
    }"#;
    let meta_path = ci16_pair(dir.path(), "rec", meta, 1000);
    // Every way of naming the recording opens it.
    for p in [
        meta_path.clone(),
        dir.path().join("rec.sigmf-data"),
        dir.path().join("rec"),
    ] {
        let src = open_source(&p, &OpenOptions::default()).unwrap();
        assert_eq!(src.info().format, SampleFormat::Ci16Le);
    }
    let mut src = open_source(&meta_path, &OpenOptions::default()).unwrap();
    let info = src.info().clone();
    assert_eq!(info.sample_rate_hz, 1e6);
    assert_eq!(info.center_freq_hz, 947.4e6);
    assert_eq!(info.total_samples, Some(1000));
    assert_eq!(info.device.as_deref(), Some("LimeSDR Mini"));
    // 2024-05-01T12:00:00Z = 1714564800 s (date -u -d @1714564800).
    assert_eq!(info.start_unix_ns, Some(1_714_564_800_500_000_000));

    let meta = src.sigmf_meta().unwrap().clone();
    assert_eq!(meta.global.recorder.as_deref(), Some("gqrx"));
    let a = &meta.annotations[0];
    assert_eq!(a.label.as_deref(), Some("BCCH"));
    assert_eq!(a.comment.as_deref(), Some("C0"));
    assert_eq!(a.freq_lower_edge_hz, Some(1876.9e6));
    assert_eq!(a.extra["cellsentry:arfcn"], serde_json::json!(871));
    assert_eq!(a.extra["other:thing"]["nested"], serde_json::json!(true));

    let bl = blocks(src.as_mut(), 128);
    // No block straddles a retune.
    for b in &bl {
        let file_index = b.first_sample - b.dropped_total;
        let end = file_index + b.samples.len() as u64;
        let want = if end <= 250 {
            947.4e6
        } else if file_index >= 250 && end <= 600 {
            1877.0e6
        } else {
            assert!(
                file_index >= 600,
                "block {file_index}..{end} straddles a segment"
            );
            2645.0e6
        };
        assert_eq!(b.center_freq_hz, want);
    }
    // The global_index jump (600 -> 1600) appears as 1000 dropped samples.
    let last = bl.last().unwrap();
    assert_eq!(last.dropped_total, 1000);
    assert_eq!(last.first_sample + last.samples.len() as u64, 2000);
    let x = samples_of(&bl);
    assert_eq!(x.len(), 1000);
    for (k, s) in x.iter().enumerate() {
        assert_eq!(
            *s,
            Complex32::new(k as f32 / 32768.0, -(k as f32) / 32768.0)
        );
    }
}

#[test]
fn fixture_as_sigmf_matches_raw_replay() {
    // The GSM cut, wrapped in hand-written SigMF metadata, must give the same samples as the
    // raw reader (cf32 is stored as is).
    let dir = tempfile::tempdir().unwrap();
    let raw = fixtures().join("gsmsp2007_941.0M_500ksps_arfcn30_cut2000.cf32");
    std::fs::copy(&raw, dir.path().join("gsm.sigmf-data")).unwrap();
    std::fs::write(
        dir.path().join("gsm.sigmf-meta"),
        r#"{"global": {"core:datatype": "cf32_le", "core:sample_rate": 500000, "core:version": "1.0.0"},
            "captures": [{"core:sample_start": 0, "core:frequency": 941.0e6}], "annotations": []}"#,
    )
    .unwrap();
    let mut a = open_source(dir.path().join("gsm.sigmf-meta"), &OpenOptions::default()).unwrap();
    let mut b = open_source(&raw, &OpenOptions::default()).unwrap();
    assert_eq!(a.info().center_freq_hz, b.info().center_freq_hz);
    assert_eq!(a.info().sample_rate_hz, b.info().sample_rate_hz);
    let xa = samples_of(&blocks(a.as_mut(), 333));
    let xb = samples_of(&blocks(b.as_mut(), 1000));
    assert_eq!(xa.len(), 2000);
    assert_eq!(xa, xb);
    assert_eq!(xa[0], Complex32::new(-4299.0, 935.0));
}

#[test]
fn bad_recordings_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let none = OpenOptions::default();
    let err = |p: &Path, opts: &OpenOptions| -> String {
        let e = open_source(p, opts).err().expect("should fail").to_string();
        assert!(!e.contains('\n'), "{e}");
        e
    };

    // Missing sample rate: an error, unless --rate is given.
    let p = ci16_pair(
        d,
        "norate",
        r#"{"global": {"core:datatype": "ci16_le"}, "captures": []}"#,
        10,
    );
    assert!(err(&p, &none).contains("no sample rate"));
    let with_rate = OpenOptions {
        rate_hz: Some(2e6),
        ..Default::default()
    };
    let src = open_source(&p, &with_rate).unwrap();
    assert_eq!(src.info().sample_rate_hz, 2e6);
    // An empty captures array is allowed (one implied segment from 0), a missing one is not.
    assert_eq!(src.info().total_samples, Some(10));
    let p = ci16_pair(
        d,
        "nocaptures",
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6}}"#,
        10,
    );
    assert!(err(&p, &none).contains("missing required \"captures\" array"));

    // Data file missing.
    let p = d.join("nodata.sigmf-meta");
    std::fs::write(
        &p,
        r#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}, "captures": []}"#,
    )
    .unwrap();
    let e = err(&p, &none);
    assert!(
        e.contains("nodata.sigmf-data") && e.contains("data file missing"),
        "{e}"
    );
    // Metadata missing (opened through the data file).
    std::fs::write(d.join("nometa.sigmf-data"), [0u8; 8]).unwrap();
    assert!(err(&d.join("nometa.sigmf-data"), &none).contains("metadata file missing"));

    // Wrong JSON, unknown datatypes, wrong field types.
    for (name, meta, want) in [
        ("badjson", "{\"global\": ", "invalid SigMF JSON"),
        (
            "cf64",
            r#"{"global": {"core:datatype": "cf64_le", "core:sample_rate": 1e6}, "captures": []}"#,
            "unsupported SigMF datatype \"cf64_le\"",
        ),
        (
            "ci32be",
            r#"{"global": {"core:datatype": "ci32_be", "core:sample_rate": 1e6}, "captures": []}"#,
            "\"ci32_be\"",
        ),
        (
            "real",
            r#"{"global": {"core:datatype": "rf32_le", "core:sample_rate": 1e6}, "captures": []}"#,
            "real-valued",
        ),
        (
            "badtype",
            r#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}, "captures": [{"core:sample_start": "zero"}]}"#,
            "invalid SigMF \"captures\"",
        ),
    ] {
        let p = ci16_pair(d, name, meta, 4);
        let e = err(&p, &none);
        assert!(e.contains(want), "{name}: {e}");
        assert!(e.contains(&format!("{name}.sigmf-meta")), "{name}: {e}");
    }

    // A segment starting beyond the data.
    let p = ci16_pair(
        d,
        "beyond",
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6},
            "captures": [{"core:sample_start": 0}, {"core:sample_start": 50}]}"#,
        10,
    );
    let e = err(&p, &none);
    assert!(
        e.contains("segment 1 starts at sample 50") && e.contains("only 10 samples"),
        "{e}"
    );

    // An explicit format that contradicts the datatype.
    let p = ci16_pair(
        d,
        "conflict",
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6}, "captures": []}"#,
        10,
    );
    let cu8 = OpenOptions {
        format: Some(SampleFormat::Cu8),
        ..Default::default()
    };
    assert!(err(&p, &cu8).contains("core:datatype is ci16_le"));

    // Empty data file.
    let p = ci16_pair(
        d,
        "emptydata",
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6}, "captures": []}"#,
        0,
    );
    assert!(err(&p, &none).contains("empty recording"));
}

/// Found by the `sigmf_recording` fuzz target (fuzz/regressions/sigmf_recording/): a
/// `core:global_index` that steps back made the replay clock (`first_sample`) run backwards;
/// a huge one overflowed it. Both are now refused when the recording is opened, with one line
/// naming the segment.
#[test]
fn stream_index_going_back_or_overflowing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let open_err = |name: &str, captures: &str| -> String {
        let meta = format!(
            r#"{{"global": {{"core:datatype": "ci16_le", "core:sample_rate": 1e6, "core:version": "1.0.0"}}, "captures": [{captures}]}}"#
        );
        let p = ci16_pair(dir.path(), name, &meta, 200);
        let e = open_source(&p, &OpenOptions::default())
            .err()
            .expect("should fail")
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        e
    };
    // Segment 0 puts sample 0 at stream index 40 (40 dropped); segment 1 puts sample 80 at
    // stream index 100, although segment 0 already reached index 120 there. Listed out of
    // order, as in the fuzzer's input: the reader sorts captures first (as SigMF requires them).
    let e = open_err(
        "backwards",
        r#"{"core:sample_start": 80, "core:global_index": 100}, {"core:sample_start": 0, "core:global_index": 40}"#,
    );
    assert!(
        e.ends_with("capture segment 1 has core:global_index 100, behind the stream index the previous segment reached (120): the global index must only grow"),
        "{e}"
    );
    let e = open_err(
        "huge",
        r#"{"core:sample_start": 0, "core:global_index": 18446744073709551615}"#,
    );
    assert!(e.contains("too large for a sample index"), "{e}");

    // Still accepted: a global index that only grows (kept across a segment without one).
    let meta = r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6, "core:version": "1.0.0"},
        "captures": [{"core:sample_start": 0, "core:global_index": 40},
                     {"core:sample_start": 80, "core:frequency": 1e9},
                     {"core:sample_start": 120, "core:global_index": 170}]}"#;
    let p = ci16_pair(dir.path(), "growing", meta, 200);
    let mut src = open_source(&p, &OpenOptions::default()).unwrap();
    let got = blocks(src.as_mut(), 4096);
    let firsts: Vec<u64> = got.iter().map(|b| b.first_sample).collect();
    assert_eq!(firsts, vec![40, 120, 170]);
    assert_eq!(samples_of(&got).len(), 200);
}

#[test]
fn data_size_not_a_whole_number_of_samples() {
    let dir = tempfile::tempdir().unwrap();
    let p = ci16_pair(
        dir.path(),
        "odd",
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6}, "captures": []}"#,
        5,
    );
    let data = dir.path().join("odd.sigmf-data");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes.extend_from_slice(&[9, 9]);
    std::fs::write(&data, bytes).unwrap();
    let mut src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().total_samples, Some(5));
    let b = src.read_block(100).unwrap().unwrap();
    assert_eq!(b.samples.len(), 5);
    assert!(matches!(
        src.read_block(100),
        Err(CaptureError::Truncated {
            trailing_bytes: 2,
            sample_bytes: 4,
            ..
        })
    ));
    assert!(src.read_block(100).unwrap().is_none());
}

#[test]
fn header_and_trailing_bytes_are_skipped() {
    // Non-conforming dataset: 3 header bytes before each segment, 5 trailing bytes.
    let dir = tempfile::tempdir().unwrap();
    let mut data = vec![0xAA; 3];
    data.extend_from_slice(&[1, 2, 3, 4]); // samples 0, 1 (ci8)
    data.extend_from_slice(&[0xBB; 3]);
    data.extend_from_slice(&[5, 6]); // sample 2
    data.extend_from_slice(&[0xCC; 5]);
    std::fs::write(dir.path().join("h.sigmf-data"), &data).unwrap();
    std::fs::write(
        dir.path().join("h.sigmf-meta"),
        r#"{"global": {"core:datatype": "ci8", "core:sample_rate": 1e6, "core:trailing_bytes": 5},
            "captures": [{"core:sample_start": 0, "core:header_bytes": 3, "core:frequency": 1e9},
                         {"core:sample_start": 2, "core:header_bytes": 3, "core:frequency": 2e9}]}"#,
    )
    .unwrap();
    let mut src =
        SigmfSource::open(dir.path().join("h.sigmf-meta"), &OpenOptions::default()).unwrap();
    assert_eq!(src.info().total_samples, Some(3));
    let bl = blocks(&mut src, 100);
    assert_eq!(bl.len(), 2);
    let s = |a: i8, b: i8| Complex32::new(f32::from(a) / 128.0, f32::from(b) / 128.0);
    assert_eq!(bl[0].samples, vec![s(1, 2), s(3, 4)]);
    assert_eq!(bl[0].center_freq_hz, 1e9);
    assert_eq!(bl[1].samples, vec![s(5, 6)]);
    assert_eq!(bl[1].center_freq_hz, 2e9);
}

fn test_signal(n: usize, phase: f32) -> Vec<Complex32> {
    (0..n)
        .map(|k| Complex32::from_polar(0.7, phase + k as f32 * 0.01))
        .collect()
}

#[test]
fn writer_round_trip_cf32() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("scene");
    let mut cfg = SigmfWriterConfig::new(1.92e6);
    cfg.hw = Some("hackrf".into());
    cfg.description = Some("synthetic blaster scene".into());
    cfg.geolocation = Some(GeoPoint {
        lat_deg: 51.5,
        lon_deg: -0.12,
        alt_m: Some(30.0),
    });
    cfg.gain_db = Some(40.0);
    cfg.start_unix_ns = Some(1_714_564_800_000_000_000);
    cfg.extra_global
        .insert("cellsentry:scenario".into(), serde_json::json!("blaster-1"));
    let mut w = SigmfWriter::create(&base, cfg).unwrap();
    let a = test_signal(1000, 0.0);
    let b = test_signal(500, 1.0);
    let c = test_signal(300, 2.0);
    w.write_block(&IqBlock {
        samples: a.clone(),
        first_sample: 0,
        center_freq_hz: 947.4e6,
        dropped_total: 0,
    })
    .unwrap();
    // Same frequency, contiguous: no new segment.
    w.write_samples(&b, 947.4e6).unwrap();
    // Retune after a 192-sample gap (radio overflow): new segment with global_index.
    w.write_block(&IqBlock {
        samples: c.clone(),
        first_sample: 1692,
        center_freq_hz: 1877.0e6,
        dropped_total: 192,
    })
    .unwrap();
    let mut ann = Annotation::new(100, 200, "fake-bts");
    ann.comment = Some("234-15 ARFCN 62".into());
    ann.freq_lower_edge_hz = Some(947.3e6);
    ann.freq_upper_edge_hz = Some(947.5e6);
    ann.extra
        .insert("cellsentry:arfcn".into(), serde_json::json!(62));
    w.add_annotation(ann.clone());
    w.add_annotation(Annotation::new(5, 10, "earlier"));
    assert_eq!(w.samples_written(), 1800);
    let paths = w.finish().unwrap();
    assert_eq!(std::fs::metadata(&paths.data).unwrap().len(), 1800 * 8);

    let meta = SigmfMeta::load(&paths.meta).unwrap();
    let g = &meta.global;
    assert_eq!(g.datatype.as_deref(), Some("cf32_le"));
    assert_eq!(g.version.as_deref(), Some("1.0.0"));
    assert_eq!(g.recorder.as_deref(), Some("cellsentry"));
    assert_eq!(g.hw.as_deref(), Some("hackrf"));
    assert_eq!(g.ext_f64("gain_db"), Some(40.0));
    assert_eq!(
        g.extra["cellsentry:scenario"],
        serde_json::json!("blaster-1")
    );
    assert_eq!(
        g.geolocation,
        Some(serde_json::json!({"type": "Point", "coordinates": [-0.12, 51.5, 30.0]}))
    );
    assert_eq!(g.extensions.as_ref().unwrap()[0]["name"], "cellsentry");
    assert_eq!(meta.captures.len(), 2);
    assert_eq!(
        meta.captures[0].datetime.as_deref(),
        Some("2024-05-01T12:00:00Z")
    );
    assert_eq!(meta.captures[1].sample_start, 1500);
    assert_eq!(meta.captures[1].global_index, Some(1692));
    // 1692 samples at 1.92 Msps = 881.25 us after the start.
    assert_eq!(
        meta.captures[1].datetime.as_deref(),
        Some("2024-05-01T12:00:00.000881250Z")
    );
    assert_eq!(meta.annotations.len(), 2);
    assert_eq!(meta.annotations[0].label.as_deref(), Some("earlier"));
    assert_eq!(meta.annotations[1], ann);

    let mut src = open_source(&paths.meta, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().start_unix_ns, Some(1_714_564_800_000_000_000));
    assert_eq!(src.info().gain_db, Some(40.0));
    let bl = blocks(src.as_mut(), 4096);
    let x = samples_of(&bl);
    let want: Vec<Complex32> = a.iter().chain(&b).chain(&c).copied().collect();
    assert_eq!(x, want, "cf32 must round-trip bit for bit");
    let last = bl.last().unwrap();
    assert_eq!(last.center_freq_hz, 1877.0e6);
    assert_eq!(last.first_sample, 1692);
    assert_eq!(last.dropped_total, 192);
}

#[test]
fn writer_round_trip_ci16_and_all_formats() {
    let dir = tempfile::tempdir().unwrap();
    let x = test_signal(777, 0.3);
    for format in cellsentry_capture::ALL_FORMATS {
        let mut cfg = SigmfWriterConfig::new(1e6);
        cfg.format = format;
        let base = dir.path().join(format!("r_{}", format.short_name()));
        let mut w = SigmfWriter::create(&base, cfg).unwrap();
        w.write_samples(&x, 100e6).unwrap();
        let paths = w.finish().unwrap();
        let mut src = open_source(&paths.data, &OpenOptions::default()).unwrap();
        assert_eq!(src.info().format, format);
        let y = samples_of(&blocks(src.as_mut(), 100));
        assert_eq!(y.len(), x.len());
        let step = match format {
            SampleFormat::Cf32Le => 0.0,
            SampleFormat::Ci16Le => 1.0 / 32768.0,
            SampleFormat::Ci8 | SampleFormat::Cu8 => 1.0 / 128.0,
        };
        for (a, b) in x.iter().zip(&y) {
            assert!(
                (a.re - b.re).abs() <= step / 2.0 + 1e-7,
                "{format}: {a} vs {b}"
            );
            assert!(
                (a.im - b.im).abs() <= step / 2.0 + 1e-7,
                "{format}: {a} vs {b}"
            );
        }
        // Writing what we read gives the same bytes again (quantisation is idempotent).
        let mut cfg = SigmfWriterConfig::new(1e6);
        cfg.format = format;
        let mut w2 = SigmfWriter::create(dir.path().join("again"), cfg).unwrap();
        w2.write_samples(&y, 100e6).unwrap();
        let p2 = w2.finish().unwrap();
        assert_eq!(
            std::fs::read(&p2.data).unwrap(),
            std::fs::read(&paths.data).unwrap(),
            "{format}"
        );
    }
}

#[test]
fn writer_dropped_without_finish_still_leaves_metadata() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut w =
            SigmfWriter::create(dir.path().join("abort"), SigmfWriterConfig::new(1e6)).unwrap();
        w.write_samples(&test_signal(10, 0.0), 1e9).unwrap();
    }
    let src = open_source(dir.path().join("abort.sigmf-meta"), &OpenOptions::default()).unwrap();
    assert_eq!(src.info().total_samples, Some(10));
    let mut bad = SigmfWriterConfig::new(1e6);
    bad.extra_global
        .insert("nonamespace".into(), serde_json::json!(1));
    assert!(SigmfWriter::create(dir.path().join("x"), bad).is_err());
    assert!(SigmfWriter::create(dir.path().join("y"), SigmfWriterConfig::new(0.0)).is_err());
}

/// Builds a ustar archive (POSIX.1-1988 header layout) of `(name, bytes)` members.
fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in members {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        let size = format!("{:011o}", bytes.len());
        h[124..135].copy_from_slice(size.as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(bytes);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[test]
fn reads_sigmf_archives() {
    let dir = tempfile::tempdir().unwrap();
    let meta = br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 2048000},
                    "captures": [{"core:sample_start": 0, "core:frequency": 796e6}]}"#;
    let data: Vec<u8> = (0..=255u8).collect();
    let archive = tar(&[
        ("rec/rec.sigmf-meta", meta.as_slice()),
        ("rec/rec.sigmf-data", data.as_slice()),
    ]);
    let p = dir.path().join("rec.sigmf");
    std::fs::write(&p, archive).unwrap();
    let mut src = open_source(&p, &OpenOptions::default()).unwrap();
    assert_eq!(src.info().sample_rate_hz, 2_048_000.0);
    assert_eq!(src.info().center_freq_hz, 796e6);
    let x = samples_of(&blocks(src.as_mut(), 50));
    assert_eq!(x.len(), 128);
    assert_eq!(x[0], Complex32::new(-127.5 / 128.0, -126.5 / 128.0));
    assert_eq!(x[127], Complex32::new(126.5 / 128.0, 127.5 / 128.0));

    // An archive without data, and a file that is not an archive at all.
    let p = dir.path().join("nodata.sigmf");
    std::fs::write(&p, tar(&[("a/a.sigmf-meta", meta.as_slice())])).unwrap();
    let e = open_source(&p, &OpenOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no a/a.sigmf-data"), "{e}");
    let p = dir.path().join("junk.sigmf");
    std::fs::write(&p, vec![7u8; 2000]).unwrap();
    let e = open_source(&p, &OpenOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("not a valid .sigmf archive"), "{e}");
}
