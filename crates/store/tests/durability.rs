//! Crash durability: a writer process is SIGKILLed in the middle of writing batches; the file
//! must reopen clean (integrity and foreign keys), hold every batch the writer reported as
//! committed, and hold no partial batch.
//!
//! The writer is this test binary re-invoked on its ignored `child_writer` test with an
//! environment variable naming the database, so no extra binary is needed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cellsentry_store::*;
use serde_json::json;

const CHILD_ENV: &str = "CELLSENTRY_STORE_KILL_TEST_DB";
const STALL_ENV: &str = "CELLSENTRY_STORE_KILL_TEST_STALL_FROM";
/// Messages per batch: large enough that most of the child's time is spent inside an open
/// transaction, so the kill usually lands mid-batch.
const MESSAGES_PER_BATCH: u32 = 150;

fn cell_key() -> CellKey {
    CellKey {
        rat: Rat::Gsm,
        plmn: Some(Plmn::broadcast("001", "01")),
        lac_tac: Some(1),
        cell_id: Some(2),
        channel: Some(62),
        bsic_pci: Some(7),
    }
}

/// The writer: loops forever writing batches and reporting each commit on stdout.
#[test]
#[ignore = "child process of kill_mid_write_keeps_committed_batches"]
fn child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    // From this batch on, pause mid-transaction so the parent's kill lands inside it.
    let stall_from: i64 = std::env::var(STALL_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(i64::MAX);
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Synth, "kill test", 0))
        .unwrap();
    let cell = store.upsert_cell(&cell_key(), 0).unwrap();
    let stdout = std::io::stdout();
    for batch in 0i64.. {
        store
            .write_batch(|tx| {
                let obs = tx.observation(&NewObservation {
                    run_id: run,
                    cell_id: cell,
                    time_unix_ms: batch,
                    freq_hz: 947.4e6,
                    channel_number: Some(62),
                    power_dbfs: -30.0,
                    power_dbm: None,
                    snr_db: Some(20.0),
                    freq_offset_hz: None,
                    freq_offset_ppm: None,
                    blocks_ok: MESSAGES_PER_BATCH,
                    blocks_failed: 0,
                    lat_deg: None,
                    lon_deg: None,
                    summary: json!({ "batch": batch }),
                })?;
                for i in 0..MESSAGES_PER_BATCH {
                    if i == MESSAGES_PER_BATCH / 2 && batch >= stall_from {
                        let mut out = stdout.lock();
                        writeln!(out, "WRITING {batch}").unwrap();
                        out.flush().unwrap();
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    tx.message(&NewMessage {
                        run_id: run,
                        cell_id: cell,
                        observation_id: Some(obs),
                        time_unix_ms: batch,
                        frame_number: Some(i),
                        channel: "BCCH".to_string(),
                        message_type: "SI3".to_string(),
                        raw: vec![0x49, 0x06, 0x1b, (i & 0xff) as u8, 0x2b, 0x2b, 0x2b],
                        decoded: Some(json!({ "batch": batch, "i": i })),
                        error: None,
                    })?;
                }
                tx.detection(&NewDetection {
                    run_id: run,
                    cell_id: Some(cell),
                    rule_id: "kill.test".to_string(),
                    rule_version: 1,
                    severity: Severity::Info,
                    score: 0.0,
                    time_unix_ms: batch,
                    summary: None,
                    evidence: json!({ "batch": batch }),
                })?;
                tx.paging(&PagingEvent {
                    run_id: run,
                    cell_id: cell,
                    time_unix_ms: batch,
                    identities: vec![PagedIdentity {
                        kind: IdentityKind::Tmsi,
                        value: format!("{batch:08x}"),
                    }],
                })?;
                Ok(())
            })
            .unwrap();
        let mut out = stdout.lock();
        writeln!(out, "COMMITTED {batch}").unwrap();
        out.flush().unwrap();
    }
}

/// Run the child until it reported `wait_for` commits and is half-way through writing the next
/// batch, then SIGKILL it. Returns the batch numbers it reported committed.
fn run_and_kill(path: &std::path::Path, wait_for: usize) -> Vec<i64> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "child_writer",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, path)
        .env(STALL_ENV, wait_for.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, recv) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest prints "test child_writer ... " without a newline before the test's
            // own output, so the first report shares its line.
            let report = if let Some(at) = line.find("COMMITTED ") {
                Some((true, &line[at + "COMMITTED ".len()..]))
            } else {
                line.find("WRITING ")
                    .map(|at| (false, &line[at + "WRITING ".len()..]))
            };
            if let Some((committed, n)) = report {
                if send
                    .send((committed, n.trim().parse::<i64>().unwrap()))
                    .is_err()
                {
                    break;
                }
            }
        }
    });
    let mut committed = Vec::new();
    loop {
        match recv.recv_timeout(Duration::from_secs(60)) {
            Ok((true, n)) => committed.push(n),
            Ok((false, n)) => {
                assert_eq!(n, wait_for as i64, "stalls only in batch {wait_for}");
                assert_eq!(committed.len(), wait_for);
                break;
            }
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "child stopped reporting after {} commits: {e}",
                    committed.len()
                );
            }
        }
    }
    // Child::kill is SIGKILL on Unix: no destructor, no rollback, no checkpoint runs.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "child must have been killed, got {status}"
    );
    reader.join().unwrap();
    // Nothing can have been committed after the stalled batch began.
    let late: Vec<_> = recv.try_iter().collect();
    assert!(late.is_empty(), "reports after the kill: {late:?}");
    committed
}

