//! Writes one drive-test scene for the real receiver: a synth scenario (a GSM blaster whose
//! power profile is the path loss + correlated shadowing along the drive, TU6 multipath with
//! the car's Doppler, receiver noise), the car's GPS track as NMEA, and the truth.
//!
//! `cargo run --release -p cellsentry-locate --example drive_scene -- SEED PASS_M OUT_DIR [l|parallel]`
//! then `cellsentry synth OUT/scene.json -o OUT/scene.sigmf-meta`,
//! `cellsentry replay OUT/scene.sigmf-meta --track OUT/track.nmea --start START --db OUT/db`,
//! `cellsentry locate --db OUT/db --json` (bench/locate.sh does all of it).

use cellsentry_locate::LocalFrame;
use cellsentry_synth::drive::{at, constant_speed_track, DriveScene};
use cellsentry_synth::rng::Rng;
use serde_json::json;

const LAT0: f64 = 51.5;
const LON0: f64 = -0.12;
/// 2026-03-14T11:00:00Z: the track's first fix.
const TRACK_START_S: i64 = 1_773_486_000;
/// The recording starts this long after the track (the GPS was on first).
const REC_OFFSET_S: f64 = 10.0;

fn nmea(body: &str) -> String {
    let c = body.bytes().fold(0u8, |c, b| c ^ b);
    format!("${body}*{c:02X}\r\n")
}

