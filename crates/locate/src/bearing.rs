//! Bearings to the transmitter taken with a directional antenna (a Yagi or a log-periodic
//! turned for the strongest signal, or a direction finder), and the CSV file a field team
//! writes them in. Power alone cannot tell which side of a straight road a transmitter is on
//! (docs/locating.md); one bearing can, and two from different places cross near it.
//!
//! In the fit each bearing adds a von Mises term `2 kappa (1 - cos(observed - predicted))`
//! to the deviance, `kappa = 1 / sd^2`: a squared error in standard deviations for small
//! errors, bounded for wild ones (a back lobe or a reflection off a building), so one bad
//! bearing cannot outweigh a drive's worth of power readings.

use serde::{Deserialize, Serialize};

use crate::GeoPoint;

/// Standard deviation assumed for a bearing without one, degrees: a hand-held Yagi turned for
/// the peak, in streets with reflections.
pub const DEFAULT_BEARING_SD_DEG: f64 = 10.0;

/// One bearing: where it was taken and which way the transmitter lay.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bearing {
    /// Where the antenna was, WGS 84 (serialised flat).
    #[serde(flatten)]
    pub point: GeoPoint,
    /// Direction of the strongest signal, degrees clockwise from true north (correct a
    /// compass reading for the local declination first).
    pub bearing_deg: f64,
    /// Its standard deviation, degrees.
    pub sd_deg: f64,
}

/// A bearings file that cannot be used, with the line it failed on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BearingError {
    #[error("bearings line {line}: {reason}")]
    Line { line: u64, reason: String },
    #[error("{0}")]
    File(String),
}

#[derive(Deserialize)]
struct Row {
    lat: f64,
    lon: f64,
    bearing_deg: f64,
    #[serde(default)]
    sd_deg: Option<f64>,
}

/// Largest bearings file read, bytes: a day of bearings is a few kilobytes, and a wrong path
/// (a recording) must not be read into memory every few seconds.
pub const MAX_BEARINGS_FILE_BYTES: u64 = 1 << 20;

/// Reads a bearings file ([`read_bearings_csv`]), refusing one over
/// [`MAX_BEARINGS_FILE_BYTES`].
pub fn read_bearings_file(path: &std::path::Path) -> Result<Vec<Bearing>, BearingError> {
    let file =
        |e: std::io::Error| BearingError::File(format!("bearings file {}: {e}", path.display()));
    let len = std::fs::metadata(path).map_err(file)?.len();
    if len > MAX_BEARINGS_FILE_BYTES {
        return Err(BearingError::File(format!(
            "bearings file {}: {len} bytes is too large (at most {MAX_BEARINGS_FILE_BYTES})",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(file)?;
    read_bearings_csv(&text).map_err(|e| BearingError::File(format!("{}: {e}", path.display())))
}

/// Reads bearings from CSV with a header naming `lat`, `lon`, `bearing_deg` and optionally
/// `sd_deg` (any order; other columns, such as a time or a note, are ignored). An empty
/// `sd_deg` means [`DEFAULT_BEARING_SD_DEG`].
pub fn read_bearings_csv(text: &str) -> Result<Vec<Bearing>, BearingError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let reason_of = |e: csv::Error| -> String {
        let text = match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
            _ => e.to_string(),
        };
        text.lines().next().unwrap_or_default().to_string()
    };
    let headers = reader
        .headers()
        .map_err(|e| BearingError::File(reason_of(e)))?
        .clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| BearingError::Line {
            line: e.position().map_or(0, |p| p.line()),
            reason: reason_of(e),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row: Row = record
            .deserialize(Some(&headers))
            .map_err(|e| BearingError::Line {
                line,
                reason: reason_of(e),
            })?;
        let bad = |reason: String| BearingError::Line { line, reason };
        let point = GeoPoint::new(row.lat, row.lon);
        if !point.is_valid() {
            return Err(bad(format!(
                "position {},{} out of range",
                row.lat, row.lon
            )));
        }
        // The range check refuses NaN and infinities too.
        if !(-360.0..=360.0).contains(&row.bearing_deg) {
            return Err(bad(format!(
                "bearing {} is not a direction in degrees",
                row.bearing_deg
            )));
        }
        let sd_deg = row.sd_deg.unwrap_or(DEFAULT_BEARING_SD_DEG);
        if !(sd_deg.is_finite() && sd_deg > 0.0 && sd_deg <= 90.0) {
            return Err(bad(format!("sd_deg {sd_deg} is not in (0, 90]")));
        }
        out.push(Bearing {
            point,
            bearing_deg: row.bearing_deg.rem_euclid(360.0),
            sd_deg,
        });
    }
    if out.is_empty() {
        return Err(BearingError::File(
            "no bearing in the bearings file (header lat,lon,bearing_deg[,sd_deg])".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_with_defaults() {
        let text = "# taken 2026-03-14 with a 5-element Yagi\n\
                    time, bearing_deg, lon, lat, sd_deg\n\
                    11:00:40, 350.5, -0.1215, 51.4990, 5\n\
                    11:01:10, -20, -0.1190, 51.4991,\n";
        let b = read_bearings_csv(text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].point, GeoPoint::new(51.499, -0.1215));
        assert_eq!((b[0].bearing_deg, b[0].sd_deg), (350.5, 5.0));
        assert_eq!(
            (b[1].bearing_deg, b[1].sd_deg),
            (340.0, DEFAULT_BEARING_SD_DEG)
        );
    }

    #[test]
    fn files_too_large_or_missing_are_refused() {
        let dir = std::env::temp_dir().join(format!("bearings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.csv");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_BEARINGS_FILE_BYTES + 1).unwrap();
        let e = read_bearings_file(&big).unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
        let e = read_bearings_file(&dir.join("none.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("none.csv") && !e.contains('\n'), "{e}");
        let ok = dir.join("ok.csv");
        std::fs::write(&ok, "lat,lon,bearing_deg\n51.5,-0.12,45\n").unwrap();
        assert_eq!(read_bearings_file(&ok).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        for (text, want) in [
            ("lat,lon,bearing_deg\n51.5,-0.12,north\n", "line 2"),
            ("lat,lon,bearing_deg\n51.5,-0.12,10\n95,0,10\n", "line 3"),
            ("lat,lon,bearing_deg\n51.5,-0.12,1000\n", "not a direction"),
            ("lat,lon,bearing_deg,sd_deg\n51.5,-0.12,10,0\n", "sd_deg"),
            ("lat,lon\n51.5,-0.12\n", "bearing_deg"),
            ("lat,lon,bearing_deg\n", "no bearing"),
            ("", "no bearing"),
        ] {
            let e = read_bearings_csv(text).unwrap_err().to_string();
            assert!(e.contains(want) && !e.contains('\n'), "{text:?}: {e}");
        }
    }
}
