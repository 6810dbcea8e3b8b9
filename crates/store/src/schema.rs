//! Schema and migrations.
//!
//! The schema version lives in the file header (`PRAGMA user_version`) and the file is marked as
//! ours with `PRAGMA application_id`, so a foreign SQLite file is refused instead of being
//! "migrated" into a mess. `MIGRATIONS[i]` takes a file from version `i` to `i + 1`; each runs
//! in its own IMMEDIATE transaction together with the `user_version` bump, so a crash or error
//! leaves the file at the previous version, never half-migrated. Never edit a released script:
//! append a new one.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// `PRAGMA application_id` of a cellsentry store: ASCII "CSNT".
pub const APPLICATION_ID: i32 = 0x4353_4e54;

/// Version 1: runs, cells and what the receivers and detector produce.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE runs (
    id                 INTEGER PRIMARY KEY,
    started_unix_ms    INTEGER NOT NULL,
    ended_unix_ms      INTEGER,
    kind               TEXT NOT NULL
                       CHECK (kind IN ('replay', 'monitor', 'scan', 'survey', 'synth')),
    source             TEXT NOT NULL,
    device             TEXT,
    settings_json      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json)),
    sample_rate_hz     REAL,
    center_freq_hz     REAL,
    cellsentry_version TEXT NOT NULL,
    host_lat_deg       REAL CHECK (host_lat_deg BETWEEN -90 AND 90),
    host_lon_deg       REAL CHECK (host_lon_deg BETWEEN -180 AND 180),
    status             TEXT NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    note               TEXT
);
CREATE INDEX runs_started ON runs (started_unix_ms);

-- One row per distinct cell identity. The identity parts are nullable because a cell is seen
-- (channel, BSIC/PCI) before its system information is decoded; NULLs would defeat a UNIQUE
-- constraint, so uniqueness is on natural_key, a canonical text built from all parts.
--   GSM: area_code = LAC, cell_identity = CI,  channel_number = ARFCN,  phys_id = BSIC
--   LTE: area_code = TAC, cell_identity = ECI, channel_number = EARFCN, phys_id = PCI
CREATE TABLE cells (
    id                 INTEGER PRIMARY KEY,
    rat                TEXT NOT NULL CHECK (rat IN ('gsm', 'lte')),
    natural_key        TEXT NOT NULL UNIQUE,
    mcc                TEXT,
    mnc                TEXT,
    area_code          INTEGER,
    cell_identity      INTEGER,
    channel_number     INTEGER NOT NULL,
    phys_id            INTEGER,
    first_seen_unix_ms INTEGER NOT NULL,
    last_seen_unix_ms  INTEGER NOT NULL,
    label              TEXT
);
CREATE INDEX cells_channel ON cells (rat, channel_number, phys_id);
-- A fake cell usually clones a real cell's identity on another channel: find them together.
CREATE INDEX cells_identity ON cells (mcc, mnc, area_code, cell_identity);

CREATE TABLE observations (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id         INTEGER NOT NULL REFERENCES cells (id),
    time_unix_ms    INTEGER NOT NULL,
    freq_hz         REAL NOT NULL,
    channel_number  INTEGER,
    power_dbfs      REAL, -- NULL when the receiver had no power figure (NaN in the API)
    power_dbm       REAL,
    snr_db          REAL,
    freq_offset_hz  REAL,
    freq_offset_ppm REAL,
    blocks_ok       INTEGER NOT NULL DEFAULT 0 CHECK (blocks_ok >= 0),
    blocks_failed   INTEGER NOT NULL DEFAULT 0 CHECK (blocks_failed >= 0),
    lat_deg         REAL,
    lon_deg         REAL,
    summary_json    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX observations_cell_time ON observations (cell_id, time_unix_ms);
CREATE INDEX observations_run_cell_time ON observations (run_id, cell_id, time_unix_ms);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id        INTEGER NOT NULL REFERENCES cells (id),
    observation_id INTEGER REFERENCES observations (id) ON DELETE SET NULL,
    time_unix_ms   INTEGER NOT NULL,
    frame_number   INTEGER,
    channel        TEXT NOT NULL,
    message_type   TEXT NOT NULL,
    raw            BLOB NOT NULL,
    decoded_json   TEXT,
    error          TEXT
);
CREATE INDEX messages_cell_time ON messages (cell_id, time_unix_ms);
CREATE INDEX messages_run_cell_time ON messages (run_id, cell_id, time_unix_ms);
CREATE INDEX messages_observation ON messages (observation_id) WHERE observation_id IS NOT NULL;

