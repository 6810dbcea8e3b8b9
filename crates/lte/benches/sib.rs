//! System-information decoding speed (PCFICH, PDCCH blind search, PDSCH, DL-SCH) on real
//! captures, the cell search done once outside the timed loop (release build, one thread).
//! Real time is 80 ms per iteration for the 19.2 Msps files, 10 ms for the srsRAN vector.

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::downlink::CellTiming;
use cellsentry_lte::downlink::{decode_system_information, SiReceiver, SiReport};
use cellsentry_lte::grid::DlCell;
use cellsentry_lte::{CellSearcher, SearchConfig};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;

fn capture(name: &str) -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let local = root.join("../../captures/lte").join(name);
    let shared = root.join("../../../shared/captures/lte").join(name);
    std::fs::read(local).or_else(|_| std::fs::read(shared)).ok()
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "f1815.3_s19.2_cs8_hackrf_80ms.bin",
            SampleFormat::Ci8,
            19.2e6,
        ),
        (
            "f2360_s19.2_cs8_hackrf_tdd_80ms.bin",
            SampleFormat::Ci8,
            19.2e6,
        ),
        (
            "srsran_signal.1.92M.amar_cf32.dat",
            SampleFormat::Cf32Le,
            1.92e6,
        ),
    ];
    let mut group = c.benchmark_group("sib");
    group.sample_size(10);
    for (name, fmt, rate) in cases {
        let Some(bytes) = capture(name) else {
            eprintln!("note: {name} absent, skipped");
            continue;
        };
        let iq = decode_samples(&bytes, fmt).expect("capture decodes");
        let cells = CellSearcher::new(SearchConfig::default())
            .search(&iq, rate, None)
            .expect("search runs");
        let Some(cell) = cells.into_iter().find(|c| c.mib.is_some()) else {
            eprintln!("note: no cell with MIB in {name}, skipped");
            continue;
        };
        group.bench_function(format!("decode_system_information/{name}"), |b| {
            b.iter(|| decode_system_information(&iq, rate, &cell).expect("decodes"))
        });
        // A streaming caller keeps one receiver (plans, tables, decoders) alive.
        let dl = DlCell::from_detection(&cell).expect("MIB present");
        let mut rx = SiReceiver::new(rate, &dl).expect("receiver");
        let timing = CellTiming::from_detection(&cell);
        group.bench_function(format!("si_receiver_reused/{name}"), |b| {
            b.iter(|| {
                let mut rep = SiReport::default();
                rx.process(&iq, &timing, &mut rep).expect("decodes");
                rep
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
