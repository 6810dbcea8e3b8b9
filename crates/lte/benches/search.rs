//! Cell search + MIB speed on real captures (release build, one thread).

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{CellScanner, CellSearcher, ScanConfig, SearchConfig};
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
            "f806_s1.92_cu8_rtlsdr_80ms.bin",
            SampleFormat::Cu8,
            1.92e6,
            806e6,
        ),
        (
            "f2645_s1.92_cu8_rtlsdr_tdd_ppm26_300ms.bin",
            SampleFormat::Cu8,
            1.92e6,
            2645e6,
        ),
        (
            "f796_s19.2_cs8_hackrf_80ms.bin",
            SampleFormat::Ci8,
            19.2e6,
            796e6,
        ),
    ];
    for (name, fmt, rate, fc) in cases {
        let Some(bytes) = capture(name) else {
            eprintln!("skipping {name}: capture not found");
            continue;
        };
        let mut samples = decode_samples(&bytes, fmt).expect("capture decodes");
        // 80 ms, the duration the speed goal is stated for
        samples.truncate((0.08 * rate) as usize);
        let mut searcher = CellSearcher::new(SearchConfig::default());
        c.bench_function(&format!("search_80ms/{name}"), |b| {
            b.iter(|| {
                searcher
                    .search(&samples, rate, Some(fc))
                    .expect("search runs")
            })
        });
    }
}

/// The streaming scanner as replay/monitor run it, on 10 s of the real f806 RTL-SDR capture
/// looped (80 ms = 8 whole frames, so the timing loops without a jump; the SFN does jump at
/// each seam, which makes this pessimistic), fed in 10 ms blocks. Real-time factor = 10 s / time.
fn bench_scanner(c: &mut Criterion) {
    let Some(bytes) = capture("f806_s1.92_cu8_rtlsdr_80ms.bin") else {
        eprintln!("skipping the scanner bench: capture not found");
        return;
    };
    let x = decode_samples(&bytes, SampleFormat::Cu8).expect("capture decodes");
    let stream: Vec<_> = x.iter().copied().cycle().take(19_200_000).collect();
    let mut group = c.benchmark_group("scanner");
    group.sample_size(10);
    group.bench_function("f806_looped_10s", |b| {
        b.iter(|| {
            let mut s = CellScanner::new(1.92e6, Some(806e6), ScanConfig::default())
                .expect("rate supported");
            for block in stream.chunks(19_200) {
                s.push(block);
            }
            s.finish();
            assert_eq!(s.cells().len(), 1);
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_scanner);
criterion_main!(benches);