CREATE TABLE detections (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id       INTEGER REFERENCES cells (id),
    rule_id       TEXT NOT NULL,
    rule_version  INTEGER NOT NULL CHECK (rule_version >= 0),
    severity      TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high')),
    score         REAL NOT NULL,
    time_unix_ms  INTEGER NOT NULL,
    summary       TEXT,
    evidence_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX detections_run_time ON detections (run_id, time_unix_ms);
CREATE INDEX detections_cell_time ON detections (cell_id, time_unix_ms);
CREATE INDEX detections_rule ON detections (rule_id, rule_version);

CREATE TABLE verdicts (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id          INTEGER NOT NULL REFERENCES cells (id),
    level            TEXT NOT NULL CHECK (level IN ('clean', 'suspicious', 'likely_fake')),
    score            REAL NOT NULL,
    time_unix_ms     INTEGER NOT NULL,
    rules_fired_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX verdicts_cell_time ON verdicts (cell_id, time_unix_ms);
CREATE INDEX verdicts_run_cell ON verdicts (run_id, cell_id);
"#;

/// Version 2: spectrum snapshots, channel power scans, paging counters and hashed identities.
const V2: &str = r#"
CREATE TABLE spectrum_snapshots (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    time_unix_ms     INTEGER NOT NULL,
    center_freq_hz   REAL NOT NULL,
    bin_spacing_hz   REAL NOT NULL CHECK (bin_spacing_hz > 0),
    n_bins           INTEGER NOT NULL CHECK (n_bins >= 0),
    -- f32 little-endian per bin: 4x smaller than JSON and read back bit-exact.
    power_dbfs_f32le BLOB NOT NULL CHECK (length(power_dbfs_f32le) = 4 * n_bins)
);
CREATE INDEX spectrum_run_time ON spectrum_snapshots (run_id, time_unix_ms);

CREATE TABLE channel_power (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    time_unix_ms   INTEGER NOT NULL,
    rat            TEXT NOT NULL CHECK (rat IN ('gsm', 'lte')),
    band           TEXT,
    channel_number INTEGER NOT NULL,
    freq_hz        REAL NOT NULL,
    bandwidth_hz   REAL NOT NULL CHECK (bandwidth_hz > 0),
    power_dbfs     REAL NOT NULL,
    power_dbm      REAL
);
CREATE INDEX channel_power_run_channel
    ON channel_power (run_id, rat, channel_number, time_unix_ms);

CREATE TABLE paging_counts (
    run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id         INTEGER NOT NULL REFERENCES cells (id),
    paging_messages INTEGER NOT NULL DEFAULT 0,
    imsi_pages      INTEGER NOT NULL DEFAULT 0,
    tmsi_pages      INTEGER NOT NULL DEFAULT 0,
    other_pages     INTEGER NOT NULL DEFAULT 0,
    first_unix_ms   INTEGER NOT NULL,
    last_unix_ms    INTEGER NOT NULL,
    PRIMARY KEY (run_id, cell_id)
) WITHOUT ROWID;
CREATE INDEX paging_counts_cell ON paging_counts (cell_id);

-- Subscriber identities are personal data: only a salted SHA-256 is kept unless the writer
-- opted in to clear text. The salt is per database (meta 'identity_salt'), so hashes cannot be
-- matched across databases or against a precomputed IMSI table.
CREATE TABLE paging_identities (
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id        INTEGER NOT NULL REFERENCES cells (id),
    kind           TEXT NOT NULL CHECK (kind IN ('imsi', 'tmsi', 'imei')),
    identity_hash  TEXT NOT NULL CHECK (length(identity_hash) = 64),
    identity_clear TEXT,
    count          INTEGER NOT NULL DEFAULT 0,
    first_unix_ms  INTEGER NOT NULL,
    last_unix_ms   INTEGER NOT NULL,
    PRIMARY KEY (run_id, cell_id, kind, identity_hash)
) WITHOUT ROWID;
CREATE INDEX paging_identities_hash ON paging_identities (identity_hash);
CREATE INDEX paging_identities_cell ON paging_identities (cell_id);

-- randomblob() draws from SQLite's OS-seeded PRNG.
INSERT OR IGNORE INTO meta (key, value) VALUES ('identity_salt', lower(hex(randomblob(32))));
"#;

/// Version 3: chain of custody (the recordings a run read, hashed) and sightings shared by other
/// sensors or agencies (MISP events, STIX bundles) that the watch-list matches against.
const V3: &str = r#"
-- One row per recording a run read. The hash is what ties a verdict to the exact file a
-- regulator holds: SHA-256 of the sample data (and of the SigMF metadata beside it).
CREATE TABLE recordings (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path             TEXT NOT NULL,
    sha256           TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes       INTEGER NOT NULL CHECK (size_bytes >= 0),
    meta_path        TEXT,
    meta_sha256      TEXT CHECK (meta_sha256 IS NULL OR length(meta_sha256) = 64),
    format           TEXT NOT NULL,
    sample_rate_hz   REAL,
    center_freq_hz   REAL,
    -- Time of the first sample from the recording itself (SigMF core:datetime); NULL when the
    -- recording does not say, and then every time of the run is processing time.
    recorded_unix_ms INTEGER,
    sensor_id        TEXT,
    sensor_lat_deg   REAL CHECK (sensor_lat_deg BETWEEN -90 AND 90),
    sensor_lon_deg   REAL CHECK (sensor_lon_deg BETWEEN -180 AND 180),
    metadata_json    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata_json))
);
CREATE INDEX recordings_run ON recordings (run_id);
CREATE INDEX recordings_sha256 ON recordings (sha256);