#[test]
fn kill_mid_write_keeps_committed_batches() {
    // Kill after a few, after more, and after enough batches that the WAL has been
    // checkpointed into the main file at least once (1000 pages by default).
    for wait_for in [3usize, 40, 400] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kill.db");
        let reported = run_and_kill(&path, wait_for);
        assert_eq!(reported, (0..wait_for as i64).collect::<Vec<_>>());

        let store = Store::open(&path, &StoreOptions::default()).unwrap();
        assert_eq!(store.integrity_problems().unwrap(), Vec::<String>::new());

        let runs = store.runs().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, RunStatus::Running, "killed, never finished");
        let cells = store.cells(None).unwrap();
        assert_eq!(cells.len(), 1);
        let cell = cells[0].id;

        // Batch number -> (observations, messages, detections) found in the file.
        let mut found: BTreeMap<i64, (usize, usize, usize)> = BTreeMap::new();
        let mut obs_batch = BTreeMap::new();
        for o in store.observations_for_cell(cell, None).unwrap() {
            let b = o.summary["batch"].as_i64().unwrap();
            obs_batch.insert(o.id, b);
            found.entry(b).or_default().0 += 1;
        }
        for m in store.messages_for_cell(cell, None).unwrap() {
            let b = m.decoded.as_ref().unwrap()["batch"].as_i64().unwrap();
            assert_eq!(obs_batch.get(&m.observation_id.unwrap()), Some(&b));
            found.entry(b).or_default().1 += 1;
        }
        for d in store.detections(None).unwrap() {
            found
                .entry(d.evidence["batch"].as_i64().unwrap())
                .or_default()
                .2 += 1;
        }

        // Exactly the reported batches are present: none lost, and none of the batch the kill
        // interrupted (half its messages had been written inside the open transaction).
        let in_file: Vec<i64> = found.keys().copied().collect();
        assert_eq!(in_file, reported, "batches in file vs reported committed");
        assert!(!found.contains_key(&(wait_for as i64)));
        // And each one is whole.
        for (b, counts) in &found {
            assert_eq!(
                *counts,
                (1, MESSAGES_PER_BATCH as usize, 1),
                "batch {b} partial"
            );
        }
        // Counters updated in the same transactions agree with the rows.
        let paging = store.paging_counts(None).unwrap();
        assert_eq!(paging.len(), 1);
        assert_eq!(paging[0].paging_messages as usize, found.len());
        assert_eq!(paging[0].distinct_tmsis as usize, found.len());
        eprintln!(
            "killed inside batch {wait_for}: {} reported, {} in file, all whole",
            reported.len(),
            found.len()
        );
    }
}

/// A file-backed store keeps earlier batches across a failed one and across reopening.
#[test]
fn failed_batch_on_file_store_leaves_earlier_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fail.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Replay, "x", 0))
        .unwrap();
    let cell = store.upsert_cell(&cell_key(), 0).unwrap();
    let det = |t: i64| NewDetection {
        run_id: run,
        cell_id: Some(cell),
        rule_id: "r".to_string(),
        rule_version: 1,
        severity: Severity::Medium,
        score: 1.0,
        time_unix_ms: t,
        summary: None,
        evidence: json!({}),
    };
    store
        .write_batch(|tx| tx.detection(&det(1)).map(|_| ()))
        .unwrap();
    let err = store
        .write_batch(|tx| {
            tx.detection(&det(2))?;
            tx.detection(&NewDetection {
                cell_id: Some(CellId(999)),
                ..det(3)
            })?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Constraint(_)), "{err}");
    store
        .write_batch(|tx| tx.detection(&det(4)).map(|_| ()))
        .unwrap();
    drop(store);
    let store = Store::open(&path, &StoreOptions::default()).unwrap();
    let times: Vec<i64> = store
        .detections(Some(run))
        .unwrap()
        .iter()
        .map(|d| d.time_unix_ms)
        .collect();
    assert_eq!(times, vec![1, 4]);
    assert!(store.integrity_problems().unwrap().is_empty());
}
