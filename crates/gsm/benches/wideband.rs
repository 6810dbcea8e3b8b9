//! Wideband path throughput: channeliser + every active channel's receiver on a 0.5 s scene
//! at 20 Msps composed from the two Osmocom recordings (four carriers, AWGN).
#[path = "../tests/common/scene.rs"]
mod scene;

use cellsentry_gsm::{WidebandConfig, WidebandGsm};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use num_complex::Complex32;
use scene::{Scene, Source};

const OSMO_RATE: f64 = 1_625_000.0 / 6.0 * 4.0;
const RATE: f64 = 20e6;

fn load(name: &str) -> Vec<Complex32> {
    let p = format!(
        "{}/../../captures/osmocom/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read(p).expect("bundled capture");
    raw.chunks_exact(4)
        .take(600_000)
        .map(|c| {
            Complex32::new(
                f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0,
                f32::from(i16::from_le_bytes([c[2], c[3]])) / 32768.0,
            )
        })
        .collect()
}

fn scene_samples() -> Vec<Complex32> {
    let def = load("osmocom_default_dcs1800_arfcn871.cs16");
    let bla = load("osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    let sources = vec![
        Source::new(def.clone(), OSMO_RATE, RATE, 0.0, -7.0e6, 0.0),
        Source::new(bla.clone(), OSMO_RATE, RATE, 0.0, -2.4e6, -6.0),
        Source::new(def, OSMO_RATE, RATE, 0.0, 3.8e6, -3.0),
        Source::new(bla, OSMO_RATE, RATE, 0.0, 8.2e6, -9.0),
    ];
    let mut s = Scene::new(sources, 0.0903, 3, (0.5 * RATE) as usize);
    let mut x = Vec::new();
    while let Some(c) = s.next_chunk(1 << 18) {
        x.extend(c);
    }
    x
}

fn bench(c: &mut Criterion) {
    let x = scene_samples();
    let mut g = c.benchmark_group("gsm_wideband");
    g.throughput(Throughput::Elements(x.len() as u64));
    g.sample_size(10);
    g.bench_function("20msps_4carriers_0.5s", |b| {
        b.iter(|| {
            let mut wb = WidebandGsm::new(RATE, 1842.6e6, &WidebandConfig::default()).unwrap();
            let mut n = 0;
            for chunk in x.chunks(1 << 18) {
                n += wb.push(chunk).len();
            }
            let (ev, meas) = wb.finish();
            assert_eq!(meas.len(), 4);
            n + ev.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
