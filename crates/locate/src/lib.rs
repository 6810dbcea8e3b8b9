//! Where is the transmitter? An estimate of a cell's position, with a 95 % region, from power
//! measurements taken at known positions: one drive past it, several fixed sensors, or both.
//!
//! Input is plain rows ([`Measurement`]: position, power, time, which sensor), so the same code
//! runs on a run's SQLite store, a live monitor's recent observations, or the fleet's central
//! database. The method ([`locate`], explained with its assumptions in `docs/locating.md`):
//!
//! 1. measurements are averaged in 20 m bins per sensor (fast fading and a car stopped at the
//!    lights stop counting many times); a fixed sensor is one bin;
//! 2. the log-distance model `P = A - 10 n log10(d)` is fitted with the transmitter position
//!    unknown, the power at 1 m `A` unknown and the exponent `n` unknown with a weak prior
//!    (3.0 +/- 0.7, bounded 1.6-6), by a Huber-robust fit that shrugs off deep fades and
//!    blocked stretches; for each candidate position `A` and `n` have a closed form, and the
//!    position is searched on a grid (coarse, then fine), so there is no local minimum to fall
//!    into;
//! 3. the 95 % region is every position whose fit is not significantly worse than the best
//!    (a profile-likelihood region, chi-square with 2 degrees of freedom, widened for the
//!    correlation of shadowing between neighbouring bins), summarised as an ellipse and a
//!    radius; a second place that fits nearly as well, cut off from the best by a ridge of the
//!    cost (a straight road leaves a mirror ambiguity), is flagged and given.
//!
//! [`weighted_centroid`] is the usual baseline: the power-weighted mean position of the
//! strongest tenth of the readings. [`bound`] gives the other yardstick: the Cramér-Rao bound,
//! the smallest error any unbiased power-only estimator can have on the same reading places.

pub mod bearing;
pub mod bound;
mod fit;
pub mod frame;

use serde::{Deserialize, Serialize};

pub use cellsentry_model::GeoPoint;

pub use bearing::{
    read_bearings_csv, read_bearings_file, Bearing, BearingError, DEFAULT_BEARING_SD_DEG,
};
pub use fit::{locate, locate_with_bearings, weighted_centroid};
pub use frame::LocalFrame;

/// One positioned power measurement of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Sensor position, WGS 84 (the shared `GeoPoint`; serialised flat).
    #[serde(flatten)]
    pub point: GeoPoint,
    /// Received power, dB on a scale common to all rows (dBm when calibrated, else dBFS of
    /// identical receivers at the same gain).
    pub power_db: f64,
    /// When, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Which sensor (a run, a device): a sensor whose positions stay within
    /// [`LocateConfig::fixed_sensor_span_m`] is a fixed sensor.
    pub sensor: String,
}

/// Settings of the fit; the defaults are the values `docs/locating.md` justifies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocateConfig {
    /// Bin size for moving sensors, metres (about 40 wavelengths at 900 MHz: Lee's averaging
    /// length for fast fading, with margin).
    pub bin_m: f64,
    /// Shadowing decorrelation distance assumed when widening the region, metres.
    pub decorrelation_m: f64,
    /// Expected shadowing standard deviation, dB (sets the robust loss's knee).
    pub shadowing_db: f64,
    /// Prior mean and standard deviation of the path-loss exponent.
    pub exponent_prior: f64,
    pub exponent_prior_sd: f64,
    /// Hard bounds of the exponent.
    pub exponent_min: f64,
    pub exponent_max: f64,
    /// Antenna height difference, metres (also keeps the distance above zero).
    pub height_m: f64,
    /// Fewest bins for a drive, fewest fixed sensors alone.
    pub min_bins: usize,
    pub min_fixed_sensors: usize,
    /// The bins must spread over at least this distance, metres.
    pub min_spread_m: f64,
    /// A sensor whose positions stay within this radius is fixed, metres.
    pub fixed_sensor_span_m: f64,
    /// How far around the measurements the transmitter is searched, metres (at least).
    pub search_margin_m: f64,
    /// Position prior: standard deviation as a multiple of the readings' extent (at least
    /// 100 m), centred on their power-weighted centre; 0 turns it off.
    pub position_prior_scale: f64,
}

