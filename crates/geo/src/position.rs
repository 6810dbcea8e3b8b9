//! One position fix of the sensor, and the little spherical geometry the track needs.

use serde::{Deserialize, Serialize};

use crate::GeoError;

/// Mean Earth radius (IUGG), metres: spherical distances are within 0.5 % of WGS 84 geodesics,
/// far below GPS error over the few kilometres of a drive.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Where the sensor was at one time. WGS 84; `accuracy_m` is the horizontal error radius the
/// fix source reports (gpsd `eph`, or HDOP times a 5 m range error for NMEA), `None` if
/// unknown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Time of the fix, ms since the Unix epoch (UTC).
    pub time_unix_ms: i64,
    /// Latitude, degrees north.
    pub lat_deg: f64,
    /// Longitude, degrees east.
    pub lon_deg: f64,
    /// Altitude above mean sea level, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_m: Option<f64>,
    /// Horizontal accuracy, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
    /// Ground speed, m/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_mps: Option<f64>,
    /// Course over ground, degrees clockwise from true north, 0..360.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_deg: Option<f64>,
}

impl Position {
    /// A position with only time and coordinates.
    pub fn new(time_unix_ms: i64, lat_deg: f64, lon_deg: f64) -> Self {
        Position {
            time_unix_ms,
            lat_deg,
            lon_deg,
            alt_m: None,
            accuracy_m: None,
            speed_mps: None,
            heading_deg: None,
        }
    }

    /// Checks every field's range: latitude -90..90, longitude -180..180, finite altitude,
    /// non-negative accuracy and speed, heading 0..360.
    pub fn validate(&self) -> Result<(), GeoError> {
        check_lat_lon(self.lat_deg, self.lon_deg)?;
        let bad = |what: &str, v: f64| GeoError::OutOfRange(format!("{what} {v}"));
        if let Some(a) = self.alt_m.filter(|a| !a.is_finite() || a.abs() > 100_000.0) {
            return Err(bad("altitude (m)", a));
        }
        if let Some(a) = self.accuracy_m.filter(|a| !a.is_finite() || *a < 0.0) {
            return Err(bad("accuracy (m)", a));
        }
        if let Some(s) = self.speed_mps.filter(|s| !s.is_finite() || *s < 0.0) {
            return Err(bad("speed (m/s)", s));
        }
        if let Some(h) = self
            .heading_deg
            .filter(|h| !h.is_finite() || !(0.0..=360.0).contains(h))
        {
            return Err(bad("heading (deg)", h));
        }
        Ok(())
    }
}

/// Latitude in -90..=90 and longitude in -180..=180, both finite.
pub fn check_lat_lon(lat_deg: f64, lon_deg: f64) -> Result<(), GeoError> {
    if !lat_deg.is_finite() || !(-90.0..=90.0).contains(&lat_deg) {
        return Err(GeoError::OutOfRange(format!(
            "latitude {lat_deg} (must be -90..90)"
        )));
    }
    if !lon_deg.is_finite() || !(-180.0..=180.0).contains(&lon_deg) {
        return Err(GeoError::OutOfRange(format!(
            "longitude {lon_deg} (must be -180..180)"
        )));
    }
    Ok(())
}

/// Great-circle distance between two points, metres (haversine).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Initial bearing from point 1 to point 2, degrees clockwise from north, 0..360.
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    y.atan2(x).to_degrees().rem_euclid(360.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_bearing() {
        // One minute of arc of latitude is one nautical mile (1852 m) to within the
        // sphere-vs-ellipsoid difference (< 0.6 %).
        let d = distance_m(51.0, 0.0, 51.0 + 1.0 / 60.0, 0.0);
        assert!((d - 1852.0).abs() / 1852.0 < 0.006, "{d}");
        assert!((bearing_deg(51.0, 0.0, 51.1, 0.0) - 0.0).abs() < 1e-9);
        assert!((bearing_deg(51.0, 0.0, 51.0, 0.1) - 90.0).abs() < 0.1);
        assert!((bearing_deg(51.0, 0.0, 50.9, 0.0) - 180.0).abs() < 1e-9);
        assert!((bearing_deg(51.0, 0.0, 51.0, -0.1) - 270.0).abs() < 0.1);
    }

    #[test]
    fn ranges() {
        assert!(Position::new(0, 91.0, 0.0).validate().is_err());
        assert!(Position::new(0, 0.0, -180.5).validate().is_err());
        assert!(Position::new(0, f64::NAN, 0.0).validate().is_err());
        let mut p = Position::new(0, 51.5, -0.1);
        assert!(p.validate().is_ok());
        p.speed_mps = Some(-1.0);
        assert!(p.validate().is_err());
        p.speed_mps = Some(3.0);
        p.heading_deg = Some(400.0);
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("heading"), "{e}");
    }
}
