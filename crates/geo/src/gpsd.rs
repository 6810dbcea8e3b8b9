//! A client of the gpsd daemon (JSON protocol over TCP, gpsd 3.x; default port 2947).
//!
//! On connect gpsd greets with a `VERSION` object; we answer `?WATCH={"enable":true,
//! "json":true};` and it streams `TPV` (time-position-velocity) reports, one per sentence of
//! the receiver, so the same epoch comes several times. A TPV with `mode` 0/1 has no fix.
//! [`GpsdClient`] reads reports one by one; [`GpsdFeed`] runs it in a thread for a live run,
//! keeps the recent fixes as a [`Track`] and answers [`PositionSource::position_at`], and
//! reports its state (not running, no fix, fix) without ever stopping the radio side.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Deserialize;

use crate::source::PositionSource;
use crate::{Fix, GeoError, GeoPoint, Position, Track};

/// gpsd's registered port.
pub const DEFAULT_ADDR: &str = "127.0.0.1:2947";
/// How long a live feed keeps fixes: the pipeline asks for positions of observations at most
/// this far in the past.
const KEEP_MS: i64 = 10 * 60 * 1000;

/// One report from gpsd that matters to us.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A TPV with a 2D/3D fix.
    Fix(Position),
    /// A TPV without a fix (mode 0 or 1).
    NoFix,
    /// Anything else (VERSION, DEVICES, WATCH, SKY, ...), with its class.
    Other(String),
}

#[derive(Debug, Deserialize)]
struct Tpv {
    class: String,
    #[serde(default)]
    mode: Option<u8>,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default, rename = "altMSL")]
    alt_msl: Option<f64>,
    #[serde(default)]
    alt: Option<f64>,
    #[serde(default)]
    eph: Option<f64>,
    #[serde(default)]
    epx: Option<f64>,
    #[serde(default)]
    epy: Option<f64>,
    #[serde(default)]
    speed: Option<f64>,
    #[serde(default)]
    track: Option<f64>,
}

/// Parses one line of gpsd output.
pub fn parse_report(line: &str) -> Result<Report, String> {
    let tpv: Tpv = serde_json::from_str(line)
        .map_err(|e| format!("not a gpsd JSON report ({e}): {:?}", short(line)))?;
    if tpv.class != "TPV" {
        return Ok(Report::Other(tpv.class));
    }
    if tpv.mode.unwrap_or(0) < 2 {
        return Ok(Report::NoFix);
    }
    let (Some(lat), Some(lon), Some(time)) = (tpv.lat, tpv.lon, tpv.time.as_deref()) else {
        return Ok(Report::NoFix);
    };
    let t = time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("TPV time {time:?}: {e}"))?;
    // eph is gpsd's horizontal 95 % error estimate; older daemons only give per-axis errors.
    let accuracy_m = tpv.eph.or(match (tpv.epx, tpv.epy) {
        (Some(x), Some(y)) => Some(x.hypot(y)),
        _ => None,
    });
    let fix = Position {
        time_unix_ms: Some((t.unix_timestamp_nanos() / 1_000_000) as i64),
        point: GeoPoint {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: tpv.alt_msl.or(tpv.alt),
        },
        accuracy_m,
        speed_mps: tpv.speed,
        heading_deg: tpv.track.map(|h| h.rem_euclid(360.0)),
    };
    fix.validate().map_err(|e| e.to_string())?;
    Ok(Report::Fix(fix))
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

/// A connection to gpsd that has asked for JSON reports.
pub struct GpsdClient {
    addr: String,
    reader: BufReader<TcpStream>,
    line: String,
}

