//! Sharing between two sensors (issue #13), end to end through the binary:
//! one sensor replays a blaster scene, exports MISP and STIX (checked by PyMISP and the OASIS
//! stix2-validator from PyPI, with negative controls that prove the checks can fail); a second
//! sensor imports them into a fresh database and replays: `known_fake_cell` fires on the
//! blaster, also when it comes back under a new CI/LAC/ARFCN/BSIC with the same configuration,
//! and never on a legitimate cell. Malformed files are refused with one line, nothing stored.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn share_tests() -> PathBuf {
    repo().join("crates/share/tests")
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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Renders a scenario (optionally edited) to SigMF.
fn render(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut spec: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("captures/scenarios").join(name)).unwrap(),
    )
    .unwrap();
    edit(&mut spec);
    let scenario = dir.join(format!("edited_{name}"));
    std::fs::write(&scenario, spec.to_string()).unwrap();
    let meta = dir.join(name.replace(".json", ".sigmf-meta"));
    ok(&run(&["synth", s(&scenario), "-o", s(&meta)]));
    meta
}

fn blaster_cell(spec: &mut Value) -> &mut Value {
    spec["cells"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["fake"] == true)
        .unwrap()
}

fn python(script: &str, args: &[&str]) -> Output {
    Command::new("python3")
        .arg(share_tests().join(script))
        .args(args)
        .output()
        .expect("python3 with pymisp and stix2-validator (pip install pymisp stix2-validator)")
}

/// Verdict JSON lines of a replay: (arfcn, rules fired, evidence of known_fake_cell).
fn replay_rules(args: &[&str]) -> Vec<(u64, Vec<String>, Option<Value>)> {
    let text = ok(&run(args));
    let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let dets = c["verdict"]["detections"].as_array().unwrap();
            (
                c["key"]["channel"].as_u64().unwrap_or(0),
                dets.iter()
                    .map(|d| d["rule_id"].as_str().unwrap().to_string())
                    .collect(),
                dets.iter()
                    .find(|d| d["rule_id"] == "known_fake_cell")
                    .map(|d| d["evidence"].clone()),
            )
        })
        .collect()
}

