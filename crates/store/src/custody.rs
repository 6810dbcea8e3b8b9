//! Chain of custody and the watch-list: which recordings (by SHA-256) a run read, and the
//! sightings other sensors shared that this store imported.
//!
//! Kept apart from the per-run pipeline writers: a recording row is written once per run, an
//! import is one transaction of its own (a malformed file leaves nothing behind).

use rusqlite::types::Type;
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::StoreError;
use crate::types::RunId;
use crate::Store;

/// One recording a run read (`Store::add_recording`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRecording {
    /// Run that read it.
    pub run_id: RunId,
    /// Path of the sample data as given to the program.
    pub path: String,
    /// SHA-256 of the sample data file, 64 lower-case hex digits.
    pub sha256: String,
    /// Size of the sample data file.
    pub size_bytes: u64,
    /// SigMF metadata file beside it, if any.
    pub meta_path: Option<String>,
    /// SHA-256 of the metadata file.
    pub meta_sha256: Option<String>,
    /// Sample format as stored ("ci16_le", "cu8", ...).
    pub format: String,
    /// Sample rate.
    pub sample_rate_hz: Option<f64>,
    /// Centre frequency.
    pub center_freq_hz: Option<f64>,
    /// Time of the first sample according to the recording (SigMF `core:datetime`); `None`
    /// when unknown.
    pub recorded_unix_ms: Option<i64>,
    /// Sensor that made the recording, when the recording says.
    pub sensor_id: Option<String>,
    /// Sensor latitude, when the recording says.
    pub sensor_lat_deg: Option<f64>,
    /// Sensor longitude.
    pub sensor_lon_deg: Option<f64>,
    /// Other metadata worth keeping (hardware, author, description).
    pub metadata: Value,
}

/// A stored recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingRow {
    /// Row id.
    pub id: i64,
    /// Everything written.
    #[serde(flatten)]
    pub recording: NewRecording,
}

/// Formats of shared sightings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareFormat {
    /// MISP core format event.
    Misp,
    /// STIX 2.1 bundle.
    Stix,
}

impl ShareFormat {
    /// Word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareFormat::Misp => "misp",
            ShareFormat::Stix => "stix",
        }
    }
}

/// A sighting imported from another sensor (`Store::import_sightings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSharedSighting {
    /// Stable id of the sighting in its source format (MISP object uuid, STIX sighting id).
    pub uuid: String,
    /// Format it came in.
    pub format: ShareFormat,
    /// Who shared it (organisation and/or sensor), for the evidence of a match.
    pub source: String,
    /// File it was imported from.
    pub import_file: Option<String>,
    /// SHA-256 of that file.
    pub import_file_sha256: Option<String>,
    /// The parsed sighting (the share crate's type), as JSON.
    pub sighting: Value,
}

/// A stored shared sighting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedSightingRow {
    /// Row id.
    pub id: i64,
    /// Import time, ms since the Unix epoch.
    pub imported_unix_ms: i64,
    /// Everything written.
    #[serde(flatten)]
    pub sighting: NewSharedSighting,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// New sightings stored.
    pub added: usize,
    /// Sightings already in the store (same uuid), left as they were.
    pub already_known: usize,
}

fn json_col(r: &Row<'_>, idx: usize) -> rusqlite::Result<Value> {
    let s: String = r.get(idx)?;
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, e.into()))
}

fn recording_row(r: &Row<'_>) -> rusqlite::Result<RecordingRow> {
    Ok(RecordingRow {
        id: r.get(0)?,
        recording: NewRecording {
            run_id: RunId(r.get(1)?),
            path: r.get(2)?,
            sha256: r.get(3)?,
            size_bytes: r.get(4)?,
            meta_path: r.get(5)?,
            meta_sha256: r.get(6)?,
            format: r.get(7)?,
            sample_rate_hz: r.get(8)?,
            center_freq_hz: r.get(9)?,
            recorded_unix_ms: r.get(10)?,
            sensor_id: r.get(11)?,
            sensor_lat_deg: r.get(12)?,
            sensor_lon_deg: r.get(13)?,
            metadata: json_col(r, 14)?,
        },
    })
}

