//! LTE downlink receiver for cellsentry: cell search (PSS/SSS), PBCH/MIB decoding, per-cell
//! measurements, and the system-information chain PCFICH -> PDCCH (SI-/P-RNTI, DCI 1A/1C) ->
//! PDSCH -> DL-SCH (turbo, rate matching, HARQ soft combining) that yields the BCCH-DL-SCH
//! transport blocks (SIB1 and SI messages) as bytes (TS 36.211, 36.212, 36.213, 36.214, 36.321).
//!
//! Entry points: [`search_cells`] (one call on a capture) or a reusable [`CellSearcher`]
//! (plans and tables built once), [`jamming_evidence`] for a carrier with power but no cell, and
//! [`decode_system_information`] (or a streaming [`SiReceiver`]) for the SIBs of a found cell.
//! Cell search works at 1.92 Msps (15.36, 19.2 and 30.72 Msps are decimated first,
//! [`resample`]); the SI chain works at the full rate, N_FFT = rate / 15 kHz. Decoding the RRC
//! content of the bytes is the `lte-rrc` crate's job.

// Sequence and resource-grid code follows the 3GPP index notation (k, l, m, n); index loops
// read closer to the specification than iterator chains there.
#![allow(clippy::needless_range_loop)]

pub mod coding;
pub mod dci;
pub mod dlsch;
pub mod downlink;
pub mod grid;
pub mod mib;
pub mod ofdm;
pub mod pbch;
pub mod pcfich;
pub mod pdcch;
pub mod pdsch;
pub mod power;
pub mod pss;
pub mod resample;
pub mod scanner;
pub mod search;
pub mod seq;
pub mod sss;
pub mod tbs;
pub mod turbo;

pub use dci::DciFormat;
pub use downlink::{
    decode_system_information, decode_system_information_with, CellTiming, DownlinkError, SiBlock,
    SiReceiver, SiReport, SiStream,
};
pub use grid::DlCell;
pub use mib::{MibInfo, PhichDuration, PhichResource};
pub use power::{jamming_evidence, JammingEvidence};
pub use scanner::{
    CarrierSample, CellSample, CellScanner, ScanConfig, ScanEvent, ScanStats, TrackedCell,
};
pub use search::{search_cells, CellSearcher, KnownCell, SearchHints};

use serde::{Deserialize, Serialize};

/// Sample rate of the cell-search front end: 6 PRB, 128-point FFT (TS 36.211 6.12).
pub const SEARCH_RATE_SPS: f64 = 1_920_000.0;

/// Duplex mode, decided from the PSS-SSS distance (TS 36.211 6.11.1.2 / 6.11.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplex {
    Fdd,
    Tdd,
}

/// Cyclic prefix length of the downlink (TS 36.211 table 6.12-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclicPrefix {
    Normal,
    Extended,
}

/// One cell found by [`search_cells`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LteCellDetection {
    /// Physical cell identity 3 * N_ID_1 + N_ID_2 (TS 36.211 6.11).
    pub pci: u16,
    /// Cell-identity group 0..167 (from the SSS).
    pub n_id_1: u16,
    /// Identity within the group 0..2 (from the PSS root).
    pub n_id_2: u8,
    pub duplex: Duplex,
    pub cp: CyclicPrefix,
    /// Carrier frequency offset of the cell relative to the tuned centre (positive: the cell is
    /// received above the tuned frequency).
    pub freq_offset_hz: f64,
    /// `freq_offset_hz` relative to the carrier frequency, when the caller gave it.
    pub freq_offset_ppm: Option<f64>,
    /// Index (in the caller's sample rate) of the first sample of the first radio frame that
    /// starts in the input (start of the CP of subframe 0, symbol 0).
    pub frame_start_sample: u64,
    /// Same position in 1.92 Msps samples.
    pub frame_start_sample_1p92: f64,
    /// Non-coherently accumulated PSS correlation peak over its mean (linear).
    pub pss_metric: f32,
    /// SSS detection margin: z-score of the best (group, half frame) against the others.
    pub sss_metric: f32,
    /// Reference signal received power per resource element, dB full scale (TS 36.214 5.1.1),
    /// measured on antenna port 0 in the central 6 PRB.
    pub rsrp_dbfs: Option<f64>,
    /// RSRQ = N * RSRP / RSSI over the central 6 PRB (TS 36.214 5.1.3).
    pub rsrq_db: Option<f64>,
    /// SINR estimated from the CRS of port 0 (signal power over the power of the difference of
    /// two CRS symbols 0.5 ms apart).
    pub sinr_db: Option<f64>,
    /// Decoded MIB, `None` when no PBCH passed its CRC.
    pub mib: Option<MibInfo>,
}

/// Knobs of the search, with defaults that decode the reference captures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    /// Largest carrier offset searched (both signs). 35 ppm at 2.6 GHz is about 90 kHz.
    pub max_freq_offset_hz: f64,
    /// How much of the input the PSS search accumulates over first (the MIB and the
    /// measurements use the whole input).
    pub pss_search_ms: f64,
    /// When the first span gives no decodable MIB, the PSS search is repeated over this much.
    pub pss_search_max_ms: f64,
    /// PSS candidates examined per root (SSS and MIB CRC reject the false ones).
    pub pss_peaks_per_root: usize,
    /// PSS peak-to-mean threshold (linear) for a candidate.
    pub pss_threshold: f32,
    /// SSS threshold: z-score of the best group against the others.
    pub sss_threshold: f32,
    /// Lower SSS z-score still taken to the PBCH; such a cell is reported only when its MIB
    /// decodes twice, from disjoint radio frames, to the same content (a chance CRC pass
    /// cannot repeat), so weak cells are found without phantom ones.
    pub sss_threshold_weak: f32,
    /// Stricter SSS z-score needed to report a cell whose MIB did not decode.
    pub sss_threshold_no_mib: f32,
    /// Largest number of radio frames tried for the MIB per cell.
    pub max_mib_frames: usize,
    /// Report cells whose MIB did not decode (PSS and SSS still above threshold).
    pub report_without_mib: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            max_freq_offset_hz: 110_000.0,
            pss_search_ms: 20.0,
            pss_search_max_ms: 80.0,
            pss_peaks_per_root: 3,
            pss_threshold: 8.0,
            sss_threshold: 4.5,
            sss_threshold_weak: 3.6,
            sss_threshold_no_mib: 7.0,
            max_mib_frames: 8,
            report_without_mib: true,
        }
    }
}

/// Errors of the LTE receiver; each prints as one line.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LteError {
    #[error("unsupported sample rate {0} Hz: need 1.92 Msps times an integer (1.92, 15.36, 19.2, 30.72 Msps)")]
    UnsupportedSampleRate(f64),
    #[error("input too short: {got} samples at 1.92 Msps, need at least {needed} (one half frame plus a symbol)")]
    TooShort { needed: usize, got: usize },
    #[error("non-finite sample at index {0}")]
    NonFinite(usize),
}
