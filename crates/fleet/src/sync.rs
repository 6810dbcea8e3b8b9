//! `cellsentry sync`: push one sensor database into the central database, exactly once.
//!
//! How it stays exactly-once without a coordinator:
//! - Every central row carries the sensor's id and its local row id; the append-only tables
//!   (observations, messages, detections, verdicts) are keyed on them and inserted with
//!   `ON CONFLICT DO NOTHING`, so a row sent twice is stored once.
//! - Each batch is one transaction: COPY into a temporary staging table, then one call of the
//!   table's ingest function, which inserts the rows and advances the sensor's watermark in
//!   `sync_state`. A sync killed at any point leaves whole batches; the next one reads the
//!   watermarks and starts after the last committed batch.
//! - Runs, cells and paging counters are small and change (a run ends, a cell is seen again):
//!   they are re-read whole, and sent only when their digest differs from the one stored with
//!   the last send; the upserts change a row only when a value differs.
//! - Rows are read up to the maxima taken at the start, after runs and cells, so every row
//!   sent refers to a run and cell already sent even while the sensor keeps writing.
//!
//! A lost connection (server restart, network drop) is retried on a fresh connection until
//! `retry_for` runs out; the first connection is not retried, so a wrong password or an
//! unreachable server fails at once with one line.
//!
//! A stop flag (`SyncOptions::stop`, set by SIGINT/SIGTERM in the CLI) is looked at between
//! transactions only: the batch in flight commits, nothing after it starts, and the report
//! says `interrupted`. The next sync resumes after that batch.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cellsentry_store::{SensorIdentity, Store, StoreOptions};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::Client;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::conn::Target;
use crate::error::FleetError;
use crate::schema;
use crate::values::{month_of, Kind, Value};

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Rows per batch (one transaction each).
    pub batch_rows: usize,
    /// Also send paged identities (salted hashes; clear text only if the sensor stored it).
    pub include_identities: bool,
    /// Keep retrying a lost connection for this long.
    pub retry_for: Duration,
    /// Ignore watermarks and digests and send everything again (still stored once).
    pub full: bool,
    /// Set the sensor's name (remembered in the sensor database).
    pub name: Option<String>,
    /// Set the sensor's organisation (remembered).
    pub organisation: Option<String>,
    /// Set the sensor's country (remembered; ISO 3166 alpha-2 or the profile name `uk`).
    pub country: Option<String>,
    /// When set, the sync stops before its next transaction (the one in flight commits) and
    /// its report says `interrupted`.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_rows: 20_000,
            include_identities: false,
            retry_for: Duration::from_secs(60),
            full: false,
            name: None,
            organisation: None,
            country: None,
            stop: None,
        }
    }
}

impl SyncOptions {
    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

/// What happened to one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// Rows in the sensor database (up to the snapshot taken at the start).
    pub local_rows: u64,
    /// Rows sent in this sync.
    pub sent: u64,
    /// Central rows inserted or changed by them.
    pub written: u64,
    /// Rows of this sensor the central database holds after the sync (append-only tables:
    /// the running count kept with the watermark).
    pub central_rows: Option<u64>,
}

/// The outcome of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The sensor as registered.
    pub sensor: SensorIdentity,
    /// Its id in the central database.
    pub central_sensor_id: i64,
    /// Per table, in sync order.
    pub tables: BTreeMap<String, TableReport>,
    /// Connections re-made after a loss.
    pub reconnects: u32,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The stop flag ended the sync early: every batch sent was committed whole, the rest
    /// is left for the next sync.
    pub interrupted: bool,
}

impl SyncReport {
    /// Rows sent over all tables.
    pub fn sent(&self) -> u64 {
        self.tables.values().map(|t| t.sent).sum()
    }

    /// Central rows written over all tables.
    pub fn written(&self) -> u64 {
        self.tables.values().map(|t| t.written).sum()
    }
}

