//! One position fix of the sensor (the shared `Position` with a time and ranges checked), and
//! the little spherical geometry the track needs.

use crate::GeoError;

pub use cellsentry_model::{GeoPoint, Position};

/// Mean Earth radius (IUGG), metres: spherical distances are within 0.5 % of WGS 84 geodesics,
/// far below GPS error over the few kilometres of a drive.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// What a GPS fix is beyond the shared [`Position`] (the vocabulary crate's type, used as is):
/// it always has a time, and every field is in range. The geo crate's parsers and feeds make
/// only such positions (`accuracy_m` is the horizontal error radius the source reports: gpsd
/// `eph`, or HDOP times a 5 m range error for NMEA/GPX; `alt_m` is above mean sea level).
pub trait Fix {
    /// A fix with only time and coordinates.
    fn at(time_unix_ms: i64, lat_deg: f64, lon_deg: f64) -> Self;
    /// The fix's time, ms since the Unix epoch. A [`Track`](crate::Track) holds only fixes
    /// that [`Fix::validate`] accepted, which have one; a position without a time reads as
    /// the earliest instant.
    fn time_ms(&self) -> i64;
    /// Checks every field's range: a time, latitude -90..90, longitude -180..180, finite
    /// altitude, non-negative accuracy and speed, heading 0..360.
    fn validate(&self) -> Result<(), GeoError>;
}

impl Fix for Position {
    fn at(time_unix_ms: i64, lat_deg: f64, lon_deg: f64) -> Self {
        Position {
            time_unix_ms: Some(time_unix_ms),
            ..Position::fixed(GeoPoint::new(lat_deg, lon_deg))
        }
    }

    fn time_ms(&self) -> i64 {
        self.time_unix_ms.unwrap_or(i64::MIN)
    }

    fn validate(&self) -> Result<(), GeoError> {
        if self.time_unix_ms.is_none() {
            return Err(GeoError::OutOfRange("a fix without a time".into()));
        }
        check_lat_lon(self.point.lat_deg, self.point.lon_deg)?;
        let bad = |what: &str, v: f64| GeoError::OutOfRange(format!("{what} {v}"));
        if let Some(a) = self
            .point
            .alt_m
            .filter(|a| !a.is_finite() || a.abs() > 100_000.0)
        {
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
        let mut untimed = Position::at(0, 51.5, -0.1);
        untimed.time_unix_ms = None;
        assert!(untimed.validate().unwrap_err().to_string().contains("time"));
        assert!(Position::at(0, 91.0, 0.0).validate().is_err());
        assert!(Position::at(0, 0.0, -180.5).validate().is_err());
        assert!(Position::at(0, f64::NAN, 0.0).validate().is_err());
        let mut p = Position::at(0, 51.5, -0.1);
        assert!(p.validate().is_ok());
        p.speed_mps = Some(-1.0);
        assert!(p.validate().is_err());
        p.speed_mps = Some(3.0);
        p.heading_deg = Some(400.0);
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("heading"), "{e}");
    }
}
