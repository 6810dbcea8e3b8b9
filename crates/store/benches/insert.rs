//! Insert throughput of the store: batches shaped like a GSM monitor's output (one cell upsert,
//! one observation and its BCCH/CCCH messages per batch) into a WAL file on disk.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

use cellsentry_store::*;

/// Messages per observation: about what a GSM cell's BCCH+CCCH yield in a one-second window.
const MESSAGES_PER_BATCH: u32 = 50;

fn bench_insert(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("bench.db"), &StoreOptions::default()).unwrap();
    let run = store
        .begin_run(&NewRun::new(RunKind::Replay, "bench", 0))
        .unwrap();
    let key = CellKey {
        rat: Rat::Gsm,
        plmn: Some(Plmn::broadcast("001", "01")),
        lac_tac: Some(1000),
        cell_id: Some(4242),
        channel: Some(62),
        bsic_pci: Some(7),
    };
    let raw: Vec<u8> = vec![
        0x49, 0x06, 0x1b, 0x10, 0x92, 0x00, 0xf1, 0x10, 0x03, 0xe8, 0xc8, 0x03, 0x05, 0x27, 0x47,
        0x40, 0xe5, 0x04, 0x00, 0x2b, 0x2b, 0x2b, 0x2b,
    ];
    let decoded = json!({"type": "SI3", "lac": 1000, "ci": 4242, "t3212_decihours": 10,
        "cell_reselect_offset_db": 0, "cbq": 0, "mscr": 1});
    let mut t: i64 = 0;

    let mut group = c.benchmark_group("store_insert");
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(5));
    group.throughput(Throughput::Elements(u64::from(MESSAGES_PER_BATCH) + 1));
    group.bench_function("observation_plus_50_messages_batch", |b| {
        b.iter(|| {
            t += 1;
            store
                .write_batch(|tx| {
                    let cell = tx.upsert_cell(&key, t)?;
                    let obs = tx.observation(&NewObservation {
                        run_id: run,
                        cell_id: cell,
                        time_unix_ms: t,
                        freq_hz: 947.4e6,
                        channel_number: Some(62),
                        power_dbfs: -30.0,
                        power_dbm: None,
                        snr_db: Some(20.0),
                        freq_offset_hz: Some(100.0),
                        freq_offset_ppm: Some(0.1),
                        blocks_ok: MESSAGES_PER_BATCH,
                        blocks_failed: 0,
                        lat_deg: None,
                        lon_deg: None,
                        summary: json!({"ta": 0}),
                    })?;
                    for i in 0..MESSAGES_PER_BATCH {
                        tx.message(&NewMessage {
                            run_id: run,
                            cell_id: cell,
                            observation_id: Some(obs),
                            time_unix_ms: t,
                            frame_number: Some(i * 51),
                            channel: "BCCH".to_string(),
                            message_type: "SI3".to_string(),
                            raw: raw.clone(),
                            decoded: Some(decoded.clone()),
                            error: None,
                        })?;
                    }
                    Ok(())
                })
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_insert);
criterion_main!(benches);
