//! What a session gives back at the end of a stream, for printing and JSON output: every cell
//! found with its measurements, the messages it broadcast (unknown ones kept raw with the
//! reason), its power over time, the LTE carrier timeline, the spectrum, and why a receiver
//! could not run. Everything was already committed to the store while the stream ran; this
//! summary is bounded (see [`MAX_MESSAGES_PER_CELL`]) so it stays small on a long recording.

use cellsentry_capture::SourceInfo;
use cellsentry_detect::PagingCounters;
use cellsentry_gsm::{GsmCellMeasurement, LogicalChannel};
use cellsentry_gsm_l3::CellSystemInfo;
use cellsentry_lte::{CellSample, LteCellDetection, SiReport};
use cellsentry_lte_rrc::{decode_bcch_dl_sch, BcchDlSchMessage};
use serde::Serialize;

use crate::spectrum::SpectrumSummary;

/// Messages of one cell kept in the summary; the rest are counted (they are all in the store).
pub const MAX_MESSAGES_PER_CELL: usize = 2000;

/// A decoded (or undecodable) message, ready for the store, the pcap and the JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct DecodedMessage {
    /// Seconds since the start of the stream.
    pub time_s: f64,
    pub frame_number: u32,
    /// GSM logical channel the block came on.
    pub channel: LogicalChannel,
    pub message_type: String,
    #[serde(serialize_with = "hex")]
    pub raw: Vec<u8>,
    pub decoded: Option<serde_json::Value>,
    /// Why the message could not be decoded.
    pub error: Option<String>,
    pub snr_db: f32,
}

fn hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    s.serialize_str(&text)
}

/// One paging message and the identities it carried, kept only until the store hashes them.
#[derive(Debug, Clone)]
pub struct PagingRecord {
    pub time_s: f64,
    /// (kind: "imsi" / "tmsi" / "imei", value).
    pub identities: Vec<(&'static str, String)>,
}

/// Power of a cell over one observation interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PowerSample {
    pub time_s: f64,
    pub power_dbfs: f64,
}

/// One GSM carrier followed through the stream.
#[derive(Debug, Serialize)]
pub struct GsmCellResult {
    /// The session's handle of the cell (see `SessionOutcome::verdict_for`).
    #[serde(skip)]
    pub cell: crate::receiver::CellRef,
    pub arfcn: Option<u16>,
    pub band: Option<String>,
    pub carrier_freq_hz: Option<f64>,
    pub measurement: GsmCellMeasurement,
    #[serde(skip)]
    pub sysinfo: CellSystemInfo,
    /// The first [`MAX_MESSAGES_PER_CELL`] messages.
    pub messages: Vec<DecodedMessage>,
    /// Messages decoded beyond those kept in `messages` (all are in the store).
    pub messages_omitted: u64,
    pub fill_frames: u32,
    pub paging: PagingCounters,
    pub power: Vec<PowerSample>,
    /// Identity as broadcast in SI3/SI4 ("234-15", LAC, CI), once decoded.
    pub identity: Option<GsmIdentity>,
    /// Neighbour ARFCNs of SI2 (and SI2bis/ter), once SI2 was decoded.
    pub neighbours: Option<Vec<u16>>,
}

/// A GSM cell's global identity as broadcast.
#[derive(Debug, Clone, Serialize)]
pub struct GsmIdentity {
    pub plmn: cellsentry_model::Plmn,
    pub lac: u16,
    pub cell_identity: Option<u16>,
}

impl GsmCellResult {
    /// Anything worth reporting: synchronised at least once.
    pub fn found(&self) -> bool {
        self.measurement.bsic.is_some() || self.measurement.blocks_ok > 0
    }
}

/// One LTE cell found by the cell search, with its EARFCN when the frequency is known.
#[derive(Debug, Serialize)]
pub struct LteCellResult {
    /// The session's handle of the cell (see `SessionOutcome::verdict_for`).
    #[serde(skip)]
    pub cell: crate::receiver::CellRef,
    pub earfcn: Option<u32>,
    pub band: Option<u16>,
    pub carrier_freq_hz: Option<f64>,
    /// First search window the cell was found in (seconds since the stream start).
    pub time_s: f64,
    /// Last search window the cell was found in (seconds since the stream start).
    pub last_seen_s: f64,
    /// Search windows it was found in, and among those the ones whose MIB decoded.
    pub windows_seen: u32,
    pub mib_decoded: u32,
    pub mib_failed: u32,
    /// Measurements per window it was found in.
    pub history: Vec<CellSample>,
    /// The first detection with a MIB; `frame_start_sample` counts from the stream start.
    pub detection: LteCellDetection,
    /// System information decoded from the cell's PDSCH; `None` when it was not attempted
    /// (no MIB).
    pub si: Option<LteSiResult>,
}

/// SI-RNTI value (TS 36.321 7.1): the PDCCH address of BCCH-DL-SCH.
const SI_RNTI: u16 = 0xFFFF;

