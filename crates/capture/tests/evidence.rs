//! Chain of custody: the hashes `describe_recording` reports are those coreutils' `sha256sum`
//! prints for the same files, and the metadata it reports is what the SigMF file states.

use std::path::{Path, PathBuf};
use std::process::Command;

use cellsentry_capture::{describe_recording, open_source, OpenOptions};

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum (coreutils) runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn raw_recording_hash_matches_sha256sum_and_has_no_recording_time() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/capture-tests/osmocom_blaster_234-15_gsm900_arfcn62_cut4000.cs16");
    let options = OpenOptions {
        rate_hz: Some(1_083_333.33),
        freq_hz: Some(947.4e6),
        format: None,
    };
    let src = open_source(&path, &options).unwrap();
    let ev = describe_recording(&path, src.info()).unwrap();
    assert_eq!(ev.sha256, sha256sum(&path));
    assert_eq!(ev.size_bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(ev.format, "ci16_le");
    assert_eq!(ev.center_freq_hz, 947.4e6);
    // A raw file states no time, sensor or position.
    assert_eq!(ev.recorded_unix_ns, None);
    assert_eq!(ev.sensor_id, None);
    assert!(ev.meta_path.is_none());
}

#[test]
fn sigmf_recording_hashes_both_files_and_reads_time_sensor_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..4000u32)
        .flat_map(|k| (k as i16).to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("rec.sigmf-data"), &data).unwrap();
    let meta = dir.path().join("rec.sigmf-meta");
    std::fs::write(
        &meta,
        r#"{"global": {"core:datatype": "ci16_le", "core:sample_rate": 2000000,
            "core:version": "1.0.0", "core:hw": "HackRF One", "cellsentry:sensor_id": "van-3",
            "core:geolocation": {"type": "Point", "coordinates": [-0.1246, 51.5007]}},
           "captures": [{"core:sample_start": 0, "core:frequency": 947400000,
            "core:datetime": "2025-03-14T09:26:53.5Z"}],
           "annotations": []}"#,
    )
    .unwrap();
    let src = open_source(&meta, &OpenOptions::default()).unwrap();
    let ev = describe_recording(&meta, src.info()).unwrap();
    assert_eq!(ev.sha256, sha256sum(&dir.path().join("rec.sigmf-data")));
    assert_eq!(ev.meta_sha256.as_deref(), Some(&*sha256sum(&meta)));
    assert_eq!(ev.size_bytes, data.len() as u64);
    // 2025-03-14T09:26:53.5Z = 1741944413.5 s (date -d '2025-03-14T09:26:53Z' +%s = 1741944413).
    assert_eq!(ev.recorded_unix_ns, Some(1_741_944_413_500_000_000));
    assert_eq!(ev.sensor_id.as_deref(), Some("van-3"));
    assert_eq!(ev.sensor_lat_deg, Some(51.5007));
    assert_eq!(ev.sensor_lon_deg, Some(-0.1246));
    assert_eq!(ev.metadata["hw"], "HackRF One");
}
