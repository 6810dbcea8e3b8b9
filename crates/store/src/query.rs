//! Read side: the queries `cellsentry report` needs, returning the plain row types.
//!
//! Each run filter picks one of two SQL texts rather than `(?1 IS NULL OR run_id = ?1)`, which
//! would keep SQLite from using the `(run_id, ...)` indexes.

use std::str::FromStr;

use rusqlite::types::Type;
use rusqlite::{params_from_iter, OptionalExtension, Row, ToSql};
use serde_json::Value;

use crate::error::StoreError;
use crate::types::*;
use crate::Store;

/// A stored enum word back to its enum; a bad word is reported as corrupt data.
fn word<T>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = r.get(idx)?;
    T::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, e.into()))
}

fn json(r: &Row<'_>, idx: usize) -> rusqlite::Result<Value> {
    let s: String = r.get(idx)?;
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, e.into()))
}

fn opt_json(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Value>> {
    let s: Option<String> = r.get(idx)?;
    s.map(|s| {
        serde_json::from_str(&s)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, e.into()))
    })
    .transpose()
}

const RUN_COLS: &str = "id, started_unix_ms, ended_unix_ms, kind, source, device, settings_json,
    sample_rate_hz, center_freq_hz, cellsentry_version, host_lat_deg, host_lon_deg, status, note,
    samples_read, samples_dropped, signal_seconds";

fn run_row(r: &Row<'_>) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: RunId(r.get(0)?),
        started_unix_ms: r.get(1)?,
        ended_unix_ms: r.get(2)?,
        kind: word(r, 3)?,
        source: r.get(4)?,
        device: r.get(5)?,
        settings: json(r, 6)?,
        sample_rate_hz: r.get(7)?,
        center_freq_hz: r.get(8)?,
        cellsentry_version: r.get(9)?,
        host_lat_deg: r.get(10)?,
        host_lon_deg: r.get(11)?,
        status: word(r, 12)?,
        note: r.get(13)?,
        samples_read: r.get::<_, i64>(14)?.max(0) as u64,
        samples_dropped: r.get::<_, i64>(15)?.max(0) as u64,
        signal_seconds: r.get(16)?,
    })
}

const ALERT_COLS: &str =
    "id, run_id, cell_id, time_unix_ms, previous_level, level, score, rules_json, latency_ms";

fn alert_row(r: &Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        run_id: RunId(r.get(1)?),
        cell_id: CellId(r.get(2)?),
        time_unix_ms: r.get(3)?,
        previous_level: word(r, 4)?,
        level: word(r, 5)?,
        score: r.get(6)?,
        rules: json(r, 7)?,
        latency_ms: r.get(8)?,
    })
}

const CELL_COLS: &str = "id, rat, mcc, mnc, area_code, cell_identity, channel_number, phys_id,
    first_seen_unix_ms, last_seen_unix_ms, label";

fn cell_row(r: &Row<'_>) -> rusqlite::Result<CellRow> {
    let rat: Rat = word(r, 1)?;
    let mcc: Option<String> = r.get(2)?;
    let mnc: Option<String> = r.get(3)?;
    let key = CellKey {
        rat,
        plmn: mcc.zip(mnc).map(|(mcc, mnc)| Plmn::broadcast(mcc, mnc)),
        lac_tac: r.get(4)?,
        cell_id: r.get(5)?,
        channel: r.get(6)?,
        bsic_pci: r.get(7)?,
    };
    Ok(CellRow {
        id: CellId(r.get(0)?),
        key,
        first_seen_unix_ms: r.get(8)?,
        last_seen_unix_ms: r.get(9)?,
        label: r.get(10)?,
    })
}

const OBS_COLS: &str = "id, run_id, cell_id, time_unix_ms, freq_hz, channel_number, power_dbfs,
    power_dbm, snr_db, freq_offset_hz, freq_offset_ppm, blocks_ok, blocks_failed, lat_deg,
    lon_deg, summary_json";

