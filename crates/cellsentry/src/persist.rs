//! Writing one stream's results into the SQLite store: the run, cells, observations, messages,
//! paging (identities hashed by the store), spectrum, detections and verdicts, in one
//! transaction so that a run killed half-way leaves nothing half-written.

use anyhow::Result;
use cellsentry_detect::{
    CellKey as DetectKey, CellVerdict, Severity, SiFingerprint, VerdictLevel as Level,
};
use cellsentry_geo::PositionSource;
use cellsentry_store::{
    CellKey, GsmCellKey, IdentityKind, LteCellKey, NewChannelPower, NewDetection, NewMessage,
    NewObservation, NewSpectrum, NewVerdict, PagedIdentity, PagingEvent, Rat, RunId, Store,
    VerdictLevel,
};
use serde_json::json;

use crate::assess;
use crate::chain::{GsmCellResult, StreamResult};

pub fn severity(s: Severity) -> cellsentry_store::Severity {
    match s {
        Severity::Info => cellsentry_store::Severity::Info,
        Severity::Low => cellsentry_store::Severity::Low,
        Severity::Medium => cellsentry_store::Severity::Medium,
        Severity::High => cellsentry_store::Severity::High,
    }
}

pub fn level(l: Level) -> VerdictLevel {
    match l {
        Level::Clean => VerdictLevel::Clean,
        Level::Suspicious => VerdictLevel::Suspicious,
        Level::LikelyFake => VerdictLevel::LikelyFake,
    }
}

fn gsm_key(cell: &GsmCellResult) -> CellKey {
    let id = cell.sysinfo.cell_id();
    CellKey::Gsm(GsmCellKey {
        mcc: id.as_ref().map(|c| c.plmn.mcc.clone()),
        mnc: id.as_ref().map(|c| c.plmn.mnc.clone()),
        lac: id.as_ref().map(|c| u32::from(c.lac)),
        ci: id.as_ref().and_then(|c| c.cell_identity.map(u32::from)),
        arfcn: cell.arfcn.map_or(0, u32::from),
        bsic: cell.measurement.bsic,
    })
}

/// The verdict of the detector's cell that `cell` became.
pub fn verdict_for<'a>(
    cell: &GsmCellResult,
    base_unix_ms: i64,
    verdicts: &'a [CellVerdict],
) -> Option<&'a CellVerdict> {
    let obs = assess::gsm_observations(cell, base_unix_ms);
    let key = DetectKey::of(obs.first()?);
    verdicts.iter().find(|v| v.key == key)
}

