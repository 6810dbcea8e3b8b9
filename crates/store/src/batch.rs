//! Writers: the transactional [`Batch`] and the single-statement writes shared with `Store`.
//!
//! Statements go through `prepare_cached`, so a pipeline writing thousands of observations and
//! messages per batch parses each SQL text once per connection.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::StoreError;
use crate::identity;
use crate::types::*;

/// Writes of one transaction, handed to the closure of [`crate::Store::write_batch`].
/// Nothing is visible to other connections until the closure returns `Ok`.
pub struct Batch<'a> {
    tx: Transaction<'a>,
    salt: &'a [u8],
    store_identities_clear: bool,
}

impl<'a> Batch<'a> {
    pub(crate) fn new(tx: Transaction<'a>, salt: &'a [u8], store_identities_clear: bool) -> Self {
        Batch {
            tx,
            salt,
            store_identities_clear,
        }
    }

    pub(crate) fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }

    /// Find or create the cell with this exact key; widens its first/last seen to `time_unix_ms`.
    pub fn upsert_cell(&mut self, key: &CellKey, time_unix_ms: i64) -> Result<CellId, StoreError> {
        upsert_cell(&self.tx, key, time_unix_ms)
    }

    /// Store one observation.
    pub fn observation(&mut self, o: &NewObservation) -> Result<ObservationId, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO observations (run_id, cell_id, time_unix_ms, freq_hz, channel_number,
                power_dbfs, power_dbm, snr_db, freq_offset_hz, freq_offset_ppm, blocks_ok,
                blocks_failed, lat_deg, lon_deg, summary_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        stmt.execute(params![
            o.run_id.0,
            o.cell_id.0,
            o.time_unix_ms,
            o.freq_hz,
            o.channel_number,
            o.power_dbfs,
            o.power_dbm,
            o.snr_db,
            o.freq_offset_hz,
            o.freq_offset_ppm,
            o.blocks_ok,
            o.blocks_failed,
            o.lat_deg,
            o.lon_deg,
            serde_json::to_string(&o.summary)?,
        ])?;
        Ok(ObservationId(self.tx.last_insert_rowid()))
    }

    /// Store one radio message (raw bytes always; decoded JSON or the reason it is missing).
    pub fn message(&mut self, m: &NewMessage) -> Result<MessageId, StoreError> {
        let decoded = m.decoded.as_ref().map(serde_json::to_string).transpose()?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO messages (run_id, cell_id, observation_id, time_unix_ms, frame_number,
                channel, message_type, raw, decoded_json, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        stmt.execute(params![
            m.run_id.0,
            m.cell_id.0,
            m.observation_id.map(|o| o.0),
            m.time_unix_ms,
            m.frame_number,
            m.channel,
            m.message_type,
            m.raw,
            decoded,
            m.error,
        ])?;
        Ok(MessageId(self.tx.last_insert_rowid()))
    }

    /// Store one detection.
    pub fn detection(&mut self, d: &NewDetection) -> Result<DetectionId, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO detections (run_id, cell_id, rule_id, rule_version, severity, score,
                time_unix_ms, summary, evidence_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        stmt.execute(params![
            d.run_id.0,
            d.cell_id.map(|c| c.0),
            d.rule_id,
            d.rule_version,
            d.severity.as_str(),
            d.score,
            d.time_unix_ms,
            d.summary,
            serde_json::to_string(&d.evidence)?,
        ])?;
        Ok(DetectionId(self.tx.last_insert_rowid()))
    }

    /// Store one verdict.
    pub fn verdict(&mut self, v: &NewVerdict) -> Result<VerdictId, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO verdicts (run_id, cell_id, level, score, time_unix_ms, rules_fired_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            v.run_id.0,
            v.cell_id.0,
            v.level.as_str(),
            v.score,
            v.time_unix_ms,
            serde_json::to_string(&v.rules_fired)?,
        ])?;
        Ok(VerdictId(self.tx.last_insert_rowid()))
    }

    /// Store one spectrum snapshot; returns its row id.
    pub fn spectrum(&mut self, s: &NewSpectrum) -> Result<i64, StoreError> {
        let mut blob = Vec::with_capacity(s.power_dbfs.len() * 4);
        for p in &s.power_dbfs {
            blob.extend_from_slice(&p.to_le_bytes());
        }
        let n_bins = i64::try_from(s.power_dbfs.len())
            .map_err(|_| StoreError::InvalidInput("too many spectrum bins".to_string()))?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO spectrum_snapshots (run_id, time_unix_ms, center_freq_hz, bin_spacing_hz,
                n_bins, power_dbfs_f32le)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            s.run_id.0,
            s.time_unix_ms,
            s.center_freq_hz,
            s.bin_spacing_hz,
            n_bins,
            blob,
        ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Store one channel power measurement; returns its row id.
    pub fn channel_power(&mut self, c: &NewChannelPower) -> Result<i64, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO channel_power (run_id, time_unix_ms, rat, band, channel_number, freq_hz,
                bandwidth_hz, power_dbfs, power_dbm)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        stmt.execute(params![
            c.run_id.0,
            c.time_unix_ms,
            c.rat.as_str(),
            c.band,
            c.channel_number,
            c.freq_hz,
            c.bandwidth_hz,
            c.power_dbfs,
            c.power_dbm,
        ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Count one paging message and the identities it carried. Identities are stored as salted
    /// hashes, plus clear text only if the store was opened with `store_identities_clear`.
    pub fn paging(&mut self, p: &PagingEvent) -> Result<(), StoreError> {
        let (mut imsi, mut tmsi, mut other) = (0i64, 0i64, 0i64);
        for id in &p.identities {
            if identity::canonical(&id.value).is_empty() {
                return Err(StoreError::InvalidInput(format!(
                    "empty {} in paging event",
                    id.kind
                )));
            }
            match id.kind {
                IdentityKind::Imsi => imsi += 1,
                IdentityKind::Tmsi => tmsi += 1,
                IdentityKind::Imei => other += 1,
            }
        }
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO paging_counts (run_id, cell_id, paging_messages, imsi_pages, tmsi_pages,
                other_pages, first_unix_ms, last_unix_ms)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (run_id, cell_id) DO UPDATE SET
                paging_messages = paging_messages + 1,
                imsi_pages = imsi_pages + excluded.imsi_pages,
                tmsi_pages = tmsi_pages + excluded.tmsi_pages,
                other_pages = other_pages + excluded.other_pages,
                first_unix_ms = min(first_unix_ms, excluded.first_unix_ms),
                last_unix_ms = max(last_unix_ms, excluded.last_unix_ms)",
        )?;
        stmt.execute(params![
            p.run_id.0,
            p.cell_id.0,
            imsi,
            tmsi,
            other,
            p.time_unix_ms
        ])?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO paging_identities (run_id, cell_id, kind, identity_hash, identity_clear,
                count, first_unix_ms, last_unix_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)
             ON CONFLICT (run_id, cell_id, kind, identity_hash) DO UPDATE SET
                count = count + 1,
                identity_clear = coalesce(excluded.identity_clear, identity_clear),
                first_unix_ms = min(first_unix_ms, excluded.first_unix_ms),
                last_unix_ms = max(last_unix_ms, excluded.last_unix_ms)",
        )?;
        for id in &p.identities {
            let hash = identity::hash_identity(self.salt, &id.value);
            let clear = self
                .store_identities_clear
                .then(|| id.value.trim().to_string());
            stmt.execute(params![
                p.run_id.0,
                p.cell_id.0,
                id.kind.as_str(),
                hash,
                clear,
                p.time_unix_ms
            ])?;
        }
        Ok(())
    }

    /// A live alert of this run.
    pub fn alert(&mut self, a: &NewAlert) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO alerts (run_id, cell_id, time_unix_ms, previous_level, level, score,
                    rules_json, latency_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                a.run_id.0,
                a.cell_id.0,
                a.time_unix_ms,
                a.previous_level.as_str(),
                a.level.as_str(),
                a.score,
                a.rules.to_string(),
                a.latency_ms,
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// How far a streaming run got: samples read and dropped, signal seconds covered.
    pub fn run_progress(
        &mut self,
        run: RunId,
        samples_read: u64,
        samples_dropped: u64,
        signal_seconds: f64,
    ) -> Result<(), StoreError> {
        let n = self.tx.execute(
            "UPDATE runs SET samples_read = ?2, samples_dropped = ?3, signal_seconds = ?4
             WHERE id = ?1",
            params![
                run.0,
                i64::try_from(samples_read).unwrap_or(i64::MAX),
                i64::try_from(samples_dropped).unwrap_or(i64::MAX),
                signal_seconds
            ],
        )?;
        if n == 0 {
            return Err(StoreError::Constraint(format!("no run with id {run}")));
        }
        Ok(())
    }

    /// Moves everything recorded for cell `from` onto cell `into` and deletes `from`, within
    /// this batch: a cell first stored by channel and BSIC/PCI whose system information later
    /// named it.
    pub fn merge_cells(&mut self, from: CellId, into: CellId) -> Result<(), StoreError> {
        merge_cells(&self.tx, from, into)
    }

    /// Salted hash of an identity, as [`crate::Store::hash_identity`].
    pub fn hash_identity(&self, identity: &str) -> String {
        identity::hash_identity(self.salt, identity)
    }
}

pub(crate) fn insert_run(conn: &Connection, run: &NewRun) -> Result<RunId, StoreError> {
    conn.execute(
        "INSERT INTO runs (started_unix_ms, kind, source, device, settings_json, sample_rate_hz,
            center_freq_hz, cellsentry_version, host_lat_deg, host_lon_deg, status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'running', ?11)",
        params![
            run.started_unix_ms,
            run.kind.as_str(),
            run.source,
            run.device,
            serde_json::to_string(&run.settings)?,
            run.sample_rate_hz,
            run.center_freq_hz,
            run.cellsentry_version,
            run.host_lat_deg,
            run.host_lon_deg,
            run.note,
        ],
    )?;
    Ok(RunId(conn.last_insert_rowid()))
}

