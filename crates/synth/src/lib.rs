//! Synthetic radio scenes (GSM and LTE cells, fake base stations, impairments, jammers) as IQ, for
//! testing the sensor end to end without hardware. Receive-side only: the samples go to files
//! or to a simulated radio, never to a transmitter.
//!
//! * [`Scenario`]: the JSON scene description (capture, cells, jammers, expected detections).
//! * [`SceneRenderer`]: streaming generation in blocks (constant memory).
//! * [`Scenario::render_to_sigmf`]: a SigMF recording with one annotation per cell.
//! * [`SimulatedRadio`]: an [`cellsentry_capture::IqSource`] that follows `retune()`.
//! * [`gmsk`], [`c0`], [`gsm_cell`]: TS 45.004 GMSK, the C0 burst schedule, the SI encoding.
//! * [`lte_cell`], [`lte_control`]: LTE downlink OFDM transmitter (PSS/SSS, CRS, PBCH/MIB,
//!   PCFICH, PDCCH DCI 1A for SI-RNTI, PDSCH with SIB1 and SI messages).
//!
//! ```no_run
//! use cellsentry_synth::Scenario;
//! let s = Scenario::load("captures/scenarios/sms_blaster.json").unwrap();
//! s.render_to_sigmf("sms_blaster.sigmf-meta").unwrap();
//! ```

pub mod c0;
pub mod drive;
pub mod gmsk;
pub mod gsm_cell;
pub mod lte_cell;
pub mod lte_control;
mod radio;
pub mod render;
pub mod rng;
pub mod scenario;
mod sigmf;

pub use gsm_cell::{GsmBroadcast, GsmCellConfig};
pub use lte_cell::{LteCellConfig, LteCellGenerator, LteSiMessage};
pub use radio::SimulatedRadio;
pub use render::{RenderedCell, RenderedLte, SceneRenderer};
pub use scenario::{CellSpec, Impairments, Jammer, Multipath, MultipathModel, Rat, Scenario};

/// Errors of the scene generator; each prints as one line.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("resampler: {0}")]
    Dsp(String),
    #[error(transparent)]
    Capture(#[from] cellsentry_capture::CaptureError),
}
