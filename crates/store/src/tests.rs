//! Unit tests of the store (schema, writers, queries, errors).

use super::*;
use serde_json::json;

fn gsm_key(arfcn: u32, bsic: Option<u8>, ci: Option<u32>) -> CellKey {
    CellKey {
        rat: Rat::Gsm,
        plmn: ci.map(|_| Plmn::broadcast("001", "01")),
        lac_tac: ci.map(|_| 1000),
        cell_id: ci,
        channel: Some(arfcn),
        bsic_pci: bsic.map(u16::from),
    }
}

fn lte_key(earfcn: u32, pci: u16) -> CellKey {
    CellKey {
        rat: Rat::Lte,
        plmn: Some(Plmn::broadcast("262", "01")),
        lac_tac: Some(0x1234),
        cell_id: Some(0x0abc_def1),
        channel: Some(earfcn),
        bsic_pci: Some(pci),
    }
}

fn obs(run: RunId, cell: CellId, t: i64, power_dbfs: f64) -> NewObservation {
    NewObservation {
        run_id: run,
        cell_id: cell,
        time_unix_ms: t,
        freq_hz: 947.4e6,
        channel_number: Some(62),
        power_dbfs,
        power_dbm: None,
        snr_db: Some(20.5),
        freq_offset_hz: Some(-150.0),
        freq_offset_ppm: Some(-0.158),
        blocks_ok: 12,
        blocks_failed: 1,
        lat_deg: None,
        lon_deg: None,
        summary: json!({"ta": 0}),
    }
}

fn msg(run: RunId, cell: CellId, t: i64, raw: Vec<u8>) -> NewMessage {
    NewMessage {
        run_id: run,
        cell_id: cell,
        observation_id: None,
        time_unix_ms: t,
        frame_number: Some(1_234_567),
        channel: "BCCH".to_string(),
        message_type: "SI3".to_string(),
        raw,
        decoded: Some(json!({"lac": 1000})),
        error: None,
    }
}

fn new_store() -> (Store, RunId) {
    let store = Store::open_in_memory().unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Replay, "test.cfile", 1_000))
        .unwrap();
    (store, run)
}

#[test]
fn fresh_store_is_at_latest_schema_with_salt() {
    let (store, _) = new_store();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION as usize, schema::MIGRATIONS.len());
    assert_eq!(store.salt.len(), 32);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn run_life_cycle() {
    let (store, run) = new_store();
    let rows = store.runs().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RunStatus::Running);
    assert_eq!(rows[0].ended_unix_ms, None);
    assert_eq!(rows[0].source, "test.cfile");
    assert_eq!(rows[0].settings, json!({}));
    store.finish_run(run, RunStatus::Completed, 9_000).unwrap();
    let r = store.run(run).unwrap().unwrap();
    assert_eq!(r.status, RunStatus::Completed);
    assert_eq!(r.ended_unix_ms, Some(9_000));
    assert!(matches!(
        store.finish_run(RunId(99), RunStatus::Failed, 1),
        Err(StoreError::Constraint(_))
    ));
    assert_eq!(store.run(RunId(99)).unwrap(), None);
}

#[test]
fn interrupted_runs_are_marked() {
    let (store, run) = new_store();
    let done = store
        .begin_run(&NewRun::new(RunKind::Scan, "hackrf", 2_000))
        .unwrap();
    store.finish_run(done, RunStatus::Completed, 3_000).unwrap();
    assert_eq!(store.mark_running_runs_interrupted().unwrap(), 1);
    assert_eq!(
        store.run(run).unwrap().unwrap().status,
        RunStatus::Interrupted
    );
    assert_eq!(
        store.run(done).unwrap().unwrap().status,
        RunStatus::Completed
    );
}

#[test]
fn bad_run_values_hit_check_constraints() {
    let store = Store::open_in_memory().unwrap();
    let mut run = NewRun::new(RunKind::Survey, "x", 0);
    run.host_lat_deg = Some(91.0);
    assert!(matches!(
        store.begin_run(&run),
        Err(StoreError::Constraint(_))
    ));
}