pub(crate) fn finish_run(
    conn: &Connection,
    run: RunId,
    status: RunStatus,
    ended_unix_ms: i64,
) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE runs SET status = ?2, ended_unix_ms = ?3 WHERE id = ?1",
        params![run.0, status.as_str(), ended_unix_ms],
    )?;
    if n == 0 {
        return Err(StoreError::Constraint(format!("no run with id {run}")));
    }
    Ok(())
}

/// MCC/MNC are kept as digit strings as broadcast ("01" and "001" are different MNCs, TS
/// 23.003 2.2; a fake cell may send BCD nibbles A-F, kept as hex letters so the cell is stored
/// under the identity it claimed); anything else would also break the `|`-separated natural key.
fn check_digits(what: &str, v: Option<&str>) -> Result<(), StoreError> {
    match v {
        Some(s) if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_hexdigit()) => Err(
            StoreError::InvalidInput(format!("{what} must be 1-3 BCD digits, got {s:?}")),
        ),
        _ => Ok(()),
    }
}

/// Columns of `cells` for a key: (natural_key, mcc, mnc, area_code, cell_identity,
/// channel_number, phys_id).
type CellColumns<'k> = (
    String,
    Option<&'k str>,
    Option<&'k str>,
    Option<u32>,
    Option<u32>,
    u32,
    Option<u16>,
);

