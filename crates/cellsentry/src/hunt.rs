//! Live hunting in `monitor`: for one cell (chosen with `--hunt`, else the most suspicious one)
//! its received-power trend and the current transmitter estimate, refreshed every
//! [`REFRESH_EVERY_S`] seconds of signal from the positioned observations the session reports
//! to its observer. No database round trip: the readings are kept here as they arrive, so it
//! works the same with or without `--db`.
//!
//! The estimate (`cellsentry-locate`'s fit) runs on a thread of its own: the observer, which
//! runs on the session's thread, only copies the readings and hands them over, so a slow fit
//! can never hold up decoding (and through it the radio's queue). When the fit is still busy
//! at the next refresh, that refresh is skipped rather than queued.

use std::path::PathBuf;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Instant;

use cellsentry_detect::scene::thin_before;
use cellsentry_geo::position::{bearing_deg, distance_m};
use cellsentry_locate::{
    locate_with_bearings, read_bearings_file, Bearing, Estimate, GeoPoint, LocateConfig,
    Measurement,
};
use cellsentry_model::{CellKey, Plmn, Rat, VerdictLevel};
use cellsentry_pipeline::SessionEvent;
use serde::Serialize;

use crate::cmd::report::cell_label;

/// Seconds of signal between two refreshes of the hunt display.
pub const REFRESH_EVERY_S: f64 = 5.0;
/// Readings kept per cell: the newest half whole (17 minutes at two a second), older ones
/// thinned to every other one when the buffer is full, so a drive's whole area stays in the
/// fit (which bins readings in 20 m squares anyway) at a bounded size. The buffer is sized once:
/// a growing one doubled its allocation part-way through an hour's soak (20,000 readings of
/// three cells were the last creep in the soak's memory).
const MAX_READINGS: usize = 4_096;
/// Readings drawn in the sparkline (12 s at two a second).
const SPARK_READINGS: usize = 24;
/// The trend is the least-squares slope over this much signal.
const TREND_WINDOW_S: f64 = 10.0;
/// Below this slope the power is "steady": Rayleigh fading alone moves single readings by
/// several dB, so a smaller slope over 10 s says nothing about getting closer.
const TREND_STEADY_DB_PER_S: f64 = 0.15;

/// Which cell `--hunt` means: any mix of the parts of a cell label as `monitor` and `report`
/// print it (`GSM ARFCN 62 234-15 LAC 3101 CI 40961 BSIC 21`), `key=value` pairs
/// (`arfcn=62`, `ci=40961`, `pci=7`, `plmn=234-15`), or a bare number, which is an
/// ARFCN/EARFCN or a CI/ECI. Every part given must match; a `?` part is ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellSelector {
    pub rat: Option<Rat>,
    pub plmn: Option<String>,
    pub lac_tac: Option<u32>,
    pub cell_id: Option<u32>,
    pub channel: Option<u32>,
    pub bsic_pci: Option<u16>,
    /// A bare number: an ARFCN/EARFCN or a CI/ECI.
    pub number: Option<u32>,
}

