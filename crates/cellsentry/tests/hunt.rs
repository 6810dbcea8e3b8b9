//! Live hunting end to end: `monitor` plays a drive past a blaster (the generator's scene,
//! `captures/drive/`) as a live radio while the car's GPS track gives every observation its
//! position, and the hunt display - power trend and transmitter estimate, refreshed every 5 s
//! of signal - must converge on the transmitter position the scene was generated with.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const SCENE: &str = "captures/drive/parallel_150m_seed0.json";
const TRACK: &str = "captures/drive/parallel_150m_seed0.nmea";
const TRUTH: &str = "captures/drive/parallel_150m_seed0.truth.json";
/// The scene's first sample (the truth file's `recording_start`).
const START: &str = "2026-03-14T11:00:10Z";
/// Error bound for a drive on both sides of the transmitter: the 90th percentile of `locate`
/// on parallel roads 100-200 m either side in bench/LOCATING.md (63-90 m).
const BOUND_M: f64 = 90.0;

fn dist_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6_371_008.8_f64;
    let dn = (lat2 - lat1).to_radians() * r;
    let de = (lon2 - lon1).to_radians() * r * lat1.to_radians().cos();
    dn.hypot(de)
}

/// (lat, lon) of the RMC sentence of one time of day, decoded here by hand (ddmm.mmmmm).
fn rmc_fix(hhmmss: &str) -> (f64, f64) {
    let log = std::fs::read_to_string(repo().join(TRACK)).unwrap();
    let line = log
        .lines()
        .find(|l| l.starts_with(&format!("$GPRMC,{hhmmss}.00,")))
        .unwrap();
    let f: Vec<&str> = line.split(',').collect();
    let lat = f[3][..2].parse::<f64>().unwrap() + f[3][2..].parse::<f64>().unwrap() / 60.0;
    let lon = f[5][..3].parse::<f64>().unwrap() + f[5][3..].parse::<f64>().unwrap() / 60.0;
    (
        if f[4] == "S" { -lat } else { lat },
        if f[6] == "W" { -lon } else { lon },
    )
}

/// The transmitter's position in the scene's truth file, (lat, lon).
fn truth_position() -> (f64, f64) {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(TRUTH)).unwrap()).unwrap();
    assert_eq!(truth["recording_start"], START);
    (
        truth["tx_lat_deg"].as_f64().unwrap(),
        truth["tx_lon_deg"].as_f64().unwrap(),
    )
}