/// Progress of a streamed table, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Table being sent.
    pub table: &'a str,
    /// Rows sent so far in this sync.
    pub done: u64,
    /// Rows this sync has to send.
    pub total: u64,
}

/// One table's journey: how to read it from SQLite and what the server calls it.
struct Spec {
    name: &'static str,
    stage: &'static str,
    cols: &'static [(&'static str, Kind)],
    /// SELECT of exactly `cols`, in order. Streamed tables take ?1 after-id, ?2 max-id,
    /// ?3 limit; the runs query takes ?1 the sensor's country.
    select: &'static str,
    /// Ingest call; streamed tables take ($1 sensor, $2 last id), the others ($1 sensor).
    ingest: &'static str,
    /// Column with the row's time, for partitions (streamed, partitioned tables).
    partition_time: Option<usize>,
}

const RUNS: Spec = Spec {
    name: "runs",
    stage: "stage_runs",
    cols: &[
        ("sensor_run_id", Kind::Int),
        ("started_at", Kind::Time),
        ("ended_at", Kind::Time),
        ("kind", Kind::Text),
        ("source", Kind::Text),
        ("device", Kind::Text),
        ("settings", Kind::Json),
        ("sample_rate_hz", Kind::Float),
        ("center_freq_hz", Kind::Float),
        ("cellsentry_version", Kind::Text),
        ("host_lat_deg", Kind::Float),
        ("host_lon_deg", Kind::Float),
        ("country", Kind::Text),
        ("status", Kind::Text),
        ("note", Kind::Text),
    ],
    select: "SELECT id, started_unix_ms, ended_unix_ms, kind, source, device, settings_json,
                sample_rate_hz, center_freq_hz, cellsentry_version, host_lat_deg, host_lon_deg,
                coalesce(CAST(json_extract(settings_json, '$.country') AS TEXT), ?1), status,
                note
             FROM runs ORDER BY id",
    ingest: "SELECT cellsentry.ingest_runs($1)",
    partition_time: None,
};

const CELLS: Spec = Spec {
    name: "cells",
    stage: "stage_cells",
    cols: &[
        ("sensor_cell_id", Kind::Int),
        ("rat", Kind::Text),
        ("natural_key", Kind::Text),
        ("mcc", Kind::Text),
        ("mnc", Kind::Text),
        ("area_code", Kind::Int),
        ("cell_identity", Kind::Int),
        ("channel_number", Kind::Int),
        ("phys_id", Kind::Int),
        ("first_seen_at", Kind::Time),
        ("last_seen_at", Kind::Time),
        ("label", Kind::Text),
    ],
    select: "SELECT id, rat, natural_key, mcc, mnc, area_code, cell_identity, channel_number,
                phys_id, first_seen_unix_ms, last_seen_unix_ms, label
             FROM cells ORDER BY id",
    ingest: "SELECT cellsentry.ingest_cells($1)",
    partition_time: None,
};

const PAGING: Spec = Spec {
    name: "paging",
    stage: "stage_paging",
    cols: &[
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("paging_messages", Kind::Int),
        ("imsi_pages", Kind::Int),
        ("tmsi_pages", Kind::Int),
        ("other_pages", Kind::Int),
        ("distinct_imsis", Kind::Int),
        ("distinct_tmsis", Kind::Int),
        ("first_at", Kind::Time),
        ("last_at", Kind::Time),
    ],
    select: "SELECT pc.run_id, pc.cell_id, pc.paging_messages, pc.imsi_pages, pc.tmsi_pages,
                pc.other_pages,
                (SELECT count(*) FROM paging_identities pi WHERE pi.run_id = pc.run_id
                    AND pi.cell_id = pc.cell_id AND pi.kind = 'imsi'),
                (SELECT count(*) FROM paging_identities pi WHERE pi.run_id = pc.run_id
                    AND pi.cell_id = pc.cell_id AND pi.kind = 'tmsi'),
                pc.first_unix_ms, pc.last_unix_ms
             FROM paging_counts pc ORDER BY pc.run_id, pc.cell_id",
    ingest: "SELECT cellsentry.ingest_paging($1)",
    partition_time: None,
};