fn sighting_row(r: &Row<'_>) -> rusqlite::Result<SharedSightingRow> {
    let format: String = r.get(2)?;
    let format = match format.as_str() {
        "misp" => ShareFormat::Misp,
        "stix" => ShareFormat::Stix,
        other => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                2,
                Type::Text,
                format!("unknown share format {other:?}").into(),
            ))
        }
    };
    Ok(SharedSightingRow {
        id: r.get(0)?,
        imported_unix_ms: r.get(4)?,
        sighting: NewSharedSighting {
            uuid: r.get(1)?,
            format,
            source: r.get(3)?,
            import_file: r.get(5)?,
            import_file_sha256: r.get(6)?,
            sighting: json_col(r, 7)?,
        },
    })
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// Records that `run` read this recording, and fills the run's sample rate and centre
    /// frequency from it where the run did not have them (replays learn them from the file).
    pub fn add_recording(&mut self, rec: &NewRecording) -> Result<i64, StoreError> {
        if !is_sha256(&rec.sha256) || rec.meta_sha256.as_deref().is_some_and(|s| !is_sha256(s)) {
            return Err(StoreError::Constraint(format!(
                "recording {}: SHA-256 must be 64 hex digits",
                rec.path
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO recordings (run_id, path, sha256, size_bytes, meta_path, meta_sha256,
                format, sample_rate_hz, center_freq_hz, recorded_unix_ms, sensor_id,
                sensor_lat_deg, sensor_lon_deg, metadata_json)
             VALUES (?1, ?2, lower(?3), ?4, ?5, lower(?6), ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                rec.run_id.0,
                rec.path,
                rec.sha256,
                rec.size_bytes,
                rec.meta_path,
                rec.meta_sha256,
                rec.format,
                rec.sample_rate_hz,
                rec.center_freq_hz,
                rec.recorded_unix_ms,
                rec.sensor_id,
                rec.sensor_lat_deg,
                rec.sensor_lon_deg,
                serde_json::to_string(&rec.metadata)?,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE runs SET sample_rate_hz = coalesce(sample_rate_hz, ?2),
                center_freq_hz = coalesce(center_freq_hz, ?3),
                host_lat_deg = coalesce(host_lat_deg, ?4),
                host_lon_deg = coalesce(host_lon_deg, ?5)
             WHERE id = ?1",
            params![
                rec.run_id.0,
                rec.sample_rate_hz,
                rec.center_freq_hz,
                rec.sensor_lat_deg,
                rec.sensor_lon_deg
            ],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Recordings read by one run, or by all runs, in insertion order.
    pub fn recordings(&self, run: Option<RunId>) -> Result<Vec<RecordingRow>, StoreError> {
        const COLS: &str = "id, run_id, path, sha256, size_bytes, meta_path, meta_sha256, format,
            sample_rate_hz, center_freq_hz, recorded_unix_ms, sensor_id, sensor_lat_deg,
            sensor_lon_deg, metadata_json";
        let mut out = Vec::new();
        match run {
            Some(run) => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {COLS} FROM recordings WHERE run_id = ?1 ORDER BY id"
                ))?;
                for row in stmt.query_map([run.0], recording_row)? {
                    out.push(row?);
                }
            }
            None => {
                let mut stmt = self
                    .conn
                    .prepare_cached(&format!("SELECT {COLS} FROM recordings ORDER BY id"))?;
                for row in stmt.query_map([], recording_row)? {
                    out.push(row?);
                }
            }
        }
        Ok(out)
    }

    /// Merges keys into a run's settings JSON (e.g. the command line that started it).
    pub fn merge_run_settings(&self, run: RunId, extra: &Value) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE runs SET settings_json = json_patch(settings_json, ?2) WHERE id = ?1",
            params![run.0, serde_json::to_string(extra)?],
        )?;
        if n == 0 {
            return Err(StoreError::Constraint(format!("no run with id {run}")));
        }
        Ok(())
    }

    /// Stores shared sightings, all or none: one transaction, so a file that fails half-way
    /// leaves the store as it was. A sighting whose uuid is already stored is left as it was.
    pub fn import_sightings(
        &mut self,
        sightings: &[NewSharedSighting],
        imported_unix_ms: i64,
    ) -> Result<ImportCounts, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut counts = ImportCounts::default();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO shared_sightings (uuid, format, source, imported_unix_ms,
                    import_file, import_file_sha256, sighting_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for s in sightings {
                let n = stmt.execute(params![
                    s.uuid,
                    s.format.as_str(),
                    s.source,
                    imported_unix_ms,
                    s.import_file,
                    s.import_file_sha256,
                    serde_json::to_string(&s.sighting)?,
                ])?;
                if n == 1 {
                    counts.added += 1;
                } else {
                    counts.already_known += 1;
                }
            }
        }
        tx.commit()?;
        Ok(counts)
    }

    /// Every imported sighting, oldest import first.
    pub fn shared_sightings(&self) -> Result<Vec<SharedSightingRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, uuid, format, source, imported_unix_ms, import_file, import_file_sha256,
                sighting_json FROM shared_sightings ORDER BY id",
        )?;
        let mut out = Vec::new();
        for row in stmt.query_map([], sighting_row)? {
            out.push(row?);
        }
        Ok(out)
    }

    /// The shared sighting with this uuid, if imported.
    pub fn shared_sighting(&self, uuid: &str) -> Result<Option<SharedSightingRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, uuid, format, source, imported_unix_ms, import_file,
                    import_file_sha256, sighting_json FROM shared_sightings WHERE uuid = ?1",
            )?
            .query_row([uuid], sighting_row)
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{NewRun, RunKind};
    use serde_json::json;

    fn recording(run: RunId) -> NewRecording {
        NewRecording {
            run_id: run,
            path: "x.sigmf-data".into(),
            sha256: "ab".repeat(32),
            size_bytes: 4096,
            meta_path: Some("x.sigmf-meta".into()),
            meta_sha256: Some("CD".repeat(32)),
            format: "ci16_le".into(),
            sample_rate_hz: Some(2e6),
            center_freq_hz: Some(947.4e6),
            recorded_unix_ms: Some(1_714_564_800_000),
            sensor_id: Some("van-3".into()),
            sensor_lat_deg: Some(51.5),
            sensor_lon_deg: Some(-0.12),
            metadata: json!({"hw": "hackrf"}),
        }
    }

    #[test]
    fn recording_fills_the_run_and_reads_back() {
        let mut store = Store::open_in_memory().unwrap();
        let run = store
            .begin_run(&NewRun::new(RunKind::Replay, "x.sigmf-meta", 1))
            .unwrap();
        store.add_recording(&recording(run)).unwrap();
        let rows = store.recordings(Some(run)).unwrap();
        assert_eq!(rows.len(), 1);
        // Hashes are stored lower-case whatever the writer passed.
        assert_eq!(
            rows[0].recording.meta_sha256.as_deref(),
            Some(&*"cd".repeat(32))
        );
        assert_eq!(rows[0].recording.recorded_unix_ms, Some(1_714_564_800_000));
        let r = store.run(run).unwrap().unwrap();
        assert_eq!(r.sample_rate_hz, Some(2e6));
        assert_eq!(r.center_freq_hz, Some(947.4e6));
        assert_eq!(r.host_lat_deg, Some(51.5));
        store
            .merge_run_settings(run, &json!({"command_line": ["cellsentry", "replay"]}))
            .unwrap();
        let r = store.run(run).unwrap().unwrap();
        assert_eq!(r.settings["command_line"][1], "replay");
        let mut bad = recording(run);
        bad.sha256 = "xyz".into();
        assert!(store.add_recording(&bad).is_err());
        assert_eq!(store.recordings(None).unwrap().len(), 1);
    }

    #[test]
    fn import_is_all_or_nothing_and_idempotent() {
        let mut store = Store::open_in_memory().unwrap();
        let s = |uuid: &str| NewSharedSighting {
            uuid: uuid.into(),
            format: ShareFormat::Misp,
            source: "Ofcom sensor 7".into(),
            import_file: Some("event.json".into()),
            import_file_sha256: None,
            sighting: json!({"rat": "gsm"}),
        };
        let c = store.import_sightings(&[s("a"), s("b")], 5).unwrap();
        assert_eq!((c.added, c.already_known), (2, 0));
        let c = store.import_sightings(&[s("b"), s("c")], 6).unwrap();
        assert_eq!((c.added, c.already_known), (1, 1));
        assert_eq!(store.shared_sightings().unwrap().len(), 3);
        assert_eq!(
            store.shared_sighting("a").unwrap().unwrap().sighting.source,
            "Ofcom sensor 7"
        );
    }
}
