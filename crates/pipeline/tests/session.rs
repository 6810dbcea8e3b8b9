//! End-to-end runs of the session in process (no binary): a real recording decoded to its
//! independent truth and stored, a cell broadcasting a malformed PLMN judged as broadcast, a
//! stop in the middle keeping everything decoded, and a live source that outruns decoding
//! dropping (and counting) samples instead of queueing them.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use cellsentry_capture::{open_source, IqBlock, IqSource, OpenOptions, SourceInfo};
use cellsentry_detect::{Baseline, Engine, Profile, Thresholds};
use cellsentry_model::{Plmn, Rat, SampleFormat, VerdictLevel};
use cellsentry_pipeline::{Session, SessionEvent, SessionOptions};
use cellsentry_store::{RunKind, RunStatus, Store};
use cellsentry_synth::{Scenario, SimulatedRadio};
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const BLASTER: &str = "captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16";

fn blaster() -> Box<dyn IqSource> {
    let opts = OpenOptions {
        rate_hz: Some(1_083_333.33),
        freq_hz: Some(947.4e6),
        format: None,
    };
    open_source(repo().join(BLASTER), &opts).unwrap()
}

fn engine() -> Engine {
    Engine::new(
        Some(Profile::builtin("uk").unwrap()),
        Baseline::empty(),
        Thresholds::default(),
    )
}

/// The shared Osmocom blaster recording (truth: osmo-bsc's SI, gr-gsm's decode) through the
/// library: identity, verdict and stored rows.
#[test]
fn recording_decodes_to_its_truth_in_process() {
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo().join("captures/gsm-l3/osmocom_blaster_234-15_gsm900_arfcn62.truth.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let mut engine = engine();
    let source = blaster();
    let info = source.info().clone();
    let session = Session::new(
        &info,
        SessionOptions::default(),
        &mut engine,
        Some(&mut store),
    )
    .unwrap();
    let stop = AtomicBool::new(false);
    let mut alerts = 0;
    let outcome = session
        .run(source, &stop, &mut |ev| {
            if let SessionEvent::Alert { .. } = ev {
                alerts += 1;
            }
        })
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    assert!(alerts >= 1, "a live alert was raised");
    let cell = &outcome.result.gsm[0];
    let id = cell.identity.as_ref().unwrap();
    let ci = truth["cell"]["ci"].as_u64().unwrap_or(40961);
    assert_eq!(id.plmn, Plmn::parse("234-15").unwrap());
    assert_eq!(u64::from(id.cell_identity.unwrap()), ci);
    let verdict = outcome
        .verdict_for(cell.cell)
        .expect("the cell has its verdict");
    assert_eq!(verdict.verdict.level, VerdictLevel::LikelyFake);
    assert!(verdict.verdict.fired("emergency_call_barred"));
    // Stored as it went: the run, one cell under its full key, observations, messages, the
    // alert, detections and the final verdict.
    let run = store.run(outcome.run_id.unwrap()).unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert!(run.samples_read > 2_000_000 && run.samples_dropped == 0);
    let cells = store.cells(Some(run.id)).unwrap();
    assert_eq!(cells.len(), 1, "one cell, stored under one key");
    assert_eq!(cells[0].key.rat, Rat::Gsm);
    assert_eq!(cells[0].key.cell_id, Some(ci as u32));
    let obs = store
        .observations_for_cell(cells[0].id, Some(run.id))
        .unwrap();
    assert!(obs.len() >= 4, "{} observations", obs.len());
    let msgs = store.messages_for_cell(cells[0].id, Some(run.id)).unwrap();
    assert_eq!(
        msgs.iter()
            .filter(|m| m.message_type.contains("Type 3"))
            .count() as u32,
        cell.messages
            .iter()
            .filter(|m| m.message_type.contains("Type 3"))
            .count() as u32
    );
    assert!(!store.alerts(Some(run.id)).unwrap().is_empty());
    let v = store.latest_verdict_per_cell(Some(run.id)).unwrap();
    assert_eq!(v[0].level, VerdictLevel::LikelyFake);
}

/// A GSM cell whose SI3/SI4 LAI carries BCD nibble 0xA in the MCC (no real network sends one):
/// rendered by the generator to IQ, decoded, and judged with its PLMN as broadcast.
#[test]
fn malformed_plmn_is_judged_as_broadcast() {
    let mut scenario: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("captures/scenarios/sms_blaster.json")).unwrap(),
    )
    .unwrap();
    // Only the blaster, on from the start, with a PLMN the generator encodes as broadcast.
    let mut blaster = scenario["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fake"] == true)
        .unwrap()
        .clone();
    blaster["on"] = serde_json::json!([[0.0, null]]);
    blaster["gsm"]["mcc"] = "2a4".into();
    scenario["cells"] = serde_json::json!([blaster]);
    scenario["jammers"] = serde_json::json!([]);
    scenario["duration_s"] = 3.0.into();
    let scenario: Scenario = serde_json::from_value(scenario).unwrap();
    let radio = SimulatedRadio::new(scenario).unwrap();
    let info = radio.info().clone();
    let mut store = Store::open_in_memory().unwrap();
    let mut engine = engine();
    let session = Session::new(
        &info,
        SessionOptions::default(),
        &mut engine,
        Some(&mut store),
    )
    .unwrap();
    let outcome = session
        .run(Box::new(radio), &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    let cell = outcome
        .result
        .gsm
        .iter()
        .find(|c| c.arfcn == Some(62))
        .expect("the cell is decoded");
    let plmn = &cell.identity.as_ref().unwrap().plmn;
    assert_eq!(plmn.to_string(), "2a4-15");
    assert!(!plmn.is_valid());
    let v = outcome.verdict_for(cell.cell).unwrap();
    assert_eq!(
        v.key.plmn.as_ref(),
        Some(plmn),
        "judged with the PLMN as broadcast"
    );
    assert!(
        v.verdict.fired("malformed_plmn"),
        "{:?}",
        v.verdict.rule_ids()
    );
    // The store keeps the cell under the identity it claimed.
    let cells = store.cells(outcome.run_id).unwrap();
    assert!(cells
        .iter()
        .any(|c| c.key.plmn.as_ref().map(|p| p.mcc.as_str()) == Some("2a4")));
}