impl GpsdClient {
    /// Connects, checks the greeting is gpsd's, and starts the watch. `timeout` bounds the
    /// connection and every read.
    pub fn connect(addr: &str, timeout: Duration) -> Result<GpsdClient, GeoError> {
        let err = |reason: String| GeoError::Gpsd {
            addr: addr.to_string(),
            reason,
        };
        let sock = addr
            .to_socket_addrs()
            .map_err(|e| err(format!("bad address: {e}")))?
            .next()
            .ok_or_else(|| err("address resolves to nothing".into()))?;
        let stream = TcpStream::connect_timeout(&sock, timeout).map_err(|e| {
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                err("not running (connection refused); start gpsd or give --lat/--lon".into())
            } else {
                err(e.to_string())
            }
        })?;
        stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| err(e.to_string()))?;
        let mut writer = stream.try_clone().map_err(|e| err(e.to_string()))?;
        let mut client = GpsdClient {
            addr: addr.to_string(),
            reader: BufReader::new(stream),
            line: String::new(),
        };
        match client.next_report()? {
            Some(Report::Other(c)) if c == "VERSION" => {}
            Some(other) => return Err(err(format!("expected a VERSION greeting, got {other:?}"))),
            None => return Err(err("closed the connection at once".into())),
        }
        writer
            .write_all(b"?WATCH={\"enable\":true,\"json\":true};\n")
            .map_err(|e| err(e.to_string()))?;
        Ok(client)
    }

    /// The next report; `None` when gpsd closed the connection. A read timeout is an error
    /// (`TimedOut`/`WouldBlock`), which [`GpsdFeed`] treats as "no report yet".
    pub fn next_report(&mut self) -> Result<Option<Report>, GeoError> {
        self.line.clear();
        let n = self
            .reader
            .read_line(&mut self.line)
            .map_err(|e| GeoError::Gpsd {
                addr: self.addr.clone(),
                reason: e.to_string(),
            })?;
        if n == 0 {
            return Ok(None);
        }
        parse_report(self.line.trim())
            .map(Some)
            .map_err(|reason| GeoError::Gpsd {
                addr: self.addr.clone(),
                reason,
            })
    }
}

/// State of a live feed, for the operator's status line.
#[derive(Debug, Clone, PartialEq)]
pub enum GpsdStatus {
    /// Not connected yet.
    Connecting,
    /// gpsd unreachable or failing; the feed retries every few seconds.
    Unavailable(String),
    /// Connected, the receiver has no fix.
    NoFix,
    /// Connected with a fix; the latest one.
    Fix(Position),
}

struct Shared {
    track: Track,
    status: GpsdStatus,
    fixes: u64,
}

