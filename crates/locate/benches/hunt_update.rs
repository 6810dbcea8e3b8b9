//! Cost of one live-hunt refresh: `locate` on every positioned reading of a cell so far
//! (monitor's hunt display reruns it every 5 s of signal, on a thread of its own). Readings
//! from the `synth::drive` model, two a second, a car going round the block at 12 m/s: 1,000
//! readings are 8 minutes of driving, the size the issue asks about; 250 and 4,000 beside it.
//!
//! `cargo bench -p cellsentry-locate --bench hunt_update` (figures in bench/LOCATING.md).

use cellsentry_locate::{locate, GeoPoint, LocalFrame, LocateConfig, Measurement};
use cellsentry_synth::drive::{constant_speed_track, DriveScene};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn readings(n: usize) -> Vec<Measurement> {
    let scene = DriveScene {
        tx_x_m: 0.0,
        tx_y_m: 0.0,
        power_at_1m_db: 0.0,
        exponent: 3.2,
        height_m: 10.0,
        shadowing_db: 7.0,
        decorrelation_m: 50.0,
        freq_hz: 947.4e6,
        noise_db: -200.0,
        interval_s: 0.5,
        fading: true,
    };
    // Round the block (150-250 m from the transmitter), as many laps as it takes.
    let lap = [
        (-250.0, -150.0),
        (250.0, -150.0),
        (250.0, 200.0),
        (-250.0, 200.0),
        (-250.0, -150.0),
    ];
    let laps: Vec<(f64, f64)> = (0..1 + n / 140).flat_map(|_| lap).collect();
    let track = constant_speed_track(&laps, 12.0);
    let field = scene.shadow_field(1);
    let frame = LocalFrame::new(51.5, -0.12);
    scene
        .measure(&track, &field, 1)
        .into_iter()
        .take(n)
        .map(|r| {
            let (lat_deg, lon_deg) = frame.to_lat_lon(r.x_m, r.y_m);
            Measurement {
                point: GeoPoint::new(lat_deg, lon_deg),
                power_db: r.power_db,
                time_unix_ms: (r.t_s * 1000.0) as i64,
                sensor: "live".into(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let config = LocateConfig::default();
    let mut g = c.benchmark_group("hunt_update");
    g.sample_size(20);
    for n in [250, 1000, 4000] {
        let rows = readings(n);
        assert_eq!(rows.len(), n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &rows, |b, rows| {
            b.iter(|| locate(rows, &config).map(|e| e.bins))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