#[test]
fn two_sensors_share_a_blaster_and_the_second_flags_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let legit = render(d, "legitimate_urban_gsm.json", |_| {});
    let survey = d.join("survey.json");
    ok(&run(&[
        "replay",
        s(&legit),
        "--no-db",
        "-q",
        "--survey-out",
        s(&survey),
    ]));
    // The blaster pages an IMSI and a TMSI: a bystander identity that must never leave.
    let imsi = "234150123456789";
    let tmsi = "c0ffee42";
    let blaster = render(d, "sms_blaster.json", |spec| {
        blaster_cell(spec)["gsm"]["paging"] =
            serde_json::json!({"imsis": [imsi], "tmsis": [tmsi], "every_n_blocks": 2});
    });

    // Sensor A: replay, export.
    let db_a = d.join("a.sqlite");
    ok(&run(&[
        "replay",
        s(&blaster),
        "--db",
        s(&db_a),
        "-q",
        "--baseline",
        s(&survey),
    ]));
    let misp = d.join("a.misp.json");
    let stix = d.join("a.stix.json");
    ok(&run(&[
        "export",
        "--db",
        s(&db_a),
        "--format",
        "misp",
        "-o",
        s(&misp),
        "--org",
        "Ofcom Spectrum Assurance",
        "--sensor-id",
        "van-3",
    ]));
    ok(&run(&[
        "export",
        "--db",
        s(&db_a),
        "--format",
        "stix",
        "-o",
        s(&stix),
        "--org",
        "Ofcom Spectrum Assurance",
        "--sensor-id",
        "van-3",
    ]));

    // The official validators.
    let templates = repo().join("crates/share/misp-objects");
    let m = ok(&python("validate_misp.py", &[s(&misp), s(&templates)]));
    let m: Value = serde_json::from_str(m.trim()).unwrap();
    assert_eq!(m["objects"], 1, "one suspected cell: the blaster");
    // The three GSMA tags from MISP/misp-taxonomies (gsma-fraud, gsma-attack-category,
    // gsma-network-technology machinetag.json) and TLP.
    for tag in [
        "gsma-fraud:technical=\"false-base-station-attack\"",
        "gsma-attack-category=\"spoofing\"",
        "gsma-network-technology=\"radio-access-network\"",
        "tlp:amber",
    ] {
        assert!(
            m["tags"].as_array().unwrap().iter().any(|t| t == tag),
            "{tag}"
        );
    }
    let v = ok(&python("validate_stix.py", &[s(&stix)]));
    let v: Value = serde_json::from_str(v.trim()).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert!(v["errors"].as_array().unwrap().is_empty());

    // Negative controls: the same checks refuse a broken export.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&misp).unwrap()).unwrap();
    doc["Event"]["Object"][0]["Attribute"][0]["object_relation"] = "imsi".into();
    let broken = d.join("broken.misp.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    assert!(!python("validate_misp.py", &[s(&broken), s(&templates)])
        .status
        .success());
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&stix).unwrap()).unwrap();
    let sighting = doc["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["type"] == "sighting")
        .unwrap();
    sighting.as_object_mut().unwrap().remove("sighting_of_ref");
    let broken = d.join("broken.stix.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    assert!(!python("validate_stix.py", &[s(&broken)]).status.success());

    // No bystander identity, clear or hashed, in either export.
    let store = cellsentry_store::Store::open(&db_a, &Default::default()).unwrap();
    let hashes: Vec<String> = store
        .paging_identities(None, None)
        .unwrap()
        .into_iter()
        .map(|p| p.identity_hash)
        .collect();
    assert!(
        hashes.len() >= 2,
        "the blaster's paging was stored (hashed)"
    );
    for file in [&misp, &stix] {
        let text = std::fs::read_to_string(file).unwrap().to_ascii_lowercase();
        assert!(!text.contains(imsi) && !text.contains(tmsi));
        for h in &hashes {
            assert!(!text.contains(h.as_str()), "hashed identity exported");
        }
        assert!(!text.contains("imsi\"") && !text.contains("tmsi\""));
    }

    // Sensor B: a fresh database imports the MISP event; replaying the same scene flags the
    // blaster by identity and fingerprint, naming the source; no legitimate cell matches.
    let db_b = d.join("b.sqlite");
    let out = ok(&run(&["import", s(&misp), "--db", s(&db_b)]));
    assert!(out.contains("1 added"), "{out}");
    let cells = replay_rules(&[
        "replay",
        s(&blaster),
        "--db",
        s(&db_b),
        "--json",
        "-q",
        "--baseline",
        s(&survey),
    ]);
    let (_, _, ev) = cells.iter().find(|c| c.0 == 62).unwrap();
    let ev = ev.as_ref().expect("known_fake_cell fires on the blaster");
    assert_eq!(ev["matched_by"], "identity and SI fingerprint");
    assert_eq!(ev["source"], "Ofcom Spectrum Assurance (sensor van-3)");
    assert!(ev["seen_by_source"]["first_unix_ms"].as_i64().is_some());
    for (arfcn, rules, _) in cells.iter().filter(|c| c.0 != 62) {
        assert!(
            !rules.contains(&"known_fake_cell".to_string()),
            "ARFCN {arfcn}"
        );
    }

    // The blaster redeployed: new CI, LAC, ARFCN and BSIC, same software configuration.
    // Sensor C imports the STIX bundle instead; it flags it by fingerprint alone.
    let moved = render(d, "sms_blaster.json", |spec| {
        let c = blaster_cell(spec);
        c["arfcn"] = 61.into();
        c["gsm"]["ci"] = 777.into();
        c["gsm"]["lac"] = 4242.into();
        c["gsm"]["bsic"] = 33.into();
    });
    let db_c = d.join("c.sqlite");
    ok(&run(&["import", s(&stix), "--db", s(&db_c)]));
    let cells = replay_rules(&[
        "replay",
        s(&moved),
        "--db",
        s(&db_c),
        "--json",
        "-q",
        "--baseline",
        s(&survey),
    ]);
    let (_, _, ev) = cells.iter().find(|c| c.0 == 61).unwrap();
    assert_eq!(ev.as_ref().unwrap()["matched_by"], "SI fingerprint");
    for (arfcn, rules, _) in cells.iter().filter(|c| c.0 != 61) {
        assert!(
            !rules.contains(&"known_fake_cell".to_string()),
            "ARFCN {arfcn}"
        );
    }
    // The same by --watchlist FILE, without importing.
    let cells = replay_rules(&[
        "replay",
        s(&moved),
        "--no-db",
        "--json",
        "-q",
        "--watchlist",
        s(&misp),
    ]);
    assert!(cells.iter().any(|c| c.0 == 61 && c.2.is_some()));

    // Malformed files: refused with one line, exit 3, nothing stored, earlier imports kept.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&misp).unwrap()).unwrap();
    let mut second = doc["Event"]["Object"][0].clone();
    second["uuid"] = "5b2d3c1e-0000-4000-8000-000000000001".into();
    for a in second["Attribute"].as_array_mut().unwrap() {
        if a["object_relation"] == "mcc" {
            a["value"] = "23X".into();
        }
    }
    doc["Event"]["Object"].as_array_mut().unwrap().push(second);
    let bad_misp = d.join("bad.misp.json");
    std::fs::write(&bad_misp, doc.to_string()).unwrap();
    let truncated = d.join("truncated.stix.json");
    let text = std::fs::read_to_string(&stix).unwrap();
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let od = doc["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["type"] == "observed-data")
        .unwrap();
    od["object_refs"] =
        serde_json::json!(["cellsentry-cell--00000000-0000-5000-8000-000000000000"]);
    let dangling = d.join("dangling.stix.json");
    std::fs::write(&dangling, doc.to_string()).unwrap();
    for bad in [&bad_misp, &truncated, &dangling] {
        let out = run(&["import", s(bad), "--db", s(&db_b)]);
        assert_eq!(out.status.code(), Some(3), "{}", s(bad));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(s(bad)), "{err}");
    }
    let store = cellsentry_store::Store::open(&db_b, &Default::default()).unwrap();
    assert_eq!(store.shared_sightings().unwrap().len(), 1);
}