fn parse_u32(v: &str) -> Option<u32> {
    match v.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

impl CellSelector {
    pub fn parse(text: &str) -> Result<CellSelector, String> {
        let bad = |why: String| {
            format!(
                "--hunt {text:?}: {why}; give a cell label as monitor prints it, key=value pairs \
                 (arfcn=62 ci=40961 pci=7 plmn=234-15) or an ARFCN/CI"
            )
        };
        let norm: String = text
            .chars()
            .map(|c| if matches!(c, '=' | ':' | ',') { ' ' } else { c })
            .collect::<String>()
            .to_ascii_lowercase();
        let tokens: Vec<&str> = norm.split_whitespace().collect();
        if tokens.is_empty() {
            return Err(bad("empty".into()));
        }
        let mut sel = CellSelector::default();
        if let [only] = tokens.as_slice() {
            if let Some(n) = parse_u32(only) {
                sel.number = Some(n);
                return Ok(sel);
            }
        }
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            let value = tokens.get(i + 1).copied();
            let mut num = |what: &str| -> Result<Option<u32>, String> {
                i += 1;
                match value {
                    Some("?") => Ok(None),
                    Some(v) => parse_u32(v)
                        .map(Some)
                        .ok_or_else(|| bad(format!("{what} {v:?} is not a number"))),
                    None => Err(bad(format!("{what} without a value"))),
                }
            };
            match t {
                "gsm" => sel.rat = Some(Rat::Gsm),
                "lte" => sel.rat = Some(Rat::Lte),
                "arfcn" | "earfcn" | "channel" => sel.channel = num(t)?,
                "lac" | "tac" => sel.lac_tac = num(t)?,
                "ci" | "eci" | "cell" => sel.cell_id = num(t)?,
                "bsic" | "pci" => {
                    sel.bsic_pci = match num(t)? {
                        Some(v) => Some(
                            u16::try_from(v).map_err(|_| bad(format!("{t} {v} is too large")))?,
                        ),
                        None => None,
                    }
                }
                "plmn" => {
                    i += 1;
                    let v = value.ok_or_else(|| bad("plmn without a value".into()))?;
                    sel.plmn = Some(plmn_text(v).ok_or_else(|| bad(format!("plmn {v:?}")))?);
                }
                "?-?" | "?" => {}
                other => match plmn_text(other) {
                    Some(p) => sel.plmn = Some(p),
                    None => return Err(bad(format!("cannot read {other:?}"))),
                },
            }
            i += 1;
        }
        if sel == CellSelector::default() {
            return Err(bad("names no part of a cell".into()));
        }
        Ok(sel)
    }

    /// Every part given is known in `key` and equal.
    pub fn matches(&self, key: &CellKey) -> bool {
        fn eq<T: PartialEq>(want: &Option<T>, have: &Option<T>) -> bool {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        }
        eq(&self.rat, &Some(key.rat))
            && eq(&self.lac_tac, &key.lac_tac)
            && eq(&self.cell_id, &key.cell_id)
            && eq(&self.channel, &key.channel)
            && eq(&self.bsic_pci, &key.bsic_pci)
            && eq(&self.plmn, &key.plmn.as_ref().map(|p| p.to_string()))
            && self
                .number
                .is_none_or(|n| key.channel == Some(n) || key.cell_id == Some(n))
    }
}

/// `234-15` as the model prints it, when the text is a PLMN.
fn plmn_text(v: &str) -> Option<String> {
    if !v.contains('-') {
        return None;
    }
    Plmn::parse(v).ok().map(|p| p.to_string())
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    time_s: f64,
    time_unix_ms: i64,
    power_dbfs: f64,
    lat_lon: Option<(f64, f64)>,
}

/// One cell's readings, merged over the partial keys it was heard by.
struct Tracked {
    key: CellKey,
    readings: Vec<Reading>,
    level: VerdictLevel,
    score: f64,
}

/// What the worker needs for one refresh: a copy, so the session's thread never waits.
struct Request {
    cell: String,
    key: CellKey,
    level: VerdictLevel,
    signal_time_s: f64,
    readings: usize,
    recent_dbfs: Vec<f64>,
    trend_db_per_s: Option<f64>,
    rows: Vec<Measurement>,
    sensor: Option<(f64, f64)>,
    last: bool,
}

/// One refresh of the hunt display (a JSON line with `"event": "hunt"`).
#[derive(Debug, Clone, Serialize)]
pub struct HuntUpdate {
    pub event: &'static str,
    pub cell: String,
    pub key: CellKey,
    pub verdict: VerdictLevel,
    /// Signal time of the refresh, s.
    pub signal_time_s: f64,
    /// Latest reading, dBFS.
    pub power_dbfs: Option<f64>,
    /// `rising`, `falling`, `steady`, or `unknown` (too few readings yet).
    pub trend: &'static str,
    /// Least-squares slope of the last 10 s of readings, dB/s.
    pub trend_db_per_s: Option<f64>,
    /// The last readings, oldest first, dBFS, and the same as a text sparkline.
    pub recent_dbfs: Vec<f64>,
    pub sparkline: String,
    /// Readings of this cell so far, and how many had a position.
    pub readings: usize,
    pub positioned: usize,
    /// The transmitter estimate from the positioned readings, or why there is none yet.
    pub estimate: Option<Estimate>,
    pub reason: Option<String>,
    /// The sensor's latest position, and the estimate's distance and bearing from it
    /// (degrees clockwise from true north).
    pub sensor: Option<GeoPoint>,
    pub distance_m: Option<f64>,
    pub bearing_deg: Option<f64>,
    /// How far the estimate moved since the cell's previous one, m: with the 95 % radius, what
    /// tells a team it may stop (it stays put, and the radius is about a block).
    pub moved_m: Option<f64>,
    /// How long the fit took, ms (on the hunt's own thread).
    pub fit_ms: f64,
    /// The last refresh, after the run ended.
    #[serde(rename = "final")]
    pub last: bool,
}

