//! "Where was the sensor at Unix time t": one question for every kind of position, so the
//! pipeline attaches positions to observations the same way for a fixed sensor (`--lat/--lon`,
//! SigMF `core:geolocation`), a recorded track (`--track`) and a live gpsd feed.

use crate::{Fix, GeoError, GeoPoint, Position, Track};

/// Answers the sensor's position at a time.
pub trait PositionSource: Send + Sync {
    /// The position at `unix_ms`, or `None` when unknown then.
    fn position_at(&self, unix_ms: i64) -> Option<Position>;
    /// For messages and run settings: "track drive.gpx", "fixed 51.5,-0.12", "gpsd".
    fn describe(&self) -> String;
    /// Whether the sensor stays put (a fixed sensor), as opposed to a track or gpsd.
    fn is_fixed(&self) -> bool {
        false
    }
}

/// A sensor that does not move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedPosition {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: Option<f64>,
}

impl FixedPosition {
    /// Checks the coordinates' ranges.
    pub fn new(lat_deg: f64, lon_deg: f64, alt_m: Option<f64>) -> Result<Self, GeoError> {
        crate::position::check_lat_lon(lat_deg, lon_deg)?;
        Ok(FixedPosition {
            lat_deg,
            lon_deg,
            alt_m,
        })
    }
}

impl PositionSource for FixedPosition {
    fn position_at(&self, unix_ms: i64) -> Option<Position> {
        Some(Position {
            point: GeoPoint {
                lat_deg: self.lat_deg,
                lon_deg: self.lon_deg,
                alt_m: self.alt_m,
            },
            speed_mps: Some(0.0),
            ..Position::at(unix_ms, self.lat_deg, self.lon_deg)
        })
    }

    fn describe(&self) -> String {
        format!("fixed {:.6},{:.6}", self.lat_deg, self.lon_deg)
    }

    fn is_fixed(&self) -> bool {
        true
    }
}

impl PositionSource for Track {
    fn position_at(&self, unix_ms: i64) -> Option<Position> {
        Track::position_at(self, unix_ms)
    }

    fn describe(&self) -> String {
        format!("track {}", self.name)
    }
}