impl Default for LocateConfig {
    fn default() -> Self {
        LocateConfig {
            bin_m: 20.0,
            decorrelation_m: 50.0,
            shadowing_db: 7.0,
            exponent_prior: 3.0,
            exponent_prior_sd: 0.7,
            exponent_min: 1.6,
            exponent_max: 6.0,
            height_m: 10.0,
            min_bins: 8,
            min_fixed_sensors: 4,
            min_spread_m: 80.0,
            fixed_sensor_span_m: 25.0,
            search_margin_m: 1000.0,
            position_prior_scale: 0.5,
        }
    }
}

/// Where the estimate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Moving sensor(s) only.
    Drive,
    /// Fixed sensors only.
    FixedSensors,
    /// Both.
    Combined,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Drive => "drive",
            Method::FixedSensors => "fixed_sensors",
            Method::Combined => "combined",
        }
    }
}

/// A 95 % ellipse: semi-axes in metres, the major axis's direction in degrees clockwise from
/// north (0..180).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ellipse {
    pub semi_major_m: f64,
    pub semi_minor_m: f64,
    pub orientation_deg: f64,
}

impl Ellipse {
    /// The outline as a closed ring of `n` + 1 (lat, lon) points around a centre.
    pub fn outline(&self, lat_deg: f64, lon_deg: f64, n: usize) -> Vec<(f64, f64)> {
        let f = LocalFrame::new(lat_deg, lon_deg);
        let th = self.orientation_deg.to_radians();
        // Major axis direction as (east, north).
        let (ue, un) = (th.sin(), th.cos());
        let n = n.max(3);
        let mut ring: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let (p, q) = (self.semi_major_m * a.cos(), self.semi_minor_m * a.sin());
                f.to_lat_lon(p * ue + q * un, p * un - q * ue)
            })
            .collect();
        // Closed ring: the last point is the first, exactly (RFC 7946 3.1.6).
        ring.push(ring[0]);
        ring
    }
}

/// A transmitter located.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Where, WGS 84 (the shared `GeoPoint`; serialised flat).
    #[serde(flatten)]
    pub point: GeoPoint,
    /// The 95 % region as an ellipse.
    pub ellipse: Ellipse,
    /// Radius around the estimate that holds the whole 95 % region, metres.
    pub radius95_m: f64,
    pub method: Method,
    /// Fitted path-loss exponent and power at 1 m (dB, same scale as the input).
    pub exponent: f64,
    pub power_at_1m_db: f64,
    /// Robust standard deviation of the residuals (shadowing + what fading is left), dB.
    pub residual_sd_db: f64,
    /// Rows used, bins fitted, fixed and moving sensors.
    pub measurements: usize,
    pub bins: usize,
    pub fixed_sensors: usize,
    pub moving_sensors: usize,
    /// Another place fits nearly as well (a likelihood ratio of at least exp(-1/2)) and a
    /// ridge of the cost separates it from the estimate: both sides of a straight road.
    pub ambiguous: bool,
    /// The best position of that other place, exactly when `ambiguous`: (lat, lon). A field
    /// team checks both, or drives where they differ most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<(f64, f64)>,
    /// Height difference the distances were computed with, metres.
    pub height_m: f64,
    /// Bearings fitted with the power readings (a directional antenna's), if any.
    #[serde(default)]
    pub bearings: usize,
}

impl Estimate {
    /// The fitted model's power at a position (dB), for residuals against it.
    pub fn predicted_power_db(&self, lat_deg: f64, lon_deg: f64) -> f64 {
        let f = LocalFrame::new(self.point.lat_deg, self.point.lon_deg);
        let (x, y) = f.to_xy(lat_deg, lon_deg);
        let d = (x * x + y * y + self.height_m * self.height_m).sqrt();
        self.power_at_1m_db - 10.0 * self.exponent * d.log10()
    }

    /// Distance to a point, metres (for the error of the estimate against a known position).
    pub fn distance_to_m(&self, lat_deg: f64, lon_deg: f64) -> f64 {
        let f = LocalFrame::new(self.point.lat_deg, self.point.lon_deg);
        let (x, y) = f.to_xy(lat_deg, lon_deg);
        x.hypot(y)
    }
}

/// Why no estimate could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocateError {
    /// Too few positioned measurements, or all in one spot.
    #[error("not enough positioned measurements: {0}")]
    NotEnough(String),
}
