//! SQLite store for cellsentry runs, cells, observations and detections.
//!
//! One file holds every run a sensor made: which cells it saw, how strong they were over time,
//! every broadcast message (raw bytes always, decoded JSON when known), what the detector
//! concluded and why. The file must stay consistent when the sensor is killed mid-write, so all
//! writes of one pipeline step go through [`Store::write_batch`], one transaction, committed
//! whole or not at all (WAL journal, `synchronous=NORMAL`: a committed batch survives a process
//! crash; a power cut may lose the last few batches but never corrupts the file).
//!
//! This crate knows only the shared vocabulary (`cellsentry-model`: cell keys, RAT, severity,
//! verdict level); the pipeline maps observations and verdicts into the plain row types of
//! [`types`].
//!
//! ```no_run
//! use cellsentry_store::*;
//! # fn main() -> Result<(), StoreError> {
//! let mut store = Store::open("cellsentry.db", &StoreOptions::default())?;
//! let run = store.begin_run(&NewRun::new(RunKind::Replay, "capture.cfile", 1_700_000_000_000))?;
//! store.write_batch(|tx| {
//!     let mut key = CellKey::new(Rat::Gsm);
//!     key.channel = Some(62);
//!     key.bsic_pci = Some(7);
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
    /// Open for reading only (reports, exports): works on read-only media and never changes
    /// the file, so it is not migrated either (an older schema is refused). Writes fail.
    pub read_only: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            store_identities_clear: false,
            busy_timeout_ms: 5_000,
            create_if_missing: true,
            read_only: false,
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
    /// cellsentry (left untouched), [`StoreError::ReadOnly`] when a writable store was asked for
    /// but the file or its folder cannot be written, [`StoreError::Io`] when it cannot be opened.
    pub fn open(path: impl AsRef<Path>, options: &StoreOptions) -> Result<Store, StoreError> {
        let path_ref = path.as_ref();
        let shown = path_ref.display().to_string();
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if options.read_only {
            flags |= OpenFlags::SQLITE_OPEN_READ_ONLY;
        } else {
            flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
            if options.create_if_missing {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            }
        }
        let conn = Connection::open_with_flags(path_ref, flags).map_err(|e| {
            let e = StoreError::from(e).at_path(&shown);
            read_only_cause(path_ref, e)
        })?;
        // SQLite silently falls back to read-only when the file cannot be written; a writer
        // must learn that now, in one clear line, not at its first write.
        if !options.read_only && conn.is_readonly(rusqlite::DatabaseName::Main)? {
            return Err(StoreError::ReadOnly {
                path: shown,
                reason: write_refusal(path_ref),
            });
        }
        let opened = match Self::setup(conn, Some(shown.clone()), options, !options.read_only) {
            // A WAL store on read-only media, cleanly closed (no journal left): SQLite cannot
            // create the shared-memory index beside it, but nothing can change the file
            // either, so it is read as immutable.
            Err(StoreError::Io(m))
                if options.read_only
                    && m.contains("unable to open")
                    && on_read_only_media(path_ref) =>
            {
                let conn = open_immutable(path_ref, flags)?;
                Self::setup(conn, Some(shown.clone()), options, false)
            }
            other => other,
        };
        opened.map_err(|e| read_only_cause(path_ref, e.at_path(&shown)))
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
        match Self::setup_inner(&mut conn, path.as_deref(), options, wal) {
            Ok(salt) => Ok(Store {
                conn,
                path,
                salt,
                store_identities_clear: options.store_identities_clear,
            }),
            Err(e) => Err(error::explain_io(&conn, path.as_deref(), e)),
        }
    }

    /// Checks, migrates and configures a freshly opened connection; returns the identity salt.
    fn setup_inner(
        conn: &mut Connection,
        path: Option<&str>,
        options: &StoreOptions,
        wal: bool,
    ) -> Result<Vec<u8>, StoreError> {
        let shown = path.unwrap_or(":memory:").to_string();
        conn.busy_timeout(Duration::from_millis(u64::from(options.busy_timeout_ms)))?;
        // Reading the header first: a text file fails here with NOTADB, and a foreign or newer
        // file is refused before anything (even the journal mode) is written to it.
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version = schema::user_version(conn)?;
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
        if !options.read_only {
            // A writer appends at the right edge of its tables and indexes, so a small page
            // cache costs it little; SQLite's default (2 MB) filled over the first hour of a
            // live run and was most of the sensor's memory growth in the soak.
            conn.execute_batch("PRAGMA cache_size = -512;")?;
        }
        if options.read_only {
            if version < SCHEMA_VERSION {
                return Err(StoreError::Migration {
                    version: version + 1,
                    reason: format!(
                        "{shown} is at schema version {version} and was opened read-only; \
                         open it once for writing to upgrade it"
                    ),
                });
            }
        } else {
            schema::migrate_to(conn, SCHEMA_VERSION)?;
        }
        let salt_hex: String = conn.query_row(
            "SELECT value FROM meta WHERE key = 'identity_salt'",
            [],
            |r| r.get(0),
        )?;
        types::hex_bytes::decode(&salt_hex)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| StoreError::Corrupt("identity salt is not hex".to_string()))
    }

    /// [`error::explain_io`] for this connection.
    fn explain(&self, e: StoreError) -> StoreError {
        error::explain_io(&self.conn, self.path.as_deref(), e)
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
        batch::insert_run(&self.conn, run).map_err(|e| self.explain(e))
    }

    /// Close a run with its final status and end time.
    pub fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        ended_unix_ms: i64,
    ) -> Result<(), StoreError> {
        batch::finish_run(&self.conn, run, status, ended_unix_ms).map_err(|e| self.explain(e))
    }

    /// Mark every run still `running` as `interrupted` (its writer died). Call only when no
    /// other process is writing to this store. Returns how many runs were changed.
    pub fn mark_running_runs_interrupted(&self) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
                [],
            )
            .map_err(|e| self.explain(e.into()))
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
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            batch::merge_cells(&tx, from, into)?;
            tx.commit()?;
            Ok(())
        })();
        result.map_err(|e| self.explain(e))
    }

    /// Run `f` in one transaction: everything it writes is committed together if it returns
    /// `Ok`, and nothing is if it returns `Err` (or a write fails). The store stays usable
    /// after a failed batch.
    pub fn write_batch<T, F>(&mut self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Batch<'_>) -> Result<T, StoreError>,
    {
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut batch = Batch::new(tx, &self.salt, self.store_identities_clear);
            let value = f(&mut batch)?;
            batch.commit()?;
            Ok(value)
        })();
        result.map_err(|e| {
            let e = self.explain(e);
            if matches!(e, StoreError::DiskFull(_)) {
                self.release_journal_space();
            }
            e
        })
    }

    /// After a batch failed for lack of space, moves the committed journal into the database
    /// file and truncates the journal, returning the space the failed batch's pages took, so
    /// that the caller can still close its run as failed.
    fn release_journal_space(&self) {
        // Best effort: on a disk with no room at all this fails too, and the run stays
        // `running` (readers see it as unfinished); nothing committed is affected either way.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
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

/// True when `path` is a file that cannot be written and has no WAL journal beside it.
fn on_read_only_media(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let no_journal = std::fs::metadata(&wal).map_or(true, |m| m.len() == 0);
    no_journal && path.is_file() && std::fs::OpenOptions::new().append(true).open(path).is_err()
}

/// Opens `path` with SQLite's `immutable=1` URI parameter (no locks, no journal files).
fn open_immutable(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in absolute.as_os_str().as_encoded_bytes() {
        // Reserved URI characters and non-ASCII bytes are percent-encoded (SQLite decodes them).
        match b {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(*b)),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// Why `path` cannot be written, as the operating system puts it.
fn write_refusal(path: &Path) -> String {
    match std::fs::OpenOptions::new().append(true).open(path) {
        Err(e) => e.to_string(),
        // The file is writable: its folder is not (SQLite needs it for the journal).
        Ok(_) => match path.parent().map(tempfile_probe) {
            Some(Err(e)) => format!("its folder: {e}"),
            _ => "SQLite opened it read-only".to_string(),
        },
    }
}

/// Whether a file can be created in `dir` (removed again at once).
fn tempfile_probe(dir: &Path) -> std::io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let probe = dir.join(format!(".cellsentry-write-probe-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// An open that failed with a vague "unable to open" on an existing file that cannot be
/// written (read-only file system or permissions) says so instead.
fn read_only_cause(path: &Path, err: StoreError) -> StoreError {
    let cannot_open = matches!(&err, StoreError::Io(m) if m.contains("unable to open"));
    if !cannot_open || !path.is_file() {
        return err;
    }
    let reason = write_refusal(path);
    if reason == "SQLite opened it read-only" {
        return err;
    }
    StoreError::ReadOnly {
        path: path.display().to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests;