#[test]
fn upsert_cell_merges_on_natural_key_and_widens_seen_times() {
    let (store, _) = new_store();
    let a = store
        .upsert_cell(&gsm_key(62, Some(7), None), 5_000)
        .unwrap();
    let a2 = store
        .upsert_cell(&gsm_key(62, Some(7), None), 7_000)
        .unwrap();
    let a3 = store
        .upsert_cell(&gsm_key(62, Some(7), None), 4_000)
        .unwrap();
    assert_eq!(a, a2);
    assert_eq!(a, a3);
    // Same channel and BSIC but a decoded identity is a different key (possibly a clone).
    let b = store
        .upsert_cell(&gsm_key(62, Some(7), Some(12345)), 6_000)
        .unwrap();
    assert_ne!(a, b);
    // NULL identity parts must still compare equal (a plain UNIQUE would not).
    let c = store.upsert_cell(&gsm_key(62, None, None), 1).unwrap();
    assert_eq!(c, store.upsert_cell(&gsm_key(62, None, None), 2).unwrap());
    let l = store.upsert_cell(&lte_key(6300, 1), 1).unwrap();
    assert_ne!(l, c);
    let cell = store.cell(a).unwrap().unwrap();
    assert_eq!(cell.first_seen_unix_ms, 4_000);
    assert_eq!(cell.last_seen_unix_ms, 7_000);
    assert_eq!(cell.key, gsm_key(62, Some(7), None));
    assert_eq!(store.cell(l).unwrap().unwrap().key, lte_key(6300, 1));
    assert_eq!(store.cells(None).unwrap().len(), 4);
}

#[test]
fn mcc_must_be_digits() {
    let (store, _) = new_store();
    let mut key = CellKey::new(Rat::Gsm);
    key.plmn = Some(Plmn::broadcast("0|1", "01"));
    key.channel = Some(1);
    assert!(matches!(
        store.upsert_cell(&key, 0),
        Err(StoreError::InvalidInput(_))
    ));
    // A PLMN as a fake cell may broadcast it (BCD nibble 0xA): stored as claimed.
    key.plmn = Some(Plmn::broadcast("2a4", "15"));
    let id = store.upsert_cell(&key, 0).unwrap();
    assert_eq!(store.cell(id).unwrap().unwrap().key, key);
}

