//! Load test of the fleet sync (run by `bench/fleet_load.sh`, not in CI): N simulated sensors,
//! each with an hour of monitor data (an observation of every cell every 0.5 s, broadcast
//! messages, detections and verdicts), synced at once by N `cellsentry sync` processes into
//! one private PostgreSQL server on this machine. Prints rows per second, total time, whether
//! every row is present exactly once, and the central report's query time at that size.
//!
//! Usage: fleet_load CELLSENTRY_BINARY WORK_DIR [SENSORS] [MINUTES] [CELLS]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cellsentry_fleet::cluster::Cluster;
use cellsentry_fleet::report::{self, ReportFilter};
use cellsentry_store::*;
use serde_json::json;

/// 2026-03-02T00:00:00Z.
const T0: i64 = 1_772_409_600_000;

struct Made {
    observations: u64,
    messages: u64,
    detections: u64,
    verdicts: u64,
}

fn cell_key(sensor: usize, c: usize) -> CellKey {
    // Sensors share cells with their neighbours (ten sensors around each city see the same
    // operator cells): cell c of sensor s is cell (s / 10) * 100 + c of the country.
    let city = sensor / 10;
    CellKey {
        rat: Rat::Gsm,
        plmn: Some(Plmn::broadcast(
            "234",
            if c.is_multiple_of(2) { "15" } else { "10" },
        )),
        lac_tac: Some(1000 + city as u32),
        cell_id: Some((city * 100 + c) as u32),
        channel: Some(1 + (city * 7 + c) as u32 % 124),
        bsic_pci: Some((c % 64) as u16),
    }
}

fn blaster_key() -> CellKey {
    CellKey {
        rat: Rat::Gsm,
        plmn: Some(Plmn::broadcast("234", "15")),
        lac_tac: Some(1000),
        cell_id: Some(40961),
        channel: Some(62),
        bsic_pci: Some(12),
    }
}

