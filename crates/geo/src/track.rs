//! A GPS track: fixes in time order, and the sensor's position at any instant between them.
//!
//! Receivers give a fix every 0.1-1 s while the radio measures every 0.5 s on its own clock, so
//! positions are interpolated in time between the two neighbouring fixes. Across an outage
//! (tunnel, no fix) longer than [`MAX_GAP_MS`] nothing is invented: the observation gets no
//! position. Just outside the track's ends the end fix is held for [`EDGE_MS`], the spacing of
//! a 1 Hz receiver.

use std::path::Path;

use serde::Serialize;

use crate::position::{bearing_deg, distance_m};
use crate::{Fix, GeoError, GeoPoint, Position};

/// Longest gap between two fixes that is bridged by interpolation.
pub const MAX_GAP_MS: i64 = 30_000;
/// How far before the first / after the last fix the end fix is still used.
pub const EDGE_MS: i64 = 2_000;

/// Fixes in strictly increasing time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Track {
    /// Where the track came from (file name, `gpsd`), for messages.
    pub name: String,
    fixes: Vec<Position>,
}

/// How much of a recording a track covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overlap {
    /// First instant with a position, ms since the epoch.
    pub start_unix_ms: i64,
    /// Last instant with a position.
    pub end_unix_ms: i64,
    /// Share of the recording's span inside the track's span, 0..=1.
    pub fraction: f64,
}

/// `2026-03-14T10:00:01Z` for messages.
pub fn format_unix_ms(t: i64) -> String {
    let ns = i128::from(t) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(ns)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{t} ms"))
}

impl Track {
    /// A track from fixes in any order: each is range-checked, they are sorted by time and a
    /// later fix with the same time replaces the earlier one (GGA then RMC of one epoch).
    pub fn new(name: impl Into<String>, mut fixes: Vec<Position>) -> Result<Track, GeoError> {
        let name = name.into();
        for f in &fixes {
            f.validate()
                .map_err(|e| GeoError::malformed(&name, None, e.to_string()))?;
        }
        fixes.sort_by_key(|f| f.time_ms());
        let mut out: Vec<Position> = Vec::with_capacity(fixes.len());
        for f in fixes {
            match out.last_mut() {
                Some(last) if last.time_ms() == f.time_ms() => *last = f,
                _ => out.push(f),
            }
        }
        Ok(Track { name, fixes: out })
    }

    /// A track with no fix yet (a live feed fills it with [`Track::push`]).
    pub fn empty(name: impl Into<String>) -> Track {
        Track {
            name: name.into(),
            fixes: Vec::new(),
        }
    }