fn observation_row(r: &Row<'_>) -> rusqlite::Result<ObservationRow> {
    Ok(ObservationRow {
        id: ObservationId(r.get(0)?),
        run_id: RunId(r.get(1)?),
        cell_id: CellId(r.get(2)?),
        time_unix_ms: r.get(3)?,
        freq_hz: r.get(4)?,
        channel_number: r.get(5)?,
        power_dbfs: r.get::<_, Option<f64>>(6)?.unwrap_or(f64::NAN),
        power_dbm: r.get(7)?,
        snr_db: r.get(8)?,
        freq_offset_hz: r.get(9)?,
        freq_offset_ppm: r.get(10)?,
        blocks_ok: r.get(11)?,
        blocks_failed: r.get(12)?,
        lat_deg: r.get(13)?,
        lon_deg: r.get(14)?,
        summary: json(r, 15)?,
    })
}

const MSG_COLS: &str = "id, run_id, cell_id, observation_id, time_unix_ms, frame_number, channel,
    message_type, raw, decoded_json, error";

fn message_row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: MessageId(r.get(0)?),
        run_id: RunId(r.get(1)?),
        cell_id: CellId(r.get(2)?),
        observation_id: r.get::<_, Option<i64>>(3)?.map(ObservationId),
        time_unix_ms: r.get(4)?,
        frame_number: r.get(5)?,
        channel: r.get(6)?,
        message_type: r.get(7)?,
        raw: r.get(8)?,
        decoded: opt_json(r, 9)?,
        error: r.get(10)?,
    })
}

const DET_COLS: &str = "id, run_id, cell_id, rule_id, rule_version, severity, score, time_unix_ms,
    summary, evidence_json";

fn detection_row(r: &Row<'_>) -> rusqlite::Result<DetectionRow> {
    Ok(DetectionRow {
        id: DetectionId(r.get(0)?),
        run_id: RunId(r.get(1)?),
        cell_id: r.get::<_, Option<i64>>(2)?.map(CellId),
        rule_id: r.get(3)?,
        rule_version: r.get(4)?,
        severity: word(r, 5)?,
        score: r.get(6)?,
        time_unix_ms: r.get(7)?,
        summary: r.get(8)?,
        evidence: json(r, 9)?,
    })
}

const VERDICT_COLS: &str = "id, run_id, cell_id, level, score, time_unix_ms, rules_fired_json";

fn verdict_row(r: &Row<'_>) -> rusqlite::Result<VerdictRow> {
    Ok(VerdictRow {
        id: VerdictId(r.get(0)?),
        run_id: RunId(r.get(1)?),
        cell_id: CellId(r.get(2)?),
        level: word(r, 3)?,
        score: r.get(4)?,
        time_unix_ms: r.get(5)?,
        rules_fired: json(r, 6)?,
    })
}

fn spectrum_row(r: &Row<'_>) -> rusqlite::Result<SpectrumRow> {
    let blob: Vec<u8> = r.get(5)?;
    if !blob.len().is_multiple_of(4) {
        return Err(rusqlite::Error::FromSqlConversionFailure(
            5,
            Type::Blob,
            format!("spectrum blob of {} bytes is not whole f32s", blob.len()).into(),
        ));
    }
    let power_dbfs = blob
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(SpectrumRow {
        id: r.get(0)?,
        run_id: RunId(r.get(1)?),
        time_unix_ms: r.get(2)?,
        center_freq_hz: r.get(3)?,
        bin_spacing_hz: r.get(4)?,
        power_dbfs,
    })
}

fn channel_power_row(r: &Row<'_>) -> rusqlite::Result<ChannelPowerRow> {
    Ok(ChannelPowerRow {
        id: r.get(0)?,
        run_id: RunId(r.get(1)?),
        time_unix_ms: r.get(2)?,
        rat: word(r, 3)?,
        band: r.get(4)?,
        channel_number: r.get(5)?,
        freq_hz: r.get(6)?,
        bandwidth_hz: r.get(7)?,
        power_dbfs: r.get(8)?,
        power_dbm: r.get(9)?,
    })
}

fn paging_count_row(r: &Row<'_>) -> rusqlite::Result<PagingCountRow> {
    Ok(PagingCountRow {
        run_id: RunId(r.get(0)?),
        cell_id: CellId(r.get(1)?),
        paging_messages: r.get(2)?,
        imsi_pages: r.get(3)?,
        tmsi_pages: r.get(4)?,
        other_pages: r.get(5)?,
        first_unix_ms: r.get(6)?,
        last_unix_ms: r.get(7)?,
        distinct_imsis: r.get(8)?,
        distinct_tmsis: r.get(9)?,
    })
}