/// One sensor's hour: fixed sensors have a position on the run, every fifth sensor is mobile
/// (a fix on each observation). Every fifth sensor sees the blaster for the last 10 minutes.
fn make_sensor(path: &Path, sensor: usize, minutes: usize, cells: usize) -> Made {
    let mut store = Store::open(path, &StoreOptions::default()).expect("store");
    store
        .set_sensor_details(
            Some(&format!("load-{sensor:02}")),
            Some("bench"),
            Some("gb"),
        )
        .expect("details");
    let lat0 = 50.5 + (sensor / 10) as f64 * 0.8;
    let lon0 = -3.0 + (sensor % 10) as f64 * 0.2;
    let mobile = sensor % 5 == 4;
    let sees_blaster = sensor.is_multiple_of(5);
    let mut run = NewRun::new(RunKind::Monitor, "driver=rtlsdr", T0);
    run.settings = json!({"country": "uk"});
    if !mobile {
        run.host_lat_deg = Some(lat0);
        run.host_lon_deg = Some(lon0);
    }
    let run = store.begin_run(&run).expect("run");
    let samples = minutes * 60 * 2;
    let blaster_from = samples.saturating_sub(10 * 60 * 2);
    let mut made = Made {
        observations: 0,
        messages: 0,
        detections: 0,
        verdicts: 0,
    };
    let keys: Vec<CellKey> = (0..cells).map(|c| cell_key(sensor, c)).collect();
    for chunk in (0..samples).collect::<Vec<_>>().chunks(600) {
        store
            .write_batch(|tx| {
                for &i in chunk {
                    let t = T0 + i as i64 * 500;
                    let (lat, lon) = if mobile {
                        (Some(lat0 + i as f64 * 2e-6), Some(lon0 + i as f64 * 1e-6))
                    } else {
                        (None, None)
                    };
                    let mut here: Vec<&CellKey> = keys.iter().collect();
                    let blaster = blaster_key();
                    if sees_blaster && i >= blaster_from {
                        here.push(&blaster);
                    }
                    for (c, key) in here.iter().enumerate() {
                        let cell = tx.upsert_cell(key, t)?;
                        let obs = tx.observation(&NewObservation {
                            run_id: run,
                            cell_id: cell,
                            time_unix_ms: t,
                            freq_hz: 935.2e6 + c as f64 * 200e3,
                            channel_number: Some(c as u32 + 1),
                            power_dbfs: -60.0 + (c as f64) + ((i * 7 + c) % 11) as f64 * 0.3,
                            power_dbm: None,
                            snr_db: Some(18.0),
                            freq_offset_hz: Some(35.0),
                            freq_offset_ppm: Some(0.04),
                            blocks_ok: 2,
                            blocks_failed: 0,
                            lat_deg: lat,
                            lon_deg: lon,
                            summary: json!({}),
                        })?;
                        made.observations += 1;
                        // A decoded SI message from each cell every 2 s.
                        if i % 4 == c % 4 {
                            tx.message(&NewMessage {
                                run_id: run,
                                cell_id: cell,
                                observation_id: Some(obs),
                                time_unix_ms: t,
                                frame_number: Some((i * 51 % 2_715_648) as u32),
                                channel: "BCCH".into(),
                                message_type: "SI3".into(),
                                raw: vec![
                                    0x49, 0x06, 0x1b, 0x10, 0x05, 0x32, 0xf4, 0x51, 0x03, 0xe8,
                                    0xc9, 0x03, 0x05, 0x27, 0x47, 0x40, 0xe5, 0x04, 0x00, 0x2b,
                                    0x2b, 0x2b, 0x2b,
                                ],
                                decoded: Some(json!({"type": "SI3", "lac": 1000, "ci": c})),
                                error: None,
                            })?;
                            made.messages += 1;
                        }
                    }
                    // Verdicts once a minute per cell; the blaster's detections with them.
                    if i % 120 == 119 {
                        for key in &here {
                            let cell = tx.upsert_cell(key, t)?;
                            let fake = **key == blaster;
                            if fake {
                                for rule in ["gsm.cro_extreme", "gsm.unknown_cell_identity"] {
                                    tx.detection(&NewDetection {
                                        run_id: run,
                                        cell_id: Some(cell),
                                        rule_id: rule.into(),
                                        rule_version: 1,
                                        severity: Severity::High,
                                        score: 40.0,
                                        time_unix_ms: t,
                                        summary: Some("bench".into()),
                                        evidence: json!({"cro_db": 126}),
                                    })?;
                                    made.detections += 1;
                                }
                            }
                            tx.verdict(&NewVerdict {
                                run_id: run,
                                cell_id: cell,
                                level: if fake {
                                    VerdictLevel::LikelyFake
                                } else {
                                    VerdictLevel::Clean
                                },
                                score: if fake { 80.0 } else { 0.0 },
                                time_unix_ms: t,
                                rules_fired: json!([]),
                            })?;
                            made.verdicts += 1;
                        }
                    }
                }
                Ok(())
            })
            .expect("batch");
    }
    store
        .finish_run(run, RunStatus::Completed, T0 + samples as i64 * 500)
        .expect("finish");
    made
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: fleet_load CELLSENTRY_BINARY WORK_DIR [SENSORS] [MINUTES] [CELLS]");
        std::process::exit(2);
    }
    let binary = PathBuf::from(&args[1]);
    let work = PathBuf::from(&args[2]);
    let sensors: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50);
    let minutes: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(60);
    let cells: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(8);
    std::fs::create_dir_all(&work).expect("work dir");

    // Sensor databases (reused when present: generating is not what is measured).
    let t = Instant::now();
    let dbs: Vec<PathBuf> = (0..sensors)
        .map(|s| work.join(format!("sensor-{s:02}-{minutes}m-{cells}c.sqlite")))
        .collect();
    let mut totals = (0u64, 0u64, 0u64, 0u64);
    let missing: Vec<usize> = (0..sensors).filter(|s| !dbs[*s].exists()).collect();
    std::thread::scope(|scope| {
        let chunks: Vec<Vec<usize>> = (0..2)
            .map(|k| missing.iter().copied().filter(|s| s % 2 == k).collect())
            .collect();
        for chunk in chunks {
            let dbs = &dbs;
            scope.spawn(move || {
                for s in chunk {
                    make_sensor(&dbs[s], s, minutes, cells);
                }
            });
        }
    });
    for db in &dbs {
        let store = Store::open(db, &StoreOptions::default()).expect("open");
        let obs: u64 = store
            .cells(None)
            .expect("cells")
            .iter()
            .map(|c| {
                store
                    .observations_for_cell(c.id, None)
                    .map(|o| o.len() as u64)
                    .unwrap_or(0)
            })
            .sum();
        let msgs: u64 = store
            .cells(None)
            .expect("cells")
            .iter()
            .map(|c| {
                store
                    .messages_for_cell(c.id, None)
                    .map(|m| m.len() as u64)
                    .unwrap_or(0)
            })
            .sum();
        totals.0 += obs;
        totals.1 += msgs;
        totals.2 += store.detections(None).expect("det").len() as u64;
        totals.3 += store.verdicts(None).expect("ver").len() as u64;
    }
    eprintln!(
        "{sensors} sensor databases ready in {:.1} s: {} observations, {} messages, {} detections, {} verdicts",
        t.elapsed().as_secs_f64(),
        totals.0,
        totals.1,
        totals.2,
        totals.3
    );

    let pg_dir = tempfile::tempdir_in(&work).expect("pg dir");
    let mut cluster = Cluster::start(pg_dir.path()).expect("cluster");
    cluster
        .configure(
            "shared_buffers = 1GB\nmax_wal_size = 8GB\ncheckpoint_timeout = 15min\n\
             wal_buffers = 64MB\nmax_connections = 200\nwork_mem = 32MB\n\
             maintenance_work_mem = 256MB",
        )
        .expect("configure");
    cluster.stop("fast").expect("stop");
    cluster.restart().expect("restart");
    let url = cluster.url();
    // Migrate first so the timed syncs measure ingest, not DDL.
    let mut client = cluster
        .target()
        .expect("target")
        .connect()
        .expect("connect");
    cellsentry_fleet::schema::migrate(&mut client).expect("migrate");

    // Every sensor's sync starts at once; wall time is from the first spawn to the last exit.
    let run_concurrent = |label: &str| -> (f64, u64) {
        let t = Instant::now();
        let mut children = Vec::new();
        for db in &dbs {
            children.push(
                Command::new(&binary)
                    .args(["sync", "--db", db.to_str().expect("utf8"), "-q", "--json"])
                    .env("CELLSENTRY_PG_URL", &url)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn"),
            );
        }
        let mut sent = 0u64;
        for c in children {
            let out = c.wait_with_output().expect("wait");
            if !out.status.success() {
                eprintln!("sync failed: {}", String::from_utf8_lossy(&out.stderr));
                std::process::exit(1);
            }
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sync json");
            sent += v["tables"]
                .as_object()
                .map(|t| {
                    t.values()
                        .map(|x| x["sent"].as_u64().unwrap_or(0))
                        .sum::<u64>()
                })
                .unwrap_or(0);
        }
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{label}: {secs:.1} s, {sent} rows sent");
        (secs, sent)
    };
    let (first_s, first_sent) = run_concurrent("first sync, all sensors at once");
    let (again_s, again_sent) = run_concurrent("second sync (nothing new)");

    let mut q = |sql: &str| -> i64 { client.query_one(sql, &[]).expect("query").get::<_, i64>(0) };
    let obs = q("SELECT count(*) FROM cellsentry.observations");
    // Each sensor's local ids are 1..n: n rows per sensor with ids from 1 to n is every id
    // exactly once (the key (sensor, id, time) forbids a repeat, and an id has one time).
    let obs_distinct = q("SELECT coalesce(sum(n), 0)::bigint FROM (
            SELECT count(*) AS n FROM cellsentry.observations GROUP BY sensor_id
            HAVING count(*) = max(sensor_observation_id) AND min(sensor_observation_id) = 1) x");
    let msgs = q("SELECT count(*) FROM cellsentry.messages");
    let dets = q("SELECT count(*) FROM cellsentry.detections");
    let verdicts = q("SELECT count(*) FROM cellsentry.verdicts");
    let cells_central = q("SELECT count(*) FROM cellsentry.cells");
    let size: String = client
        .query_one(
            "SELECT pg_size_pretty(pg_database_size(current_database()))",
            &[],
        )
        .expect("size")
        .get(0);
    let exact = obs as u64 == totals.0
        && obs_distinct as u64 == totals.0
        && msgs as u64 == totals.1
        && dets as u64 == totals.2
        && verdicts as u64 == totals.3;

    // The central report at this size, warm (second run) and with an area filter.
    let mut times = Vec::new();
    let mut blasters = 0;
    let mut sightings = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = report::load(&mut client, &ReportFilter::default()).expect("report");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        blasters = r.blasters.len();
        sightings = r.blasters.iter().map(|b| b.sightings.len()).sum::<usize>();
    }
    let t = Instant::now();
    let near = report::load(
        &mut client,
        &ReportFilter {
            near: Some((50.5, -3.0, 30_000.0)),
            since: Some("2026-03-02T00:30:00Z".into()),
            ..ReportFilter::default()
        },
    )
    .expect("report near");
    let near_ms = t.elapsed().as_secs_f64() * 1000.0;
    let total_rows = totals.0 + totals.1 + totals.2 + totals.3;
    drop(client);
    cluster.stop("fast").ok();

    println!("| figure | value |");
    println!("|---|---|");
    println!("| sensors syncing at once | {sensors} |");
    println!(
        "| data per sensor | {minutes} min, {cells} cells, an observation per cell every 0.5 s |"
    );
    println!(
        "| observations / messages / detections / verdicts | {} / {} / {} / {} |",
        totals.0, totals.1, totals.2, totals.3
    );
    println!("| first sync, wall time | {first_s:.1} s |");
    println!(
        "| observations per second (all rows sent / time) | {:.0} ({:.0} rows/s all tables) |",
        totals.0 as f64 / first_s,
        first_sent as f64 / first_s
    );
    println!("| rows sent | {first_sent} (expected {total_rows}) |");
    println!("| every row present exactly once | {} (observations {obs}, distinct {obs_distinct}; messages {msgs}; detections {dets}; verdicts {verdicts}) |", if exact { "yes" } else { "NO" });
    println!("| central cells (shared between sensors) | {cells_central} |");
    println!(
        "| second sync of all sensors (nothing new) | {again_s:.1} s, {again_sent} rows sent |"
    );
    println!("| database size | {size} |");
    println!("| central report, all fleet ({blasters} blaster, {sightings} sightings) | {:.0} ms cold, {:.0} / {:.0} ms warm |", times[0], times[1], times[2]);
    println!(
        "| central report, 30 km radius + time window ({} blaster) | {near_ms:.0} ms |",
        near.blasters.len()
    );
    if !exact {
        std::process::exit(1);
    }
}
