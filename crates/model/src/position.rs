//! Where something is: a WGS 84 point, and a sensor's position at a time (GPS fix, track
//! point, a fixed sensor's surveyed position).

use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG), metres: the sphere that haversine distances use.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude, degrees north.
    pub lat_deg: f64,
    /// Longitude, degrees east.
    pub lon_deg: f64,
    /// Height above the WGS 84 ellipsoid (or mean sea level where the source says so), m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_m: Option<f64>,
}

impl GeoPoint {
    /// A point without altitude.
    pub fn new(lat_deg: f64, lon_deg: f64) -> Self {
        GeoPoint {
            lat_deg,
            lon_deg,
            alt_m: None,
        }
    }

    /// Latitude within +-90 and longitude within +-180, both finite.
    pub fn is_valid(&self) -> bool {
        self.lat_deg.is_finite()
            && self.lon_deg.is_finite()
            && self.lat_deg.abs() <= 90.0
            && self.lon_deg.abs() <= 180.0
    }

    /// Great-circle distance in metres (haversine on the mean Earth sphere).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let (p1, p2) = (self.lat_deg.to_radians(), other.lat_deg.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon_deg - self.lon_deg).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

/// A sensor's position at one time, with what the source knew of its quality and motion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Where.
    #[serde(flatten)]
    pub point: GeoPoint,
    /// When, ms since the Unix epoch (`None` for a fixed sensor's position).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unix_ms: Option<i64>,
    /// Horizontal uncertainty (about 95 %), metres, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
    /// Speed over ground, m/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_mps: Option<f64>,
    /// Course over ground, degrees clockwise from true north.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_deg: Option<f64>,
}

impl Position {
    /// A position with only a point.
    pub fn fixed(point: GeoPoint) -> Self {
        Position {
            point,
            time_unix_ms: None,
            accuracy_m: None,
            speed_mps: None,
            heading_deg: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_one_degree_of_latitude() {
        // One degree of arc on the mean sphere: 2 pi R / 360 = 111 195.08 m.
        let d = GeoPoint::new(51.0, -0.1).distance_m(&GeoPoint::new(52.0, -0.1));
        assert!((d - 111_195.08).abs() < 0.1, "{d}");
        assert!(!GeoPoint::new(91.0, 0.0).is_valid());
    }

    #[test]
    fn position_serialises_flat() {
        let mut p = Position::fixed(GeoPoint::new(51.5, -0.12));
        p.time_unix_ms = Some(1_000);
        let v = serde_json::to_value(p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"lat_deg": 51.5, "lon_deg": -0.12, "time_unix_ms": 1000})
        );
        assert_eq!(serde_json::from_value::<Position>(v).unwrap(), p);
    }
}
