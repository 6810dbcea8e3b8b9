//! The scenario library yields exactly its expected verdicts (issue "detection engine", proof).
//!
//! Protocol (`captures/scenarios/EVALUATION.md`): the legitimate scene is rendered and surveyed
//! first (`replay --survey-out`), as a field team surveys a street before hunting; every scene is
//! then rendered to SigMF and replayed against that baseline. Each cell the sensor reports must
//! be a cell of the scenario (no ghosts); a fake cell must fire exactly the rules its scenario
//! lists, a legitimate cell none; every fake cell must be found; the noise-only scene reports no
//! cell. The expected rule lists come from the scenario's configuration (the Osmocom
//! configurations behind the blaster and default cells), not from a run of the detector.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .output()
        .expect("run cellsentry")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn render(dir: &Path, name: &str) -> (PathBuf, Value) {
    let scenario = repo().join("captures/scenarios").join(name);
    let meta = dir.join(name.replace(".json", ".sigmf-meta"));
    ok(&run(&[
        "synth",
        scenario.to_str().unwrap(),
        "-o",
        meta.to_str().unwrap(),
    ]));
    let spec = serde_json::from_str(&std::fs::read_to_string(&scenario).unwrap()).unwrap();
    (meta, spec)
}

#[derive(Default, Debug)]
struct Tally {
    fake_cells: usize,
    fake_detected: usize,
    legit_reported: usize,
    false_alarms: usize,
}

#[test]
fn every_scenario_gives_exactly_its_expected_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let (legit, _) = render(dir.path(), "legitimate_urban_gsm.json");
    let survey = dir.path().join("survey.json");
    ok(&run(&[
        "replay",
        legit.to_str().unwrap(),
        "--no-db",
        "--survey-out",
        survey.to_str().unwrap(),
    ]));

    // The band-3 street: the Proximus LTE cell and the three operators' DCS1800 cells.
    let (lte_legit, _) = render(dir.path(), "legitimate_urban_mixed.json");
    let lte_survey = dir.path().join("lte_survey.json");
    ok(&run(&[
        "replay",
        lte_legit.to_str().unwrap(),
        "--no-db",
        "--survey-out",
        lte_survey.to_str().unwrap(),
    ]));

    let mut tally = Tally::default();
    for name in [
        "legitimate_urban_gsm.json",
        "sms_blaster.json",
        "moving_blaster.json",
        "osmocom_default.json",
        "noise_only.json",
        "legitimate_urban_mixed.json",
        "lte_legit.json",
        "lte_geran_downgrade.json",
        "lte_jamming.json",
    ] {
        let (meta, spec) = render(dir.path(), name);
        let survey = if name.starts_with("lte_") || name.contains("mixed") {
            &lte_survey
        } else {
            &survey
        };
        let text = ok(&run(&[
            "replay",
            meta.to_str().unwrap(),
            "--json",
            "--no-db",
            "--baseline",
            survey.to_str().unwrap(),
        ]));
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let cells = spec["cells"].as_array().unwrap();
        // Scene-level rules (the SMS-blaster sequence) attach to the fake GSM cell, and can be
        // seen only when the capture holds the LTE carrier as well (EVALUATION.md).
        let lte_in_view = !v["result"]["lte_carriers"].as_array().unwrap().is_empty();
        let scene_rules: Vec<String> = if lte_in_view {
            spec["expected_rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect()
        } else {
            Vec::new()
        };
        let verdicts = v["verdicts"].as_array().unwrap();
        let mut found = BTreeSet::new();
        for verdict in verdicts {
            let channel = verdict["key"]["channel"].as_u64();
            let ci = verdict["key"]["cell_id"].as_u64();
            let pci = verdict["key"]["bsic_pci"].as_u64();
            let Some((i, cell)) = cells.iter().enumerate().find(|(_, c)| {
                if c["rat"] == "lte" {
                    return c["earfcn"].as_u64() == channel && c["lte"]["pci"].as_u64() == pci;
                }
                // A cell without a CI in its file takes the generator's default identity.
                c["arfcn"].as_u64() == channel
                    && c["gsm"]["ci"].as_u64().is_none_or(|x| Some(x) == ci)
            }) else {
                panic!("{name}: reported cell not in the scenario: {verdict}");
            };
            found.insert(i);
            let fired: BTreeSet<String> = verdict["verdict"]["detections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["rule_id"].as_str().unwrap().to_string())
                .collect();
            let mut expected: BTreeSet<String> = cell["expected_rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            if cell["fake"] == true && cell["rat"] != "lte" {
                expected.extend(scene_rules.iter().cloned());
            }
            let level = verdict["verdict"]["level"].as_str().unwrap();
            if cell["fake"] == true {
                assert_eq!(fired, expected, "{name}: {}", cell["name"]);
                assert_eq!(level, "likely_fake", "{name}: {}", cell["name"]);
                tally.fake_detected += 1;
            } else {
                tally.legit_reported += 1;
                if level != "clean" {
                    tally.false_alarms += 1;
                }
                assert!(fired.is_empty(), "{name}: {} fired {fired:?}", cell["name"]);
            }
        }
        for (i, cell) in cells.iter().enumerate() {
            if cell["fake"] == true {
                tally.fake_cells += 1;
                assert!(
                    found.contains(&i),
                    "{name}: fake cell {} missed",
                    cell["name"]
                );
            }
        }
        if cells.is_empty() {
            assert!(verdicts.is_empty(), "{name}: {verdicts:?}");
        }
    }
    eprintln!("library tally: {tally:?}");
    assert_eq!(tally.fake_cells, 5);
    assert_eq!(tally.fake_detected, 5);
    assert_eq!(tally.false_alarms, 0);
    assert!(tally.legit_reported >= 8, "{tally:?}");
}

/// Every real LTE recording (legitimate operator cells, shared/captures/lte and its copies in
/// captures/lte) is decoded without a single alarm; the noise-only one reports no cell.
#[test]
fn real_lte_captures_raise_no_alarm() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        repo().join("captures/lte"),
        repo().join("../shared/captures/lte"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .collect();
        found.sort();
        files.extend(found);
    }
    assert!(files.len() >= 11, "{files:?}");
    for f in &files {
        let text = ok(&run(&["replay", f.to_str().unwrap(), "--json", "--no-db"]));
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let verdicts = v["verdicts"].as_array().unwrap();
        let name = f.file_name().unwrap().to_string_lossy();
        if name.contains("noise") {
            assert!(verdicts.is_empty(), "{name}: {verdicts:?}");
            continue;
        }
        assert!(!verdicts.is_empty(), "{name}: no cell");
        for verdict in verdicts {
            assert_eq!(verdict["verdict"]["level"], "clean", "{name}: {verdict}");
        }
    }
}
