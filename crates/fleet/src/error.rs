//! Fleet errors: one line each, never carrying the connection string or its password.
//!
//! PostgreSQL client errors are turned into text here, once, through [`redact`], so no caller
//! can print a raw error that might echo a secret.

use cellsentry_store::StoreError;

/// Everything that can go wrong between a sensor database and the central database.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The connection string (or the file or variable it comes from) is missing or malformed.
    #[error("central database settings: {0}")]
    Config(String),
    /// The server cannot be reached, refused the login, or the TLS handshake failed.
    #[error("cannot connect to the central database: {0}")]
    Connect(String),
    /// The connection dropped or the server went away in the middle of the work.
    #[error("central database connection lost: {0}")]
    ConnectionLost(String),
    /// The central schema is older than this build and this role may not migrate it.
    #[error(
        "central schema is at version {found}, this cellsentry needs {needed}; \
         the database owner must run `cellsentry fleet migrate` ({reason})"
    )]
    SchemaBehind {
        /// Version found on the server (0: no cellsentry schema).
        found: i32,
        /// Version this build writes.
        needed: i32,
        /// Why the automatic migration did not happen.
        reason: String,
    },
    /// The central schema was written by a newer cellsentry.
    #[error(
        "central schema version {found} is newer than this build supports ({supported}); \
         upgrade cellsentry"
    )]
    NewerSchema {
        /// Version on the server.
        found: i32,
        /// Newest version this build knows.
        supported: i32,
    },
    /// The server refused the data (a sensor owned by another role, a run that changed
    /// identity, a row that breaks a constraint).
    #[error("central database refused the sync: {0}")]
    Refused(String),
    /// A query failed for another reason.
    #[error("central database error: {0}")]
    Sql(String),
    /// A filter or option value is not usable (bad time, bad bounding box).
    #[error("{0}")]
    InvalidInput(String),
    /// Reading the sensor's SQLite database failed.
    #[error("sensor database: {0}")]
    Sensor(String),
    /// The store crate refused to open the sensor database.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FleetError {
    /// Whether retrying on a fresh connection may succeed (the sync resumes where the server
    /// says it stopped).
    pub fn is_transient(&self) -> bool {
        matches!(self, FleetError::ConnectionLost(_) | FleetError::Connect(_))
    }
}

/// The text of a client error, without anything that could be a secret: `postgres` errors do
/// not include the configuration, but a server message might quote what it was sent, so any
/// `password=...` or `user:pass@` fragment is cut out all the same.
pub fn redact(text: &str) -> String {
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // key=value form.
    let mut from = 0;
    loop {
        let lower = out.to_ascii_lowercase();
        let Some(rel) = lower[from..].find("password=") else {
            break;
        };
        let i = from + rel + "password=".len();
        let end = out[i..]
            .find([' ', '&', '\'', '"'])
            .map_or(out.len(), |e| i + e);
        out.replace_range(i..end, "(hidden)");
        from = i + "(hidden)".len();
    }
    // URL form: scheme://user:secret@host
    if let Some(s) = out.find("://") {
        if let Some(at_rel) = out[s + 3..].find('@') {
            let userinfo = &out[s + 3..s + 3 + at_rel];
            if let Some(colon) = userinfo.find(':') {
                if !userinfo.contains(' ') {
                    let start = s + 3 + colon + 1;
                    out.replace_range(start..s + 3 + at_rel, "(hidden)");
                }
            }
        }
    }
    out
}

/// SQLSTATE classes of a lost connection or a server going down (PostgreSQL appendix A):
/// 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
/// now; and the two a retry resolves, deadlock (40P01) and serialization failure (40001).
fn transient_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "40P01" | "40001")
}

impl From<postgres::Error> for FleetError {
    fn from(e: postgres::Error) -> Self {
        let text = redact(&e.to_string());
        if e.is_closed() {
            return FleetError::ConnectionLost(text);
        }
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let msg = redact(&format!("{} ({})", db.message(), code));
            if transient_code(code) {
                return FleetError::ConnectionLost(msg);
            }
            // P0001: raised by our own ingest functions; 23xxx: integrity; 42501: privilege.
            if code == "P0001" || code.starts_with("23") || code == "42501" {
                return FleetError::Refused(msg);
            }
            if code.starts_with("22") {
                return FleetError::InvalidInput(msg);
            }
            return FleetError::Sql(msg);
        }
        // No server error attached: an I/O failure on the socket.
        if std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) {
            return FleetError::ConnectionLost(text);
        }
        FleetError::Sql(text)
    }
}

impl From<rusqlite::Error> for FleetError {
    fn from(e: rusqlite::Error) -> Self {
        FleetError::Sensor(redact(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_in_both_forms() {
        assert_eq!(
            redact("host=db password=s3cret user=x"),
            "host=db password=(hidden) user=x"
        );
        assert_eq!(
            redact("postgresql://sensor:s3cret@db.example/fleet"),
            "postgresql://sensor:(hidden)@db.example/fleet"
        );
        assert_eq!(redact("no secret\nhere"), "no secret here");
        assert!(!redact("a PASSWORD=x b password=y").contains('y'));
    }
}