#[test]
fn batch_round_trip_and_queries() {
    let (mut store, run) = new_store();
    let run2 = store
        .begin_run(&NewRun::new(RunKind::Monitor, "rtl=0", 50_000))
        .unwrap();
    let (cell, _other) = store
        .write_batch(|tx| {
            let cell = tx.upsert_cell(&gsm_key(62, Some(7), Some(1)), 1_000)?;
            let other = tx.upsert_cell(&lte_key(100, 42), 1_000)?;
            let o1 = tx.observation(&obs(run, cell, 2_000, -30.0))?;
            tx.observation(&obs(run, cell, 1_500, -31.0))?;
            tx.observation(&obs(run2, cell, 60_000, -10.0))?;
            let mut m = msg(run, cell, 2_000, vec![0x49, 0x06, 0x1b, 0xff]);
            m.observation_id = Some(o1);
            tx.message(&m)?;
            tx.message(&NewMessage {
                message_type: "unknown".to_string(),
                decoded: None,
                error: Some("unknown message type 0x3f".to_string()),
                ..msg(run, cell, 2_100, vec![0x3f])
            })?;
            tx.detection(&NewDetection {
                run_id: run,
                cell_id: Some(cell),
                rule_id: "gsm.no_neighbours".to_string(),
                rule_version: 2,
                severity: Severity::High,
                score: 0.8,
                time_unix_ms: 2_200,
                summary: Some("SI2 lists no neighbours".to_string()),
                evidence: json!({"neighbours": []}),
            })?;
            tx.detection(&NewDetection {
                run_id: run2,
                cell_id: None,
                rule_id: "band.jamming".to_string(),
                rule_version: 1,
                severity: Severity::Low,
                score: 0.1,
                time_unix_ms: 60_000,
                summary: None,
                evidence: json!(null),
            })?;
            for (r, c, level, t) in [
                (run, cell, VerdictLevel::Suspicious, 2_300),
                (run, cell, VerdictLevel::LikelyFake, 2_400),
                (run, other, VerdictLevel::Clean, 2_400),
                (run2, cell, VerdictLevel::Clean, 61_000),
            ] {
                tx.verdict(&NewVerdict {
                    run_id: r,
                    cell_id: c,
                    level,
                    score: 1.0,
                    time_unix_ms: t,
                    rules_fired: json!(["gsm.no_neighbours"]),
                })?;
            }
            Ok((cell, other))
        })
        .unwrap();

    let timeline = store.observations_for_cell(cell, Some(run)).unwrap();
    assert_eq!(
        timeline.iter().map(|o| o.power_dbfs).collect::<Vec<_>>(),
        vec![-31.0, -30.0],
        "time order"
    );
    assert_eq!(timeline[0].summary, json!({"ta": 0}));
    assert_eq!(timeline[0].freq_offset_ppm, Some(-0.158));
    assert_eq!(store.observations_for_cell(cell, None).unwrap().len(), 3);

    let msgs = store.messages_for_cell(cell, Some(run)).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].raw, vec![0x49, 0x06, 0x1b, 0xff]);
    assert_eq!(msgs[0].decoded, Some(json!({"lac": 1000})));
    assert!(msgs[0].observation_id.is_some());
    assert_eq!(msgs[1].decoded, None);
    assert_eq!(msgs[1].error.as_deref(), Some("unknown message type 0x3f"));
    let as_json = serde_json::to_value(&msgs[0]).unwrap();
    assert_eq!(as_json["raw"], json!("49061bff"));

    let dets = store.detections(Some(run)).unwrap();
    assert_eq!(dets.len(), 1);
    assert_eq!(dets[0].severity, Severity::High);
    assert_eq!(dets[0].rule_version, 2);
    assert_eq!(store.detections(None).unwrap().len(), 2);
    assert_eq!(store.detections(Some(run2)).unwrap()[0].cell_id, None);

    assert_eq!(store.verdicts(Some(run)).unwrap().len(), 3);
    let latest_run = store.latest_verdict_per_cell(Some(run)).unwrap();
    assert_eq!(latest_run.len(), 2);
    assert_eq!(latest_run[0].cell_id, cell);
    assert_eq!(latest_run[0].level, VerdictLevel::LikelyFake);
    assert_eq!(latest_run[1].level, VerdictLevel::Clean);
    let latest_all = store.latest_verdict_per_cell(None).unwrap();
    assert_eq!(latest_all[0].level, VerdictLevel::Clean, "run2 is newer");
    assert_eq!(latest_all[0].run_id, run2);

    let run_cells = store.cells(Some(run2)).unwrap();
    assert_eq!(
        run_cells.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![cell]
    );
    assert_eq!(store.cells(Some(run)).unwrap().len(), 2);

    // Cells serialise with the shared cell key (PLMN digits as broadcast).
    let cj = serde_json::to_value(store.cell(cell).unwrap().unwrap()).unwrap();
    assert_eq!(cj["key"]["rat"], json!("gsm"));
    assert_eq!(cj["key"]["channel"], json!(62));
    assert_eq!(cj["key"]["plmn"]["mnc"], json!("01"));
    assert_eq!(
        serde_json::to_value(&latest_run[0]).unwrap()["level"],
        json!("likely_fake")
    );

    // Deleting a run cascades to everything recorded in it, and only it.
    assert!(store.delete_run(run).unwrap());
    assert!(store
        .observations_for_cell(cell, Some(run))
        .unwrap()
        .is_empty());
    assert!(store.messages_for_cell(cell, None).unwrap().is_empty());
    assert_eq!(store.observations_for_cell(cell, None).unwrap().len(), 1);
    assert_eq!(store.cells(None).unwrap().len(), 2);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn failed_batch_rolls_back_and_store_stays_usable() {
    let (mut store, run) = new_store();
    let cell = store.upsert_cell(&gsm_key(10, Some(1), None), 0).unwrap();
    store
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 1, -40.0))?;
            Ok(())
        })
        .unwrap();
    // Error raised by the closure after some writes.
    let err = store
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 2, -41.0))?;
            tx.message(&msg(run, cell, 2, vec![1, 2, 3]))?;
            tx.upsert_cell(&gsm_key(11, Some(2), None), 2)?;
            Err::<(), _>(StoreError::Aborted("test".to_string()))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Aborted(_)));
    // Error raised by the database (unknown run id breaks the foreign key).
    let err = store
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 3, -42.0))?;
            tx.observation(&obs(RunId(777), cell, 3, -42.0))?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Constraint(_)), "{err}");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    // Only the first batch is there; the new cell from the aborted batch is not.
    let rows = store.observations_for_cell(cell, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].power_dbfs, -40.0);
    assert!(store.messages_for_cell(cell, None).unwrap().is_empty());
    assert_eq!(store.cells(None).unwrap().len(), 1);
    // And the store still writes.
    store
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 4, -43.0))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.observations_for_cell(cell, None).unwrap().len(), 2);
}