#[test]
fn hunt_converges_on_the_transmitter_of_a_simulated_drive() {
    let (tlat, tlon) = truth_position();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hunt.sqlite");
    let (updates, _) = hunt_updates(&db, &[]);
    // 146 s of signal, a refresh every 5 s (and a last one at the end).
    assert!(
        (27..=31).contains(&updates.len()),
        "{} updates",
        updates.len()
    );
    let times: Vec<f64> = updates
        .iter()
        .map(|u| u["signal_time_s"].as_f64().unwrap())
        .collect();
    for w in times.windows(2).take(times.len() - 2) {
        assert!(
            (4.9..=7.0).contains(&(w[1] - w[0])),
            "refresh times {times:?}"
        );
    }
    let last = updates.last().unwrap();
    assert_eq!(last["final"], true);
    assert!(updates[..updates.len() - 1]
        .iter()
        .all(|u| u["final"] == false));
    // Every reading had a position (the track covers the whole scene).
    for u in &updates {
        assert_eq!(
            u["cell"], "GSM ARFCN 62 234-15 LAC 3101 CI 40961 BSIC 21",
            "{u}"
        );
        assert_eq!(u["positioned"], u["readings"], "{u}");
        assert!(u["recent_dbfs"].as_array().unwrap().len() <= 24);
        assert_eq!(
            u["sparkline"].as_str().unwrap().chars().count(),
            u["recent_dbfs"].as_array().unwrap().len()
        );
    }
    // Two readings a second: about 290 over the scene.
    let n = last["readings"].as_u64().unwrap();
    assert!((270..=300).contains(&n), "{n} readings");
    assert!(["rising", "falling", "steady"].contains(&last["trend"].as_str().unwrap()));

    // Convergence: once the car has driven both roads (the second pass ends at about 146 s),
    // every estimate is within the bench's bound, and the last one holds the truth in its
    // 95 % radius.
    let errors: Vec<(f64, f64)> = updates
        .iter()
        .filter(|u| u["estimate"].is_object())
        .map(|u| {
            let e = &u["estimate"];
            (
                u["signal_time_s"].as_f64().unwrap(),
                dist_m(
                    tlat,
                    tlon,
                    e["lat_deg"].as_f64().unwrap(),
                    e["lon_deg"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    println!("estimate error over the drive (s, m): {errors:.0?}");
    assert!(errors.len() >= 20, "{errors:?}");
    assert!(
        errors
            .iter()
            .filter(|(t, _)| *t >= 120.0)
            .all(|(_, e)| *e <= BOUND_M),
        "{errors:?}"
    );
    // Each estimate says how far it moved since the one before (the test's own distance
    // between consecutive estimates); the first has nothing to compare with.
    let with_estimate: Vec<&Value> = updates
        .iter()
        .filter(|u| u["estimate"].is_object())
        .collect();
    assert!(with_estimate[0]["moved_m"].is_null());
    for w in with_estimate.windows(2) {
        let (a, b) = (&w[0]["estimate"], &w[1]["estimate"]);
        let want = dist_m(
            a["lat_deg"].as_f64().unwrap(),
            a["lon_deg"].as_f64().unwrap(),
            b["lat_deg"].as_f64().unwrap(),
            b["lon_deg"].as_f64().unwrap(),
        );
        let got = w[1]["moved_m"].as_f64().unwrap();
        assert!(
            (got - want).abs() < 0.5 + 1e-3 * want,
            "moved {got} vs {want}"
        );
    }
    let e = &last["estimate"];
    let err = errors.last().unwrap().1;
    assert!(err <= e["radius95_m"].as_f64().unwrap(), "{e}");
    println!(
        "final: {err:.0} m from the truth, 95 % radius {:.0} m, fit {:.1} ms",
        e["radius95_m"], last["fit_ms"]
    );

    // Distance and bearing from where the car is at the end (11:02:36, the scene's last
    // instant) to the estimate.
    let (slat, slon) = rmc_fix("110236");
    let s = &last["sensor"];
    let (rlat, rlon) = (
        s["lat_deg"].as_f64().unwrap(),
        s["lon_deg"].as_f64().unwrap(),
    );
    assert!(dist_m(slat, slon, rlat, rlon) < 15.0, "sensor at {s}");
    let d = last["distance_m"].as_f64().unwrap();
    assert!(
        (d - dist_m(
            rlat,
            rlon,
            e["lat_deg"].as_f64().unwrap(),
            e["lon_deg"].as_f64().unwrap()
        ))
        .abs()
            < 1.0
    );
    // The car is 400 m west and 150 m north of the transmitter: it lies to the ESE
    // (atan2(400, -150) = 110.6 deg), within what the estimate's error allows.
    let b = last["bearing_deg"].as_f64().unwrap();
    assert!((b - 110.6).abs() < 12.0, "bearing {b}");

    // The same run kept everything in the database, and `locate` on it agrees with the
    // hunt's last estimate (same readings, same fit).
    // `--cell` takes the label the hunt printed.
    let label = last["cell"].as_str().unwrap();
    let out = run(&[
        "locate",
        "--db",
        db.to_str().unwrap(),
        "--json",
        "--cell",
        label,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let located = &v["cells"][0]["estimate"];
    let gap = dist_m(
        located["lat_deg"].as_f64().unwrap(),
        located["lon_deg"].as_f64().unwrap(),
        e["lat_deg"].as_f64().unwrap(),
        e["lon_deg"].as_f64().unwrap(),
    );
    assert!(gap < 1.0, "locate {located} vs hunt {e}");
    let out = run(&["locate", "--db", db.to_str().unwrap(), "--cell", "arfcn=63"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no such cell"),
        "{}",
        text(&out.stderr)
    );
}

/// Without `--hunt` the display follows the most suspicious cell once it is suspicious; in
/// text it is a trend line with a sparkline and the transmitter line.
#[test]
fn hunt_follows_the_most_suspicious_cell_in_text() {
    let out = run(&[
        "monitor",
        "--sim",
        repo().join(SCENE).to_str().unwrap(),
        "--track",
        repo().join(TRACK).to_str().unwrap(),
        "--fast",
        "--seconds",
        "40",
        "--db",
        tempfile::tempdir()
            .unwrap()
            .path()
            .join("t.sqlite")
            .to_str()
            .unwrap(),
    ]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(10), "{stderr}");
    // Without --start the scene starts at the track's first fix: positions all the same.
    let hunts: Vec<&str> = stdout.lines().filter(|l| l.starts_with("HUNT")).collect();
    assert!(hunts.len() >= 6, "{stdout}");
    for h in &hunts {
        assert!(
            h.contains("GSM ARFCN 62 234-15 LAC 3101 CI 40961 BSIC 21 [likely fake]"),
            "{h}"
        );
        assert!(h.contains("readings positioned"), "{h}");
        assert!(h.chars().any(|c| ('▁'..='█').contains(&c)), "{h}");
    }
    assert!(
        stdout.lines().any(|l| l.starts_with("  transmitter ")
            && l.contains("within")
            && l.contains("m from here, bearing")),
        "{stdout}"
    );
    assert!(
        stderr.contains("hunt:") && stderr.contains("update(s), fit"),
        "{stderr}"
    );
}

/// The hunt's JSON updates of one `monitor --sim` run of the drive, with `extra` arguments.
fn hunt_updates(db: &Path, extra: &[&str]) -> (Vec<Value>, String) {
    let scene = repo().join(SCENE);
    let track = repo().join(TRACK);
    let mut args = vec![
        "monitor",
        "--sim",
        scene.to_str().unwrap(),
        "--track",
        track.to_str().unwrap(),
        "--start",
        START,
        "--fast",
        "--json",
        "--hunt",
        "arfcn=62",
        "--db",
        db.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    let updates = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == "hunt")
        .collect();
    (updates, text(&out.stderr))
}

#[test]
fn a_bearing_settles_the_side_while_still_on_the_first_road() {
    // One bearing taken on the first road 30 s in (the car's own fix then), pointing at the
    // truth: from then on the estimate is on the right side of the road, where without it
    // the first road leaves it 228-243 m off (bench/LOCATING.md, convergence).
    let (tlat, tlon) = truth_position();
    let (blat, blon) = rmc_fix("110040");
    let east = (tlon - blon).to_radians() * 6_371_008.8 * blat.to_radians().cos();
    let north = (tlat - blat).to_radians() * 6_371_008.8;
    let to_tx_deg = east.atan2(north).to_degrees().rem_euclid(360.0);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("yagi.csv");
    std::fs::write(
        &csv,
        format!("lat,lon,bearing_deg,sd_deg\n{blat},{blon},{to_tx_deg:.1},10\n"),
    )
    .unwrap();
    let (updates, _) = hunt_updates(
        &dir.path().join("b.sqlite"),
        &["--bearings", csv.to_str().unwrap()],
    );
    let first_road: Vec<(f64, f64, &Value)> = updates
        .iter()
        .filter(|u| u["estimate"].is_object())
        .map(|u| {
            let e = &u["estimate"];
            let err = dist_m(
                tlat,
                tlon,
                e["lat_deg"].as_f64().unwrap(),
                e["lon_deg"].as_f64().unwrap(),
            );
            (u["signal_time_s"].as_f64().unwrap(), err, e)
        })
        .filter(|(t, _, _)| (40.0..=80.0).contains(t))
        .collect();
    println!(
        "first road with a bearing (s, m): {:.0?}",
        first_road
            .iter()
            .map(|(t, e, _)| (*t, *e))
            .collect::<Vec<_>>()
    );
    assert!(first_road.len() >= 6);
    for (t, err, e) in &first_road {
        assert_eq!(e["bearings"], 1, "{e}");
        assert_eq!(e["ambiguous"], false, "at {t} s: {e}");
        assert!(*err < 120.0, "at {t} s: {err:.0} m");
    }

    // A file that goes bad is one warning line, and the hunt goes on without bearings.
    std::fs::write(&csv, "lat,lon,bearing_deg\n51.5,-0.12,north\n").unwrap();
    let (updates, err) = hunt_updates(
        &dir.path().join("c.sqlite"),
        &["--bearings", csv.to_str().unwrap()],
    );
    assert_eq!(err.matches("hunt:").count(), 1, "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(updates
        .iter()
        .filter(|u| u["estimate"].is_object())
        .all(|u| u["estimate"]["bearings"] == 0));
}

#[test]
fn bad_hunt_selection_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "monitor",
        "--sim",
        repo().join(SCENE).to_str().unwrap(),
        "--hunt",
        "arfcn=sixty-two",
        "--db",
        dir.path().join("x.sqlite").to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--hunt") && err.contains("not a number"),
        "{err}"
    );
    // A cell that is never heard: one note, no hunt line.
    let out = run(&[
        "monitor",
        "--sim",
        repo().join(SCENE).to_str().unwrap(),
        "--fast",
        "--seconds",
        "8",
        "--hunt",
        "arfcn=63",
        "--db",
        dir.path().join("y.sqlite").to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("hunt: no cell like \"arfcn=63\" heard yet")
            .count(),
        1,
        "{err}"
    );
    assert!(!text(&out.stdout).contains("HUNT"));
    // Refused before anything was opened: no database written.
    assert!(!dir.path().join("x.sqlite").exists());
}

/// Kills the gpsfake this test started (only that process), even on failure.
struct Fake(std::process::Child);

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Days since the epoch -> (year, month, day) (proleptic Gregorian; H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The drive's NMEA log moved to the present: epoch k (11:00:00 + k in the file) becomes
/// `t0_s + k`, so gpsd's fixes carry times the live run's observations can be matched with.
fn nmea_now(t0_s: i64) -> String {
    let log = std::fs::read_to_string(repo().join(TRACK)).unwrap();
    let mut out = String::new();
    for line in log.lines() {
        let body = &line[1..line.find('*').unwrap()];
        let mut f: Vec<String> = body.split(',').map(String::from).collect();
        let hh: i64 = f[1][0..2].parse().unwrap();
        let mm: i64 = f[1][2..4].parse().unwrap();
        let ss: i64 = f[1][4..6].parse().unwrap();
        let k = (hh - 11) * 3600 + mm * 60 + ss;
        let t = t0_s + k;
        let sod = t.rem_euclid(86_400);
        f[1] = format!("{:02}{:02}{:02}.00", sod / 3600, sod / 60 % 60, sod % 60);
        if f[0] == "GPRMC" {
            let (y, m, d) = civil(t.div_euclid(86_400));
            f[9] = format!("{d:02}{m:02}{:02}", y % 100);
        }
        let body = f.join(",");
        let sum = body.bytes().fold(0u8, |c, b| c ^ b);
        out.push_str(&format!("${body}*{sum:02X}\r\n"));
    }
    out
}

/// The real daemon: gpsfake replays the drive's NMEA log (moved to the present) into gpsd at
/// one epoch a second while `monitor --gpsd` plays the scene at the radio's pace; the hunt
/// display's readings carry gpsd's positions and the sensor position it shows is on the drive.
#[test]
fn hunt_with_positions_from_gpsd() {
    let dir = tempfile::tempdir().unwrap();
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Each fix is stamped a little ahead of when gpsfake sends it, so that every observation
    // finds a fix after it to interpolate to.
    let log = dir.path().join("drive_now.nmea");
    std::fs::write(&log, nmea_now(now_s + 3)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let path = format!(
        "/usr/sbin:/sbin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let _fake = Fake(
        Command::new("gpsfake")
            .args(["-1", "-q", "-P", &port.to_string(), "-c", "0.5"])
            .arg(&log)
            .env("PATH", path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("gpsfake (Debian package gpsd-clients, with gpsd) must be installed"),
    );
    let out = run(&[
        "monitor",
        "--sim",
        repo().join(SCENE).to_str().unwrap(),
        "--gpsd",
        &format!("127.0.0.1:{port}"),
        "--seconds",
        "30",
        "--json",
        "--hunt",
        "ci=40961",
        "--db",
        dir.path().join("g.sqlite").to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(10), "{stderr}");
    let updates: Vec<Value> = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == "hunt")
        .collect();
    // 30 s paced: refreshes at 5, 10, ... 25 s and the last one.
    assert!((5..=7).contains(&updates.len()), "{updates:?}");
    let last = updates.last().unwrap();
    println!(
        "gpsd hunt: {} of {} readings positioned, estimate {}",
        last["positioned"], last["readings"], last["estimate"]
    );
    // gpsd needs a moment to come up and get the first sentences: most readings, not all.
    let (pos, n) = (
        last["positioned"].as_u64().unwrap(),
        last["readings"].as_u64().unwrap(),
    );
    assert!(n >= 50 && pos * 10 >= n * 7, "{pos} of {n} positioned");
    // The sensor is where the log says the car drove: within 20 m of one of its fixes.
    let s = &last["sensor"];
    let (lat, lon) = (
        s["lat_deg"].as_f64().unwrap(),
        s["lon_deg"].as_f64().unwrap(),
    );
    let on_track = std::fs::read_to_string(repo().join(TRACK))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("$GPRMC"))
        .map(|l| rmc_fix(&l[7..13]))
        .any(|(a, b)| dist_m(a, b, lat, lon) < 20.0);
    assert!(on_track, "sensor at {s}");
    // 300 m driven: an estimate (from one road, so it may be ambiguous).
    assert!(last["estimate"].is_object(), "{last}");
}