pub fn write_stream(
    store: &mut Store,
    run: RunId,
    result: &StreamResult,
    base_unix_ms: i64,
    verdicts: &[CellVerdict],
    dbm_offset_db: Option<f64>,
    positions: Option<&dyn PositionSource>,
) -> Result<()> {
    let at = |time_s: f64| base_unix_ms + (time_s * 1000.0) as i64;
    // The sensor's position at an observation's time (`--track`, `--lat/--lon`, SigMF
    // geolocation, gpsd), as (lat, lon).
    let where_at = |t: i64| {
        positions
            .and_then(|p| p.position_at(t))
            .map(|p| (p.lat_deg, p.lon_deg))
    };
    // dBm only where the user calibrated the front end (dBm = dBFS + offset).
    let dbm = |dbfs: f64| dbm_offset_db.filter(|_| dbfs.is_finite()).map(|o| dbfs + o);
    store.write_batch(|tx| {
        if let Some(spec) = &result.spectrum {
            for c in &spec.gsm_channels {
                tx.channel_power(&NewChannelPower {
                    run_id: run,
                    time_unix_ms: base_unix_ms,
                    rat: Rat::Gsm,
                    band: Some(c.band.clone()),
                    channel_number: u32::from(c.arfcn),
                    freq_hz: c.dl_freq_hz,
                    bandwidth_hz: 200e3,
                    power_dbfs: c.power_dbfs,
                    power_dbm: dbm(c.power_dbfs),
                })?;
            }
            if let Some(bins) = &spec.bins {
                tx.spectrum(&NewSpectrum {
                    run_id: run,
                    time_unix_ms: base_unix_ms,
                    center_freq_hz: spec.center_freq_hz,
                    bin_spacing_hz: spec.rate_sps / spec.fft_size as f64,
                    power_dbfs: bins.clone(),
                })?;
            }
        }
        for cell in &result.gsm {
            let m = &cell.measurement;
            let cell_id = tx.upsert_cell(&gsm_key(cell), base_unix_ms)?;
            let freq_hz = cell.carrier_freq_hz.unwrap_or(result.source.center_freq_hz);
            let system_information = assess::gsm_system_info(&cell.sysinfo);
            // Issue #13: the SI fingerprint shared in exports and matched by the watch-list.
            let si_fingerprint = SiFingerprint::gsm(&system_information, cell.arfcn.map(u32::from));
            let summary = json!({
                "si_fingerprint": si_fingerprint,
                "arfcn": cell.arfcn,
                "band": cell.band,
                "bsic": m.bsic,
                "system_information": system_information,
                "paging": cell.paging,
                "blocks_idle": m.blocks_idle,
                "sch_ok": m.sch_ok,
                "fill_frames": cell.fill_frames,
            });
            let mut last_obs = None;
            let samples = if cell.power.is_empty() {
                vec![(0.0, m.power_dbfs.map_or(f64::NAN, f64::from))]
            } else {
                cell.power
                    .iter()
                    .map(|p| (p.time_s, p.power_dbfs))
                    .collect()
            };
            let n = samples.len();
            for (i, (time_s, power_dbfs)) in samples.into_iter().enumerate() {
                let last = i + 1 == n;
                let pos = where_at(at(time_s));
                last_obs = Some(tx.observation(&NewObservation {
                    run_id: run,
                    cell_id,
                    time_unix_ms: at(time_s),
                    freq_hz,
                    channel_number: cell.arfcn.map(u32::from),
                    power_dbfs,
                    power_dbm: dbm(power_dbfs),
                    snr_db: m.snr_db.map(f64::from),
                    freq_offset_hz: m.freq_offset_hz,
                    freq_offset_ppm: m.freq_offset_ppm,
                    // Block counts belong to the whole stream: carried once, by the last sample.
                    blocks_ok: if last { m.blocks_ok } else { 0 },
                    blocks_failed: if last { m.blocks_failed } else { 0 },
                    lat_deg: pos.map(|p| p.0),
                    lon_deg: pos.map(|p| p.1),
                    summary: if last { summary.clone() } else { json!({}) },
                })?);
            }
            for msg in &cell.messages {
                tx.message(&NewMessage {
                    run_id: run,
                    cell_id,
                    observation_id: last_obs,
                    time_unix_ms: at(msg.time_s),
                    frame_number: Some(msg.frame_number),
                    channel: format!("{:?}", msg.channel),
                    message_type: msg.message_type.clone(),
                    raw: msg.raw.clone(),
                    decoded: msg.decoded.clone(),
                    error: msg.error.clone(),
                })?;
            }
            for p in &cell.paging_records {
                tx.paging(&PagingEvent {
                    run_id: run,
                    cell_id,
                    time_unix_ms: at(p.time_s),
                    identities: p
                        .identities
                        .iter()
                        .map(|(kind, value)| PagedIdentity {
                            kind: match *kind {
                                "imsi" => IdentityKind::Imsi,
                                "tmsi" => IdentityKind::Tmsi,
                                _ => IdentityKind::Imei,
                            },
                            value: value.clone(),
                        })
                        .collect(),
                })?;
            }
            if let Some(v) = verdict_for(cell, base_unix_ms, verdicts) {
                write_verdict(tx, run, cell_id, v)?;
            }
        }
        for cell in &result.lte {
            let d = &cell.detection;
            let sib1 = cell.si.as_ref().and_then(|s| s.system_info.sib1.as_ref());
            let plmn = sib1.and_then(|s| s.plmns.first());
            let key = CellKey::Lte(LteCellKey {
                mcc: plmn.map(|p| p.mcc.clone()),
                mnc: plmn.map(|p| p.mnc.clone()),
                tac: sib1.map(|s| u32::from(s.tracking_area_code)),
                cell_identity: sib1.map(|s| s.cell_identity),
                earfcn: cell.earfcn.unwrap_or(0),
                pci: Some(d.pci),
            });
            let cell_id = tx.upsert_cell(&key, at(cell.time_s))?;
            let (si_ok, si_failed) = cell.si.as_ref().map_or((0, 0), |s| {
                (
                    s.messages.iter().map(|m| m.receptions).sum::<u32>(),
                    s.crc_failed,
                )
            });
            // One observation per search window the cell was found in; the first carries the
            // identity, the block counts of the whole stream and the SI messages.
            let mut obs_id = None;
            // Issue #13: the SI fingerprint shared in exports and matched by the watch-list.
            let si_fingerprint = assess::lte_observation(cell, base_unix_ms)
                .lte
                .as_ref()
                .and_then(SiFingerprint::lte);
            for (i, o) in assess::lte_observations(cell, base_unix_ms)
                .iter()
                .enumerate()
            {
                let first = i == 0;
                let pos = where_at(o.time_unix_ms);
                let id = tx.observation(&NewObservation {
                    run_id: run,
                    cell_id,
                    time_unix_ms: o.time_unix_ms,
                    freq_hz: cell.carrier_freq_hz.unwrap_or(result.source.center_freq_hz),
                    channel_number: cell.earfcn,
                    power_dbfs: o.power_dbfs.unwrap_or(f64::NAN),
                    power_dbm: o.power_dbfs.and_then(dbm),
                    snr_db: o.snr_db,
                    freq_offset_hz: o.freq_offset_hz,
                    freq_offset_ppm: o.freq_offset_ppm,
                    // MIBs plus the SI transport blocks that passed their CRC.
                    blocks_ok: if first { cell.mib_decoded + si_ok } else { 0 },
                    blocks_failed: if first {
                        cell.mib_failed + si_failed
                    } else {
                        0
                    },
                    lat_deg: pos.map(|p| p.0),
                    lon_deg: pos.map(|p| p.1),
                    summary: if first {
                        json!({
                            "si_fingerprint": si_fingerprint,
                            "earfcn": cell.earfcn, "band": cell.band, "pci": d.pci,
                            "duplex": d.duplex, "cp": d.cp, "mib": d.mib,
                            "rsrq_db": d.rsrq_db, "frame_start_sample": d.frame_start_sample,
                            "first_seen_s": cell.time_s, "last_seen_s": cell.last_seen_s,
                            "windows_seen": cell.windows_seen,
                            "system_information": cell.si.as_ref().map(|s| &s.system_info),
                            "si_error": cell.si.as_ref().and_then(|s| s.error.clone()),
                            "paging_blocks": cell.si.as_ref().map(|s| s.paging_blocks),
                        })
                    } else {
                        json!({})
                    },
                })?;
                obs_id.get_or_insert(id);
            }
            for m in cell.si.iter().flat_map(|s| &s.messages) {
                tx.message(&NewMessage {
                    run_id: run,
                    cell_id,
                    observation_id: obs_id,
                    time_unix_ms: at(m.time_s),
                    frame_number: Some(u32::from(m.sfn) * 10 + u32::from(m.subframe)),
                    channel: "BCCH-DL-SCH".into(),
                    message_type: m.message_type.clone(),
                    raw: m.raw.clone(),
                    decoded: m.decoded.clone(),
                    error: m.error.clone(),
                })?;
            }
            let obs = assess::lte_observation(cell, base_unix_ms);
            let key = DetectKey::of(&obs);
            if let Some(v) = verdicts.iter().find(|v| v.key == key) {
                write_verdict(tx, run, cell_id, v)?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn write_verdict(
    tx: &mut cellsentry_store::Batch<'_>,
    run: RunId,
    cell_id: cellsentry_store::CellId,
    v: &CellVerdict,
) -> Result<(), cellsentry_store::StoreError> {
    let mut fired = Vec::new();
    for d in &v.verdict.detections {
        let id = tx.detection(&NewDetection {
            run_id: run,
            cell_id: Some(cell_id),
            rule_id: d.rule_id.clone(),
            rule_version: d.rule_version,
            severity: severity(d.severity),
            score: d.score,
            time_unix_ms: d.time_unix_ms,
            summary: Some(d.summary.clone()),
            evidence: d.evidence.clone(),
        })?;
        fired.push(
            json!({"rule_id": d.rule_id, "rule_version": d.rule_version, "detection_id": id}),
        );
    }
    tx.verdict(&NewVerdict {
        run_id: run,
        cell_id,
        level: level(v.verdict.level),
        score: v.verdict.score,
        time_unix_ms: v.last_seen_unix_ms,
        rules_fired: json!(fired),
    })?;
    Ok(())
}