    /// Reads a GPX 1.1 or NMEA 0183 file, told apart by its first character (`<` or `$`).
    pub fn load(path: impl AsRef<Path>) -> Result<Track, GeoError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| GeoError::Io {
            path: shown.clone(),
            source: e,
        })?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let fixes = match first {
            Some(b'<') => crate::gpx::parse(&bytes, &shown)?,
            Some(b'$') | Some(b'!') | Some(b'#') => {
                let text = std::str::from_utf8(&bytes).map_err(|e| {
                    GeoError::malformed(&shown, None, format!("NMEA log is not text: {e}"))
                })?;
                crate::nmea::parse(text, &shown)?
            }
            None => return Err(GeoError::malformed(&shown, None, "empty file")),
            Some(_) => {
                return Err(GeoError::malformed(
                    &shown,
                    None,
                    "neither GPX (XML) nor an NMEA 0183 log ($GPRMC/$GPGGA lines)",
                ))
            }
        };
        if fixes.is_empty() {
            return Err(GeoError::malformed(
                &shown,
                None,
                "no position fix in the track",
            ));
        }
        Track::new(shown, fixes)
    }

    /// The fixes, in time order.
    pub fn fixes(&self) -> &[Position] {
        &self.fixes
    }

    /// No fix at all.
    pub fn is_empty(&self) -> bool {
        self.fixes.is_empty()
    }

    /// Time of the first fix.
    pub fn start_unix_ms(&self) -> Option<i64> {
        self.fixes.first().map(|f| f.time_ms())
    }

    /// Time of the last fix.
    pub fn end_unix_ms(&self) -> Option<i64> {
        self.fixes.last().map(|f| f.time_ms())
    }

    /// Appends a live fix; older or same-time fixes than the last are ignored (gpsd repeats an
    /// epoch once per sentence). Returns whether it was kept.
    pub fn push(&mut self, fix: Position) -> bool {
        if fix.validate().is_err() {
            return false;
        }
        if self
            .fixes
            .last()
            .is_some_and(|l| l.time_ms() >= fix.time_ms())
        {
            if let Some(l) = self.fixes.last_mut() {
                if l.time_ms() == fix.time_ms() {
                    // Same epoch, later sentence: it may add altitude or accuracy.
                    merge_same_epoch(l, &fix);
                }
            }
            return false;
        }
        self.fixes.push(fix);
        true
    }

    /// Drops fixes older than `t` (a live feed keeps only what the pipeline can still ask for).
    pub fn forget_before(&mut self, t: i64) {
        let keep_from = self.fixes.partition_point(|f| f.time_ms() < t);
        // Keep one fix before `t` so that `t` itself can still be interpolated.
        let cut = keep_from.saturating_sub(1);
        self.fixes.drain(..cut);
    }

    /// The sensor's position at `t` (ms since the epoch): the fix itself, an interpolation
    /// between the two fixes around `t`, or the end fix within [`EDGE_MS`] of the track's ends.
    /// `None` outside the track or inside a gap longer than [`MAX_GAP_MS`].
    pub fn position_at(&self, t: i64) -> Option<Position> {
        let first = self.fixes.first()?;
        let last = self.fixes.last()?;
        if t < first.time_ms() {
            return (first.time_ms() - t <= EDGE_MS).then_some(Position {
                time_unix_ms: Some(t),
                ..*first
            });
        }
        if t > last.time_ms() {
            return (t - last.time_ms() <= EDGE_MS).then_some(Position {
                time_unix_ms: Some(t),
                ..*last
            });
        }
        let i = self.fixes.partition_point(|f| f.time_ms() < t);
        let b = self.fixes.get(i)?;
        if b.time_ms() == t || i == 0 {
            return Some(*b);
        }
        let a = self.fixes.get(i - 1)?;
        let dt = b.time_ms() - a.time_ms();
        if dt > MAX_GAP_MS {
            return None;
        }
        Some(interpolate(a, b, t))
    }

    /// How much of the recording `[start, end]` the track covers; an error (one line, both
    /// spans in UTC) when it covers none of it.
    pub fn check_overlap(&self, start_unix_ms: i64, end_unix_ms: i64) -> Result<Overlap, GeoError> {
        let (Some(ts), Some(te)) = (self.start_unix_ms(), self.end_unix_ms()) else {
            return Err(GeoError::NoOverlap(format!("track {} is empty", self.name)));
        };
        let (ts, te) = (ts - EDGE_MS, te + EDGE_MS);
        let lo = start_unix_ms.max(ts);
        let hi = end_unix_ms.min(te);
        if lo > hi {
            return Err(GeoError::NoOverlap(format!(
                "track {} ({} to {}) does not overlap the recording ({} to {}); no positions \
                 (check the recording's start time: SigMF core:datetime or --start)",
                self.name,
                format_unix_ms(ts + EDGE_MS),
                format_unix_ms(te - EDGE_MS),
                format_unix_ms(start_unix_ms),
                format_unix_ms(end_unix_ms)
            )));
        }
        let span = (end_unix_ms - start_unix_ms).max(1) as f64;
        Ok(Overlap {
            start_unix_ms: lo,
            end_unix_ms: hi,
            fraction: ((hi - lo) as f64 / span).clamp(0.0, 1.0),
        })
    }
}

fn merge_same_epoch(into: &mut Position, from: &Position) {
    into.point.alt_m = into.point.alt_m.or(from.point.alt_m);
    into.accuracy_m = into.accuracy_m.or(from.accuracy_m);
    into.speed_mps = into.speed_mps.or(from.speed_mps);
    into.heading_deg = into.heading_deg.or(from.heading_deg);
}

fn lerp(a: f64, b: f64, f: f64) -> f64 {
    a + (b - a) * f
}