const PAGING_IDENTITIES: Spec = Spec {
    name: "paging_identities",
    stage: "stage_paging_identities",
    cols: &[
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("kind", Kind::Text),
        ("identity_hash", Kind::Text),
        ("identity_clear", Kind::Text),
        ("count", Kind::Int),
        ("first_at", Kind::Time),
        ("last_at", Kind::Time),
    ],
    select: "SELECT run_id, cell_id, kind, identity_hash, identity_clear, count, first_unix_ms,
                last_unix_ms
             FROM paging_identities ORDER BY run_id, cell_id, kind, identity_hash",
    ingest: "SELECT cellsentry.ingest_paging_identities($1)",
    partition_time: None,
};

const OBSERVATIONS: Spec = Spec {
    name: "observations",
    stage: "stage_observations",
    cols: &[
        ("sensor_observation_id", Kind::Int),
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("observed_at", Kind::Time),
        ("freq_hz", Kind::Float),
        ("channel_number", Kind::Int),
        ("power_dbfs", Kind::Float),
        ("power_dbm", Kind::Float),
        ("snr_db", Kind::Float),
        ("freq_offset_hz", Kind::Float),
        ("freq_offset_ppm", Kind::Float),
        ("blocks_ok", Kind::Int),
        ("blocks_failed", Kind::Int),
        ("lat_deg", Kind::Float),
        ("lon_deg", Kind::Float),
        ("summary", Kind::Json),
    ],
    select: "SELECT id, run_id, cell_id, time_unix_ms, freq_hz, channel_number, power_dbfs,
                power_dbm, snr_db, freq_offset_hz, freq_offset_ppm, blocks_ok, blocks_failed,
                lat_deg, lon_deg, summary_json
             FROM observations WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
    ingest: "SELECT cellsentry.ingest_observations($1, $2)",
    partition_time: Some(3),
};

const MESSAGES: Spec = Spec {
    name: "messages",
    stage: "stage_messages",
    cols: &[
        ("sensor_message_id", Kind::Int),
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("sensor_observation_id", Kind::Int),
        ("received_at", Kind::Time),
        ("frame_number", Kind::Int),
        ("channel", Kind::Text),
        ("message_type", Kind::Text),
        ("raw", Kind::Bytes),
        ("decoded", Kind::Json),
        ("error", Kind::Text),
    ],
    select: "SELECT id, run_id, cell_id, observation_id, time_unix_ms, frame_number, channel,
                message_type, raw, decoded_json, error
             FROM messages WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
    ingest: "SELECT cellsentry.ingest_messages($1, $2)",
    partition_time: Some(4),
};

const DETECTIONS: Spec = Spec {
    name: "detections",
    stage: "stage_detections",
    cols: &[
        ("sensor_detection_id", Kind::Int),
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("rule_id", Kind::Text),
        ("rule_version", Kind::Int),
        ("severity", Kind::Text),
        ("score", Kind::Float),
        ("detected_at", Kind::Time),
        ("summary", Kind::Text),
        ("evidence", Kind::Json),
    ],
    select: "SELECT id, run_id, cell_id, rule_id, rule_version, severity, score, time_unix_ms,
                summary, evidence_json
             FROM detections WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
    ingest: "SELECT cellsentry.ingest_detections($1, $2)",
    partition_time: None,
};

const VERDICTS: Spec = Spec {
    name: "verdicts",
    stage: "stage_verdicts",
    cols: &[
        ("sensor_verdict_id", Kind::Int),
        ("sensor_run_id", Kind::Int),
        ("sensor_cell_id", Kind::Int),
        ("level", Kind::Text),
        ("score", Kind::Float),
        ("judged_at", Kind::Time),
        ("rules_fired", Kind::Json),
    ],
    select: "SELECT id, run_id, cell_id, level, score, time_unix_ms, rules_fired_json
             FROM verdicts WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
    ingest: "SELECT cellsentry.ingest_verdicts($1, $2)",
    partition_time: None,
};