#[test]
fn nan_in_required_value_is_a_constraint_error_not_a_panic() {
    let (mut store, run) = new_store();
    let cell = store.upsert_cell(&gsm_key(10, Some(1), None), 0).unwrap();
    let err = store
        .write_batch(|tx| {
            tx.observation(&NewObservation {
                freq_hz: f64::NAN,
                ..obs(run, cell, 1, -30.0)
            })
            .map(|_| ())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Constraint(_)), "{err}");
    assert!(err.to_string().contains("freq_hz"), "{err}");
}

#[test]
fn unmeasured_power_round_trips_as_nan_and_null() {
    let (mut store, run) = new_store();
    let cell = store.upsert_cell(&gsm_key(10, Some(1), None), 0).unwrap();
    store
        .write_batch(|tx| tx.observation(&obs(run, cell, 1, f64::NAN)).map(|_| ()))
        .unwrap();
    let rows = store.observations_for_cell(cell, None).unwrap();
    assert!(rows[0].power_dbfs.is_nan());
    assert_eq!(
        serde_json::to_value(&rows[0]).unwrap()["power_dbfs"],
        json!(null)
    );
}

#[test]
fn spectrum_and_channel_power_round_trip() {
    let (mut store, run) = new_store();
    let bins: Vec<f32> = vec![-90.5, -12.25, f32::NEG_INFINITY, 0.0, 1.0e-7];
    store
        .write_batch(|tx| {
            tx.spectrum(&NewSpectrum {
                run_id: run,
                time_unix_ms: 10,
                center_freq_hz: 945e6,
                bin_spacing_hz: 1e6 / 1024.0,
                power_dbfs: bins.clone(),
            })?;
            tx.channel_power(&NewChannelPower {
                run_id: run,
                time_unix_ms: 10,
                rat: Rat::Gsm,
                band: Some("GSM900".to_string()),
                channel_number: 62,
                freq_hz: 947.4e6,
                bandwidth_hz: 200e3,
                power_dbfs: -35.0,
                power_dbm: Some(-70.0),
            })?;
            Ok(())
        })
        .unwrap();
    let snaps = store.spectrum_snapshots(run).unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].power_dbfs.len(), bins.len());
    for (a, b) in snaps[0].power_dbfs.iter().zip(&bins) {
        assert_eq!(a.to_bits(), b.to_bits(), "bit-exact");
    }
    let cp = store.channel_power(run).unwrap();
    assert_eq!(cp[0].channel_number, 62);
    assert_eq!(cp[0].rat, Rat::Gsm);
    assert_eq!(cp[0].power_dbm, Some(-70.0));
}

fn page(run: RunId, cell: CellId, t: i64, ids: &[(IdentityKind, &str)]) -> PagingEvent {
    PagingEvent {
        run_id: run,
        cell_id: cell,
        time_unix_ms: t,
        identities: ids
            .iter()
            .map(|(kind, v)| PagedIdentity {
                kind: *kind,
                value: v.to_string(),
            })
            .collect(),
    }
}

