//! Accuracy of `locate` against the weighted centroid on simulated drive tests and fixed-sensor
//! layouts (measurement-level: the `synth::drive` model of path loss, correlated shadowing,
//! Doppler fading and receiver noise), many seeds per geometry; then guided hunts: one pass,
//! then following the hunt display's estimate on a street grid.
//!
//! `cargo run --release -p cellsentry-locate --example drive_bench [SEEDS] [--csv FILE]`
//! (bench/locate.sh runs it and writes the figures into bench/LOCATING.md).

use cellsentry_locate::bound::{
    error_draws, position_covariance, BoundBearing, BoundModel, BoundPoint,
};
use cellsentry_locate::{
    locate, locate_with_bearings, weighted_centroid, Bearing, GeoPoint, LocalFrame, LocateConfig,
    Measurement,
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
    /// Places (on the drive) where a bearing is taken with a directional antenna, its error
    /// drawn with a standard deviation of `BEARING_SD_DEG`.
    bearings: Vec<(f64, f64)>,
}

fn geometries() -> Vec<Geometry> {
    let mut g = Vec::new();
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("L-shaped drive passing at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (400.0, -d), (400.0, 800.0)]),
            fixed: 0,
            bearings: vec![],
        });
    }
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("crossroads: east at {d:.0} m, then north at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (d, -d), (d, 1000.0)]),
            fixed: 0,
            bearings: vec![],
        });
    }
    for d in [100.0, 200.0] {
        g.push(Geometry {
            name: format!("there and back on parallel roads {d:.0} m either side"),
            drive: Some(vec![(-1000.0, -d), (1000.0, -d), (1000.0, d), (-1000.0, d)]),
            fixed: 0,
            bearings: vec![],
        });
    }
    for d in [100.0, 200.0, 300.0] {
        g.push(Geometry {
            name: format!("straight road passing at {d:.0} m"),
            drive: Some(vec![(-1200.0, -d), (1200.0, -d)]),
            fixed: 0,
            bearings: vec![],
        });
    }
    for d in [150.0, 300.0] {
        g.push(Geometry {
            name: format!("one-sided drive (approach to {d:.0} m, turn away)"),
            drive: Some(vec![(-1500.0, -d), (-d, -d), (-d, -d - 800.0)]),
            fixed: 0,
            bearings: vec![],
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
        bearings: vec![],
    });
    for n in [4, 6, 8] {
        g.push(Geometry {
            name: format!("{n} fixed sensors within 1 km"),
            drive: None,
            fixed: n,
            bearings: vec![],
        });
    }
    // Bearings as a team would take them: before and after the closest approach, about as far
    // along the road as the display puts the transmitter from it (45 deg off the road).
    for d in [100.0, 200.0] {
        for from in [vec![(-d, -d)], vec![(-d, -d), (d, -d)]] {
            g.push(Geometry {
                name: format!(
                    "straight road passing at {d:.0} m + {} bearing{}",
                    from.len(),
                    if from.len() > 1 { "s" } else { "" }
                ),
                drive: Some(vec![(-1200.0, -d), (1200.0, -d)]),
                fixed: 0,
                bearings: from,
            });
        }
    }
    for d in [100.0, 200.0] {
        g.push(Geometry {
            name: format!("L-shaped drive passing at {d:.0} m + 1 bearing"),
            drive: Some(vec![(-1200.0, -d), (400.0, -d), (400.0, 800.0)]),
            fixed: 0,
            bearings: vec![(-d, -d)],
        });
    }
    g.push(Geometry {
        name: "straight road at 200 m + 3 fixed sensors".into(),
        drive: Some(vec![(-1200.0, -200.0), (1200.0, -200.0)]),
        fixed: 3,
        bearings: vec![],
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

/// The scene of one seed: propagation differs per seed (exponent 2.7-3.7, shadowing 6-8 dB over
/// 30-70 m), drawn from `rng` in this order.
fn scene_of(rng: &mut Rng, shadow_scale: f64) -> DriveScene {
    DriveScene {
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
    }
}

/// Fast fading left in a 0.5 s reading of a moving car after averaging, dB (the white part of
/// a drive reading's error for the Cramér-Rao bound; `synth::drive`'s readings scatter 1-2 dB
/// around path loss + shadowing).
const FADING_LEFT_DB: f64 = 1.5;

/// Standard deviation of a bearing taken with a hand-held directional antenna, degrees (and
/// what the fit is told).
const BEARING_SD_DEG: f64 = 10.0;

/// Error draws per seed from the bound's Gaussian (pooled over seeds for its median).
const BOUND_DRAWS: usize = 400;

/// Street spacing of the guided hunts' grid, metres.
const BLOCK_M: f64 = 150.0;

/// A field team's hunt as the `monitor` hunt display guides it: one pass along a straight
/// road `pass_m` from the transmitter (to 400 m past it), then, at every crossing of a street
/// grid (`BLOCK_M` blocks, the transmitter somewhere inside a block), the fit is rerun on every
/// reading so far and the car takes the street towards the estimate; at the crossing nearest
/// the estimate it drives round the block the estimate is in, and stops when the refit stays
/// in that block with a 95 % radius of a block or less; if it stays with a wider radius, it
/// drives once round the four blocks about that crossing and stops if the refit stays among
/// them (else it homes on). Returns the final
/// estimate's error, the centroid's on the same readings, the 95 % radius, the homing time
/// (s) and whether the team stopped on its own (not at the 60-street cap).
fn guided_hunt(
    scene: &DriveScene,
    seed: u64,
    pass_m: f64,
    speed_mps: f64,
    x_offset_m: f64,
    frame: &LocalFrame,
    cfg: &LocateConfig,
) -> Option<(f64, f64, f64, f64, bool)> {
    let field = scene.shadow_field(seed);
    let snap = |x: f64| ((x - x_offset_m) / BLOCK_M).round() * BLOCK_M + x_offset_m;
    let (mut t_s, mut at) = (0.0, (snap(-1200.0), -pass_m));
    let mut rows = Vec::new();
    let mut leg = 0u64;
    // Drives from `at` to `to` along a street, adding its readings.
    let mut drive = |at: &mut (f64, f64), to: (f64, f64), t_s: &mut f64, rows: &mut Vec<_>| {
        let mut track = constant_speed_track(&[*at, to], speed_mps);
        for p in &mut track {
            p.t_s += *t_s;
        }
        leg += 1;
        let r = scene.measure(&track, &field, seed * 1000 + leg);
        let readings: Vec<_> = r
            .iter()
            .map(|m| (m.t_s, m.x_m, m.y_m, m.power_db))
            .collect();
        rows.extend(to_rows(frame, &readings, "drive"));
        *t_s = track.last().map_or(*t_s, |p| p.t_s);
        *at = to;
    };
    drive(&mut at, (snap(400.0), -pass_m), &mut t_s, &mut rows);
    let pass_end_s = t_s;
    let mut stopped = false;
    let mut widened = false;
    let mut last = None;
    for _ in 0..60 {
        let Ok(e) = locate(&rows, cfg) else {
            let to = (at.0 + BLOCK_M, at.1);
            drive(&mut at, to, &mut t_s, &mut rows);
            continue;
        };
        let target = frame.to_xy(e.point.lat_deg, e.point.lon_deg);
        last = Some(e);
        let dist = |p: (f64, f64)| (p.0 - target.0).hypot(p.1 - target.1);
        let next = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
            .map(|(dx, dy)| (at.0 + dx * BLOCK_M, at.1 + dy * BLOCK_M))
            .into_iter()
            .min_by(|a, b| dist(*a).total_cmp(&dist(*b)))?;
        if dist(next) < dist(at) {
            drive(&mut at, next, &mut t_s, &mut rows);
            continue;
        }
        // At the crossing nearest the estimate: once round its block.
        let bx = if target.0 >= at.0 { BLOCK_M } else { -BLOCK_M };
        let by = if target.1 >= at.1 { BLOCK_M } else { -BLOCK_M };
        let start = at;
        for corner in [
            (start.0 + bx, start.1),
            (start.0 + bx, start.1 + by),
            (start.0, start.1 + by),
            start,
        ] {
            drive(&mut at, corner, &mut t_s, &mut rows);
        }
        // Stop when the refit stays in the block just driven round and the display's 95 %
        // radius is within a block; else home on.
        let Ok(e) = locate(&rows, cfg) else { break };
        let (x, y) = frame.to_xy(e.point.lat_deg, e.point.lon_deg);
        let inside = |v: f64, a: f64, b: f64| v >= a.min(b) - 25.0 && v <= a.max(b) + 25.0;
        let radius_m = e.radius95_m;
        last = Some(e);
        if !(inside(x, start.0, start.0 + bx) && inside(y, start.1, start.1 + by)) {
            continue;
        }
        if radius_m <= BLOCK_M || widened {
            stopped = true;
            break;
        }
        // It stays, but the radius says the readings do not pin it down (a shadowing hot
        // spot looks like this): once in a hunt, drive round the four blocks about this
        // crossing, then stop if it stays among them.
        widened = true;
        let b = BLOCK_M;
        for corner in [
            (start.0, start.1 - b),
            (start.0 + b, start.1 - b),
            (start.0 + b, start.1 + b),
            (start.0 - b, start.1 + b),
            (start.0 - b, start.1 - b),
            (start.0, start.1 - b),
            start,
        ] {
            drive(&mut at, corner, &mut t_s, &mut rows);
        }
        let Ok(e) = locate(&rows, cfg) else { break };
        let (x, y) = frame.to_xy(e.point.lat_deg, e.point.lon_deg);
        last = Some(e);
        if inside(x, start.0 - b, start.0 + b) && inside(y, start.1 - b, start.1 + b) {
            stopped = true;
            break;
        }
    }
    let e = last?;
    let (tlat, tlon) = frame.to_lat_lon(0.0, 0.0);
    let centroid = weighted_centroid(&rows).map_or(f64::NAN, |(lat, lon)| {
        let (x, y) = frame.to_xy(lat, lon);
        x.hypot(y)
    });
    Some((
        e.distance_to_m(tlat, tlon),
        centroid,
        e.radius95_m,
        t_s - pass_end_s,
        stopped,
    ))
}

/// The guided hunts' table: one straight pass at 100-300 m, then homing on the display.
fn guided_hunts(seeds: u64, frame: &LocalFrame, cfg: &LocateConfig, csv: &mut String) {
    println!();
    println!(
        "| guided hunt | seeds | locate median m | locate p90 m | centroid median m | centroid p90 m | homing median s | homing p90 s | stopped by itself |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for pass_m in [100.0, 200.0, 300.0] {
        let name = format!("straight pass at {pass_m:.0} m, then follow the display");
        let (mut errs, mut cerrs, mut secs) = (Vec::new(), Vec::new(), Vec::new());
        let mut stopped = 0;
        for seed in 0..seeds {
            let mut rng = Rng::new(seed * 7919 + 17);
            let scene = scene_of(&mut rng, 1.0);
            let speed = 8.0 + 6.0 * rng.uniform();
            // Where the transmitter sits in its block: the north-south streets' offset.
            let x_offset = (rng.uniform() - 0.5) * BLOCK_M;
            if let Some((err, cerr, radius, homing_s, own)) =
                guided_hunt(&scene, seed, pass_m, speed, x_offset, frame, cfg)
            {
                errs.push(err);
                cerrs.push(cerr);
                secs.push(homing_s);
                stopped += usize::from(own);
                csv.push_str(&format!(
                    "\"{name}\",{seed},{err:.1},{cerr:.1},{radius:.1},,,,,,\n"
                ));
            }
        }
        println!(
            "| {name} | {seeds} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {stopped}/{} |",
            percentile(&mut errs.clone(), 0.5),
            percentile(&mut errs, 0.9),
            percentile(&mut cerrs.clone(), 0.5),
            percentile(&mut cerrs, 0.9),
            percentile(&mut secs.clone(), 0.5),
            percentile(&mut secs, 0.9),
            secs.len()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(25);
    let csv_path = args
        .iter()
        .position(|a| a == "--csv")
        .and_then(|i| args.get(i + 1).cloned());
    let mut csv = String::from(
        "geometry,seed,locate_err_m,centroid_err_m,radius95_m,inside_ellipse,ambiguous,est_x_m,est_y_m,exponent,true_exponent\n",
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
        "| geometry | seeds | locate median m | locate p90 m | centroid median m | centroid p90 m | truth in 95 % ellipse | 95 % radius median m | ambiguous | nearer candidate median m | bound median m, exponent known / prior |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for geo in geometries() {
        if only
            .as_ref()
            .is_some_and(|o| !geo.name.contains(o.as_str()))
        {
            continue;
        }
        let (mut errs, mut cerrs, mut nearer) = (Vec::new(), Vec::new(), Vec::new());
        let mut radii = Vec::new();
        let (mut bound_known, mut bound_prior) = (Vec::new(), Vec::new());
        let (mut inside, mut ambiguous, mut failed) = (0, 0, 0);
        for seed in 0..seeds {
            let mut rng = Rng::new(seed * 7919 + 17);
            let scene = scene_of(&mut rng, shadow_scale);
            let field = scene.shadow_field(seed);
            let mut rows = Vec::new();
            let mut places = Vec::new();
            if let Some(w) = &geo.drive {
                let speed = 8.0 + 6.0 * rng.uniform();
                let track = constant_speed_track(w, speed);
                let r = scene.measure(&track, &field, seed);
                places.extend(r.iter().map(|m| BoundPoint {
                    x_m: m.x_m,
                    y_m: m.y_m,
                    white_db: FADING_LEFT_DB,
                }));
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
                // One place: its readings share the shadow; the calibration is its white part.
                places.push(BoundPoint {
                    x_m: x,
                    y_m: y,
                    white_db: 1.7 / 3f64.sqrt(),
                });
                let readings: Vec<_> = r
                    .iter()
                    .map(|m| (m.t_s, m.x_m, m.y_m, m.power_db + cal))
                    .collect();
                rows.extend(to_rows(&frame, &readings, &format!("fixed{k}")));
            }
            // Bearings: the true direction to the transmitter plus a Gaussian error.
            let bearings: Vec<Bearing> = geo
                .bearings
                .iter()
                .map(|&(x, y)| {
                    let (u1, u2) = (rng.uniform().max(1e-300), rng.uniform());
                    let g = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                    let (lat, lon) = frame.to_lat_lon(x, y);
                    Bearing {
                        point: GeoPoint::new(lat, lon),
                        bearing_deg: (-x).atan2(-y).to_degrees() + g * BEARING_SD_DEG,
                        sd_deg: BEARING_SD_DEG,
                    }
                })
                .collect();
            let bound_bearings: Vec<BoundBearing> = geo
                .bearings
                .iter()
                .map(|&(x_m, y_m)| BoundBearing {
                    x_m,
                    y_m,
                    sd_deg: BEARING_SD_DEG,
                })
                .collect();
            let model = BoundModel {
                exponent: scene.exponent,
                shadowing_db: scene.shadowing_db,
                decorrelation_m: scene.decorrelation_m,
                height_m: scene.height_m,
            };
            let mut draw_rng = Rng::new(seed ^ 0xb0_0d);
            for (prior, out) in [
                (None, &mut bound_known),
                (Some(cfg.exponent_prior_sd), &mut bound_prior),
            ] {
                if let Some(cov) = position_covariance(&places, &bound_bearings, &model, prior) {
                    out.extend(error_draws(&cov, BOUND_DRAWS, || draw_rng.uniform()));
                }
            }
            let (tlat, tlon) = frame.to_lat_lon(0.0, 0.0);
            let c = weighted_centroid(&rows).map(|(lat, lon)| {
                let (x, y) = frame.to_xy(lat, lon);
                let (tx, ty) = frame.to_xy(tlat, tlon);
                (x - tx).hypot(y - ty)
            });
            match locate_with_bearings(&rows, &bearings, &cfg) {
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
                    radii.push(e.radius95_m);
                    let alt = e.alternative.map_or(f64::INFINITY, |(a, b)| {
                        let (x, y) = frame.to_xy(a, b);
                        let (tx, ty) = frame.to_xy(tlat, tlon);
                        (x - tx).hypot(y - ty)
                    });
                    nearer.push(err.min(alt));
                    let (ex, ey) = frame.to_xy(e.point.lat_deg, e.point.lon_deg);
                    csv.push_str(&format!(
                        "\"{}\",{seed},{err:.1},{:.1},{:.1},{ins},{},{ex:.1},{ey:.1},{:.2},{:.2}\n",
                        geo.name,
                        c.unwrap_or(f64::NAN),
                        e.radius95_m,
                        e.ambiguous,
                        e.exponent,
                        scene.exponent
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
            "| {} | {}{} | {:.0} | {:.0} | {:.0} | {:.0} | {}/{} | {:.0} | {} | {:.0} | {:.0} / {:.0} |",
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
            percentile(&mut radii, 0.5),
            ambiguous,
            percentile(&mut nearer, 0.5),
            percentile(&mut bound_known, 0.5),
            percentile(&mut bound_prior, 0.5)
        );
    }
    if only.as_ref().is_none_or(|o| "guided".contains(o.as_str())) {
        guided_hunts(seeds, &frame, &cfg, &mut csv);
    }
    if let Some(p) = csv_path {
        if let Err(e) = std::fs::write(&p, csv) {
            eprintln!("cannot write {p}: {e}");
            std::process::exit(1);
        }
    }
}
