//! The gpsd client against the real daemon: `gpsfake` (gpsd-clients) starts gpsd on a free port
//! and feeds it our recorded drive log; every fix gpsd decodes must be the fix our own NMEA
//! parser reads from the same epoch of the file (gpsd is the independent decoder here).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cellsentry_geo::gpsd::{GpsdClient, Report};
use cellsentry_geo::{Fix, GpsdFeed, GpsdStatus, PositionSource, Track};

fn log_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../captures/gps/drive_thames_2026-03-14.nmea")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Kills the gpsfake we started (only that process) when the test ends, even on failure.
struct Fake(Child);

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_gpsfake(port: u16, cycle_s: &str) -> Fake {
    // gpsfake runs the gpsd binary, which Debian puts in /usr/sbin.
    let path = format!(
        "/usr/sbin:/sbin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let child = Command::new("gpsfake")
        .args(["-1", "-q", "-P", &port.to_string(), "-c", cycle_s])
        .arg(log_path())
        .env("PATH", path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gpsfake (Debian package gpsd-clients, with gpsd) must be installed");
    Fake(child)
}

fn connect(addr: &str) -> GpsdClient {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match GpsdClient::connect(addr, Duration::from_secs(5)) {
            Ok(c) => return c,
            Err(e) if Instant::now() > deadline => panic!("gpsd never came up: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[test]
fn gpsd_fixes_match_the_log() {
    let ours = Track::load(log_path()).unwrap();
    assert_eq!(ours.fixes().len(), 160, "160 epochs of 1 s in the log");
    let port = free_port();
    let _fake = start_gpsfake(port, "0.02");
    let mut client = connect(&format!("127.0.0.1:{port}"));
    let mut got = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match client.next_report() {
            Ok(Some(Report::Fix(p))) => {
                got.insert(p.time_ms(), p);
            }
            Ok(Some(_)) => {}
            Ok(None) => break, // gpsfake finished the log and stopped gpsd
            Err(e) => {
                let s = e.to_string();
                assert!(
                    s.contains("timed out")
                        || s.contains("would block")
                        || s.contains("temporarily"),
                    "{s}"
                );
                if !got.is_empty() {
                    break;
                }
            }
        }
    }
    // gpsfake starts feeding as soon as gpsd opens its pty, so a few first epochs may pass
    // before our watch starts; the rest must all be there.
    assert!(got.len() >= 120, "gpsd reported only {} epochs", got.len());
    let by_time: BTreeMap<i64, _> = ours.fixes().iter().map(|f| (f.time_ms(), *f)).collect();
    for (t, g) in &got {
        let o = by_time
            .get(t)
            .unwrap_or_else(|| panic!("gpsd fix at {t} is not an epoch of the log"));
        assert!(
            (g.point.lat_deg - o.point.lat_deg).abs() < 1e-8,
            "lat at {t}: {} vs {}",
            g.point.lat_deg,
            o.point.lat_deg
        );
        assert!(
            (g.point.lon_deg - o.point.lon_deg).abs() < 1e-8,
            "lon at {t}"
        );
        let (gs, os) = (g.speed_mps.unwrap(), o.speed_mps.unwrap());
        assert!((gs - os).abs() < 2e-3, "speed at {t}: {gs} vs {os}");
        match (g.heading_deg, o.heading_deg) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-3, "heading at {t}"),
            // gpsd leaves out the course when the RMC field is empty (stopped car).
            (None, None) => {}
            (a, b) => panic!("heading at {t}: gpsd {a:?}, ours {b:?}"),
        }
        assert!(
            (g.point.alt_m.unwrap() - o.point.alt_m.unwrap()).abs() < 1e-6,
            "altitude at {t}"
        );
    }
    // The last epoch of the log arrives, and the run of epochs has no hole.
    assert_eq!(got.keys().last(), by_time.keys().last());
    let first = *got.keys().next().unwrap();
    assert_eq!(got.len(), by_time.range(first..).count());
}

#[test]
fn feed_answers_positions_while_driving() {
    let port = free_port();
    let _fake = start_gpsfake(port, "0.01");
    let feed = GpsdFeed::start(&format!("127.0.0.1:{port}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while feed.fixes_received() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        feed.fixes_received() >= 60,
        "only {} fixes",
        feed.fixes_received()
    );
    let GpsdStatus::Fix(latest) = feed.status() else {
        panic!("status {:?}", feed.status())
    };
    // Half-way between two consecutive fixes the position is their midpoint.
    let ours = Track::load(log_path()).unwrap();
    let t = latest.time_ms() - 1_500;
    let p = feed
        .position_at(t)
        .expect("position 1.5 s before the latest fix");
    let q = ours.position_at(t).unwrap();
    assert!(
        (p.point.lat_deg - q.point.lat_deg).abs() < 1e-8
            && (p.point.lon_deg - q.point.lon_deg).abs() < 1e-8
    );
    assert!(p.speed_mps.is_some());
    feed.stop();
}