#[test]
fn paging_counts_and_hashed_identities() {
    let (mut store, run) = new_store();
    let cell = store.upsert_cell(&gsm_key(62, Some(7), None), 0).unwrap();
    store
        .write_batch(|tx| {
            tx.paging(&page(
                run,
                cell,
                100,
                &[
                    (IdentityKind::Imsi, "001010123456789"),
                    (IdentityKind::Tmsi, "1a2b3c4d"),
                ],
            ))?;
            tx.paging(&page(
                run,
                cell,
                50,
                &[(IdentityKind::Imsi, "001010123456789")],
            ))?;
            tx.paging(&page(
                run,
                cell,
                200,
                &[(IdentityKind::Imsi, "001010000000001")],
            ))?;
            tx.paging(&page(run, cell, 300, &[(IdentityKind::Tmsi, "1A2B3C4D")]))?;
            Ok(())
        })
        .unwrap();
    let counts = store.paging_counts(Some(run)).unwrap();
    assert_eq!(
        counts,
        vec![PagingCountRow {
            run_id: run,
            cell_id: cell,
            paging_messages: 4,
            imsi_pages: 3,
            tmsi_pages: 2,
            other_pages: 0,
            distinct_imsis: 2,
            distinct_tmsis: 1,
            first_unix_ms: 50,
            last_unix_ms: 300,
        }]
    );
    let ids = store.paging_identities(Some(run), Some(cell)).unwrap();
    assert_eq!(ids.len(), 3);
    let top = &ids[0];
    assert_eq!(top.kind, IdentityKind::Imsi);
    assert_eq!(top.count, 2);
    assert_eq!(top.identity_hash, store.hash_identity("001010123456789"));
    assert_eq!((top.first_unix_ms, top.last_unix_ms), (50, 100));
    // No clear text anywhere in the file by default.
    for row in &ids {
        assert_eq!(row.identity_clear, None);
        assert_eq!(row.identity_hash.len(), 64);
    }
    let clear_count: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM paging_identities WHERE identity_clear IS NOT NULL
               OR identity_hash LIKE '%0010101234%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clear_count, 0);
    assert!(matches!(
        store.write_batch(|tx| tx.paging(&page(run, cell, 1, &[(IdentityKind::Imsi, " ")]))),
        Err(StoreError::InvalidInput(_))
    ));
}

#[test]
fn clear_identities_only_when_asked() {
    let opts = StoreOptions {
        store_identities_clear: true,
        ..StoreOptions::default()
    };
    let mut store = Store::open_in_memory_with(&opts).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Synth, "scene", 0))
        .unwrap();
    let cell = store.upsert_cell(&lte_key(6300, 5), 0).unwrap();
    store
        .write_batch(|tx| {
            tx.paging(&page(
                run,
                cell,
                1,
                &[(IdentityKind::Imsi, "262011234567890")],
            ))
        })
        .unwrap();
    let ids = store.paging_identities(None, None).unwrap();
    assert_eq!(ids[0].identity_clear.as_deref(), Some("262011234567890"));
    assert_eq!(ids[0].identity_hash, store.hash_identity("262011234567890"));
}

#[test]
fn salt_differs_between_databases() {
    let a = Store::open_in_memory().unwrap();
    let b = Store::open_in_memory().unwrap();
    assert_ne!(
        a.hash_identity("001010123456789"),
        b.hash_identity("001010123456789")
    );
    assert_eq!(
        a.hash_identity("001010123456789"),
        a.hash_identity("001010123456789")
    );
}

#[test]
fn merge_cells_moves_history() {
    let (mut store, run) = new_store();
    let partial = store.upsert_cell(&gsm_key(62, Some(7), None), 100).unwrap();
    let full = store
        .upsert_cell(&gsm_key(62, Some(7), Some(4242)), 500)
        .unwrap();
    store.set_cell_label(partial, Some("blaster?")).unwrap();
    store
        .write_batch(|tx| {
            tx.observation(&obs(run, partial, 100, -20.0))?;
            tx.observation(&obs(run, full, 500, -21.0))?;
            tx.paging(&page(run, partial, 100, &[(IdentityKind::Imsi, "1")]))?;
            tx.paging(&page(run, full, 500, &[(IdentityKind::Imsi, "1")]))?;
            Ok(())
        })
        .unwrap();
    store.merge_cells(partial, full).unwrap();
    assert_eq!(store.cell(partial).unwrap(), None);
    let merged = store.cell(full).unwrap().unwrap();
    assert_eq!(merged.first_seen_unix_ms, 100);
    assert_eq!(merged.label.as_deref(), Some("blaster?"));
    assert_eq!(store.observations_for_cell(full, None).unwrap().len(), 2);
    let pc = store.paging_counts(None).unwrap();
    assert_eq!(pc.len(), 1);
    assert_eq!(
        (
            pc[0].paging_messages,
            pc[0].imsi_pages,
            pc[0].distinct_imsis
        ),
        (2, 2, 1)
    );
    assert_eq!(store.paging_identities(None, None).unwrap()[0].count, 2);
    let lte = store.upsert_cell(&lte_key(1, 1), 0).unwrap();
    assert!(matches!(
        store.merge_cells(lte, full),
        Err(StoreError::Constraint(_))
    ));
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn file_store_uses_wal_and_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = Store::open(&path, &StoreOptions::default()).unwrap();
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    // synchronous NORMAL = 1 (sqlite.org/pragma.html#pragma_synchronous).
    let sync: i64 = store
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1);
    let busy: i64 = store
        .conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!(busy, 5_000);
    assert_eq!(store.path(), Some(path.display().to_string().as_str()));
    let app: i32 = store
        .conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, schema::APPLICATION_ID);
}

