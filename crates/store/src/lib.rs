//! SQLite store for cellsentry runs, cells, observations and detections.
//!
//! One file holds every run a sensor made: which cells it saw, how strong they were over time,
//! every broadcast message (raw bytes always, decoded JSON when known), what the detector
//! concluded and why. The file must stay consistent when the sensor is killed mid-write, so all
//! writes of one pipeline step go through [`Store::write_batch`], one transaction, committed
//! whole or not at all (WAL journal, `synchronous=NORMAL`: a committed batch survives a process
//! crash; a power cut may lose the last few batches but never corrupts the file).
//!
//! This crate knows no other cellsentry crate; the CLI maps receiver and detector types into
//! the plain row types of [`types`].
//!
//! ```no_run
//! use cellsentry_store::*;
//! # fn main() -> Result<(), StoreError> {
//! let mut store = Store::open("cellsentry.db", &StoreOptions::default())?;
//! let run = store.begin_run(&NewRun::new(RunKind::Replay, "capture.cfile", 1_700_000_000_000))?;
//! store.write_batch(|tx| {
//!     let key = CellKey::Gsm(GsmCellKey {
//!         mcc: None, mnc: None, lac: None, ci: None, arfcn: 62, bsic: Some(7),
//!     });
//!     let cell = tx.upsert_cell(&key, 1_700_000_000_500)?;
//!     tx.observation(&NewObservation {
//!         run_id: run, cell_id: cell, time_unix_ms: 1_700_000_000_500, freq_hz: 947.4e6,
//!         channel_number: Some(62), power_dbfs: -31.5, power_dbm: None, snr_db: Some(18.0),
//!         freq_offset_hz: Some(120.0), freq_offset_ppm: Some(0.127), blocks_ok: 10,
//!         blocks_failed: 0, lat_deg: None, lon_deg: None, summary: serde_json::json!({}),
//!     })?;
//!     Ok(())
//! })?;
//! store.finish_run(run, RunStatus::Completed, 1_700_000_060_000)?;
//! # Ok(()) }
//! ```

mod batch;
mod custody;
mod error;
mod identity;
mod query;
pub mod schema;
mod sensor;
pub mod types;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use batch::Batch;
pub use custody::{
    ImportCounts, NewRecording, NewSharedSighting, RecordingRow, ShareFormat, SharedSightingRow,
};
pub use error::StoreError;
pub use schema::SCHEMA_VERSION;
pub use sensor::SensorIdentity;
pub use types::*;

/// How to open a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Also keep paged IMSI/TMSI in clear text (personal data: off unless the user asked).
    pub store_identities_clear: bool,
    /// How long a write waits for another process's lock before failing with `Busy`.
    pub busy_timeout_ms: u32,
    /// Create the file if it does not exist (otherwise a missing file is an `Io` error).
    pub create_if_missing: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            store_identities_clear: false,
            busy_timeout_ms: 5_000,
            create_if_missing: true,
        }
    }
}

/// An open cellsentry database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<String>,
    salt: Vec<u8>,
    store_identities_clear: bool,
}

impl Store {
    /// Open (creating and migrating as needed) the store at `path`.
    ///
    /// Errors: [`StoreError::NotADatabase`] for a non-SQLite file, [`StoreError::NotCellsentry`]
    /// for another program's database, [`StoreError::NewerSchema`] for a file written by a newer
    /// cellsentry (left untouched), [`StoreError::Io`] when it cannot be opened.
    pub fn open(path: impl AsRef<Path>, options: &StoreOptions) -> Result<Store, StoreError> {
        let path_ref = path.as_ref();
        let shown = path_ref.display().to_string();
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if options.create_if_missing {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path_ref, flags)
            .map_err(|e| StoreError::from(e).at_path(&shown))?;
        Self::setup(conn, Some(shown.clone()), options, true).map_err(|e| e.at_path(&shown))
    }

