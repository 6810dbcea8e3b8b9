//! cellsentry's pipeline layer: the session that owns a stream from source to store, in the
//! sense of srsRAN's `ue_*` composites over its per-channel PHY code.
//!
//! ```text
//! source (file, SigMF, SoapySDR, simulated radio)
//!   -> reader thread + bounded queue (live: drops counted; file: waits)
//!   -> receivers (spectrum, GSM narrowband/wideband + layer 3, LTE scanner + SI)
//!   -> observations -> detector (live, alerts with latency)
//!   -> store (committed every second of signal)
//! ```
//!
//! One [`Session`] type runs `replay`, `monitor` and `scan`; the command line only opens the
//! source, prints what the session reports and renders reports. Every receiver has the same
//! shape ([`Receiver`]: push samples, get events; finish), and one that cannot run on a stream
//! (rate not supported, recording too short) is reported with the reason in
//! [`StreamResult::receivers`].

mod error;
mod gsm_rx;
mod lte_rx;
pub mod pcap;
mod pool;
mod reader;
pub mod receiver;
pub mod result;
mod scan;
pub mod session;
pub mod spectrum;
mod spectrum_rx;

pub use error::PipelineError;
pub use gsm_rx::{gsm_system_info, OBSERVATION_INTERVAL_S};
pub use lte_rx::lte_system_info;
pub use receiver::{CellRef, Receiver, RxEvent};
pub use result::{
    DecodedMessage, GsmCellResult, LteCarrierResult, LteCellResult, ReceiverStatus, StreamResult,
};
pub use scan::scan_steps;
pub use session::{
    block_samples_for_rate, now_unix_ms, AlertRecord, FrameSink, Session, SessionEvent,
    SessionOptions, SessionOutcome,
};
pub use spectrum::{measure as measure_spectrum, SpectrumSummary};
