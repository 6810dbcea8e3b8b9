//! One national picture: many cellsentry sensors synced into PostgreSQL + PostGIS.
//!
//! Each sensor keeps its own SQLite store (it must work offline in a car); `sync` pushes what
//! it recorded - runs, cells, observations with positions, raw and decoded messages,
//! detections, verdicts, paging counters - into a central database shared by the fleet,
//! exactly once however often it is interrupted. `report` reads the fleet's picture back:
//! each suspected blaster once, with every sensor that saw it, when and where. `baseline`
//! exports the cells the whole fleet agrees are legitimate as a detector baseline.
//!
//! The central schema (`sql/`) is versioned and migrated by [`schema`]; sensors write through
//! SECURITY DEFINER ingest functions so a least-privilege role (`sql/roles.sql`) suffices.
//! Connection strings are handled by [`conn`] and never printed.

pub mod baseline;
pub mod cluster;
pub mod conn;
mod error;
pub mod readings;
pub mod render;
pub mod report;
pub mod schema;
pub mod sync;
pub mod values;

pub use conn::{Source, Target, TlsMode, DEFAULT_ENV};
pub use error::{redact, FleetError};
pub use report::{CentralReport, ReportFilter};
pub use sync::{sync, Progress, SyncOptions, SyncReport, TableReport};