    /// A private in-memory store (tests, dry runs); gone when dropped.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::open_in_memory_with(&StoreOptions::default())
    }

    /// [`Store::open_in_memory`] with options.
    pub fn open_in_memory_with(options: &StoreOptions) -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, None, options, false)
    }

    fn setup(
        mut conn: Connection,
        path: Option<String>,
        options: &StoreOptions,
        wal: bool,
    ) -> Result<Store, StoreError> {
        let shown = path.clone().unwrap_or_else(|| ":memory:".to_string());
        conn.busy_timeout(Duration::from_millis(u64::from(options.busy_timeout_ms)))?;
        // Reading the header first: a text file fails here with NOTADB, and a foreign or newer
        // file is refused before anything (even the journal mode) is written to it.
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version = schema::user_version(&conn)?;
        if app_id != schema::APPLICATION_ID {
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if app_id != 0 || version != 0 || tables != 0 {
                return Err(StoreError::NotCellsentry {
                    path: shown,
                    reason: format!(
                        "application_id {app_id:#x}, user_version {version}, {tables} schema objects"
                    ),
                });
            }
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: shown,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if wal {
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Io(format!(
                    "cannot switch to WAL journal (got {mode})"
                )));
            }
        }
        // foreign_keys is a no-op inside a transaction: set it before any migration runs.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        schema::migrate_to(&mut conn, SCHEMA_VERSION)?;
        let salt_hex: String = conn.query_row(
            "SELECT value FROM meta WHERE key = 'identity_salt'",
            [],
            |r| r.get(0),
        )?;
        let salt = types::hex_bytes::decode(&salt_hex)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| StoreError::Corrupt("identity salt is not hex".to_string()))?;
        Ok(Store {
            conn,
            path,
            salt,
            store_identities_clear: options.store_identities_clear,
        })
    }

    /// File the store was opened from (`None` in memory).
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Schema version of the open file (always [`SCHEMA_VERSION`] after `open`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::user_version(&self.conn)
    }

    /// Salted SHA-256 of a subscriber identity, 64 lower-case hex digits. The salt is per
    /// database, so the same IMSI hashes equal within one store (for counting) and differently
    /// across stores.
    pub fn hash_identity(&self, identity: &str) -> String {
        identity::hash_identity(&self.salt, identity)
    }

    /// Whether this handle writes identities in clear text too.
    pub fn stores_identities_clear(&self) -> bool {
        self.store_identities_clear
    }

    /// Record the start of a run (status `running`).
    pub fn begin_run(&self, run: &NewRun) -> Result<RunId, StoreError> {
        batch::insert_run(&self.conn, run)
    }

    /// Close a run with its final status and end time.
    pub fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        ended_unix_ms: i64,
    ) -> Result<(), StoreError> {
        batch::finish_run(&self.conn, run, status, ended_unix_ms)
    }

    /// Mark every run still `running` as `interrupted` (its writer died). Call only when no
    /// other process is writing to this store. Returns how many runs were changed.
    pub fn mark_running_runs_interrupted(&self) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
            [],
        )?)
    }

    /// Delete a run and everything recorded in it (cells stay: other runs may share them).
    pub fn delete_run(&self, run: RunId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM runs WHERE id = ?1", [run.0])?
            > 0)
    }

    /// Find or create the cell with this exact key; widens its first/last seen to `time_unix_ms`.
    pub fn upsert_cell(&self, key: &CellKey, time_unix_ms: i64) -> Result<CellId, StoreError> {
        batch::upsert_cell(&self.conn, key, time_unix_ms)
    }

    /// Set or clear a cell's label.
    pub fn set_cell_label(&self, cell: CellId, label: Option<&str>) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE cells SET label = ?2 WHERE id = ?1",
            rusqlite::params![cell.0, label],
        )?;
        if n == 0 {
            return Err(StoreError::Constraint(format!("no cell with id {cell}")));
        }
        Ok(())
    }

    /// Move everything recorded for cell `from` onto cell `into` and delete `from`, in one
    /// transaction. For when a cell first stored by channel and BSIC/PCI alone later turns out
    /// (once its system information is decoded) to be a known cell.
    pub fn merge_cells(&mut self, from: CellId, into: CellId) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        batch::merge_cells(&tx, from, into)?;
        tx.commit()?;
        Ok(())
    }

    /// Run `f` in one transaction: everything it writes is committed together if it returns
    /// `Ok`, and nothing is if it returns `Err` (or a write fails). The store stays usable
    /// after a failed batch.
    pub fn write_batch<T, F>(&mut self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Batch<'_>) -> Result<T, StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch::new(tx, &self.salt, self.store_identities_clear);
        let value = f(&mut batch)?;
        batch.commit()?;
        Ok(value)
    }

    /// SQLite's `integrity_check` and `foreign_key_check` findings; empty when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign key: {} row {} -> {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests;