#[test]
fn reopen_keeps_data_and_salt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (hash, run) = {
        let store = Store::open(&path, &StoreOptions::default()).unwrap();
        let run = store
            .begin_run(&NewRun::new(RunKind::Replay, "f", 0))
            .unwrap();
        (store.hash_identity("001010123456789"), run)
    };
    let store = Store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(store.hash_identity("001010123456789"), hash);
    assert_eq!(store.runs().unwrap()[0].id, run);
}

#[test]
fn v1_database_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
        assert_eq!(schema::user_version(&conn).unwrap(), 1);
        conn.execute_batch(
            "INSERT INTO runs (id, started_unix_ms, kind, source, cellsentry_version, status)
                 VALUES (1, 10, 'replay', 'old.cfile', '0.0.1', 'completed');
             INSERT INTO cells (id, rat, natural_key, channel_number, phys_id,
                 first_seen_unix_ms, last_seen_unix_ms)
                 VALUES (1, 'gsm', 'gsm|||||62|7', 62, 7, 10, 20);
             INSERT INTO observations (run_id, cell_id, time_unix_ms, freq_hz, power_dbfs)
                 VALUES (1, 1, 15, 947.4e6, -33.0);",
        )
        .unwrap();
        // v2 tables do not exist yet.
        assert!(conn.execute_batch("SELECT * FROM paging_counts").is_err());
    }
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.recordings(None).unwrap().is_empty());
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].source, "old.cfile");
    assert_eq!(runs[0].status, RunStatus::Completed);
    // The old cell is found again by the key the new code builds.
    let cell = store.upsert_cell(&gsm_key(62, Some(7), None), 30).unwrap();
    assert_eq!(cell, CellId(1));
    assert_eq!(
        store.observations_for_cell(cell, None).unwrap()[0].power_dbfs,
        -33.0
    );
    // v2 tables work and the salt was created by the migration.
    store
        .write_batch(|tx| tx.paging(&page(RunId(1), cell, 20, &[(IdentityKind::Tmsi, "ab")])))
        .unwrap();
    assert_eq!(store.paging_counts(None).unwrap()[0].tmsi_pages, 1);
    assert_eq!(store.salt.len(), 32);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, &StoreOptions::default()).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 5))
            .unwrap();
    }
    let err = Store::open(&path, &StoreOptions::default()).unwrap_err();
    match &err {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, SCHEMA_VERSION + 5);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("wrong error {other}"),
    }
    let text = err.to_string();
    assert!(text.contains("newer") && !text.contains('\n'), "{text}");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(schema::user_version(&conn).unwrap(), SCHEMA_VERSION + 5);
}

#[test]
fn text_file_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not sqlite, just some text that is long enough\n".repeat(50),
    )
    .unwrap();
    let err = Store::open(&path, &StoreOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("notes.txt") && text.contains("not a database"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn foreign_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER);").unwrap();
    }
    let err = Store::open(&path, &StoreOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotCellsentry { .. }), "{err}");
    // Nothing was added to it.
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn missing_file_without_create_is_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions {
        create_if_missing: false,
        ..StoreOptions::default()
    };
    let err = Store::open(dir.path().join("absent.db"), &opts).unwrap_err();
    assert!(matches!(err, StoreError::Io(_)), "{err}");
}