const STREAMED: [&Spec; 4] = [&OBSERVATIONS, &MESSAGES, &DETECTIONS, &VERDICTS];

/// The project's country vocabulary is its profile names (`uk`, `us`, ...); ISO's `gb` is
/// the same country.
pub fn country_code(text: &str) -> String {
    let c = text.trim().to_ascii_lowercase();
    if c == "gb" {
        "uk".to_string()
    } else {
        c
    }
}

fn open_sensor(path: &Path) -> Result<Connection, FleetError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| FleetError::Sensor(format!("{}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

fn read_rows(
    conn: &Connection,
    spec: &Spec,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Vec<Value>>, FleetError> {
    let mut stmt = conn.prepare_cached(spec.select)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(spec.cols.len());
        for (i, (name, kind)) in spec.cols.iter().enumerate() {
            row.push(Value::read(r.get_ref(i)?, *kind, name).map_err(FleetError::Sensor)?);
        }
        out.push(row);
    }
    Ok(out)
}

fn digest(rows: &[Vec<Value>]) -> String {
    let mut h = Sha256::new();
    for row in rows {
        for v in row {
            v.digest(&mut h);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the sync sends, read at its start.
struct Snapshot {
    small: Vec<(&'static Spec, Vec<Vec<Value>>)>,
    /// Highest local id and row count of each streamed table.
    maxima: BTreeMap<&'static str, (i64, u64)>,
}

impl Snapshot {
    fn read(
        path: &Path,
        sensor: &SensorIdentity,
        identities: bool,
    ) -> Result<Snapshot, FleetError> {
        let mut conn = open_sensor(path)?;
        // One read transaction: maxima first, then runs and cells, so every row up to the
        // maxima refers to a run and cell in this snapshot.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        let mut maxima = BTreeMap::new();
        for spec in STREAMED {
            let (max, n): (Option<i64>, i64) = tx.query_row(
                &format!("SELECT max(id), count(*) FROM {}", spec.name),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            maxima.insert(spec.name, (max.unwrap_or(0), n as u64));
        }
        let country = sensor.country.clone().unwrap_or_default();
        let mut runs = read_rows(&tx, &RUNS, &[&country])?;
        for row in &mut runs {
            if let Value::Text(c) = &row[12] {
                row[12] = if c.is_empty() {
                    Value::Null
                } else {
                    Value::Text(country_code(c))
                };
            }
        }
        let mut small = vec![(&RUNS, runs), (&CELLS, read_rows(&tx, &CELLS, &[])?)];
        small.push((&PAGING, read_rows(&tx, &PAGING, &[])?));
        if identities {
            small.push((&PAGING_IDENTITIES, read_rows(&tx, &PAGING_IDENTITIES, &[])?));
        }
        tx.finish()?;
        Ok(Snapshot { small, maxima })
    }
}

/// Streams batches of a table from its own SQLite connection on a thread, so reading the next
/// batch overlaps sending this one.
fn spawn_reader(
    path: PathBuf,
    spec: &'static Spec,
    after: i64,
    max: i64,
    batch: usize,
) -> Receiver<Result<Vec<Vec<Value>>, FleetError>> {
    let (tx, rx) = sync_channel(2);
    std::thread::spawn(move || {
        let conn = match open_sensor(&path) {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        let mut after = after;
        let limit = batch as i64;
        loop {
            let rows = read_rows(&conn, spec, &[&after, &max, &limit]);
            let last = rows
                .as_ref()
                .ok()
                .and_then(|r| r.last())
                .and_then(|r| r[0].as_i64());
            let done = matches!(&rows, Ok(r) if r.len() < batch) || rows.is_err();
            if tx.send(rows).is_err() || done {
                return;
            }
            match last {
                Some(id) => after = id,
                None => return,
            }
        }
    });
    rx
}

fn create_stage(client: &mut Client, spec: &Spec) -> Result<(), FleetError> {
    let cols: Vec<String> = spec
        .cols
        .iter()
        .map(|(n, k)| format!("{n} {}", k.sql()))
        .collect();
    client.batch_execute(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS",
        spec.stage,
        cols.join(", ")
    ))?;
    Ok(())
}

fn copy_rows(
    tx: &mut postgres::Transaction<'_>,
    spec: &Spec,
    rows: &[Vec<Value>],
) -> Result<(), FleetError> {
    let names: Vec<&str> = spec.cols.iter().map(|(n, _)| *n).collect();
    let types: Vec<Type> = spec.cols.iter().map(|(_, k)| k.pg_type()).collect();
    let sink = tx.copy_in(&format!(
        "COPY pg_temp.{} ({}) FROM STDIN (FORMAT binary)",
        spec.stage,
        names.join(", ")
    ))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut refs: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(spec.cols.len());
    for row in rows {
        refs.clear();
        refs.extend(row.iter().map(|v| v as &(dyn ToSql + Sync)));
        writer.write(&refs)?;
    }
    writer.finish()?;
    Ok(())
}

/// Syncs the sensor database at `db` into `target`.
pub fn sync(
    db: &Path,
    target: &Target,
    options: &SyncOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<SyncReport, FleetError> {
    let started = Instant::now();
    let store = Store::open(
        db,
        &StoreOptions {
            create_if_missing: false,
            ..StoreOptions::default()
        },
    )?;
    let country = options.country.as_deref().map(country_code);
    let sensor = if options.name.is_some() || options.organisation.is_some() || country.is_some() {
        store.set_sensor_details(
            options.name.as_deref(),
            options.organisation.as_deref(),
            country.as_deref(),
        )?
    } else {
        store.sensor_identity()?
    };
    drop(store);
    let snapshot = Snapshot::read(db, &sensor, options.include_identities)?;
    let mut report = SyncReport {
        sensor,
        central_sensor_id: 0,
        tables: BTreeMap::new(),
        reconnects: 0,
        seconds: 0.0,
        interrupted: false,
    };
    for (spec, rows) in &snapshot.small {
        report
            .tables
            .entry(spec.name.to_string())
            .or_default()
            .local_rows = rows.len() as u64;
    }
    for (name, (_, n)) in &snapshot.maxima {
        report
            .tables
            .entry(name.to_string())
            .or_default()
            .local_rows = *n;
    }
    let mut connected_once = false;
    let mut failures = 0u32;
    loop {
        match attempt(
            db,
            target,
            &snapshot,
            options,
            &mut report,
            &mut connected_once,
            progress,
        ) {
            Ok(finished) => {
                report.interrupted = !finished;
                break;
            }
            Err(e)
                if connected_once
                    && e.is_transient()
                    && started.elapsed() < options.retry_for
                    && !options.stopped() =>
            {
                failures += 1;
                report.reconnects += 1;
                let wait =
                    Duration::from_millis(250u64 << failures.min(5)).min(Duration::from_secs(5));
                std::thread::sleep(wait);
            }
            Err(e) => return Err(e),
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// One connection's worth of the sync; `Ok(false)` when the stop flag ended it early.
fn attempt(
    db: &Path,
    target: &Target,
    snapshot: &Snapshot,
    options: &SyncOptions,
    report: &mut SyncReport,
    connected_once: &mut bool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<bool, FleetError> {
    let mut client = target.connect()?;
    *connected_once = true;
    schema::ensure_current(&mut client)?;
    let s = &report.sensor;
    let sensor_id: i64 = client
        .query_one(
            "SELECT cellsentry.register_sensor(CAST($1::text AS uuid), $2, $3, $4, $5)",
            &[
                &s.id,
                &s.name,
                &s.organisation,
                &s.country,
                &env!("CARGO_PKG_VERSION"),
            ],
        )?
        .get(0);
    report.central_sensor_id = sensor_id;
    let mut state: BTreeMap<String, (i64, i64, Option<String>)> = BTreeMap::new();
    for row in client.query("SELECT * FROM cellsentry.sync_state_of($1)", &[&sensor_id])? {
        state.insert(row.get(0), (row.get(1), row.get(2), row.get(3)));
    }
    for (spec, _) in &snapshot.small {
        create_stage(&mut client, spec)?;
    }
    for spec in STREAMED {
        create_stage(&mut client, spec)?;
    }

    // Runs, cells, paging: whole, when changed.
    for (spec, rows) in &snapshot.small {
        let d = digest(rows);
        let stored = state.get(spec.name).and_then(|s| s.2.as_deref());
        if !options.full && stored == Some(d.as_str()) {
            continue;
        }
        if options.stopped() {
            return Ok(false);
        }
        let mut tx = client.transaction()?;
        copy_rows(&mut tx, spec, rows)?;
        let n: i64 = tx.query_one(spec.ingest, &[&sensor_id])?.get(0);
        tx.execute(
            "SELECT cellsentry.note_digest($1, $2, $3)",
            &[&sensor_id, &spec.name, &d],
        )?;
        tx.commit()?;
        let t = report.tables.entry(spec.name.to_string()).or_default();
        t.sent += rows.len() as u64;
        t.written += n as u64;
    }

    // The append-only tables, in batches after the server's watermark.
    let mut months_ready: BTreeSet<String> = BTreeSet::new();
    for spec in STREAMED {
        let (max, _) = snapshot.maxima[spec.name];
        let (mut after, mut central) = state.get(spec.name).map_or((0, 0), |s| (s.0, s.1));
        if options.full {
            after = 0;
        }
        let todo: u64 = if after >= max {
            0
        } else {
            let conn = open_sensor(db)?;
            let n: i64 = conn.query_row(
                &format!(
                    "SELECT count(*) FROM {} WHERE id > ?1 AND id <= ?2",
                    spec.name
                ),
                [after, max],
                |r| r.get(0),
            )?;
            n as u64
        };
        let mut done = 0u64;
        if todo > 0 {
            progress(Progress {
                table: spec.name,
                done,
                total: todo,
            });
            let batches = spawn_reader(db.to_path_buf(), spec, after, max, options.batch_rows);
            for rows in batches {
                // Between batches: what was sent is committed; dropping `batches` ends the
                // reader thread.
                if options.stopped() {
                    return Ok(false);
                }
                let rows = rows?;
                let Some(last) = rows.last().and_then(|r| r[0].as_i64()) else {
                    break;
                };
                if let Some(col) = spec.partition_time {
                    let months: BTreeSet<String> = rows
                        .iter()
                        .filter_map(|r| r[col].as_i64())
                        .map(month_of)
                        .filter(|m| !months_ready.contains(m))
                        .collect();
                    if !months.is_empty() {
                        let list: Vec<String> = months.iter().cloned().collect();
                        client.execute("SELECT cellsentry.ensure_partitions($1)", &[&list])?;
                        months_ready.extend(months);
                    }
                }
                let mut tx = client.transaction()?;
                copy_rows(&mut tx, spec, &rows)?;
                let n: i64 = tx.query_one(spec.ingest, &[&sensor_id, &last])?.get(0);
                tx.commit()?;
                central += n;
                done += rows.len() as u64;
                let t = report.tables.entry(spec.name.to_string()).or_default();
                t.sent += rows.len() as u64;
                t.written += n as u64;
                progress(Progress {
                    table: spec.name,
                    done,
                    total: todo,
                });
            }
        }
        report
            .tables
            .entry(spec.name.to_string())
            .or_default()
            .central_rows = Some(central as u64);
    }
    Ok(true)
}
