//! The central schema and its migrations.
//!
//! Everything lives in the PostgreSQL schema `cellsentry`; `cellsentry.schema_migrations`
//! holds one row per applied version. `MIGRATIONS[i]` takes the database from version `i` to
//! `i + 1`. All pending scripts run in one transaction under an advisory lock, so sensors
//! starting at once migrate it once, and a failure leaves the previous version whole
//! (PostgreSQL DDL is transactional). Never edit a released script: append a new one.

use postgres::Client;

use crate::error::FleetError;

/// Ordered migration scripts (see `sql/`).
pub const MIGRATIONS: &[&str] = &[include_str!("../sql/v1.sql")];

/// Schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The SQL script that creates the least-privilege sensor and reader roles.
pub const ROLES_SQL: &str = include_str!("../sql/roles.sql");

/// Key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x4353_4e54_4d49_4752; // "CSNTMIGR"

/// Version of the central schema (0: none yet).
pub fn version(client: &mut Client) -> Result<i32, FleetError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('cellsentry.schema_migrations') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM cellsentry.schema_migrations",
            &[],
        )?
        .get(0))
}

/// Brings the schema to [`SCHEMA_VERSION`]; returns the versions applied (empty when current).
/// Needs the rights of the schema owner (CREATE on the database, PostGIS already installed or
/// installable).
pub fn migrate(client: &mut Client) -> Result<Vec<i32>, FleetError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS cellsentry;
         CREATE TABLE IF NOT EXISTS cellsentry.schema_migrations (
             version     integer PRIMARY KEY,
             applied_at  timestamptz NOT NULL DEFAULT now(),
             applied_by  name NOT NULL DEFAULT current_user,
             cellsentry  text NOT NULL
         );",
    )?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM cellsentry.schema_migrations",
            &[],
        )?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(FleetError::NewerSchema {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    let mut applied = Vec::new();
    for version in current + 1..=SCHEMA_VERSION {
        let script = MIGRATIONS[(version - 1) as usize];
        tx.batch_execute(script)
            .map_err(|e| match FleetError::from(e) {
                FleetError::Sql(m) | FleetError::Refused(m) => {
                    FleetError::Sql(format!("migration to version {version}: {m}"))
                }
                other => other,
            })?;
        tx.execute(
            "INSERT INTO cellsentry.schema_migrations (version, cellsentry) VALUES ($1, $2)",
            &[&version, &env!("CARGO_PKG_VERSION")],
        )?;
        applied.push(version);
    }
    tx.commit()?;
    Ok(applied)
}

/// Checks the schema is usable by this build, migrating it when behind and this role may;
/// a sensor role that may not gets [`FleetError::SchemaBehind`].
pub fn ensure_current(client: &mut Client) -> Result<(), FleetError> {
    let found = version(client)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if found > SCHEMA_VERSION {
        return Err(FleetError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    match migrate(client) {
        Ok(_) => Ok(()),
        Err(FleetError::Refused(reason)) | Err(FleetError::Sql(reason)) => {
            Err(FleetError::SchemaBehind {
                found,
                needed: SCHEMA_VERSION,
                reason,
            })
        }
        Err(other) => Err(other),
    }
}

/// Checks the schema can be read by this build (without migrating: readers may not).
pub fn check_readable(client: &mut Client) -> Result<(), FleetError> {
    let found = version(client)?;
    if found == 0 {
        return Err(FleetError::SchemaBehind {
            found,
            needed: SCHEMA_VERSION,
            reason: "no cellsentry schema in this database".to_string(),
        });
    }
    if found > SCHEMA_VERSION {
        return Err(FleetError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}
