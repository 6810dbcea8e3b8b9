//! Shared by the fleet integration tests: sensor databases made with the store API, and
//! checksums of the central tables.

#![allow(dead_code)]

use std::path::Path;

use cellsentry_fleet::cluster::Cluster;
use cellsentry_store::*;
use serde_json::json;

/// 2026-03-31T23:59:00Z: the sensors' data straddles a month boundary (two partitions).
pub const T0: i64 = 1_775_001_540_000;

pub fn gsm(mcc: &str, mnc: &str, lac: u32, ci: u32, arfcn: u32, bsic: u8) -> CellKey {
    CellKey {
        rat: Rat::Gsm,
        plmn: Some(Plmn::broadcast(mcc, mnc)),
        lac_tac: Some(lac),
        cell_id: Some(ci),
        channel: Some(arfcn),
        bsic_pci: Some(u16::from(bsic)),
    }
}

/// What a sensor database holds, counted independently of the sync.
#[derive(Debug, Default, Clone, Copy)]
pub struct Made {
    pub observations: u64,
    pub messages: u64,
    pub detections: u64,
    pub verdicts: u64,
}

/// A sensor database: one monitor run at `pos` (None: no position), a legitimate cell shared
/// by every sensor, a blaster cell that is flagged, `n_obs` observations per cell every
/// 0.5 s, a message every 4th observation, paging with two IMSIs. Observations of every
/// 10th sample carry their own (moving) position.
pub fn make_sensor(path: &Path, pos: Option<(f64, f64)>, n_obs: usize, t0: i64) -> Made {
    make_sensor_on(path, pos, n_obs, t0, 70)
}

/// [`make_sensor`] with the blaster (same identity) on another ARFCN.
pub fn make_sensor_on(
    path: &Path,
    pos: Option<(f64, f64)>,
    n_obs: usize,
    t0: i64,
    blaster_arfcn: u32,
) -> Made {
    make_sensor_with(
        path,
        pos,
        n_obs,
        t0,
        gsm("234", "15", 1000, 4321, blaster_arfcn, 12),
        None,
    )
}

