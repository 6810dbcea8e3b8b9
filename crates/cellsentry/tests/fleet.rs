//! The fleet end to end with the real binary and a real PostgreSQL + PostGIS server (a
//! private cluster on 127.0.0.1): two sensors record a synthetic blaster scene, sync, sync
//! again (a no-op), the central report names the blaster once with both sensors; a sync
//! killed with SIGKILL mid-batch resumes exactly-once; a wrong password or an unreachable
//! server is one line and exit code 5.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use cellsentry_fleet::cluster::Cluster;
use cellsentry_store::*;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cellsentry(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cellsentry"));
    c.args(args)
        .env_remove("CELLSENTRY_PG_URL")
        .env_remove("PGPASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A sensor database from the real chain: `synth` a scene, `replay` it into `db`.
fn record_scene(dir: &Path, scene: &str, db: &Path) {
    let meta = dir.join(format!("{scene}.sigmf-meta"));
    if !meta.exists() {
        let scenario = repo().join(format!("captures/scenarios/{scene}.json"));
        let out = cellsentry(
            &[
                "synth",
                scenario.to_str().unwrap(),
                "-o",
                meta.to_str().unwrap(),
            ],
            &[],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = cellsentry(
        &[
            "replay",
            meta.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--country",
            "uk",
            "-q",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn local_count(db: &Path, table: &str) -> i64 {
    // The store's own reader: every table of a run is reachable from its queries.
    let store = Store::open(
        db,
        &StoreOptions {
            create_if_missing: false,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    match table {
        "runs" => store.runs().unwrap().len() as i64,
        "cells" => store.cells(None).unwrap().len() as i64,
        "detections" => store.detections(None).unwrap().len() as i64,
        "verdicts" => store.verdicts(None).unwrap().len() as i64,
        "observations" => store
            .cells(None)
            .unwrap()
            .iter()
            .map(|c| store.observations_for_cell(c.id, None).unwrap().len() as i64)
            .sum(),
        "messages" => store
            .cells(None)
            .unwrap()
            .iter()
            .map(|c| store.messages_for_cell(c.id, None).unwrap().len() as i64)
            .sum(),
        other => panic!("{other}"),
    }
}

fn central_count(cluster: &Cluster, sql: &str) -> i64 {
    cluster.psql("fleet", sql).unwrap().parse().unwrap()
}

fn checksums(cluster: &Cluster) -> String {
    cluster
        .psql(
            "fleet",
            "SELECT string_agg(t || '=' || s, ' ' ORDER BY t) FROM (
               SELECT 'runs' t, md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) s FROM cellsentry.runs x
               UNION ALL SELECT 'cells', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.cells x
               UNION ALL SELECT 'sensor_cells', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.sensor_cells x
               UNION ALL SELECT 'observations', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.observations x
               UNION ALL SELECT 'messages', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.messages x
               UNION ALL SELECT 'detections', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.detections x
               UNION ALL SELECT 'verdicts', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.verdicts x
               UNION ALL SELECT 'sensors', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.sensors x
               UNION ALL SELECT 'sync_state', md5(string_agg(x::text || x.xmin::text, ',' ORDER BY x::text)) FROM cellsentry.sync_state x) q",
        )
        .unwrap()
}

#[test]
fn two_sensors_sync_to_one_server_and_the_central_report_names_the_blaster_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let url = cluster.url();
    let a = dir.path().join("sensor-a.sqlite");
    let b = dir.path().join("sensor-b.sqlite");
    record_scene(dir.path(), "sms_blaster", &a);
    record_scene(dir.path(), "sms_blaster", &b);

    // Sensor A from the environment, sensor B from a file.
    let out = cellsentry(
        &[
            "sync",
            "--db",
            a.to_str().unwrap(),
            "--name",
            "london-a",
            "--organisation",
            "Ofcom",
            "--country",
            "gb",
            "--json",
        ],
        &[("CELLSENTRY_PG_URL", &url)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains(&cluster.password));
    let ra: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let url_file = dir.path().join("central.url");
    std::fs::write(&url_file, format!("# fleet server\n{url}\n")).unwrap();
    let out = cellsentry(
        &[
            "sync",
            "--db",
            b.to_str().unwrap(),
            "--to-file",
            url_file.to_str().unwrap(),
            "--name",
            "london-b",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("london-b") && shown.contains("observations"),
        "{shown}"
    );
    assert!(!shown.contains(&cluster.password), "{shown}");

    // Everything each sensor stored is in the central database once.
    for (db, sensor) in [(&a, 1), (&b, 2)] {
        for table in ["runs", "observations", "messages", "detections", "verdicts"] {
            assert_eq!(
                central_count(
                    &cluster,
                    &format!("SELECT count(*) FROM cellsentry.{table} WHERE sensor_id = {sensor}")
                ),
                local_count(db, table),
                "{table} of sensor {sensor}"
            );
        }
    }
    assert!(local_count(&a, "observations") > 0 && local_count(&a, "messages") > 0);
    // Both sensors saw the same cells: each is one central cell.
    assert_eq!(
        central_count(&cluster, "SELECT count(*) FROM cellsentry.cells"),
        local_count(&a, "cells")
    );
    assert_eq!(
        ra["tables"]["observations"]["written"],
        json!(local_count(&a, "observations"))
    );

    // A second sync sends nothing and changes no row.
    let before = checksums(&cluster);
    for db in [&a, &b] {
        let out = cellsentry(
            &["sync", "--db", db.to_str().unwrap()],
            &[("CELLSENTRY_PG_URL", &url)],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("nothing new"),
            "{}",
            text(&out.stdout)
        );
    }
    assert_eq!(checksums(&cluster), before);

    // The central report: the blaster once, seen by both sensors, with its rules.
    let out = cellsentry(
        &[
            "report",
            "--db",
            "env:FLEET_DB",
            "--json",
            "--country",
            "uk",
        ],
        &[("FLEET_DB", &url)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let blasters = report["blasters"].as_array().unwrap();
    let fake: Vec<&Value> = blasters
        .iter()
        .filter(|b| b["cell_identity"] == json!(40961))
        .collect();
    assert_eq!(fake.len(), 1, "{report:#}");
    let fake = fake[0];
    assert_eq!(fake["level"], "likely_fake");
    assert_eq!(fake["sensors"], 2);
    assert_eq!(fake["mcc"], "234");
    assert_eq!(fake["cells"][0]["channel_number"], 62);
    let names: Vec<&str> = fake["sightings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sensor_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"london-a") && names.contains(&"london-b"),
        "{names:?}"
    );
    // The rules the sensors stored for it, every one.
    let rules: Vec<String> = cluster
        .psql(
            "fleet",
            "SELECT string_agg(DISTINCT rule_id, ',' ORDER BY rule_id) FROM cellsentry.detections d
               JOIN cellsentry.cells c ON c.id = d.cell_id WHERE c.cell_identity = 40961",
        )
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(fake["rules"], json!(rules));
    // No legitimate cell is reported.
    assert!(blasters.iter().all(|b| b["level"] != "clean"));
    // Other formats render the same blaster; a country with no sensors reports none.
    for (format, needle) in [
        ("table", "234-15 LAC"),
        ("html", "<h3>GSM 234-15"),
        ("geojson", "FeatureCollection"),
    ] {
        let out = cellsentry(&["report", "--db", &url, "--format", format], &[]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(needle),
            "{format}: {}",
            text(&out.stdout)
        );
    }
    let out = cellsentry(&["report", "--db", &url, "--json", "--country", "jp"], &[]);
    let none: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(none["blasters"], json!([]));

    // The fleet baseline: cells both sensors judged clean.
    let base = dir.path().join("fleet-baseline.json");
    let out = cellsentry(
        &[
            "fleet",
            "baseline",
            "--to",
            &url,
            "-o",
            base.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let baseline: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    let clean_cells = central_count(
        &cluster,
        "SELECT count(*) FROM cellsentry.baseline_cells WHERE sensors >= 2",
    );
    // The scene's legitimate cells in the 2 Msps capture: Vodafone on ARFCN 59, O2 on 64.
    assert_eq!(clean_cells, 2);
    let mut channels: Vec<i64> = baseline["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"]["channel"].as_i64().unwrap())
        .collect();
    channels.sort();
    assert_eq!(channels, vec![59, 64]);
    assert!(baseline["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["key"]["cell_id"] != json!(40961)));
    // The baseline file is one the detector reads.
    let meta = dir.path().join("sms_blaster.sigmf-meta");
    let out = cellsentry(
        &[
            "replay",
            meta.to_str().unwrap(),
            "--no-db",
            "--json",
            "--baseline",
            base.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// A sensor database of `n` observations (two cells, one run) made with the store API.
fn big_sensor(path: &Path, n: usize) {
    let mut store = Store::open(path, &StoreOptions::default()).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Monitor, "sim", 1_775_000_000_000))
        .unwrap();
    for chunk in 0..n.div_ceil(10_000) {
        store
            .write_batch(|tx| {
                for i in chunk * 10_000..((chunk + 1) * 10_000).min(n) {
                    let t = 1_775_000_000_000 + i as i64 * 250;
                    let key = CellKey {
                        rat: Rat::Gsm,
                        plmn: Some(Plmn::broadcast("234", "15")),
                        lac_tac: Some(1),
                        cell_id: Some(10 + (i % 2) as u32),
                        channel: Some(62 + (i % 2) as u32),
                        bsic_pci: Some(7),
                    };
                    let cell = tx.upsert_cell(&key, t)?;
                    tx.observation(&NewObservation {
                        run_id: run,
                        cell_id: cell,
                        time_unix_ms: t,
                        freq_hz: 947.4e6,
                        channel_number: Some(62),
                        power_dbfs: -40.0,
                        power_dbm: None,
                        snr_db: None,
                        freq_offset_hz: None,
                        freq_offset_ppm: None,
                        blocks_ok: 1,
                        blocks_failed: 0,
                        lat_deg: Some(51.5),
                        lon_deg: Some(-0.12),
                        summary: json!({}),
                    })?;
                }
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn a_sync_killed_mid_batch_resumes_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let url = cluster.url();
    let db = dir.path().join("big.sqlite");
    let n = 400_000;
    big_sensor(&db, n);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args([
            "sync",
            "--db",
            db.to_str().unwrap(),
            "--batch-rows",
            "5000",
            "-q",
        ])
        .env("CELLSENTRY_PG_URL", &url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let committed = loop {
        // The table appears with the first sync's migration.
        let c = cluster
            .psql(
                "fleet",
                "SELECT CASE WHEN to_regclass('cellsentry.observations') IS NULL THEN 0
                        ELSE (SELECT count(*) FROM cellsentry.observations) END",
            )
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0);
        if c > 0 {
            break c;
        }
        assert!(
            Instant::now() < deadline,
            "the sync never committed a batch"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // SIGKILL: no chance to clean up, most likely in the middle of a COPY.
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = central_count(&cluster, "SELECT count(*) FROM cellsentry.observations");
    assert!(
        after_kill >= committed && after_kill < n as i64,
        "{after_kill}"
    );
    // Whole batches only, and the watermark agrees with what is there.
    assert_eq!(after_kill % 5000, 0);
    assert_eq!(
        central_count(
            &cluster,
            "SELECT coalesce(max(last_sensor_id), 0) FROM cellsentry.sync_state WHERE table_name = 'observations'"
        ),
        after_kill
    );
    let out = cellsentry(
        &["sync", "--db", db.to_str().unwrap(), "--json"],
        &[("CELLSENTRY_PG_URL", &url)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        r["tables"]["observations"]["sent"],
        json!(n as i64 - after_kill)
    );
    assert_eq!(
        central_count(&cluster, "SELECT count(*) FROM cellsentry.observations"),
        n as i64
    );
    assert_eq!(
        central_count(
            &cluster,
            "SELECT count(DISTINCT sensor_observation_id) FROM cellsentry.observations"
        ),
        n as i64
    );
}

fn assert_one_line_exit(out: &Output, code: i32, secret: &str) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("cellsentry: error: "), "{err}");
    assert!(!err.contains(secret), "{err}");
    assert!(out.stdout.is_empty());
    err
}

#[test]
fn bad_credentials_unreachable_server_and_missing_settings_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let db = dir.path().join("s.sqlite");
    big_sensor(&db, 10);
    let wrong = cluster.url_for("postgres", "Wr0ngPassw0rd");
    let out = cellsentry(&["sync", "--db", db.to_str().unwrap(), "--to", &wrong], &[]);
    let err = assert_one_line_exit(&out, 5, "Wr0ngPassw0rd");
    assert!(err.contains("password authentication failed"), "{err}");
    let out = cellsentry(&["report", "--db", &wrong], &[]);
    assert_one_line_exit(&out, 5, "Wr0ngPassw0rd");
    // Nobody listens on this port.
    let gone = format!(
        "postgresql://postgres:Wr0ngPassw0rd@127.0.0.1:{}/fleet?sslmode=disable",
        cluster.port + 1
    );
    let out = cellsentry(
        &["sync", "--db", db.to_str().unwrap()],
        &[("CELLSENTRY_PG_URL", &gone)],
    );
    let err = assert_one_line_exit(&out, 5, "Wr0ngPassw0rd");
    assert!(err.contains("refused"), "{err}");
    // No connection string at all: a usage error.
    let out = cellsentry(&["sync", "--db", db.to_str().unwrap()], &[]);
    let err = assert_one_line_exit(&out, 2, "Wr0ngPassw0rd");
    assert!(err.contains("CELLSENTRY_PG_URL"), "{err}");
    // Central filters on an SQLite report are a mistake said plainly.
    let out = cellsentry(
        &[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--since",
            "2026-01-01",
        ],
        &[],
    );
    assert_one_line_exit(&out, 3, "Wr0ngPassw0rd");
}

/// Starts a sync of `db` (batches of 5000 rows) and sends it `signal` once the central
/// database holds more than `after` of its observations; returns its exit code, its stderr and
/// the central count after it ended.
fn interrupt_sync(
    cluster: &Cluster,
    db: &Path,
    signal: &str,
    after: i64,
) -> (Option<i32>, String, i64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(["sync", "--db", db.to_str().unwrap(), "--batch-rows", "5000"])
        .env("CELLSENTRY_PG_URL", cluster.url())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let c = cluster
            .psql(
                "fleet",
                "SELECT CASE WHEN to_regclass('cellsentry.observations') IS NULL THEN 0
                        ELSE (SELECT count(*) FROM cellsentry.observations) END",
            )
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0);
        if c > after {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the sync ended first");
        assert!(
            Instant::now() < deadline,
            "the sync never committed a batch"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let out = child.wait_with_output().unwrap();
    let count = central_count(cluster, "SELECT count(*) FROM cellsentry.observations");
    (out.status.code(), text(&out.stderr), count)
}

#[test]
fn a_sync_stopped_by_sigint_or_sigterm_ends_between_batches_and_resumes_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = match Cluster::start(dir.path()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipped: no PostgreSQL cluster could be started here: {e}");
            return;
        }
    };
    let db = dir.path().join("big.sqlite");
    let n = 300_000;
    big_sensor(&db, n);
    let mut before = 0;
    for signal in ["INT", "TERM"] {
        let (code, err, count) = interrupt_sync(&cluster, &db, signal, before);
        // One clear line, the interrupted exit code, whole batches only.
        assert_eq!(code, Some(130), "{signal}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("cellsentry: interrupted: sync stopped between batches"),
            "{err}"
        );
        assert!(!err.contains(&cluster.password));
        assert!(count > before && count < n as i64, "{signal}: {count}");
        assert_eq!(count % 5000, 0, "{signal}: a batch was half written");
        assert_eq!(
            central_count(
                &cluster,
                "SELECT coalesce(max(last_sensor_id), 0) FROM cellsentry.sync_state WHERE table_name = 'observations'"
            ),
            count
        );
        before = count;
    }
    // The next sync sends exactly the rest.
    let out = cellsentry(
        &["sync", "--db", db.to_str().unwrap(), "--json"],
        &[("CELLSENTRY_PG_URL", &cluster.url())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(r["interrupted"], json!(false));
    assert_eq!(
        r["tables"]["observations"]["sent"],
        json!(n as i64 - before)
    );
    assert_eq!(
        central_count(
            &cluster,
            "SELECT count(DISTINCT sensor_observation_id) FROM cellsentry.observations"
        ),
        n as i64
    );
    assert_eq!(
        central_count(&cluster, "SELECT count(*) FROM cellsentry.observations"),
        n as i64
    );
}
