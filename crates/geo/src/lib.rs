//! Positions for cellsentry: where the sensor was when it measured.
//!
//! * [`Position`]: one fix (WGS 84 lat/lon, time, accuracy, speed and heading when known): the
//!   shared vocabulary's type (`cellsentry-model`), with [`Fix`] for what a GPS fix must be.
//! * [`Track`]: fixes in time order, read from GPX 1.1 ([`gpx`]) or NMEA 0183 RMC/GGA
//!   ([`nmea`]), with the position at any instant interpolated between fixes and a check that
//!   the track overlaps a recording ([`Track::check_overlap`]).
//! * [`gpsd`]: a client of the gpsd daemon's JSON protocol for live runs.
//! * [`PositionSource`]: "where was the sensor at Unix time t" for a fixed sensor, a track or a
//!   live gpsd feed, so the pipeline attaches a position to every observation the same way.
//!
//! Locating a transmitter from positioned measurements is another crate's job
//! (`cellsentry-locate`), which knows nothing of file formats or gpsd.

pub mod error;
pub mod gpsd;
pub mod gpx;
pub mod nmea;
pub mod position;
pub mod source;
pub mod track;

pub use error::GeoError;
pub use gpsd::{GpsdClient, GpsdFeed, GpsdStatus};
pub use position::{distance_m, Fix, GeoPoint, Position};
pub use source::{FixedPosition, PositionSource};
pub use track::{Overlap, Track};