#[test]
fn corrupt_enum_word_is_reported_not_panicked() {
    let (store, _) = new_store();
    // Simulate another tool writing a word we do not know (CHECK constraints off for it).
    store
        .conn
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE runs SET status = 'exploded';
             PRAGMA ignore_check_constraints = OFF;",
        )
        .unwrap();
    let err = store.runs().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    assert!(err.to_string().contains("exploded"), "{err}");
}

#[test]
fn enum_words_round_trip() {
    for k in RunKind::ALL {
        assert_eq!(k.as_str().parse::<RunKind>().unwrap(), *k);
        assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
    }
    for l in VerdictLevel::ALL {
        assert_eq!(l.as_str().parse::<VerdictLevel>().unwrap(), l);
    }
    assert_eq!(VerdictLevel::LikelyFake.as_str(), "likely_fake");
}

#[test]
fn hex_bytes_round_trip() {
    use types::hex_bytes::{decode, encode};
    assert_eq!(encode(&[0x00, 0xab, 0x7f]), "00ab7f");
    assert_eq!(decode("00AB7f"), Some(vec![0x00, 0xab, 0x7f]));
    assert_eq!(decode("0"), None);
    assert_eq!(decode("zz"), None);
}

#[test]
fn reader_sees_only_committed_batches_while_writer_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut writer = Store::open(&path, &StoreOptions::default()).unwrap();
    let reader = Store::open(&path, &StoreOptions::default()).unwrap();
    let run = writer
        .begin_run(&NewRun::new(RunKind::Monitor, "live", 0))
        .unwrap();
    let cell = writer.upsert_cell(&gsm_key(5, Some(3), None), 0).unwrap();
    writer
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 1, -50.0))?;
            // WAL: the report process reads the last committed state, not this open batch,
            // and is not blocked by it.
            let seen = reader.observations_for_cell(cell, None)?;
            assert!(seen.is_empty());
            Ok(())
        })
        .unwrap();
    assert_eq!(reader.observations_for_cell(cell, None).unwrap().len(), 1);
}

#[test]
fn full_store_fails_the_batch_and_keeps_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Replay, "first.cs16", 0))
        .unwrap();
    let cell = store.upsert_cell(&gsm_key(62, Some(21), None), 0).unwrap();
    store
        .write_batch(|tx| {
            tx.observation(&obs(run, cell, 1, -30.0))?;
            Ok(())
        })
        .unwrap();
    store.finish_run(run, RunStatus::Completed, 10).unwrap();
    // SQLite's own size limit stands in for a full disk: it raises the same SQLITE_FULL.
    let pages: i64 = store
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .conn
        .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    let big = vec![0x2bu8; 64 * 1024];
    let err = store
        .write_batch(|tx| {
            for t in 0..20 {
                tx.message(&msg(run, cell, t, big.clone()))?;
            }
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::DiskFull(_)), "{err}");
    assert!(!err.to_string().contains('\n'));
    drop(store);
    let store = Store::open(&path, &StoreOptions::default()).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Completed);
    assert_eq!(store.observations_for_cell(cell, None).unwrap().len(), 1);
}

#[test]
fn read_only_store_reads_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.db");
    {
        let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
        let run = store
            .begin_run(&NewRun::new(RunKind::Replay, "case.cs16", 0))
            .unwrap();
        let cell = store.upsert_cell(&gsm_key(62, Some(21), None), 0).unwrap();
        store
            .write_batch(|tx| {
                tx.observation(&obs(run, cell, 1, -30.0))?;
                Ok(())
            })
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let ro = StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    };
    let store = Store::open(&path, &ro).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    let err = store
        .begin_run(&NewRun::new(RunKind::Replay, "more.cs16", 0))
        .unwrap_err();
    assert!(!err.to_string().contains('\n'), "{err}");
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a read-only open changed the file"
    );
    // A missing file is not created by a reader.
    let err = Store::open(dir.path().join("absent.db"), &ro).unwrap_err();
    assert!(matches!(err, StoreError::Io(_)), "{err}");
    assert!(!dir.path().join("absent.db").exists());
}

#[test]
fn read_only_store_refuses_an_old_schema_instead_of_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
    }
    let ro = StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    };
    let err = Store::open(&path, &ro).unwrap_err();
    assert!(matches!(err, StoreError::Migration { .. }), "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(
        Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        1
    );
}