/// Linear in lat/lon (the fixes are metres apart: the curvature error is nanometres), across
/// the antimeridian the short way; speed and heading from the receiver when both fixes carry
/// them, else from the segment itself.
fn interpolate(a: &Position, b: &Position, t: i64) -> Position {
    let (a_pt, b_pt) = (&a.point, &b.point);
    let dt_ms = (b.time_ms() - a.time_ms()) as f64;
    let f = (t - a.time_ms()) as f64 / dt_ms;
    let mut dlon = b_pt.lon_deg - a_pt.lon_deg;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    let mut lon = a_pt.lon_deg + dlon * f;
    if lon > 180.0 {
        lon -= 360.0;
    } else if lon < -180.0 {
        lon += 360.0;
    }
    let seg_m = distance_m(a_pt.lat_deg, a_pt.lon_deg, b_pt.lat_deg, b_pt.lon_deg);
    let speed_mps = match (a.speed_mps, b.speed_mps) {
        (Some(x), Some(y)) => Some(lerp(x, y, f)),
        _ => Some(seg_m / (dt_ms / 1000.0)),
    };
    let heading_deg = match (a.heading_deg, b.heading_deg) {
        (Some(x), Some(y)) => {
            let d = (y - x + 540.0).rem_euclid(360.0) - 180.0;
            Some((x + d * f).rem_euclid(360.0))
        }
        // Below a metre the bearing between two fixes is GPS noise.
        _ if seg_m > 1.0 => Some(bearing_deg(
            a_pt.lat_deg,
            a_pt.lon_deg,
            b_pt.lat_deg,
            b_pt.lon_deg,
        )),
        (x, y) => x.or(y),
    };
    Position {
        time_unix_ms: Some(t),
        point: GeoPoint {
            lat_deg: lerp(a_pt.lat_deg, b_pt.lat_deg, f),
            lon_deg: lon,
            alt_m: match (a_pt.alt_m, b_pt.alt_m) {
                (Some(x), Some(y)) => Some(lerp(x, y, f)),
                (x, y) => x.or(y),
            },
        },
        accuracy_m: match (a.accuracy_m, b.accuracy_m) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        },
        speed_mps,
        heading_deg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(t: i64, lat: f64, lon: f64) -> Position {
        Position::at(t, lat, lon)
    }

    #[test]
    fn interpolates_between_fixes() {
        // 0.001 deg of latitude north in 10 s: 111.2 m, 11.12 m/s, heading 0.
        let tr = Track::new("t", vec![fix(10_000, 51.001, 0.0), fix(0, 51.0, 0.0)]).unwrap();
        let p = tr.position_at(2_500).unwrap();
        assert!((p.point.lat_deg - 51.00025).abs() < 1e-12);
        assert!((p.speed_mps.unwrap() - 11.1195).abs() < 0.01);
        assert!(p.heading_deg.unwrap().abs() < 1e-6);
        assert_eq!(tr.position_at(10_000).unwrap().point.lat_deg, 51.001);
        // Held for 2 s past the ends, nothing beyond.
        assert!(tr.position_at(-2_000).is_some());
        assert!(tr.position_at(-2_001).is_none());
        assert!(tr.position_at(12_001).is_none());
    }

    #[test]
    fn gaps_are_not_bridged() {
        let tr = Track::new("t", vec![fix(0, 51.0, 0.0), fix(40_000, 51.01, 0.0)]).unwrap();
        assert!(tr.position_at(20_000).is_none());
    }

    #[test]
    fn antimeridian_short_way() {
        let tr = Track::new("t", vec![fix(0, 0.0, 179.999), fix(2_000, 0.0, -179.999)]).unwrap();
        let p = tr.position_at(1_000).unwrap();
        assert!(
            (p.point.lon_deg.abs() - 180.0).abs() < 1e-9,
            "{}",
            p.point.lon_deg
        );
        assert!((p.heading_deg.unwrap() - 90.0).abs() < 0.01);
    }

    #[test]
    fn receiver_heading_interpolates_on_the_circle() {
        let mut a = fix(0, 51.0, 0.0);
        a.heading_deg = Some(350.0);
        a.speed_mps = Some(10.0);
        let mut b = fix(1_000, 51.0001, 0.0);
        b.heading_deg = Some(10.0);
        b.speed_mps = Some(12.0);
        let tr = Track::new("t", vec![a, b]).unwrap();
        let p = tr.position_at(500).unwrap();
        assert!(
            p.heading_deg.unwrap().abs() < 1e-9 || (p.heading_deg.unwrap() - 360.0).abs() < 1e-9
        );
        assert!((p.speed_mps.unwrap() - 11.0).abs() < 1e-12);
    }

    #[test]
    fn overlap_and_its_error() {
        let tr = Track::new(
            "drive.gpx",
            vec![fix(100_000, 51.0, 0.0), fix(200_000, 51.0, 0.1)],
        )
        .unwrap();
        let o = tr.check_overlap(150_000, 250_000).unwrap();
        assert_eq!(o.start_unix_ms, 150_000);
        assert_eq!(o.end_unix_ms, 202_000);
        assert!((o.fraction - 0.52).abs() < 1e-9);
        let e = tr.check_overlap(300_000, 400_000).unwrap_err().to_string();
        assert!(e.contains("does not overlap"), "{e}");
        assert!(e.contains("1970-01-01T00:01:40Z"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn out_of_range_fix_is_refused() {
        let e = Track::new("x", vec![fix(0, 95.0, 0.0)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("latitude 95"), "{e}");
    }

    #[test]
    fn live_push_and_forget() {
        let mut tr = Track::empty("gpsd");
        assert!(tr.push(fix(0, 51.0, 0.0)));
        assert!(!tr.push(fix(0, 51.0, 0.0)));
        assert!(tr.push(fix(1_000, 51.0, 0.0)));
        assert!(tr.push(fix(2_000, 51.0, 0.0)));
        tr.forget_before(1_500);
        assert_eq!(tr.fixes().len(), 2);
        assert!(tr.position_at(1_500).is_some());
    }
}
