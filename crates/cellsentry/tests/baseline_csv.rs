//! `--baseline` takes an OpenCellID / MLS CSV as well as a survey JSON, told apart by content
//! (issue #13): the real Osmocom blaster recording (234-15 LAC 3101 CI 40961) is unknown to a
//! CSV listing only a Vodafone neighbour, and known to one that lists it.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .output()
        .expect("run cellsentry")
}

fn rules_with(baseline: &std::path::Path) -> Vec<String> {
    let capture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    let out = run(&[
        "replay",
        capture.to_str().unwrap(),
        "--rate",
        "1083333.33",
        "--freq",
        "947.4e6",
        "--no-db",
        "--json",
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["verdicts"][0]["verdict"]["detections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn baseline_accepts_an_opencellid_csv_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let header = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n";
    // Named .json on purpose: the content decides.
    let other = dir.path().join("ocid_neighbour.json");
    std::fs::write(
        &other,
        format!(
            "{header}GSM,234,15,3101,21011,,-0.1246,51.5007,800,12,1,1500000000,1700000000,0\n"
        ),
    )
    .unwrap();
    let rules = rules_with(&other);
    assert!(
        rules.contains(&"unknown_cell_vs_baseline".to_string()),
        "{rules:?}"
    );
    let itself = dir.path().join("ocid_itself.csv");
    std::fs::write(
        &itself,
        format!(
            "{header}GSM,234,15,3101,40961,,-0.1246,51.5007,800,12,1,1500000000,1700000000,0\n"
        ),
    )
    .unwrap();
    let rules = rules_with(&itself);
    assert!(
        !rules.contains(&"unknown_cell_vs_baseline".to_string()),
        "{rules:?}"
    );
    // A file that is neither: one line, bad input.
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let out = run(&[
        "replay",
        "x.cs16",
        "--rate",
        "1e6",
        "--freq",
        "947e6",
        "--no-db",
        "--baseline",
        junk.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1);
    assert!(
        err.contains("junk.txt") && err.contains("OpenCellID"),
        "{err}"
    );
}
