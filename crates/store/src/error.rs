//! Store errors: one line each, sorted into the cases a caller acts on differently
//! (wrong file, too-new file, disk trouble, bad data) rather than raw SQLite codes.

use rusqlite::ffi::ErrorCode;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database (or is encrypted / badly damaged).
    #[error("{path}: not a database (not an SQLite file, or its header is damaged)")]
    NotADatabase {
        /// File opened.
        path: String,
    },
    /// An SQLite database written by some other program.
    #[error("{path}: an SQLite database but not a cellsentry store ({reason})")]
    NotCellsentry {
        /// File opened.
        path: String,
        /// What gave it away.
        reason: String,
    },
    /// Written by a newer cellsentry whose schema this build does not know.
    #[error(
        "{path}: store schema version {found} is newer than this build supports ({supported}); \
         upgrade cellsentry to read it"
    )]
    NewerSchema {
        /// File opened.
        path: String,
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// Applying a migration failed; the file is left at the previous version.
    #[error("migrating store to schema version {version} failed: {reason}")]
    Migration {
        /// Version being applied.
        version: u32,
        /// Why.
        reason: String,
    },
    /// The disk (or the SQLite size limit) is full; the batch was rolled back.
    #[error("store disk full: {0}")]
    DiskFull(String),
    /// The file cannot be opened, read or written.
    #[error("store I/O error: {0}")]
    Io(String),
    /// The file (or its folder, where SQLite keeps its journal) cannot be written: read-only
    /// media or mount, or no write permission.
    #[error("store is read-only ({reason}); cellsentry needs to write to its database")]
    ReadOnly {
        /// File opened.
        path: String,
        /// What the operating system said.
        reason: String,
    },
    /// Another process held the database locked for longer than the busy timeout.
    #[error("store busy: another process holds the lock ({0})")]
    Busy(String),
    /// A row broke a constraint (unknown run/cell id, bad enum text, duplicate).
    #[error("store constraint violated: {0}")]
    Constraint(String),
    /// The file's content is inconsistent (corrupt page, unknown enum word, bad blob size).
    #[error("store corrupt: {0}")]
    Corrupt(String),
    /// A value given by the caller cannot be stored (e.g. a number out of range).
    #[error("invalid value for the store: {0}")]
    InvalidInput(String),
    /// The caller's batch closure gave up (its own reason); the batch was rolled back.
    #[error("batch aborted: {0}")]
    Aborted(String),
    /// JSON (de)serialisation of a settings/evidence/decoded column failed.
    #[error("store JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// Any other SQLite error.
    #[error("sqlite error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let msg = one_line(&e.to_string());
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull(msg),
            Some(ErrorCode::SystemIoFailure)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::PermissionDenied)
            | Some(ErrorCode::FileLockingProtocolFailed) => StoreError::Io(msg),
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                StoreError::Busy(msg)
            }
            Some(ErrorCode::ConstraintViolation) => StoreError::Constraint(msg),
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(msg),
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path: msg },
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::InvalidColumnType(..) => StoreError::Corrupt(msg),
                other => StoreError::Sqlite(other),
            },
        }
    }
}

/// What the operating system reported for the last failed file operation of `conn`, when it
/// explains an I/O error better than SQLite's generic "disk I/O error": a full disk, a file
/// size limit (`ulimit -f`), a quota, or a read-only file system.
pub(crate) fn explain_io(
    conn: &rusqlite::Connection,
    path: Option<&str>,
    err: StoreError,
) -> StoreError {
    let vague = match &err {
        StoreError::Io(_) | StoreError::Migration { .. } | StoreError::DiskFull(_) => true,
        StoreError::Sqlite(e) => e.sqlite_error_code() == Some(ErrorCode::SystemIoFailure),
        _ => false,
    };
    if !vague {
        return err;
    }
    // SAFETY: `sqlite3_system_errno` only reads the connection's last OS error code; the
    // handle is valid for as long as `conn` is borrowed.
    let errno = unsafe { rusqlite::ffi::sqlite3_system_errno(conn.handle()) };
    if errno == 0 {
        return err;
    }
    let os = std::io::Error::from_raw_os_error(errno);
    const ENOSPC: i32 = 28;
    const EFBIG: i32 = 27;
    const EDQUOT: i32 = 122;
    const EROFS: i32 = 30;
    const EACCES: i32 = 13;
    const EPERM: i32 = 1;
    let msg = err.to_string();
    match errno {
        ENOSPC | EFBIG | EDQUOT => StoreError::DiskFull(match err {
            StoreError::DiskFull(m) => format!("{m} ({os})"),
            _ => format!("{} ({os})", msg.trim_start_matches("store I/O error: ")),
        }),
        EROFS | EACCES | EPERM => StoreError::ReadOnly {
            path: path.unwrap_or(":memory:").to_string(),
            reason: os.to_string(),
        },
        _ => err,
    }
}

/// SQLite messages may embed SQL text with newlines; the CLI prints errors on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl StoreError {
    /// Attach the file name to errors raised while opening it.
    pub(crate) fn at_path(self, path: &str) -> StoreError {
        match self {
            StoreError::NotADatabase { .. } => StoreError::NotADatabase {
                path: path.to_string(),
            },
            StoreError::Io(m) => StoreError::Io(format!("{path}: {m}")),
            StoreError::DiskFull(m) => StoreError::DiskFull(format!("{path}: {m}")),
            StoreError::Corrupt(m) => StoreError::Corrupt(format!("{path}: {m}")),
            other => other,
        }
    }
}