-- Sightings imported from other sensors (the watch-list). The sighting itself is kept as the
-- JSON the share crate parsed (identity, SI fingerprint, time window, position, source), so a
-- new field never needs a schema change; uuid makes a re-import of the same file a no-op.
CREATE TABLE shared_sightings (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    format             TEXT NOT NULL CHECK (format IN ('misp', 'stix')),
    source             TEXT NOT NULL,
    imported_unix_ms   INTEGER NOT NULL,
    import_file        TEXT,
    import_file_sha256 TEXT,
    sighting_json      TEXT NOT NULL CHECK (json_valid(sighting_json))
);
"#;

/// Version 4: what a streaming session records as it goes: how much signal it read and lost
/// (so a run killed half-way still says how far it got), and every live alert with its latency.
const V4: &str = r#"
ALTER TABLE runs ADD COLUMN samples_read INTEGER NOT NULL DEFAULT 0 CHECK (samples_read >= 0);
ALTER TABLE runs ADD COLUMN samples_dropped INTEGER NOT NULL DEFAULT 0
    CHECK (samples_dropped >= 0);
ALTER TABLE runs ADD COLUMN signal_seconds REAL NOT NULL DEFAULT 0;

CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id          INTEGER NOT NULL REFERENCES cells (id),
    time_unix_ms     INTEGER NOT NULL,
    previous_level   TEXT NOT NULL CHECK (previous_level IN ('clean', 'suspicious', 'likely_fake')),
    level            TEXT NOT NULL CHECK (level IN ('clean', 'suspicious', 'likely_fake')),
    score            REAL NOT NULL,
    rules_json       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rules_json)),
    -- Signal time from the cell's first burst to the alert, ms.
    latency_ms       INTEGER
);
CREATE INDEX alerts_run ON alerts (run_id, time_unix_ms);
CREATE INDEX alerts_cell ON alerts (cell_id);
"#;

/// Ordered migration scripts; `MIGRATIONS[i]` upgrades version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// Schema version this build writes and the newest it can read.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// `PRAGMA user_version` of the open file.
pub fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative schema version {v}")))
}

/// Apply migrations until the file is at `target` (used with `SCHEMA_VERSION` by `Store::open`;
/// tests stop earlier to build old files).
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let target = target.min(SCHEMA_VERSION);
    loop {
        // IMMEDIATE takes the write lock before reading the version, so two processes opening
        // the same old file migrate it once, one after the other.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        if current >= target {
            return Ok(());
        }
        let version = current + 1;
        let script = MIGRATIONS
            .get(current as usize)
            .ok_or_else(|| StoreError::Migration {
                version,
                reason: "no script".to_string(),
            })?;
        let fail = |e: rusqlite::Error| StoreError::Migration {
            version,
            reason: e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        };
        if current == 0 {
            tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))
                .map_err(fail)?;
        }
        tx.execute_batch(script).map_err(fail)?;
        tx.execute_batch(&format!("PRAGMA user_version = {version};"))
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
}