/// What the hunt did over a run, for the closing line.
#[derive(Debug, Clone, Copy, Default)]
pub struct HuntStats {
    pub updates: u64,
    /// Refreshes skipped because the previous fit was still running.
    pub skipped: u64,
    pub fit_ms_max: f64,
    pub fit_ms_total: f64,
}

/// The hunt: fed every session event, prints a refresh every [`REFRESH_EVERY_S`] of signal.
pub struct Hunt {
    selector: Option<CellSelector>,
    cells: Vec<Tracked>,
    sensor: Option<(f64, f64)>,
    next_refresh_s: f64,
    tx: Option<SyncSender<Request>>,
    worker: Option<JoinHandle<HuntStats>>,
    skipped: u64,
    /// `--hunt` as given, and whether "not heard yet" was said.
    selector_text: Option<String>,
    said_missing: bool,
}

impl Hunt {
    /// Starts the worker thread; `bearings` is a CSV file of bearings to the hunted cell,
    /// read again before every fit; `json` chooses JSON lines over text.
    pub fn start(
        selector: Option<(CellSelector, String)>,
        bearings: Option<PathBuf>,
        json: bool,
    ) -> Hunt {
        let (selector, selector_text) = selector.unzip();
        // One request in flight at most: a refresh due while the fit runs is dropped.
        let (tx, rx) = mpsc::sync_channel::<Request>(1);
        let worker = std::thread::Builder::new()
            .name("hunt".into())
            .spawn(move || {
                let mut stats = HuntStats::default();
                let config = LocateConfig::default();
                let mut previous: Option<(String, GeoPoint)> = None;
                let mut bearings = BearingsFile::new(bearings);
                for req in rx {
                    let mut update = compute(req, bearings.current(), &config);
                    if let Some(e) = &update.estimate {
                        update.moved_m = previous
                            .as_ref()
                            .filter(|(cell, _)| *cell == update.cell)
                            .map(|(_, p)| p.distance_m(&e.point));
                        previous = Some((update.cell.clone(), e.point));
                    }
                    stats.updates += 1;
                    stats.fit_ms_total += update.fit_ms;
                    stats.fit_ms_max = stats.fit_ms_max.max(update.fit_ms);
                    if json {
                        match serde_json::to_string(&update) {
                            Ok(line) => println!("{line}"),
                            Err(e) => eprintln!("cellsentry: hunt: {e}"),
                        }
                    } else {
                        println!("{}", render_text(&update));
                    }
                }
                stats
            })
            .ok();
        Hunt {
            selector,
            cells: Vec::new(),
            sensor: None,
            next_refresh_s: REFRESH_EVERY_S,
            tx: worker.as_ref().map(|_| tx),
            worker,
            skipped: 0,
            selector_text,
            said_missing: false,
        }
    }

    /// Takes in one session event (on the session's thread: cheap).
    pub fn observe(&mut self, ev: &SessionEvent) {
        match ev {
            SessionEvent::Cell {
                key,
                time_s,
                time_unix_ms,
                power_dbfs,
                lat_deg,
                lon_deg,
            } => {
                let lat_lon = lat_deg.zip(*lon_deg);
                if lat_lon.is_some() {
                    self.sensor = lat_lon;
                }
                if let Some(p) = power_dbfs.filter(|p| p.is_finite()) {
                    let cell = self.tracked(key);
                    cell.readings.push(Reading {
                        time_s: *time_s,
                        time_unix_ms: *time_unix_ms,
                        power_dbfs: p,
                        lat_lon,
                    });
                    if cell.readings.len() >= MAX_READINGS {
                        let half = cell.readings.len() / 2;
                        thin_before(&mut cell.readings, half);
                    }
                }
                // Refreshes follow the observations' signal time, so the cadence is the
                // same whatever the pace of the source (a radio, or a file run --fast).
                if *time_s >= self.next_refresh_s {
                    self.next_refresh_s = time_s + REFRESH_EVERY_S;
                    self.refresh(*time_s, false);
                }
            }
            SessionEvent::Alert { alert, .. } => {
                let cell = self.tracked(&alert.key);
                if (alert.verdict.level, alert.verdict.score) > (cell.level, cell.score) {
                    cell.level = alert.verdict.level;
                    cell.score = alert.verdict.score;
                }
            }
            _ => {}
        }
    }

