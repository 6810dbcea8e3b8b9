//! Positions from outside: GPX tracks and NMEA 0183 logs handed over with a recording, and the
//! gpsd daemon's JSON reports; every fix becomes a track that is queried as the pipeline does.

use cellsentry_geo::{gpsd, gpx, nmea, Fix, Track};

/// The questions the pipeline asks of a track: the position at instants around and inside
/// it, and how it overlaps a recording.
fn query(fixes: Vec<cellsentry_geo::Position>) {
    let Ok(track) = Track::new("fuzz", fixes) else {
        return;
    };
    let (Some(start), Some(end)) = (track.start_unix_ms(), track.end_unix_ms()) else {
        return;
    };
    assert!(start <= end, "a track ends before it starts");
    let mid = start + (end - start) / 2;
    for t in [
        start.saturating_sub(1000),
        start,
        mid,
        end,
        end.saturating_add(1000),
    ] {
        if let Some(p) = track.position_at(t) {
            assert!(
                p.validate().is_ok(),
                "an interpolated fix is out of range: {p:?}"
            );
        }
    }
    let _ = track.check_overlap(start, end);
    let _ = track.check_overlap(mid, end.saturating_add(60_000));
    let _ = track.check_overlap(end, start);
}

/// A GPX document (the whole input).
pub fn gpx_track(data: &[u8]) {
    if let Ok(fixes) = gpx::parse(data, "fuzz.gpx") {
        query(fixes);
    }
}

/// An NMEA 0183 log (the whole input, as text).
pub fn nmea_track(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(fixes) = nmea::parse(&text, "fuzz.nmea") {
        query(fixes);
    }
}

/// gpsd JSON reports, one per line.
pub fn gpsd_report(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = gpsd::parse_report(line);
    }
}