/// [`make_sensor`] with any blaster key, and the SI fingerprint id the sensor stored with the
/// blaster's last observation (as `persist` does: `summary.si_fingerprint`).
pub fn make_sensor_with(
    path: &Path,
    pos: Option<(f64, f64)>,
    n_obs: usize,
    t0: i64,
    blaster: CellKey,
    fingerprint: Option<&str>,
) -> Made {
    let mut store = Store::open(path, &StoreOptions::default()).unwrap();
    let mut run = NewRun::new(RunKind::Monitor, "driver=rtlsdr", t0);
    run.host_lat_deg = pos.map(|p| p.0);
    run.host_lon_deg = pos.map(|p| p.1);
    run.settings = json!({"country": "uk"});
    let run = store.begin_run(&run).unwrap();
    let legit = gsm("234", "15", 1000, 4321, 62, 7);
    let mut made = Made::default();
    for chunk in 0..n_obs.div_ceil(1000) {
        store
            .write_batch(|tx| {
                for i in chunk * 1000..((chunk + 1) * 1000).min(n_obs) {
                    let t = t0 + i as i64 * 500;
                    for (key, power) in [(&legit, -40.0), (&blaster, -25.0 + (i % 7) as f64)] {
                        let cell = tx.upsert_cell(key, t)?;
                        let (lat, lon) = match (pos, i % 10 == 0) {
                            (Some(p), true) => (Some(p.0 + i as f64 * 1e-5), Some(p.1)),
                            _ => (None, None),
                        };
                        let obs = tx.observation(&NewObservation {
                            run_id: run,
                            cell_id: cell,
                            time_unix_ms: t,
                            freq_hz: 947.4e6,
                            channel_number: Some(62),
                            power_dbfs: power,
                            power_dbm: None,
                            snr_db: Some(20.0),
                            freq_offset_hz: Some(12.5),
                            freq_offset_ppm: None,
                            blocks_ok: 3,
                            blocks_failed: 0,
                            lat_deg: lat,
                            lon_deg: lon,
                            summary: match fingerprint {
                                Some(fp) if *key == blaster && i + 1 == n_obs => json!({
                                    "i": i,
                                    "si_fingerprint": {"rat": "gsm", "text": "v=1;t3212=5", "id": fp},
                                }),
                                _ => json!({"i": i}),
                            },
                        })?;
                        made.observations += 1;
                        if i % 4 == 0 {
                            tx.message(&NewMessage {
                                run_id: run,
                                cell_id: cell,
                                observation_id: Some(obs),
                                time_unix_ms: t,
                                frame_number: Some(i as u32),
                                channel: "BCCH".into(),
                                message_type: "SI3".into(),
                                raw: vec![0x49, 0x06, 0x1b, (i % 256) as u8],
                                decoded: Some(json!({"lac": 1000})),
                                error: None,
                            })?;
                            made.messages += 1;
                        }
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    let t_end = t0 + n_obs as i64 * 500;
    store
        .write_batch(|tx| {
            let legit_id = tx.upsert_cell(&legit, t_end)?;
            let blaster_id = tx.upsert_cell(&blaster, t_end)?;
            tx.detection(&NewDetection {
                run_id: run,
                cell_id: Some(blaster_id),
                rule_id: "gsm.cro_extreme".into(),
                rule_version: 1,
                severity: Severity::High,
                score: 40.0,
                time_unix_ms: t_end,
                summary: Some("CRO 126 dB".into()),
                evidence: json!({"cro_db": 126}),
            })?;
            tx.verdict(&NewVerdict {
                run_id: run,
                cell_id: blaster_id,
                level: VerdictLevel::LikelyFake,
                score: 80.0,
                time_unix_ms: t_end,
                rules_fired: json!(["gsm.cro_extreme"]),
            })?;
            tx.verdict(&NewVerdict {
                run_id: run,
                cell_id: legit_id,
                level: VerdictLevel::Clean,
                score: 0.0,
                time_unix_ms: t_end,
                rules_fired: json!([]),
            })?;
            tx.paging(&PagingEvent {
                run_id: run,
                cell_id: blaster_id,
                time_unix_ms: t_end,
                identities: vec![
                    PagedIdentity {
                        kind: IdentityKind::Imsi,
                        value: "234150123456789".into(),
                    },
                    PagedIdentity {
                        kind: IdentityKind::Imsi,
                        value: "234150123456780".into(),
                    },
                ],
            })?;
            Ok(())
        })
        .unwrap();
    made.detections = 1;
    made.verdicts = 2;
    store
        .finish_run(run, RunStatus::Completed, t_end + 1000)
        .unwrap();
    made
}

/// Row count and a checksum of every row including its `xmin` (the transaction that last
/// wrote it), so an UPDATE that leaves the values unchanged still changes the checksum.
pub fn checksums(cluster: &Cluster) -> Vec<(String, String)> {
    [
        "sensors",
        "runs",
        "cells",
        "sensor_cells",
        "observations",
        "messages",
        "detections",
        "verdicts",
        "paging_counts",
        "paging_identities",
        "sync_state",
    ]
    .iter()
    .map(|t| {
        let sum = cluster
            .psql(
                "fleet",
                &format!(
                    "SELECT count(*) || ' ' || coalesce(md5(string_agg(x.t::text || '@' || x.xmin::text, ',' ORDER BY x.t::text)), '-')
                     FROM (SELECT r AS t, r.xmin FROM cellsentry.{t} r) x"
                ),
            )
            .unwrap();
        (t.to_string(), sum)
    })
    .collect()
}

pub fn count(cluster: &Cluster, sql: &str) -> i64 {
    cluster.psql("fleet", sql).unwrap().parse().unwrap()
}