fn dm(v: f64, lat: bool) -> (String, char) {
    let hemi = match (lat, v >= 0.0) {
        (true, true) => 'N',
        (true, false) => 'S',
        (false, true) => 'E',
        (false, false) => 'W',
    };
    let a = v.abs();
    let d = a.trunc();
    let m = (a - d) * 60.0;
    if lat {
        (format!("{:02}{:08.5}", d as u32, m), hemi)
    } else {
        (format!("{:03}{:08.5}", d as u32, m), hemi)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(4..=5).contains(&args.len()) {
        eprintln!("usage: drive_scene SEED PASS_M OUT_DIR [l|parallel]");
        std::process::exit(2);
    }
    let geometry = args.get(4).map_or("l", String::as_str);
    let seed: u64 = args[1].parse().unwrap_or(0);
    let pass_m: f64 = args[2].parse().unwrap_or(150.0);
    let out = std::path::PathBuf::from(&args[3]);
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("{}: {e}", out.display());
        std::process::exit(1);
    }
    let mut rng = Rng::new(seed * 7919 + 17);
    let scene = DriveScene {
        tx_x_m: 0.0,
        tx_y_m: 0.0,
        power_at_1m_db: 0.0,
        exponent: 2.7 + rng.uniform(),
        height_m: 10.0,
        shadowing_db: 6.0 + 2.0 * rng.uniform(),
        decorrelation_m: 30.0 + 40.0 * rng.uniform(),
        freq_hz: 947.4e6,
        noise_db: -200.0,
        interval_s: 0.5,
        fading: false,
    };
    let speed = 12.0;
    let waypoints: &[(f64, f64)] = match geometry {
        // L-shaped: along a road PASS_M south of the transmitter, then north 400 m east of it.
        "l" => &[(-1000.0, -pass_m), (400.0, -pass_m), (400.0, 700.0)],
        // There and back on parallel roads PASS_M either side, 800 m long.
        "parallel" => &[
            (-400.0, -pass_m),
            (400.0, -pass_m),
            (400.0, pass_m),
            (-400.0, pass_m),
        ],
        other => {
            eprintln!("geometry {other:?}: l or parallel");
            std::process::exit(2);
        }
    };
    let track = constant_speed_track(waypoints, speed);
    let field = scene.shadow_field(seed);
    let frame = LocalFrame::new(LAT0, LON0);
    // NMEA at 1 Hz with 1.5 m of GPS noise.
    let mut log = String::new();
    let mut grng = Rng::new(seed ^ 0x6e6d_6561);
    let end_s = track.last().map_or(0.0, |p| p.t_s).floor() as i64;
    for k in 0..=end_s {
        let (x, y, v) = at(&track, k as f64);
        // Uniform within +/- 1.5 sqrt(3) m: 1.5 m standard deviation per axis.
        let mut g = || (grng.uniform() - 0.5) * 2.0 * 1.5 * 3f64.sqrt();
        let (ex, ey) = (g(), g());
        let (lat, lon) = frame.to_lat_lon(x + ex, y + ey);
        let t = TRACK_START_S + k;
        let sod = t.rem_euclid(86_400);
        let utc = format!("{:02}{:02}{:02}.00", sod / 3600, sod / 60 % 60, sod % 60);
        let (la, lah) = dm(lat, true);
        let (lo, loh) = dm(lon, false);
        let (x2, y2, _) = at(&track, k as f64 + 0.5);
        let course = ((x2 - x).atan2(y2 - y).to_degrees() + 360.0) % 360.0;
        log.push_str(&nmea(&format!(
            "GPRMC,{utc},A,{la},{lah},{lo},{loh},{:.3},{course:.2},140326,,,A,V",
            v / (1852.0 / 3600.0)
        )));
        log.push_str(&nmea(&format!(
            "GPGGA,{utc},{la},{lah},{lo},{loh},1,09,0.9,12.0,M,45.9,M,,"
        )));
    }
    // The cell: power_db at the strongest point of the drive, the profile relative to it.
    let duration_s = (end_s as f64 - REC_OFFSET_S - 2.0).floor();
    let step = 0.5;
    let mut prof = Vec::new();
    let mut t = 0.0;
    while t <= duration_s + 1e-9 {
        let (x, y, _) = at(&track, t + REC_OFFSET_S);
        prof.push((t, scene.path_power_db(x, y) + field.at(x, y)));
        t += step;
    }
    let peak = prof.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let profile: Vec<[f64; 2]> = prof.iter().map(|(t, p)| [*t, p - peak]).collect();
    let doppler_hz = speed * 947.4e6 / 299_792_458.0;
    let scenario = json!({
        "name": format!("drive_{geometry}_seed{seed}_pass{pass_m:.0}"),
        "description": format!("A blaster (234-15 copy) at a fixed position, passed by a car at {pass_m:.0} m ({geometry} geometry): path loss exponent {:.2}, shadowing {:.1} dB over {:.0} m, TU6 fading at {doppler_hz:.0} Hz Doppler, receiver noise. Written by crates/locate/examples/drive_scene.rs", scene.exponent, scene.shadowing_db, scene.decorrelation_m),
        "sample_rate_hz": 400000,
        "center_freq_hz": 947400000.0,
        "duration_s": duration_s,
        "seed": seed,
        "format": "ci16_le",
        "noise_dbfs": -62,
        "cells": [{
            "rat": "gsm",
            "name": "SMS blaster copying Vodafone UK",
            "arfcn": 62,
            "band": "p_gsm900",
            "power_db": -12,
            "profile": profile,
            "impairments": {"freq_offset_ppm": 1.5, "multipath": {"model": "tu6", "doppler_hz": doppler_hz}},
            "fake": true,
            "gsm": {"mcc": "234", "mnc": "15", "lac": 3101, "ci": 40961, "bsic": 21, "neighbours": []}
        }]
    });
    let (tlat, tlon) = frame.to_lat_lon(0.0, 0.0);
    let truth = json!({
        "tx_lat_deg": tlat, "tx_lon_deg": tlon, "pass_m": pass_m, "seed": seed, "geometry": geometry,
        "exponent": scene.exponent, "shadowing_db": scene.shadowing_db,
        "decorrelation_m": scene.decorrelation_m,
        "recording_start": format!("2026-03-14T11:00:{:02}Z", REC_OFFSET_S as i64),
    });
    let write = |name: &str, text: String| {
        if let Err(e) = std::fs::write(out.join(name), text) {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    };
    write(
        "scene.json",
        serde_json::to_string_pretty(&scenario).unwrap_or_default(),
    );
    write("track.nmea", log);
    write("truth.json", truth.to_string());
}