    /// A last refresh with everything heard, then waits for the worker.
    pub fn finish(mut self, signal_s: f64) -> HuntStats {
        self.refresh(signal_s, true);
        self.tx = None;
        let mut stats = self
            .worker
            .take()
            .and_then(|w| w.join().ok())
            .unwrap_or_default();
        stats.skipped = self.skipped;
        stats
    }

    fn tracked(&mut self, key: &CellKey) -> &mut Tracked {
        let i = match self.cells.iter().position(|c| c.key.compatible(key)) {
            Some(i) => {
                let c = &mut self.cells[i];
                if key.specificity() >= c.key.specificity() {
                    let mut k = key.clone();
                    k.fill_from(&c.key);
                    c.key = k;
                } else {
                    c.key.fill_from(key);
                }
                i
            }
            None => {
                self.cells.push(Tracked {
                    key: key.clone(),
                    readings: Vec::with_capacity(MAX_READINGS),
                    level: VerdictLevel::Clean,
                    score: 0.0,
                });
                self.cells.len() - 1
            }
        };
        &mut self.cells[i]
    }

    /// The cell hunted now: the chosen one (the one of that description heard most), else the
    /// most suspicious (level, then score); none while every cell is clean.
    fn target(&self) -> Option<&Tracked> {
        match &self.selector {
            Some(sel) => self
                .cells
                .iter()
                .filter(|c| sel.matches(&c.key))
                .max_by_key(|c| c.readings.len()),
            None => self
                .cells
                .iter()
                .filter(|c| c.level > VerdictLevel::Clean)
                .max_by(|a, b| {
                    (a.level, a.score)
                        .partial_cmp(&(b.level, b.score))
                        .unwrap_or(std::cmp::Ordering::Equal)
                }),
        }
    }

    fn refresh(&mut self, signal_s: f64, last: bool) {
        let Some(tx) = &self.tx else { return };
        let Some(cell) = self.target() else {
            // A chosen cell not heard yet: said once, so an operator who mistyped it knows.
            if let (Some(text), false) = (&self.selector_text, self.said_missing) {
                eprintln!("cellsentry: hunt: no cell like {text:?} heard yet");
                self.said_missing = true;
            }
            return;
        };
        if cell.readings.is_empty() {
            return;
        }
        let rows: Vec<Measurement> = cell
            .readings
            .iter()
            .filter_map(|r| {
                let (lat_deg, lon_deg) = r.lat_lon?;
                Some(Measurement {
                    point: GeoPoint::new(lat_deg, lon_deg),
                    power_db: r.power_dbfs,
                    time_unix_ms: r.time_unix_ms,
                    sensor: "live".into(),
                })
            })
            .collect();
        let recent: Vec<f64> = cell
            .readings
            .iter()
            .skip(cell.readings.len().saturating_sub(SPARK_READINGS))
            .map(|r| r.power_dbfs)
            .collect();
        let req = Request {
            cell: cell_label(&cell.key),
            key: cell.key.clone(),
            level: cell.level,
            signal_time_s: signal_s,
            readings: cell.readings.len(),
            recent_dbfs: recent,
            trend_db_per_s: trend_slope(&cell.readings),
            rows,
            sensor: self.sensor,
            last,
        };
        let sent = if last {
            tx.send(req).is_ok()
        } else {
            match tx.try_send(req) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    self.skipped += 1;
                    true
                }
                Err(TrySendError::Disconnected(_)) => false,
            }
        };
        if !sent {
            // The worker is gone (it could only have panicked): hunting stops, decoding not.
            self.tx = None;
        }
    }
}

/// Least-squares slope (dB/s) of the readings of the last [`TREND_WINDOW_S`]; `None` with
/// fewer than four.
fn trend_slope(readings: &[Reading]) -> Option<f64> {
    let end = readings.last()?.time_s;
    let pts: Vec<(f64, f64)> = readings
        .iter()
        .rev()
        .take_while(|r| r.time_s >= end - TREND_WINDOW_S)
        .map(|r| (r.time_s, r.power_dbfs))
        .collect();
    if pts.len() < 4 {
        return None;
    }
    let n = pts.len() as f64;
    let (mt, mp) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut stt, mut stp) = (0.0, 0.0);
    for (t, p) in &pts {
        stt += (t - mt) * (t - mt);
        stp += (t - mt) * (p - mp);
    }
    (stt > 0.0).then(|| stp / stt)
}

fn trend_word(slope: Option<f64>) -> &'static str {
    match slope {
        None => "unknown",
        Some(s) if s > TREND_STEADY_DB_PER_S => "rising",
        Some(s) if s < -TREND_STEADY_DB_PER_S => "falling",
        Some(_) => "steady",
    }
}

