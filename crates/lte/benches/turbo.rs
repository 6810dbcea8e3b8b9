//! Turbo / DL-SCH decoding speed (release build, one thread): a K = 6144 code block at a fixed
//! 8 iterations (worst case, no early stop), a 75376-bit TB with early stopping, and a 176-bit
//! SIB1 through the whole DL-SCH receiver chain. Throughput is in decoded information bits.

use cellsentry_lte::dlsch::{dlsch_encode, DlschDecoder};
use cellsentry_lte::turbo::{turbo_encode, TurboDecoder};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn lcg(seed: &mut u64) -> u32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as u32
}

fn gauss(seed: &mut u64) -> f32 {
    let u1 = (lcg(seed) as f32 + 1.0) / 2_147_483_648.0;
    let u2 = lcg(seed) as f32 / 2_147_483_648.0;
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
}

fn llrs(bits: &[u8], esn0_db: f32, seed: &mut u64) -> Vec<f32> {
    let sigma = (1.0 / (2.0 * 10f32.powf(esn0_db / 10.0))).sqrt();
    bits.iter()
        .map(|&b| {
            let x = if b == 0 { 1.0 } else { -1.0 };
            2.0 * (x + sigma * gauss(seed)) / (sigma * sigma)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut seed = 1u64;
    let mut g = c.benchmark_group("turbo");

    let k = 6144;
    let bits: Vec<u8> = (0..k).map(|_| (lcg(&mut seed) & 1) as u8).collect();
    let d = turbo_encode(&bits).unwrap();
    let soft: Vec<Vec<f32>> = d.iter().map(|s| llrs(s, -3.0, &mut seed)).collect();
    let mut dec = TurboDecoder::new();
    let mut out = vec![0u8; k];
    g.throughput(Throughput::Elements(k as u64));
    g.bench_function("k6144_8_iterations", |b| {
        b.iter(|| {
            dec.decode([&soft[0], &soft[1], &soft[2]], 8, &mut out, |_| false)
                .unwrap()
        })
    });

    let mut dl = DlschDecoder::new();
    for (name, tbs, g_bits, esn0_db) in [
        ("sib1_176_bits", 176usize, 480usize, 0.0f32),
        ("tb_75376_bits_early_stop", 75376, 150_000, 0.0),
    ] {
        let tb: Vec<u8> = (0..tbs / 8).map(|_| lcg(&mut seed) as u8).collect();
        let coded = dlsch_encode(&tb, g_bits, 2, 1, 0, None).unwrap();
        let llr = llrs(&coded, esn0_db, &mut seed);
        assert_eq!(dl.decode(&llr, tbs, 2, 1, 0, None).unwrap(), tb);
        g.throughput(Throughput::Elements(tbs as u64));
        g.bench_function(name, |b| {
            b.iter(|| dl.decode(&llr, tbs, 2, 1, 0, None).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