/// gpsd in a background thread: reconnects when gpsd goes away, keeps the last minutes of
/// fixes. Dropping the feed stops the thread.
pub struct GpsdFeed {
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl GpsdFeed {
    /// Starts following gpsd at `addr` (e.g. `127.0.0.1:2947`). Never fails: a missing daemon
    /// shows as [`GpsdStatus::Unavailable`] and is retried.
    pub fn start(addr: &str) -> GpsdFeed {
        let shared = Arc::new(Mutex::new(Shared {
            track: Track::empty("gpsd"),
            status: GpsdStatus::Connecting,
            fixes: 0,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, stop2, addr) = (Arc::clone(&shared), Arc::clone(&stop), addr.to_string());
        let handle = std::thread::Builder::new()
            .name("gpsd".into())
            .spawn(move || run_feed(&addr, &s2, &stop2))
            .ok();
        GpsdFeed {
            shared,
            stop,
            handle,
        }
    }

    /// The feed's state now.
    pub fn status(&self) -> GpsdStatus {
        self.shared
            .lock()
            .map_or(GpsdStatus::Unavailable("feed thread failed".into()), |s| {
                s.status.clone()
            })
    }

    /// Number of distinct fixes received so far.
    pub fn fixes_received(&self) -> u64 {
        self.shared.lock().map_or(0, |s| s.fixes)
    }

    /// A copy of the fixes kept (the last ten minutes).
    pub fn track(&self) -> Option<Track> {
        self.shared.lock().ok().map(|s| s.track.clone())
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for GpsdFeed {
    fn drop(&mut self) {
        self.halt();
    }
}

impl PositionSource for GpsdFeed {
    fn position_at(&self, unix_ms: i64) -> Option<Position> {
        self.shared.lock().ok()?.track.position_at(unix_ms)
    }

    fn describe(&self) -> String {
        "gpsd".into()
    }
}

fn set_status(shared: &Mutex<Shared>, status: GpsdStatus) {
    if let Ok(mut s) = shared.lock() {
        s.status = status;
    }
}

fn run_feed(addr: &str, shared: &Mutex<Shared>, stop: &AtomicBool) {
    let read_timeout = Duration::from_millis(500);
    while !stop.load(Ordering::Relaxed) {
        let mut client = match GpsdClient::connect(addr, read_timeout) {
            Ok(c) => c,
            Err(e) => {
                set_status(shared, GpsdStatus::Unavailable(e.to_string()));
                // Retry in 2 s, waking up often enough to stop promptly.
                for _ in 0..20 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
        };
        set_status(shared, GpsdStatus::NoFix);
        while !stop.load(Ordering::Relaxed) {
            match client.next_report() {
                Ok(Some(Report::Fix(p))) => {
                    if let Ok(mut s) = shared.lock() {
                        if s.track.push(p) {
                            s.fixes += 1;
                        }
                        s.track.forget_before(p.time_ms() - KEEP_MS);
                        s.status = GpsdStatus::Fix(p);
                    }
                }
                Ok(Some(Report::NoFix)) => set_status(shared, GpsdStatus::NoFix),
                Ok(Some(Report::Other(_))) => {}
                Ok(None) => {
                    set_status(
                        shared,
                        GpsdStatus::Unavailable("gpsd closed the connection".into()),
                    );
                    break;
                }
                Err(GeoError::Gpsd { reason, .. })
                    if reason.contains("timed out")
                        || reason.contains("would block")
                        || reason.contains("temporarily unavailable") => {}
                Err(e) => {
                    set_status(shared, GpsdStatus::Unavailable(e.to_string()));
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpv_lines() {
        // A TPV as gpsd 3.22 printed it for our drive log (see tests/gpsfake.rs).
        let line = r#"{"class":"TPV","device":"/dev/pts/1","mode":3,"time":"2026-03-14T10:01:31.000Z","ept":0.005,"lat":51.507092167,"lon":-0.111518500,"altHAE":58.9000,"altMSL":13.0000,"alt":13.0000,"epv":26.680,"track":50.6200,"magtrack":50.4632,"magvar":-0.2,"speed":5.321,"geoidSep":45.900,"eph":16.910,"sep":27.170}"#;
        let Report::Fix(p) = parse_report(line).unwrap() else {
            panic!("no fix")
        };
        assert_eq!(p.time_unix_ms, Some(1_773_482_491_000));
        assert_eq!(p.point.lat_deg, 51.507092167);
        assert_eq!(p.point.alt_m, Some(13.0));
        assert_eq!(p.accuracy_m, Some(16.91));
        assert_eq!(p.speed_mps, Some(5.321));
        assert_eq!(p.heading_deg, Some(50.62));
        let nofix = r#"{"class":"TPV","device":"/dev/pts/1","mode":1}"#;
        assert_eq!(parse_report(nofix).unwrap(), Report::NoFix);
        assert_eq!(
            parse_report(r#"{"class":"SKY"}"#).unwrap(),
            Report::Other("SKY".into())
        );
        assert!(parse_report("garbage").is_err());
        let bad = line.replace("51.507092167", "123.0");
        assert!(parse_report(&bad).unwrap_err().contains("latitude"));
    }

    #[test]
    fn not_running_is_one_clear_line() {
        // Bind then drop a listener: the port is free and nothing listens on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let e = GpsdClient::connect(&addr, Duration::from_secs(1))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not running"), "{e}");
        let feed = GpsdFeed::start(&addr);
        let mut status = feed.status();
        for _ in 0..50 {
            if matches!(status, GpsdStatus::Unavailable(_)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            status = feed.status();
        }
        assert!(matches!(status, GpsdStatus::Unavailable(ref m) if m.contains("not running")));
        assert_eq!(feed.position_at(0), None);
    }
}
