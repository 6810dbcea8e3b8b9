//! Receiver throughput on the first 0.5 s of the bundled Osmocom capture (4 sps).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use num_complex::Complex32;

fn load() -> Vec<Complex32> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../captures/osmocom/osmocom_default_dcs1800_arfcn871.cs16"
    );
    let raw = std::fs::read(p).expect("bundled capture");
    raw.chunks_exact(4)
        .take(541_667)
        .map(|c| {
            let i = i16::from_le_bytes([c[0], c[1]]);
            let q = i16::from_le_bytes([c[2], c[3]]);
            Complex32::new(f32::from(i) / 32768.0, f32::from(q) / 32768.0)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let x = load();
    let mut g = c.benchmark_group("gsm_receiver");
    g.throughput(Throughput::Elements(x.len() as u64));
    g.sample_size(10);
    g.bench_function("osmocom_0.5s_4sps", |b| {
        b.iter(|| {
            let d = cellsentry_gsm::decode_all(&x, 1_625_000.0 / 6.0 * 4.0).unwrap();
            assert!(d.measurement.blocks_ok > 0);
            d
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