fn cell_columns(key: &CellKey) -> Result<CellColumns<'_>, StoreError> {
    let mcc = key.plmn.as_ref().map(|p| p.mcc.as_str());
    let mnc = key.plmn.as_ref().map(|p| p.mnc.as_str());
    check_digits("mcc", mcc)?;
    check_digits("mnc", mnc)?;
    // `channel_number` is NOT NULL: a receiver always knows where it listened, and a raw
    // recording of unknown frequency has always been stored on channel 0.
    let channel = key.channel.unwrap_or(0);
    let mut natural = key.clone();
    natural.channel = Some(channel);
    Ok((
        natural.natural_key(),
        mcc,
        mnc,
        key.lac_tac,
        key.cell_id,
        channel,
        key.bsic_pci,
    ))
}

pub(crate) fn upsert_cell(
    conn: &Connection,
    key: &CellKey,
    time_unix_ms: i64,
) -> Result<CellId, StoreError> {
    let (natural, mcc, mnc, area, identity, channel, phys) = cell_columns(key)?;
    // Look up first: the common case (a known cell seen again) then costs one indexed read and
    // one small update instead of an insert attempt.
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM cells WHERE natural_key = ?1")?
        .query_row([&natural], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        conn.prepare_cached(
            "UPDATE cells SET first_seen_unix_ms = min(first_seen_unix_ms, ?2),
                last_seen_unix_ms = max(last_seen_unix_ms, ?2)
             WHERE id = ?1 AND (first_seen_unix_ms > ?2 OR last_seen_unix_ms < ?2)",
        )?
        .execute(params![id, time_unix_ms])?;
        return Ok(CellId(id));
    }
    // ON CONFLICT covers another process inserting the same cell between our read and write
    // (possible when called outside a batch, in autocommit mode).
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO cells (rat, natural_key, mcc, mnc, area_code, cell_identity,
                channel_number, phys_id, first_seen_unix_ms, last_seen_unix_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
             ON CONFLICT (natural_key) DO UPDATE SET
                first_seen_unix_ms = min(first_seen_unix_ms, excluded.first_seen_unix_ms),
                last_seen_unix_ms = max(last_seen_unix_ms, excluded.last_seen_unix_ms)
             RETURNING id",
        )?
        .query_row(
            params![
                key.rat.as_str(),
                natural,
                mcc,
                mnc,
                area,
                identity,
                channel,
                phys,
                time_unix_ms
            ],
            |r| r.get(0),
        )?;
    Ok(CellId(id))
}