/// One distinct BCCH-DL-SCH transport block of an LTE cell.
#[derive(Debug, Clone, Serialize)]
pub struct LteMessage {
    /// Seconds since the start of the stream (first reception).
    pub time_s: f64,
    pub sfn: u16,
    pub subframe: u8,
    /// "SIB1", "SI(SIB2+SIB3)", ... or "unknown".
    pub message_type: String,
    #[serde(serialize_with = "hex")]
    pub raw: Vec<u8>,
    pub decoded: Option<serde_json::Value>,
    pub error: Option<String>,
    /// How many times the same block was received in the stream.
    pub receptions: u32,
}

/// What the SI receiver made of one LTE cell.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LteSiResult {
    /// SI-/P-RNTI DCIs found on the PDCCH.
    pub dci_found: u32,
    /// Transport blocks whose CRC failed (after soft combining).
    pub crc_failed: u32,
    pub subframes_examined: u32,
    /// Paging (P-RNTI) transport blocks: counted only, their content identifies bystanders.
    pub paging_blocks: u32,
    /// Distinct BCCH-DL-SCH blocks, first reception first.
    pub messages: Vec<LteMessage>,
    /// SIB1 and SIBs merged.
    pub system_info: cellsentry_lte_rrc::CellSystemInfo,
    /// Why the SIBs could not be decoded at all (e.g. a 1.92 Msps capture of a 20 MHz cell).
    pub error: Option<String>,
}

impl LteSiResult {
    pub(crate) fn from_report(report: &SiReport, det: &LteCellDetection, rate_sps: f64) -> Self {
        let mut out = LteSiResult {
            dci_found: report.dci_found,
            crc_failed: report.crc_failed,
            subframes_examined: report.subframes_examined,
            ..Default::default()
        };
        let sfn0 = det.mib.as_ref().map_or(0, |m| m.sfn);
        let t0 = det.frame_start_sample as f64 / rate_sps;
        for b in &report.blocks {
            if b.rnti != SI_RNTI {
                out.paging_blocks += 1;
                continue;
            }
            if let Some(m) = out.messages.iter_mut().find(|m| m.raw == b.payload) {
                m.receptions += 1;
                continue;
            }
            // Frames before the first whole one carry SFN - 1 (mod 1024).
            let mut frames = i32::from(b.sfn) - i32::from(sfn0);
            frames = frames.rem_euclid(1024);
            if frames > 512 {
                frames -= 1024;
            }
            let time_s = (t0 + (f64::from(frames) * 10.0 + f64::from(b.subframe)) * 1e-3).max(0.0);
            let (message_type, decoded, error) = match decode_bcch_dl_sch(&b.payload) {
                Ok(msg) => {
                    let name = match &msg {
                        BcchDlSchMessage::Sib1(_) => "SIB1".to_string(),
                        BcchDlSchMessage::SystemInformation(si) => format!(
                            "SI({})",
                            si.sibs
                                .iter()
                                .map(|s| s.type_name().to_uppercase())
                                .collect::<Vec<_>>()
                                .join("+")
                        ),
                    };
                    let json = serde_json::to_value(&msg).ok();
                    out.system_info.ingest(msg);
                    (name, json, None)
                }
                Err(e) => ("unknown".to_string(), None, Some(e.to_string())),
            };
            out.messages.push(LteMessage {
                time_s,
                sfn: b.sfn,
                subframe: b.subframe,
                message_type,
                raw: b.payload.clone(),
                decoded,
                error,
                receptions: 1,
            });
        }
        out
    }
}

/// The LTE carrier seen as a whole: for jamming evidence (power up, no PSS).
#[derive(Debug, Clone, Serialize)]
pub struct LteCarrierResult {
    pub earfcn: Option<u32>,
    pub carrier_freq_hz: Option<f64>,
    pub time_s: f64,
    pub carrier_power_dbfs: f64,
    pub noise_floor_dbfs: f64,
    pub excess_power_db: f64,
    pub pss_found: bool,
}

/// Everything one stream yielded.
#[derive(Debug, Serialize)]
pub struct StreamResult {
    pub source: SourceInfo,
    pub seconds: f64,
    pub samples: u64,
    /// Samples lost: radio overflows plus what the session's queue could not hold.
    pub dropped: u64,
    pub spectrum: Option<SpectrumSummary>,
    pub gsm: Vec<GsmCellResult>,
    pub lte: Vec<LteCellResult>,
    /// The LTE carrier measured over time (a window every 0.5 s).
    pub lte_carriers: Vec<LteCarrierResult>,
    /// Why the LTE search could not run, when it was tried.
    pub lte_error: Option<String>,
    /// Each receiver the session tried: built, or why not (rate not supported, too short).
    pub receivers: Vec<ReceiverStatus>,
}

impl StreamResult {
    /// Nothing yielded yet from the stream `source`.
    pub fn empty(source: SourceInfo) -> Self {
        StreamResult {
            source,
            seconds: 0.0,
            samples: 0,
            dropped: 0,
            spectrum: None,
            gsm: Vec::new(),
            lte: Vec::new(),
            lte_carriers: Vec::new(),
            lte_error: None,
            receivers: Vec::new(),
        }
    }
}

/// A receiver of the session and whether it ran.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiverStatus {
    /// "gsm", "gsm-wideband", "lte", "spectrum".
    pub receiver: String,
    pub running: bool,
    /// Why it did not run, or what limited it.
    pub note: Option<String>,
}
