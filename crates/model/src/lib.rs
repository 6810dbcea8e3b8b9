//! The shared vocabulary of cellsentry: each type that crosses a stage boundary and means the
//! same thing everywhere is defined here once, so that receivers, detector, store, generator
//! and command line never need hand-written mappers between copies of it.
//!
//! * [`Rat`]: GSM or LTE.
//! * [`Plmn`]: a PLMN identity *as broadcast* (non-decimal BCD digits kept), with its validity.
//! * [`CellKey`]: the (partial) identity of a cell, as complete as decoded so far.
//! * [`Severity`] of a detection and [`VerdictLevel`] of a cell.
//! * [`GsmSiType`]: GSM System Information message types.
//! * [`SampleFormat`]: IQ sample encodings on disk and on the wire.
//! * [`GeoPoint`] and [`Position`]: where a sensor (or a transmitter) is.
//!
//! This crate has no dependency beyond serde and thiserror: it sits below every stage.

mod cell;
mod error;
mod level;
mod plmn;
mod position;
mod rat;
mod sample;
mod si;

pub use cell::CellKey;
pub use error::ModelError;
pub use level::{Severity, VerdictLevel};
pub use plmn::Plmn;
pub use position::{GeoPoint, Position};
pub use rat::Rat;
pub use sample::{SampleFormat, ALL_FORMATS};
pub use si::GsmSiType;