/// A stop request (what SIGINT/SIGTERM set) ends the run as interrupted, with everything
/// decoded until then committed.
#[test]
fn stop_keeps_what_was_decoded() {
    let mut store = Store::open_in_memory().unwrap();
    let mut engine = engine();
    let source = blaster();
    let info = source.info().clone();
    let opts = SessionOptions {
        block_samples: 1 << 14,
        ..SessionOptions::default()
    };
    let session = Session::new(&info, opts, &mut engine, Some(&mut store)).unwrap();
    let stop = AtomicBool::new(false);
    let outcome = session
        .run(source, &stop, &mut |ev| {
            if let SessionEvent::Cell { time_s, .. } = ev {
                if *time_s >= 1.0 {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        })
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Interrupted);
    let run = store.run(outcome.run_id.unwrap()).unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Interrupted);
    assert!(run.signal_seconds > 0.9 && run.signal_seconds < 2.3);
    let cells = store.cells(Some(run.id)).unwrap();
    assert_eq!(cells.len(), 1);
    assert!(!store
        .observations_for_cell(cells[0].id, Some(run.id))
        .unwrap()
        .is_empty());
    assert!(!store
        .messages_for_cell(cells[0].id, None)
        .unwrap()
        .is_empty());
}

/// A radio that delivers far faster than the receivers decode: the live reader drops what its
/// queue cannot hold and the session counts it (never unbounded memory, never silent loss).
#[test]
fn live_source_that_outruns_decoding_drops_and_counts() {
    struct Firehose {
        info: SourceInfo,
        next: u64,
        end: u64,
    }
    impl IqSource for Firehose {
        fn info(&self) -> &SourceInfo {
            &self.info
        }
        fn read_block(
            &mut self,
            max: usize,
        ) -> Result<Option<IqBlock>, cellsentry_capture::CaptureError> {
            if self.next >= self.end {
                return Ok(None);
            }
            let n = (max as u64).min(self.end - self.next) as usize;
            let b = IqBlock {
                samples: vec![num_complex::Complex32::new(0.01, 0.0); n],
                first_sample: self.next,
                center_freq_hz: self.info.center_freq_hz,
                dropped_total: 0,
            };
            self.next += n as u64;
            Ok(Some(b))
        }
    }
    let info = SourceInfo {
        sample_rate_hz: 1_920_000.0,
        center_freq_hz: 806e6,
        format: SampleFormat::Cf32Le,
        description: "firehose".into(),
        device: None,
        gain_db: None,
        total_samples: None,
        start_unix_ns: None,
    };
    let source = Firehose {
        info: info.clone(),
        next: 0,
        end: 1_920_000 * 20,
    };
    let mut store = Store::open_in_memory().unwrap();
    let mut engine = engine();
    let opts = SessionOptions {
        kind: RunKind::Monitor,
        live: true,
        queue_blocks: 2,
        ..SessionOptions::default()
    };
    let session = Session::new(&info, opts, &mut engine, Some(&mut store)).unwrap();
    let outcome = session
        .run(Box::new(source), &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    let r = &outcome.result;
    assert!(r.dropped > 0, "the queue overflowed");
    // Time stays true: what was decoded plus what was dropped is the whole stream.
    assert_eq!(r.samples + r.dropped, 1_920_000 * 20);
    let run = store.run(outcome.run_id.unwrap()).unwrap().unwrap();
    assert_eq!(run.samples_dropped, r.dropped);
}