pub(crate) fn merge_cells(conn: &Connection, from: CellId, into: CellId) -> Result<(), StoreError> {
    if from == into {
        return Ok(());
    }
    let rat_of = |id: CellId| -> Result<String, StoreError> {
        conn.query_row("SELECT rat FROM cells WHERE id = ?1", [id.0], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Constraint(format!("no cell with id {id}")))
    };
    let (rat_from, rat_into) = (rat_of(from)?, rat_of(into)?);
    if rat_from != rat_into {
        return Err(StoreError::Constraint(format!(
            "cannot merge {rat_from} cell {from} into {rat_into} cell {into}"
        )));
    }
    for table in [
        "observations",
        "messages",
        "detections",
        "verdicts",
        "alerts",
    ] {
        conn.execute(
            &format!("UPDATE {table} SET cell_id = ?2 WHERE cell_id = ?1"),
            params![from.0, into.0],
        )?;
    }
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    conn.execute(
        "INSERT INTO paging_counts (run_id, cell_id, paging_messages, imsi_pages, tmsi_pages,
            other_pages, first_unix_ms, last_unix_ms)
         SELECT run_id, ?2, paging_messages, imsi_pages, tmsi_pages, other_pages, first_unix_ms,
            last_unix_ms FROM paging_counts WHERE cell_id = ?1 AND true
         ON CONFLICT (run_id, cell_id) DO UPDATE SET
            paging_messages = paging_messages + excluded.paging_messages,
            imsi_pages = imsi_pages + excluded.imsi_pages,
            tmsi_pages = tmsi_pages + excluded.tmsi_pages,
            other_pages = other_pages + excluded.other_pages,
            first_unix_ms = min(first_unix_ms, excluded.first_unix_ms),
            last_unix_ms = max(last_unix_ms, excluded.last_unix_ms)",
        params![from.0, into.0],
    )?;
    conn.execute(
        "INSERT INTO paging_identities (run_id, cell_id, kind, identity_hash, identity_clear,
            count, first_unix_ms, last_unix_ms)
         SELECT run_id, ?2, kind, identity_hash, identity_clear, count, first_unix_ms,
            last_unix_ms FROM paging_identities WHERE cell_id = ?1 AND true
         ON CONFLICT (run_id, cell_id, kind, identity_hash) DO UPDATE SET
            count = count + excluded.count,
            identity_clear = coalesce(identity_clear, excluded.identity_clear),
            first_unix_ms = min(first_unix_ms, excluded.first_unix_ms),
            last_unix_ms = max(last_unix_ms, excluded.last_unix_ms)",
        params![from.0, into.0],
    )?;
    conn.execute("DELETE FROM paging_counts WHERE cell_id = ?1", [from.0])?;
    conn.execute("DELETE FROM paging_identities WHERE cell_id = ?1", [from.0])?;
    conn.execute(
        "UPDATE cells SET
            first_seen_unix_ms = min(first_seen_unix_ms,
                (SELECT first_seen_unix_ms FROM cells WHERE id = ?1)),
            last_seen_unix_ms = max(last_seen_unix_ms,
                (SELECT last_seen_unix_ms FROM cells WHERE id = ?1)),
            label = coalesce(label, (SELECT label FROM cells WHERE id = ?1))
         WHERE id = ?2",
        params![from.0, into.0],
    )?;
    conn.execute("DELETE FROM cells WHERE id = ?1", [from.0])?;
    Ok(())
}
