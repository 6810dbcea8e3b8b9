//! The one shape every receiver of a session has: samples in, events out; finish at the end.
//!
//! A receiver wraps one of the receiver crates (GSM narrowband or wideband, the LTE scanner and
//! SI chain, the Welch spectrum) and turns what it decodes into [`RxEvent`]s the session
//! understands without knowing the RAT: observations of cells for the detector and the store,
//! messages, paging, GSMTAP frames, carrier measurements. Times are signal times: seconds since
//! the first sample of the stream, counting samples that were dropped.

use cellsentry_capture::IqBlock;
use cellsentry_detect::{CarrierObservation, CellObservation};
use serde_json::Value;

use crate::result::{GsmCellResult, LteCarrierResult, LteCellResult};
use crate::spectrum::SpectrumSummary;

/// A cell as one receiver of the session follows it (unique within the session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// Index of the receiver in the session.
    pub receiver: u16,
    /// The receiver's own number for the cell.
    pub index: u32,
}

/// One observation interval of one cell: what the detector judges (`detect`, its
/// `time_unix_ms` counting from the stream start until the session adds the stream's start
/// time) and what the store keeps beside it.
#[derive(Debug, Clone)]
pub struct CellMeasurement {
    pub detect: CellObservation,
    /// Carrier frequency measured, Hz.
    pub freq_hz: f64,
    /// Blocks decoded / failed since the cell's previous measurement.
    pub blocks_ok: u32,
    pub blocks_failed: u32,
    /// The cell's parameters for the report, when they changed since the previous
    /// measurement (system information, counters).
    pub summary: Option<Value>,
    /// Signal time of the cell's first burst the receiver decoded (seconds since the stream
    /// start), for alert latency.
    pub first_heard_s: Option<f64>,
}

/// A broadcast message of a cell, decoded or kept raw with the reason.
#[derive(Debug, Clone)]
pub struct CellMessage {
    pub time_s: f64,
    pub frame_number: Option<u32>,
    /// Logical channel ("Bcch", "Ccch", "BCCH-DL-SCH").
    pub channel: String,
    pub message_type: String,
    pub raw: Vec<u8>,
    pub decoded: Option<Value>,
    pub error: Option<String>,
}

/// Identities seen in one paging message, kept only until the store hashes them.
#[derive(Debug, Clone)]
pub struct CellPaging {
    pub time_s: f64,
    /// (kind: "imsi" / "tmsi" / "imei", value).
    pub identities: Vec<(&'static str, String)>,
}

/// What a receiver reports.
#[derive(Debug)]
pub enum RxEvent {
    /// A measurement of a cell. The first one of a cell carries the most complete identity the
    /// receiver could wait for (a receiver holds a new cell's events briefly until its system
    /// information names it), so the store and the detector meet each cell under one key.
    Measurement(CellRef, Box<CellMeasurement>),
    /// A message the cell broadcast.
    Message(CellRef, Box<CellMessage>),
    /// A paging message with identities (counted, hashed by the store).
    Paging(CellRef, CellPaging),
    /// A GSMTAP packet for `--pcap`, at its signal time.
    Frame { time_s: f64, packet: Vec<u8> },
    /// A carrier measured as a whole (jamming evidence): for the detector and the summary.
    Carrier(CarrierObservation, LteCarrierResult),
    /// The spectrum of the stream, at the end.
    Spectrum(Box<SpectrumSummary>),
    /// A GSM cell's summary at the end of the stream.
    GsmDone(Box<GsmCellResult>),
    /// An LTE cell's summary at the end of the stream.
    LteDone(Box<LteCellResult>),
    /// The LTE search could not run on this stream, and why.
    LteError(String),
}

/// Samples in, events out. Blocks arrive in stream order; `block.first_sample` counts dropped
/// samples, so a gap shows as a jump the receiver must bridge (it keeps what it learnt of its
/// cells and re-acquires sync).
pub trait Receiver: Send {
    /// Short name for status lines and the output ("gsm", "lte", "spectrum").
    fn name(&self) -> &'static str;
    /// Takes one block; appends what it decoded.
    fn push(&mut self, block: &IqBlock, events: &mut Vec<RxEvent>);
    /// The stream ended (or the session stops): flushes everything held and appends each
    /// cell's summary.
    fn finish(&mut self, events: &mut Vec<RxEvent>);
}
