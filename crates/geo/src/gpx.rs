//! GPX 1.1 (and 1.0) tracks through the `gpx` crate: every track point of every segment, with
//! its time (required: a point without time cannot be aligned with a recording), elevation,
//! HDOP (as accuracy) and, in GPX 1.0 files, speed. Points marked `<fix>none</fix>` are
//! skipped. Headings come from the track's own geometry (GPX 1.1 has no course element).

use crate::{Fix, GeoError, GeoPoint, Position};

/// Same constant as for NMEA HDOP: metres of horizontal error per unit of HDOP.
const UERE_M: f64 = 5.0;

/// Parses a GPX document into fixes.
pub fn parse(bytes: &[u8], path: &str) -> Result<Vec<Position>, GeoError> {
    let doc = gpx::read(bytes)
        .map_err(|e| GeoError::malformed(path, None, format!("invalid GPX: {e}")))?;
    let mut out = Vec::new();
    let mut n = 0usize;
    for (ti, track) in doc.tracks.iter().enumerate() {
        for seg in &track.segments {
            for p in &seg.points {
                n += 1;
                if matches!(p.fix, Some(gpx::Fix::None)) {
                    continue;
                }
                let pt = p.point();
                let time = p.time.ok_or_else(|| {
                    GeoError::malformed(
                        path,
                        None,
                        format!(
                            "track {} point {n} ({:.6}, {:.6}) has no <time>: it cannot be \
                             aligned with a recording",
                            ti + 1,
                            pt.y(),
                            pt.x()
                        ),
                    )
                })?;
                let t: time::OffsetDateTime = time.into();
                let ms = (t.unix_timestamp_nanos() / 1_000_000) as i64;
                let fix = Position {
                    time_unix_ms: Some(ms),
                    point: GeoPoint {
                        lat_deg: pt.y(),
                        lon_deg: pt.x(),
                        alt_m: p.elevation,
                    },
                    accuracy_m: p.hdop.map(|h| h * UERE_M),
                    speed_mps: p.speed,
                    heading_deg: None,
                };
                fix.validate().map_err(|e| {
                    GeoError::malformed(path, None, format!("track point {n}: {e}"))
                })?;
                out.push(fix);
            }
        }
    }
    if n == 0 {
        return Err(GeoError::malformed(
            path,
            None,
            "GPX file has no track points (<trk><trkseg><trkpt>)",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>drive</name><trkseg>
  <trkpt lat="51.5070" lon="-0.1230"><ele>12.0</ele><time>2026-03-14T10:00:01Z</time><hdop>1.2</hdop></trkpt>
  <trkpt lat="51.5071" lon="-0.1228"><time>2026-03-14T10:00:02.500Z</time></trkpt>
 </trkseg></trk>
</gpx>"#;

    #[test]
    fn reads_points() {
        let f = parse(DOC.as_bytes(), "d.gpx").unwrap();
        assert_eq!(f.len(), 2);
        // 2026-03-14T10:00:01Z = 1773482401 s.
        assert_eq!(f[0].time_ms(), 1_773_482_401_000);
        assert_eq!(f[1].time_ms(), 1_773_482_402_500);
        assert_eq!(f[0].point.alt_m, Some(12.0));
        assert!((f[0].accuracy_m.unwrap() - 6.0).abs() < 1e-9);
        assert_eq!(f[1].point.lon_deg, -0.1228);
    }

    #[test]
    fn malformed_is_one_line() {
        let e = parse(b"<gpx><trk>", "d.gpx").unwrap_err().to_string();
        assert!(e.starts_with("d.gpx: invalid GPX"), "{e}");
        assert!(!e.contains('\n'));
        let no_time = DOC.replace("<time>2026-03-14T10:00:01Z</time>", "");
        let e = parse(no_time.as_bytes(), "d.gpx").unwrap_err().to_string();
        assert!(e.contains("point 1") && e.contains("no <time>"), "{e}");
        let bad = DOC.replace("lat=\"51.5070\"", "lat=\"95.0\"");
        assert!(parse(bad.as_bytes(), "d.gpx").is_err());
    }
}