fn paging_identity_row(r: &Row<'_>) -> rusqlite::Result<PagingIdentityRow> {
    Ok(PagingIdentityRow {
        run_id: RunId(r.get(0)?),
        cell_id: CellId(r.get(1)?),
        kind: word(r, 2)?,
        identity_hash: r.get(3)?,
        identity_clear: r.get(4)?,
        count: r.get(5)?,
        first_unix_ms: r.get(6)?,
        last_unix_ms: r.get(7)?,
    })
}

impl Store {
    fn rows<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        map: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), map)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?);
        }
        Ok(out)
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, StoreError> {
        self.rows(
            &format!("SELECT {RUN_COLS} FROM runs ORDER BY started_unix_ms, id"),
            &[],
            run_row,
        )
    }

    /// Live alerts, in time order: all, or those of one run.
    pub fn alerts(&self, run: Option<RunId>) -> Result<Vec<AlertRow>, StoreError> {
        match run {
            None => self.rows(
                &format!("SELECT {ALERT_COLS} FROM alerts ORDER BY time_unix_ms, id"),
                &[],
                alert_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {ALERT_COLS} FROM alerts WHERE run_id = ?1 ORDER BY time_unix_ms, id"
                ),
                &[&run.0],
                alert_row,
            ),
        }
    }

    /// One run, `None` if there is no such id.
    pub fn run(&self, run: RunId) -> Result<Option<RunRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {RUN_COLS} FROM runs WHERE id = ?1"))?
            .query_row([run.0], run_row)
            .optional()?)
    }

    /// Cells, by id: all of them, or those observed, messaged, detected or judged in `run`.
    pub fn cells(&self, run: Option<RunId>) -> Result<Vec<CellRow>, StoreError> {
        match run {
            None => self.rows(
                &format!("SELECT {CELL_COLS} FROM cells ORDER BY id"),
                &[],
                cell_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {CELL_COLS} FROM cells WHERE id IN (
                        SELECT cell_id FROM observations WHERE run_id = ?1
                        UNION SELECT cell_id FROM messages WHERE run_id = ?1
                        UNION SELECT cell_id FROM detections WHERE run_id = ?1
                        UNION SELECT cell_id FROM verdicts WHERE run_id = ?1
                        UNION SELECT cell_id FROM paging_counts WHERE run_id = ?1)
                     ORDER BY id"
                ),
                &[&run.0],
                cell_row,
            ),
        }
    }

    /// One cell, `None` if there is no such id.
    pub fn cell(&self, cell: CellId) -> Result<Option<CellRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {CELL_COLS} FROM cells WHERE id = ?1"))?
            .query_row([cell.0], cell_row)
            .optional()?)
    }

    /// A cell's observations in time order (its power/offset timeline), in one run or all.
    pub fn observations_for_cell(
        &self,
        cell: CellId,
        run: Option<RunId>,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        match run {
            None => self.rows(
                &format!(
                    "SELECT {OBS_COLS} FROM observations WHERE cell_id = ?1
                     ORDER BY time_unix_ms, id"
                ),
                &[&cell.0],
                observation_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {OBS_COLS} FROM observations WHERE run_id = ?1 AND cell_id = ?2
                     ORDER BY time_unix_ms, id"
                ),
                &[&run.0, &cell.0],
                observation_row,
            ),
        }
    }

    /// A cell's messages in time order, in one run or all.
    pub fn messages_for_cell(
        &self,
        cell: CellId,
        run: Option<RunId>,
    ) -> Result<Vec<MessageRow>, StoreError> {
        match run {
            None => self.rows(
                &format!(
                    "SELECT {MSG_COLS} FROM messages WHERE cell_id = ?1 ORDER BY time_unix_ms, id"
                ),
                &[&cell.0],
                message_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {MSG_COLS} FROM messages WHERE run_id = ?1 AND cell_id = ?2
                     ORDER BY time_unix_ms, id"
                ),
                &[&run.0, &cell.0],
                message_row,
            ),
        }
    }

    /// Detections in time order, in one run or all.
    pub fn detections(&self, run: Option<RunId>) -> Result<Vec<DetectionRow>, StoreError> {
        match run {
            None => self.rows(
                &format!("SELECT {DET_COLS} FROM detections ORDER BY time_unix_ms, id"),
                &[],
                detection_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {DET_COLS} FROM detections WHERE run_id = ?1 ORDER BY time_unix_ms, id"
                ),
                &[&run.0],
                detection_row,
            ),
        }
    }

    /// Verdicts in time order, in one run or all.
    pub fn verdicts(&self, run: Option<RunId>) -> Result<Vec<VerdictRow>, StoreError> {
        match run {
            None => self.rows(
                &format!("SELECT {VERDICT_COLS} FROM verdicts ORDER BY time_unix_ms, id"),
                &[],
                verdict_row,
            ),
            Some(run) => self.rows(
                &format!(
                    "SELECT {VERDICT_COLS} FROM verdicts WHERE run_id = ?1
                     ORDER BY time_unix_ms, id"
                ),
                &[&run.0],
                verdict_row,
            ),
        }
    }

    /// The newest verdict of each cell (by time, then id), in one run or over all runs;
    /// ordered by cell id.
    pub fn latest_verdict_per_cell(
        &self,
        run: Option<RunId>,
    ) -> Result<Vec<VerdictRow>, StoreError> {
        let filter = if run.is_some() {
            "WHERE run_id = ?1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {VERDICT_COLS} FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY cell_id ORDER BY time_unix_ms DESC, id DESC) AS rn
                FROM verdicts {filter})
             WHERE rn = 1 ORDER BY cell_id"
        );
        match run {
            None => self.rows(&sql, &[], verdict_row),
            Some(run) => self.rows(&sql, &[&run.0], verdict_row),
        }
    }

    /// Paging counters per run and cell, with distinct identity counts.
    pub fn paging_counts(&self, run: Option<RunId>) -> Result<Vec<PagingCountRow>, StoreError> {
        let filter = if run.is_some() {
            "WHERE pc.run_id = ?1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT pc.run_id, pc.cell_id, pc.paging_messages, pc.imsi_pages, pc.tmsi_pages,
                pc.other_pages, pc.first_unix_ms, pc.last_unix_ms,
                (SELECT count(*) FROM paging_identities pi WHERE pi.run_id = pc.run_id
                    AND pi.cell_id = pc.cell_id AND pi.kind = 'imsi'),
                (SELECT count(*) FROM paging_identities pi WHERE pi.run_id = pc.run_id
                    AND pi.cell_id = pc.cell_id AND pi.kind = 'tmsi')
             FROM paging_counts pc {filter} ORDER BY pc.run_id, pc.cell_id"
        );
        match run {
            None => self.rows(&sql, &[], paging_count_row),
            Some(run) => self.rows(&sql, &[&run.0], paging_count_row),
        }
    }

    /// Paged identities (hashed), per run and cell, most paged first; optionally one cell.
    pub fn paging_identities(
        &self,
        run: Option<RunId>,
        cell: Option<CellId>,
    ) -> Result<Vec<PagingIdentityRow>, StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<&dyn ToSql> = Vec::new();
        let run_id = run.map(|r| r.0);
        let cell_id = cell.map(|c| c.0);
        if let Some(r) = run_id.as_ref() {
            args.push(r);
            clauses.push(format!("run_id = ?{}", args.len()));
        }
        if let Some(c) = cell_id.as_ref() {
            args.push(c);
            clauses.push(format!("cell_id = ?{}", args.len()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT run_id, cell_id, kind, identity_hash, identity_clear, count, first_unix_ms,
                last_unix_ms
             FROM paging_identities {filter}
             ORDER BY run_id, cell_id, kind, count DESC, identity_hash"
        );
        self.rows(&sql, &args, paging_identity_row)
    }

    /// Spectrum snapshots of a run in time order.
    pub fn spectrum_snapshots(&self, run: RunId) -> Result<Vec<SpectrumRow>, StoreError> {
        self.rows(
            "SELECT id, run_id, time_unix_ms, center_freq_hz, bin_spacing_hz, power_dbfs_f32le
             FROM spectrum_snapshots WHERE run_id = ?1 ORDER BY time_unix_ms, id",
            &[&run.0],
            spectrum_row,
        )
    }

    /// Channel power rows of a run by technology, channel, then time.
    pub fn channel_power(&self, run: RunId) -> Result<Vec<ChannelPowerRow>, StoreError> {
        self.rows(
            "SELECT id, run_id, time_unix_ms, rat, band, channel_number, freq_hz, bandwidth_hz,
                power_dbfs, power_dbm
             FROM channel_power WHERE run_id = ?1 ORDER BY rat, channel_number, time_unix_ms, id",
            &[&run.0],
            channel_power_row,
        )
    }
}