/// Eight-level block sparkline between the values' minimum and maximum.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| {
            if hi - lo < 1.0 {
                BARS[3]
            } else {
                let k = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[k.min(7)]
            }
        })
        .collect()
}

/// The bearings file of a hunt, read again before every fit (on the hunt's thread): a team
/// appends a line whenever it takes a bearing. A file that cannot be read or parsed is said
/// once (until it changes) and the last good bearings are kept.
struct BearingsFile {
    path: Option<PathBuf>,
    good: Vec<Bearing>,
    said: Option<String>,
}

impl BearingsFile {
    fn new(path: Option<PathBuf>) -> BearingsFile {
        BearingsFile {
            path,
            good: Vec::new(),
            said: None,
        }
    }

    fn current(&mut self) -> &[Bearing] {
        let Some(path) = &self.path else {
            return &self.good;
        };
        match read_bearings_file(path).map_err(|e| e.to_string()) {
            Ok(b) => {
                self.good = b;
                self.said = None;
            }
            Err(e) => {
                if self.said.as_deref() != Some(e.as_str()) {
                    eprintln!(
                        "cellsentry: hunt: {e} (keeping {} bearing(s))",
                        self.good.len()
                    );
                    self.said = Some(e);
                }
            }
        }
        &self.good
    }
}

fn compute(req: Request, bearings: &[Bearing], config: &LocateConfig) -> HuntUpdate {
    let started = Instant::now();
    let fit = locate_with_bearings(&req.rows, bearings, config);
    let fit_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (estimate, reason) = match fit {
        Ok(e) => (Some(e), None),
        Err(e) if req.rows.is_empty() => (
            None,
            Some(format!(
                "{e} (no position yet: --gpsd with a fix, or --track)"
            )),
        ),
        Err(e) => (None, Some(e.to_string())),
    };
    let (distance, bearing) = match (&estimate, req.sensor) {
        (Some(e), Some((lat, lon))) => (
            Some(distance_m(lat, lon, e.point.lat_deg, e.point.lon_deg)),
            Some(bearing_deg(lat, lon, e.point.lat_deg, e.point.lon_deg)),
        ),
        _ => (None, None),
    };
    HuntUpdate {
        event: "hunt",
        cell: req.cell,
        key: req.key,
        verdict: req.level,
        signal_time_s: req.signal_time_s,
        power_dbfs: req.recent_dbfs.last().copied(),
        trend: trend_word(req.trend_db_per_s),
        trend_db_per_s: req.trend_db_per_s,
        sparkline: sparkline(&req.recent_dbfs),
        recent_dbfs: req.recent_dbfs,
        readings: req.readings,
        positioned: req.rows.len(),
        estimate,
        reason,
        sensor: req
            .sensor
            .map(|(lat_deg, lon_deg)| GeoPoint::new(lat_deg, lon_deg)),
        distance_m: distance,
        bearing_deg: bearing,
        moved_m: None,
        fit_ms,
        last: req.last,
    }
}

/// Sixteen-point compass name of a bearing.
fn compass(bearing_deg: f64) -> &'static str {
    const NAMES: [&str; 16] = [
        "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW",
        "NW", "NNW",
    ];
    NAMES[((bearing_deg.rem_euclid(360.0) / 22.5).round() as usize) % 16]
}

