//! Positions end to end: `replay --track/--lat/--lon/--start` puts the sensor's position on
//! every stored observation, `locate` finds a transmitter whose position the synthetic scene
//! fixes, and the report and exports draw it. Bad tracks are one warning line and decoding
//! goes on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cellsentry"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const BLASTER: &str = "captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16";
const DRIVE: &str = "captures/gps/drive_thames_2026-03-14.nmea";

/// (lat, lon) of the RMC sentence of one time of day in the drive log, decoded here by hand
/// (ddmm.mmmmm), not by the geo crate.
fn rmc_fix(hhmmss: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(repo().join(DRIVE)).unwrap();
    let line = text
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

fn report_json(db: &Path) -> Value {
    let out = run(&["report", "--db", db.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn track_positions_reach_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let path = repo().join(BLASTER);
    let out = run(&[
        "replay",
        path.to_str().unwrap(),
        "--rate",
        "1083333.33",
        "--freq",
        "947.4e6",
        "--db",
        db.to_str().unwrap(),
        "--track",
        repo().join(DRIVE).to_str().unwrap(),
        "--start",
        "2026-03-14T10:00:30Z",
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let r = report_json(&db);
    let obs: Vec<&Value> = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["observations"].as_array().unwrap())
        .collect();
    assert!(!obs.is_empty());
    assert!(obs
        .iter()
        .all(|o| o["lat_deg"].is_f64() && o["lon_deg"].is_f64()));
    // The observation at the recording's first instant sits on the 10:00:30 fix; one half a
    // second later half-way to the 10:00:31 fix.
    let (lat30, lon30) = rmc_fix("100030");
    let (lat31, lon31) = rmc_fix("100031");
    let t0 = 1_773_482_430_000_i64;
    for o in &obs {
        let t = o["time_unix_ms"].as_i64().unwrap();
        let f = (t - t0) as f64 / 1000.0;
        if !(0.0..=1.0).contains(&f) {
            continue;
        }
        let lat = lat30 + (lat31 - lat30) * f;
        let lon = lon30 + (lon31 - lon30) * f;
        assert!((o["lat_deg"].as_f64().unwrap() - lat).abs() < 1e-9, "{o}");
        assert!((o["lon_deg"].as_f64().unwrap() - lon).abs() < 1e-9, "{o}");
    }
    assert!(obs.iter().any(|o| o["time_unix_ms"].as_i64() == Some(t0)));
}

#[test]
fn bad_positions_warn_in_one_line_and_decoding_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = repo().join(BLASTER);
    let base = [
        "replay",
        path.to_str().unwrap(),
        "--rate",
        "1083333.33",
        "--freq",
        "947.4e6",
        "--json",
        "--no-db",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        let out = run(&a);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
        assert_eq!(
            v["result"]["gsm"].as_array().unwrap().len(),
            1,
            "still decoded"
        );
        let warnings: Vec<String> = stderr(&out)
            .lines()
            .filter(|l| l.contains("warning"))
            .map(String::from)
            .collect();
        (v, warnings)
    };
    // A corrupted sentence: the file and line are named.
    let text = std::fs::read_to_string(repo().join(DRIVE)).unwrap();
    let bad = text.replacen("*36\r\n", "*37\r\n", 1);
    assert_ne!(bad, text);
    let bad_path = dir.path().join("bad.nmea");
    std::fs::write(&bad_path, bad).unwrap();
    let (v, w) = with(&[
        "--track",
        bad_path.to_str().unwrap(),
        "--start",
        "2026-03-14T10:00:30Z",
    ]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("bad.nmea line 1: checksum 37 does not match"),
        "{w:?}"
    );
    assert!(v["positions"].is_null());
    // A track from another day.
    let (v, w) = with(&[
        "--track",
        repo().join(DRIVE).to_str().unwrap(),
        "--start",
        "2026-03-15T10:00:30Z",
    ]);
    assert!(
        w.len() == 1 && w[0].contains("does not overlap the recording"),
        "{w:?}"
    );
    assert!(v["positions"].is_null());
    // A raw file with no start time cannot be aligned.
    let (_, w) = with(&["--track", repo().join(DRIVE).to_str().unwrap()]);
    assert!(w.len() == 1 && w[0].contains("--start"), "{w:?}");
    // A latitude out of range.
    let (v, w) = with(&["--lat", "95", "--lon", "0"]);
    assert!(w.len() == 1 && w[0].contains("latitude 95"), "{w:?}");
    assert!(v["positions"].is_null());
    // GPX that is not XML.
    let gpx = dir.path().join("bad.gpx");
    std::fs::write(&gpx, "<gpx><trk><trkseg><trkpt lat=\"51.5\"").unwrap();
    let (_, w) = with(&[
        "--track",
        gpx.to_str().unwrap(),
        "--start",
        "2026-03-14T10:00:30Z",
    ]);
    assert!(w.len() == 1 && w[0].contains("invalid GPX"), "{w:?}");
    // --start itself malformed is a usage problem: exit 3, one line.
    let mut a: Vec<&str> = base.to_vec();
    a.extend_from_slice(&["--start", "yesterday"]);
    let out = run(&a);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
}

/// Path-loss truth of the fixed-sensor scene: the transmitter at 51.5010 N, 0.1200 W; power
/// at a sensor d metres away is -20 - 30 log10(d / 100) dBFS (exponent 3).
const TX: (f64, f64) = (51.5010, -0.1200);

fn offset(lat: f64, lon: f64, east_m: f64, north_m: f64) -> (f64, f64) {
    let r = 6_371_008.8_f64;
    (
        lat + (north_m / r).to_degrees(),
        lon + (east_m / (r * lat.to_radians().cos())).to_degrees(),
    )
}

/// Five sensors 200-700 m around the transmitter (east, north metres).
const SENSORS: [(f64, f64); 5] = [
    (-400.0, -250.0),
    (350.0, -300.0),
    (500.0, 300.0),
    (-150.0, 450.0),
    (-600.0, 150.0),
];

/// Fixed sensor `k` of the path-loss scene: its recording rendered and replayed into `db`
/// with the sensor's position.
fn fixed_sensor_run(dir: &Path, k: usize, db: &Path) {
    let scenario: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("captures/scenarios/moving_blaster.json")).unwrap(),
    )
    .unwrap();
    let (e, n) = SENSORS[k];
    let d = (e * e + n * n + 100.0_f64).sqrt();
    let power = -20.0 - 30.0 * (d / 100.0).log10();
    let mut s = scenario;
    s["name"] = json!(format!("fixed sensor {k}"));
    s["duration_s"] = json!(4.0);
    s["seed"] = json!(100 + k);
    s["noise_dbfs"] = json!(-75);
    let cell = &mut s["cells"][0];
    cell["power_db"] = json!(power);
    cell["profile"] = json!([]);
    cell["impairments"]["multipath"] = Value::Null;
    let path = dir.join(format!("s{k}.json"));
    std::fs::write(&path, s.to_string()).unwrap();
    let meta = dir.join(format!("s{k}.sigmf-meta"));
    let out = run(&[
        "synth",
        path.to_str().unwrap(),
        "-o",
        meta.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (lat, lon) = offset(TX.0, TX.1, e, n);
    let (lat, lon) = (lat.to_string(), lon.to_string());
    let out = run(&[
        "replay",
        meta.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--lat",
        &lat,
        "--lon",
        &lon,
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Metres from the transmitter.
fn error_m(lat: f64, lon: f64) -> f64 {
    let dn = (lat - TX.0).to_radians() * 6_371_008.8;
    let de = (lon - TX.1).to_radians() * 6_371_008.8 * TX.0.to_radians().cos();
    dn.hypot(de)
}

/// The one cell `locate --json` estimated, from the five fixed sensors, and its error in
/// metres (under 40: the receiver's power meter, not the model, measured these powers).
fn the_fixed_sensor_estimate(v: &Value) -> (&Value, f64) {
    let located: Vec<&Value> = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["estimate"].is_object())
        .collect();
    assert_eq!(located.len(), 1, "{v}");
    let e = &located[0]["estimate"];
    assert_eq!(e["method"], "fixed_sensors");
    assert_eq!(e["fixed_sensors"], 5);
    let err = error_m(
        e["lat_deg"].as_f64().unwrap(),
        e["lon_deg"].as_f64().unwrap(),
    );
    assert!(err < 40.0, "error {err:.0} m: {e}");
    (located[0], err)
}

#[test]
fn fixed_sensors_locate_the_transmitter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fixed.sqlite");
    for k in 0..SENSORS.len() {
        fixed_sensor_run(dir.path(), k, &db);
    }
    let out = run(&["locate", "--db", db.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let (cell, err) = the_fixed_sensor_estimate(&v);
    let e = &cell["estimate"];
    assert!(
        e["radius95_m"].as_f64().unwrap() >= err,
        "truth outside the 95 % radius: {e}"
    );
    // The centroid of the strongest readings is the nearest sensor: hundreds of metres off.
    let c = &cell["centroid"];
    assert!(error_m(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()) > 2.0 * err);

    // Bearings from two of the sensors with a directional antenna (the true direction to the
    // transmitter, 3 deg off): fitted with the power, drawn in GeoJSON from each sensor.
    let mut csv = String::from("lat,lon,bearing_deg,sd_deg\n");
    for (k, off_deg) in [(0, 3.0), (2, -3.0)] {
        let (e, n) = SENSORS[k];
        let (lat, lon) = offset(TX.0, TX.1, e, n);
        let to_tx_deg = (-e).atan2(-n).to_degrees().rem_euclid(360.0);
        csv.push_str(&format!("{lat},{lon},{:.2},5\n", to_tx_deg + off_deg));
    }
    let bearings = dir.path().join("bearings.csv");
    std::fs::write(&bearings, &csv).unwrap();
    let gj_b = dir.path().join("b.geojson");
    let db_s = db.to_str().unwrap();
    let b_s = bearings.to_str().unwrap();
    let out = run(&[
        "locate",
        "--db",
        db_s,
        "--bearings",
        b_s,
        "--json",
        "--geojson",
        gj_b.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let vb: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let (cell_b, err_b) = the_fixed_sensor_estimate(&vb);
    assert_eq!(cell_b["estimate"]["bearings"], 2, "{cell_b}");
    assert_eq!(cell_b["bearings"].as_array().unwrap().len(), 2);
    println!("fixed sensors: {err:.0} m; with two bearings: {err_b:.0} m");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(&gj_b).unwrap()).unwrap();
    let rays: Vec<&Value> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "bearing")
        .collect();
    assert_eq!(rays.len(), 2);
    for (ray, k) in rays.iter().zip([0, 2]) {
        let (e, n) = SENSORS[k];
        let (lat, lon) = offset(TX.0, TX.1, e, n);
        let start = &ray["geometry"]["coordinates"][0];
        assert!((start[0].as_f64().unwrap() - lon).abs() < 1e-9);
        assert!((start[1].as_f64().unwrap() - lat).abs() < 1e-9);
    }
    let out = run(&["locate", "--db", db_s, "--bearings", b_s]);
    assert!(
        stdout(&out).contains("fixed_sensors + 2 bearings"),
        "{}",
        stdout(&out)
    );
    // A bad bearings file, or none at all, is one line and exit 3, before any fit.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "lat,lon,bearing_deg\n51.5,-0.12,north\n").unwrap();
    for file in [bad.to_str().unwrap(), "/nonexistent/bearings.csv"] {
        let out = run(&["locate", "--db", db_s, "--bearings", file]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
    assert!(stderr(&run(&[
        "locate",
        "--db",
        db_s,
        "--bearings",
        bad.to_str().unwrap()
    ]))
    .contains("line 2"));

    // The exports: GeoJSON with the estimate, its ellipse and the sensors; KML; the map.
    let gj = dir.path().join("l.geojson");
    let kml = dir.path().join("l.kml");
    let out = run(&[
        "locate",
        "--db",
        db.to_str().unwrap(),
        "--geojson",
        gj.to_str().unwrap(),
        "--kml",
        kml.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("fixed_sensors"));
    let g: Value = serde_json::from_str(&std::fs::read_to_string(&gj).unwrap()).unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let kinds: Vec<&str> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "fixed_sensor").count(), 5);
    assert!(kinds.contains(&"estimate") && kinds.contains(&"ellipse95"));
    let ring = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["kind"] == "ellipse95")
        .unwrap()["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ring.first(), ring.last(), "closed ring (RFC 7946)");
    let k = std::fs::read_to_string(&kml).unwrap();
    assert!(k.contains("<Polygon>") && k.matches("<Placemark>").count() >= 8);
    let html = dir.path().join("r.html");
    let out = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.contains("Where the transmitters are") && h.contains("<svg"));
    assert!(
        !h.contains("http://tile") && !h.contains("<script"),
        "self-contained"
    );
}

#[test]
fn five_sensors_synced_to_the_central_database_locate_the_transmitter_together() {
    // The fleet's picture: each fixed sensor has its own database and syncs it; `locate` on
    // the central PostgreSQL fits every sensor's readings of the cell together.
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = cellsentry_fleet::cluster::Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let url = cluster.url();
    for k in 0..SENSORS.len() {
        let db = dir.path().join(format!("sensor{k}.sqlite"));
        fixed_sensor_run(dir.path(), k, &db);
        let name = format!("fixed-{k}");
        let out = Command::new(env!("CARGO_BIN_EXE_cellsentry"))
            .args(["sync", "--db", db.to_str().unwrap(), "--name", &name])
            .env("CELLSENTRY_PG_URL", &url)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // One sensor alone cannot locate anything; all five together do.
    let out = run(&["locate", "--db", &url, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains(&cluster.password));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let (cell, _) = the_fixed_sensor_estimate(&v);
    // The same cell asked for by its label, and by its central id.
    let label = cell["cell"].as_str().unwrap().to_string();
    let id = cell["cell_id"].as_i64().unwrap().to_string();
    for sel in [label.as_str(), id.as_str()] {
        let out = run(&["locate", "--db", &url, "--cell", sel, "--json"]);
        assert!(out.status.success(), "{sel}: {}", stderr(&out));
        let w: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(w["cells"].as_array().unwrap().len(), 1, "{sel}: {w}");
    }
    // What the central database cannot answer is one line and exit code 3.
    for args in [
        vec!["--run", "1"],
        vec!["--cell", "999999"],
        vec!["--cell", "arfcn=1"],
    ] {
        let mut a = vec!["locate", "--db", url.as_str()];
        a.extend(args.iter().copied());
        let out = run(&a);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
}
