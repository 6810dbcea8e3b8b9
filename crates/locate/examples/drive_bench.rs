//! Accuracy of `locate` against the weighted centroid on simulated drive tests and fixed-sensor
//! layouts (measurement-level: the `synth::drive` model of path loss, correlated shadowing,
//! Doppler fading and receiver noise), many seeds per geometry.
//!
//! `cargo run --release -p cellsentry-locate --example drive_bench [SEEDS] [--csv FILE]`
//! (bench/locate.sh runs it and writes the figures into bench/LOCATING.md).

use cellsentry_locate::{
    locate, weighted_centroid, GeoPoint, LocalFrame, LocateConfig, Measurement,
};
use cellsentry_synth::drive::{constant_speed_track, DriveScene, TrackPoint};
use cellsentry_synth::rng::Rng;

const LAT0: f64 = 51.5;
const LON0: f64 = -0.12;

struct Geometry {
    name: String,
    /// Drive waypoints (metres, transmitter at the origin), or none.
    drive: Option<Vec<(f64, f64)>>,
    /// Number of fixed sensors placed at random within 1 km of the transmitter.
    fixed: usize,
}

fn geometries() -> Vec<Geometry> {
    let mut g = Vec::new();
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("L-shaped drive passing at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (400.0, -d), (400.0, 800.0)]),
            fixed: 0,
        });
    }
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("crossroads: east at {d:.0} m, then north at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (d, -d), (d, 1000.0)]),
            fixed: 0,
        });
    }
    for d in [100.0, 200.0] {
        g.push(Geometry {
            name: format!("there and back on parallel roads {d:.0} m either side"),
            drive: Some(vec![(-1000.0, -d), (1000.0, -d), (1000.0, d), (-1000.0, d)]),
            fixed: 0,
        });
    }
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("straight road passing at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (1200.0, -d)]),
            fixed: 0,
        });
    }
    for d in [150.0, 300.0] {
        g.push(Geometry {
            name: format!("one-sided drive (approach to {d:.0} m, turn away)"),
            drive: Some(vec![(-1500.0, -d), (-d, -d), (-d, -d - 800.0)]),
            fixed: 0,
        });
    }
    g.push(Geometry {
        name: "loop around the block at 150-250 m".into(),
        drive: Some(vec![
            (-250.0, -150.0),
            (250.0, -150.0),
            (250.0, 200.0),
            (-250.0, 200.0),
            (-250.0, -150.0),
        ]),
        fixed: 0,
    });
    for n in [4, 6, 8] {
        g.push(Geometry {
            name: format!("{n} fixed sensors within 1 km"),
            drive: None,
            fixed: n,
        });
    }
    g.push(Geometry {
        name: "straight road at 200 m + 3 fixed sensors".into(),
        drive: Some(vec![(-1200.0, -200.0), (1200.0, -200.0)]),
        fixed: 3,
    });
    g
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let k = ((v.len() - 1) as f64 * p).round() as usize;
    v[k]
}