/// Two lines for people: the power trend, then the transmitter estimate.
pub fn render_text(u: &HuntUpdate) -> String {
    let power = u.power_dbfs.map_or("-".into(), |p| format!("{p:.1} dBFS"));
    let slope = u
        .trend_db_per_s
        .map_or(String::new(), |s| format!(" ({s:+.2} dB/s)"));
    let mut out = format!(
        "HUNT{} {} [{}] at {:.0} s: {power} {} {}{slope}; {} of {} readings positioned",
        if u.last { " (end)" } else { "" },
        u.cell,
        u.verdict.label(),
        u.signal_time_s,
        u.sparkline,
        u.trend,
        u.positioned,
        u.readings,
    );
    match &u.estimate {
        Some(e) => {
            out.push_str(&format!(
                "\n  transmitter {:.6},{:.6} within {:.0} m (95 %)",
                e.point.lat_deg, e.point.lon_deg, e.radius95_m
            ));
            if let Some(m) = u.moved_m {
                out.push_str(&format!(", moved {m:.0} m"));
            }
            if let (Some(d), Some(b)) = (u.distance_m, u.bearing_deg) {
                out.push_str(&format!(
                    ", {d:.0} m from here, bearing {b:.0} deg ({})",
                    compass(b)
                ));
            }
            out.push_str(&format!(
                "; {}, {} bins, fit {:.0} ms",
                crate::cmd::locate::method_text(e),
                e.bins,
                u.fit_ms
            ));
            if let Some((lat, lon)) = e.alternative {
                out.push_str(&format!("; ambiguous: or {lat:.6},{lon:.6}"));
                if let Some(s) = u.sensor {
                    let d = distance_m(s.lat_deg, s.lon_deg, lat, lon);
                    let b = bearing_deg(s.lat_deg, s.lon_deg, lat, lon);
                    out.push_str(&format!(" ({d:.0} m, {})", compass(b)));
                }
            }
        }
        None => out.push_str(&format!(
            "\n  transmitter: not yet ({})",
            u.reason.as_deref().unwrap_or("no estimate")
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ch: u32, ci: Option<u32>) -> CellKey {
        let mut k = CellKey::new(Rat::Gsm);
        k.channel = Some(ch);
        k.cell_id = ci;
        k.bsic_pci = Some(21);
        k.lac_tac = ci.map(|_| 3101);
        k.plmn = ci.map(|_| Plmn::parse("234-15").unwrap());
        k
    }

    #[test]
    fn selectors() {
        let k = key(62, Some(40961));
        // The label monitor prints, key=value pairs, a bare ARFCN or CI.
        for s in [
            &cell_label(&k),
            "arfcn=62",
            "ci=40961 plmn=234-15",
            "gsm, bsic:21",
            "62",
            "40961",
            "0xa001",
        ] {
            let sel = CellSelector::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(sel.matches(&k), "{s} -> {sel:?}");
        }
        for s in ["arfcn=63", "lte", "ci=1", "63", "plmn=234-10"] {
            assert!(!CellSelector::parse(s).unwrap().matches(&k), "{s}");
        }
        // A part the key does not know yet does not match.
        assert!(!CellSelector::parse("ci=40961")
            .unwrap()
            .matches(&key(62, None)));
        for bad in ["", "arfcn", "arfcn=x", "hello", "bsic=70000"] {
            let e = CellSelector::parse(bad).unwrap_err();
            assert!(e.starts_with("--hunt") && !e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_long_hunt_keeps_a_bounded_buffer_reaching_back_to_the_start() {
        // Three hours of one cell at two readings a second, positioned along a road.
        let mut h = Hunt::start(
            Some((CellSelector::parse("arfcn=62").unwrap(), "62".into())),
            None,
            true,
        );
        h.tx = None; // no fits: this test is about the buffer
        for i in 0..21_600i64 {
            h.observe(&SessionEvent::Cell {
                key: key(62, None),
                time_s: i as f64 * 0.5,
                time_unix_ms: i * 500,
                power_dbfs: Some(-60.0),
                lat_deg: Some(51.5 + i as f64 * 1e-6),
                lon_deg: Some(-0.12),
            });
            assert!(h.cells[0].readings.len() <= MAX_READINGS);
        }
        let r = &h.cells[0].readings;
        assert!(r.capacity() < 2 * MAX_READINGS, "{}", r.capacity());
        // The drive's start is still in the fit, and the last minutes are whole.
        assert_eq!(r.first().map(|x| x.time_unix_ms), Some(0));
        let tail: Vec<i64> = r.iter().rev().take(1000).map(|x| x.time_unix_ms).collect();
        assert!(tail.windows(2).all(|w| w[0] - w[1] == 500));
    }

    #[test]
    fn trend_and_sparkline() {
        let mut r = Vec::new();
        for i in 0..30 {
            r.push(Reading {
                time_s: i as f64 * 0.5,
                time_unix_ms: i * 500,
                power_dbfs: -60.0 + 0.5 * i as f64 * 0.5,
                lat_lon: None,
            });
        }
        let s = trend_slope(&r).unwrap();
        assert!((s - 0.5).abs() < 1e-9, "{s}");
        assert_eq!(trend_word(Some(s)), "rising");
        assert_eq!(trend_word(Some(-0.3)), "falling");
        assert_eq!(trend_word(Some(0.05)), "steady");
        assert_eq!(sparkline(&[-60.0, -55.0, -50.0]), "▁▅█");
        assert_eq!(sparkline(&[-60.0, -60.2]), "▄▄");
        assert_eq!(compass(350.0), "N");
        assert_eq!(compass(100.0), "E");
        assert_eq!(compass(225.0), "SW");
    }
}