fn to_rows(
    frame: &LocalFrame,
    readings: &[(f64, f64, f64, f64)],
    sensor: &str,
) -> Vec<Measurement> {
    readings
        .iter()
        .map(|(t, x, y, p)| {
            let (lat, lon) = frame.to_lat_lon(*x, *y);
            Measurement {
                point: GeoPoint::new(lat, lon),
                power_db: *p,
                time_unix_ms: (t * 1000.0) as i64,
                sensor: sensor.into(),
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(25);
    let csv_path = args
        .iter()
        .position(|a| a == "--csv")
        .and_then(|i| args.get(i + 1).cloned());
    let mut csv = String::from(
        "geometry,seed,locate_err_m,centroid_err_m,radius95_m,inside_ellipse,ambiguous\n",
    );
    let frame = LocalFrame::new(LAT0, LON0);
    // Knobs for exploring the method (not used by bench/locate.sh): BENCH_ONLY=substring of
    // the geometry names, BENCH_SHADOW_SCALE=factor on the shadowing, BENCH_PRIOR_SD.
    let only = std::env::var("BENCH_ONLY").ok();
    let shadow_scale: f64 = std::env::var("BENCH_SHADOW_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let mut cfg = LocateConfig::default();
    if let Some(sd) = std::env::var("BENCH_PRIOR_SD")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.exponent_prior_sd = sd;
    }
    if let Some(d) = std::env::var("BENCH_DECORR_M")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.decorrelation_m = d;
    }
    if let Some(b) = std::env::var("BENCH_BIN_M")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.bin_m = b;
    }
    println!(
        "| geometry | seeds | locate median m | locate p90 m | centroid median m | centroid p90 m | truth in 95 % ellipse | ambiguous | nearer candidate median m |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for geo in geometries() {
        if only
            .as_ref()
            .is_some_and(|o| !geo.name.contains(o.as_str()))
        {
            continue;
        }
        let (mut errs, mut cerrs, mut nearer) = (Vec::new(), Vec::new(), Vec::new());
        let (mut inside, mut ambiguous, mut failed) = (0, 0, 0);
        for seed in 0..seeds {
            let mut rng = Rng::new(seed * 7919 + 17);
            // Propagation differs per seed: exponent 2.7-3.7, shadowing 6-8 dB.
            let scene = DriveScene {
                tx_x_m: 0.0,
                tx_y_m: 0.0,
                power_at_1m_db: 0.0,
                exponent: 2.7 + rng.uniform(),
                height_m: 10.0,
                shadowing_db: (6.0 + 2.0 * rng.uniform()) * shadow_scale,
                decorrelation_m: 30.0 + 40.0 * rng.uniform(),
                freq_hz: 947.4e6,
                noise_db: -115.0,
                interval_s: 0.5,
                fading: true,
            };
            let field = scene.shadow_field(seed);
            let mut rows = Vec::new();
            if let Some(w) = &geo.drive {
                let speed = 8.0 + 6.0 * rng.uniform();
                let track = constant_speed_track(w, speed);
                let r = scene.measure(&track, &field, seed);
                let readings: Vec<_> = r
                    .iter()
                    .map(|m| (m.t_s, m.x_m, m.y_m, m.power_db))
                    .collect();
                rows.extend(to_rows(&frame, &readings, "drive"));
            }
            let still = DriveScene {
                fading: false,
                ..scene.clone()
            };
            for k in 0..geo.fixed {
                // Random place 150-1000 m from the transmitter.
                let (r, a) = (
                    150.0 + 850.0 * rng.uniform(),
                    rng.uniform() * std::f64::consts::TAU,
                );
                let (x, y) = (r * a.cos(), r * a.sin());
                let track = [
                    TrackPoint {
                        t_s: 0.0,
                        x_m: x,
                        y_m: y,
                    },
                    TrackPoint {
                        t_s: 60.0,
                        x_m: x,
                        y_m: y,
                    },
                ];
                // A fixed sensor's calibration differs from the others' by ~1 dB.
                let cal = 2.0 * (rng.uniform() - 0.5) * 1.7;
                let r = still.measure(&track, &field, seed + 1000 + k as u64);
                let readings: Vec<_> = r
                    .iter()
                    .map(|m| (m.t_s, m.x_m, m.y_m, m.power_db + cal))
                    .collect();
                rows.extend(to_rows(&frame, &readings, &format!("fixed{k}")));
            }
            let (tlat, tlon) = frame.to_lat_lon(0.0, 0.0);
            let c = weighted_centroid(&rows).map(|(lat, lon)| {
                let (x, y) = frame.to_xy(lat, lon);
                let (tx, ty) = frame.to_xy(tlat, tlon);
                (x - tx).hypot(y - ty)
            });
            match locate(&rows, &cfg) {
                Ok(e) => {
                    let err = e.distance_to_m(tlat, tlon);
                    // Inside the ellipse: the truth's coordinates along the axes.
                    let f = LocalFrame::new(e.point.lat_deg, e.point.lon_deg);
                    let (x, y) = f.to_xy(tlat, tlon);
                    let th = e.ellipse.orientation_deg.to_radians();
                    let (p, q) = (x * th.sin() + y * th.cos(), x * th.cos() - y * th.sin());
                    let ins = (p / e.ellipse.semi_major_m.max(1e-9)).powi(2)
                        + (q / e.ellipse.semi_minor_m.max(1e-9)).powi(2)
                        <= 1.0;
                    inside += usize::from(ins);
                    ambiguous += usize::from(e.ambiguous);
                    errs.push(err);
                    let alt = e.alternative.map_or(f64::INFINITY, |(a, b)| {
                        let (x, y) = frame.to_xy(a, b);
                        let (tx, ty) = frame.to_xy(tlat, tlon);
                        (x - tx).hypot(y - ty)
                    });
                    nearer.push(err.min(alt));
                    csv.push_str(&format!(
                        "\"{}\",{seed},{err:.1},{:.1},{:.1},{ins},{}\n",
                        geo.name,
                        c.unwrap_or(f64::NAN),
                        e.radius95_m,
                        e.ambiguous
                    ));
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{} seed {seed}: {e}", geo.name);
                }
            }
            if let Some(c) = c {
                cerrs.push(c);
            }
        }
        let n = errs.len();
        println!(
            "| {} | {}{} | {:.0} | {:.0} | {:.0} | {:.0} | {}/{} | {} | {:.0} |",
            geo.name,
            seeds,
            if failed > 0 {
                format!(" ({failed} no estimate)")
            } else {
                String::new()
            },
            percentile(&mut errs.clone(), 0.5),
            percentile(&mut errs, 0.9),
            percentile(&mut cerrs.clone(), 0.5),
            percentile(&mut cerrs, 0.9),
            inside,
            n,
            ambiguous,
            percentile(&mut nearer, 0.5)
        );
    }
    if let Some(p) = csv_path {
        if let Err(e) = std::fs::write(&p, csv) {
            eprintln!("cannot write {p}: {e}");
            std::process::exit(1);
        }
    }
}
