//! The receive chain of one IQ stream: spectrum, GSM receiver and layer 3, LTE cell search.
//!
//! A `Chain` is fed the blocks of one source in order (file or radio, it does not care) and
//! ends in a `StreamResult`: the spectrum summary, every cell found with its measurements, the
//! messages it broadcast (unknown ones kept raw with the reason) and its power over time.

use cellsentry_capture::{IqBlock, SourceInfo};
use cellsentry_detect::PagingCounters;
use std::collections::BTreeMap;

use cellsentry_dsp::bandplan::{
    gsm_bands_for_arfcn, gsm_channels_for_dl_freq, lte_channels_for_dl_freq,
};
use cellsentry_dsp::{WelchAccumulator, WelchConfig, Window};
use cellsentry_gsm::{
    l3_channel, GsmCellMeasurement, GsmEvent, GsmReceiver, L2Block, LogicalChannel, WidebandConfig,
    WidebandGsm,
};
use cellsentry_gsm_l3::{parse_l2_block, CellSystemInfo, L3Message, MobileIdentity};
use cellsentry_lte::{
    decode_system_information, CellSample, CellScanner as LteScanner, LteCellDetection, ScanConfig,
    ScanEvent, SiReport, SEARCH_RATE_SPS,
};
use cellsentry_lte_rrc::{decode_bcch_dl_sch, BcchDlSchMessage};
use num_complex::Complex32;
use serde::Serialize;

use crate::cmd::spectrum::{summarise, SpectrumSummary};

/// How often a cell's power is sampled into its timeline (and stored as an observation).
pub const OBSERVATION_INTERVAL_S: f64 = 0.5;

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
    pub arfcn: Option<u16>,
    pub band: Option<String>,
    pub carrier_freq_hz: Option<f64>,
    pub measurement: GsmCellMeasurement,
    #[serde(skip)]
    pub sysinfo: CellSystemInfo,
    pub messages: Vec<DecodedMessage>,
    pub fill_frames: u32,
    pub paging: PagingCounters,
    #[serde(skip)]
    pub paging_records: Vec<PagingRecord>,
    pub power: Vec<PowerSample>,
    /// Every decoded block in order (fill frames too), for GSMTAP output.
    #[serde(skip)]
    pub blocks: Vec<L2Block>,
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
    fn from_report(report: &SiReport, det: &LteCellDetection, rate_sps: f64) -> Self {
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
    pub dropped: u64,
    pub spectrum: Option<SpectrumSummary>,
    pub gsm: Vec<GsmCellResult>,
    pub lte: Vec<LteCellResult>,
    /// The LTE carrier measured over time (a window every 0.5 s).
    pub lte_carriers: Vec<LteCarrierResult>,
    /// Why the LTE search could not run, when it was tried.
    pub lte_error: Option<String>,
}

/// How much signal the SI receiver looks at: SIB1 eight times and SI messages up to a
/// periodicity of 64 frames.
const LTE_SI_S: f64 = 0.65;
/// Cap on the buffered samples (128 MiB of cf32), whatever the rate.
const LTE_MAX_SAMPLES: usize = 16 << 20;

/// Samples kept for the SI receiver of one cell, from `start` (stream sample index).
struct SiBuffer {
    /// Index into the scanner's cells.
    cell: usize,
    start: u64,
    samples: Vec<Complex32>,
}

/// The LTE side of a stream: the streaming cell scanner (a search window every 0.5 s: cells
/// with first/last seen, and the carrier timeline the jamming and SMS-blaster-sequence rules
/// read), and `LTE_SI_S` seconds of samples kept from where each cell was first found, for its
/// system information.
struct LteChain {
    rate_sps: f64,
    carrier_freq_hz: Option<f64>,
    /// EARFCN and band of the tuned frequency, when it is on an E-UTRA raster.
    earfcn: Option<u32>,
    band: Option<u16>,
    scanner: LteScanner,
    wanted: usize,
    /// Samples seen so far.
    pos: u64,
    /// The stream's first `LTE_SI_S` seconds (cells found in the first window use them).
    head: Vec<Complex32>,
    /// Buffers of cells first found later, while they fill.
    later: Vec<SiBuffer>,
    /// System information of cells first found later, decoded as soon as their buffer filled
    /// (the samples are dropped then: a long drive past many cells must not hold them all).
    later_si: Vec<(usize, LteSiResult)>,
}

/// Recordings shorter than this are searched in back-to-back blind windows.
const LTE_SHORT_RECORDING_S: f64 = 2.0;

/// Cells first found after the start whose SI samples are collected at the same time; one
/// found while these fill gets no SIBs (say so) rather than another 0.65 s of samples.
const LTE_MAX_PENDING_SI: usize = 2;

impl LteChain {
    /// The LTE search takes 1.92 Msps times an integer (the 6-PRB rate and the standard
    /// bandwidths' rates). `seconds`: the length of a recording, when known.
    fn new(rate_sps: f64, carrier_freq_hz: Option<f64>, seconds: Option<f64>) -> Option<Self> {
        // A short recording (what a regulator is often handed) is searched whole, window after
        // window with full sweeps: it costs a few times its length, and no cell in it is
        // left to a sweep that never comes.
        let cfg = if seconds.is_some_and(|s| s < LTE_SHORT_RECORDING_S) {
            ScanConfig {
                period_s: 0.08,
                window_s: 0.08,
                sweep_period_s: 0.0,
                ..ScanConfig::default()
            }
        } else {
            ScanConfig::default()
        };
        let scanner = LteScanner::new(rate_sps, carrier_freq_hz, cfg).ok()?;
        let wanted = ((LTE_SI_S * rate_sps) as usize).min(LTE_MAX_SAMPLES);
        let channel = carrier_freq_hz.and_then(|f| lte_channels_for_dl_freq(f).into_iter().next());
        Some(LteChain {
            rate_sps,
            carrier_freq_hz,
            earfcn: channel.as_ref().map(|c| c.earfcn),
            band: channel.as_ref().map(|c| c.band),
            scanner,
            wanted,
            pos: 0,
            head: Vec::with_capacity(wanted),
            later: Vec::new(),
            later_si: Vec::new(),
        })
    }

    fn push(&mut self, samples: &[Complex32]) {
        let room = self.wanted.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(&samples[..room.min(samples.len())]);
        for b in &mut self.later {
            let room = self.wanted.saturating_sub(b.samples.len());
            b.samples
                .extend_from_slice(&samples[..room.min(samples.len())]);
        }
        let events = self.scanner.push(samples);
        self.pos += samples.len() as u64;
        let wanted = self.wanted;
        let (full, filling): (Vec<SiBuffer>, Vec<SiBuffer>) = std::mem::take(&mut self.later)
            .into_iter()
            .partition(|b| b.samples.len() >= wanted);
        self.later = filling;
        for b in full {
            if let Some(cell) = self.scanner.cells().get(b.cell) {
                let si = self.decode_si(&cell.detection, b.start, &b.samples);
                self.later_si.push((b.cell, si));
            }
        }
        self.start_si_buffers(&events);
    }

    /// SIBs of the cell `det` (timing in stream samples) from `samples`, which start at stream
    /// sample `start`; message times count from the stream start.
    fn decode_si(&self, det: &LteCellDetection, start: u64, samples: &[Complex32]) -> LteSiResult {
        let decoded = shifted(det, start, self.rate_sps).and_then(|d| {
            decode_system_information(samples, self.rate_sps, &d)
                .map(|report| LteSiResult::from_report(&report, &d, self.rate_sps))
                .map_err(|e| e.to_string())
        });
        let mut si = decoded.unwrap_or_else(|e| LteSiResult {
            error: Some(e),
            ..Default::default()
        });
        let offset_s = start as f64 / self.rate_sps;
        for m in &mut si.messages {
            m.time_s += offset_s;
        }
        si
    }

    /// A cell first found after the head buffer gets its own buffer, from the next sample on.
    fn start_si_buffers(&mut self, events: &[ScanEvent]) {
        let head_end = self.head.len() as u64;
        for ScanEvent::NewCell(i) in events {
            let Some(cell) = self.scanner.cells().get(*i) else {
                continue;
            };
            let needed = (0.05 * self.rate_sps) as u64;
            if cell.detection.mib.is_none()
                || cell.detection.frame_start_sample + needed <= head_end
            {
                continue;
            }
            if self.later.len() >= LTE_MAX_PENDING_SI {
                let si = LteSiResult {
                    error: Some(format!(
                        "SIBs not decoded: the SIBs of {LTE_MAX_PENDING_SI} other new cells were being collected"
                    )),
                    ..Default::default()
                };
                self.later_si.push((*i, si));
            } else {
                self.later.push(SiBuffer {
                    cell: *i,
                    start: self.pos,
                    samples: Vec::with_capacity(self.wanted),
                });
            }
        }
    }

    fn finish(mut self) -> (Vec<LteCellResult>, Vec<LteCarrierResult>, Option<String>) {
        self.scanner.finish();
        let carriers: Vec<LteCarrierResult> = self
            .scanner
            .carrier()
            .iter()
            .map(|c| LteCarrierResult {
                earfcn: self.earfcn,
                carrier_freq_hz: self.carrier_freq_hz,
                time_s: c.time_s,
                carrier_power_dbfs: c.carrier_power_dbfs,
                noise_floor_dbfs: c.noise_floor_dbfs,
                excess_power_db: c.excess_power_db,
                pss_found: c.pss_found,
            })
            .collect();
        if self.scanner.stats().windows == 0 {
            let e = cellsentry_lte::LteError::TooShort {
                needed: (0.04 * SEARCH_RATE_SPS) as usize,
                got: (self.pos as f64 / self.rate_sps * SEARCH_RATE_SPS) as usize,
            };
            return (Vec::new(), carriers, Some(e.to_string()));
        }
        let cells = self
            .scanner
            .cells()
            .iter()
            .enumerate()
            .map(|(i, tracked)| {
                let detection = &tracked.detection;
                let si = detection.mib.as_ref().map(|_| {
                    if let Some((_, si)) = self.later_si.iter().find(|(c, _)| *c == i) {
                        return si.clone();
                    }
                    // still filling at the end of the stream: what there is
                    match self.later.iter().find(|b| b.cell == i) {
                        Some(b) => self.decode_si(detection, b.start, &b.samples),
                        None => self.decode_si(detection, 0, &self.head),
                    }
                });
                LteCellResult {
                    earfcn: self.earfcn,
                    band: self.band,
                    carrier_freq_hz: self.carrier_freq_hz,
                    time_s: tracked.first_seen_s,
                    last_seen_s: tracked.last_seen_s,
                    windows_seen: tracked.windows_seen,
                    mib_decoded: tracked.mib_decoded,
                    mib_failed: tracked.mib_failed,
                    history: tracked.history.clone(),
                    detection: detection.clone(),
                    si,
                }
            })
            .collect();
        (cells, carriers, None)
    }
}

/// `det` (frame timing in stream samples) seen from a buffer that starts at stream sample
/// `start`: its first whole frame in the buffer and that frame's SFN.
fn shifted(det: &LteCellDetection, start: u64, rate_sps: f64) -> Result<LteCellDetection, String> {
    let frame = rate_sps * 0.01;
    let behind = start as f64 - det.frame_start_sample as f64;
    let frames = if behind > 0.0 {
        (behind / frame).ceil()
    } else {
        0.0
    };
    let first = det.frame_start_sample as f64 + frames * frame - start as f64;
    if first < 0.0 {
        return Err("cell timing before its SI buffer".into());
    }
    let mut d = det.clone();
    d.frame_start_sample = first.round() as u64;
    d.frame_start_sample_1p92 = first / rate_sps * SEARCH_RATE_SPS;
    if let Some(m) = &mut d.mib {
        m.sfn = ((f64::from(m.sfn) + frames) as u64 % 1024) as u16;
    }
    Ok(d)
}

/// What is learnt about one GSM carrier while its blocks come in.
struct GsmChain {
    arfcn: Option<u16>,
    band: Option<String>,
    carrier_freq_hz: Option<f64>,
    sysinfo: CellSystemInfo,
    messages: Vec<DecodedMessage>,
    fill_frames: u32,
    paging: PagingCounters,
    paging_records: Vec<PagingRecord>,
    power: Vec<PowerSample>,
    blocks: Vec<L2Block>,
    interval_sum: f64,
    interval_n: u64,
    interval_start_s: f64,
}

impl GsmChain {
    fn new(arfcn: Option<u16>, band: Option<String>, carrier_freq_hz: Option<f64>) -> Self {
        GsmChain {
            arfcn,
            band,
            carrier_freq_hz,
            sysinfo: CellSystemInfo::new(),
            messages: Vec::new(),
            fill_frames: 0,
            paging: PagingCounters::default(),
            paging_records: Vec::new(),
            power: Vec::new(),
            blocks: Vec::new(),
            interval_sum: 0.0,
            interval_n: 0,
            interval_start_s: 0.0,
        }
    }

    fn into_result(mut self, measurement: GsmCellMeasurement, end_s: f64) -> GsmCellResult {
        self.push_interval(end_s);
        GsmCellResult {
            arfcn: self.arfcn,
            band: self.band,
            carrier_freq_hz: self.carrier_freq_hz,
            measurement,
            sysinfo: self.sysinfo,
            messages: self.messages,
            fill_frames: self.fill_frames,
            paging: self.paging,
            paging_records: self.paging_records,
            power: self.power,
            blocks: self.blocks,
        }
    }

    fn handle(&mut self, event: GsmEvent, rate_sps: f64) {
        let GsmEvent::Block(block) = event else {
            return;
        };
        let channel = l3_channel(block.channel);
        let time_s = block.first_sample as f64 / rate_sps;
        let message = parse_l2_block(channel, &block.bytes);
        self.blocks.push(block.clone());
        if matches!(message, L3Message::Fill { .. }) {
            self.fill_frames += 1;
            return;
        }
        self.sysinfo.update(&message);
        let is_paging = matches!(
            message,
            L3Message::PagingRequest1(_)
                | L3Message::PagingRequest2(_)
                | L3Message::PagingRequest3(_)
        );
        if is_paging {
            let mut identities = Vec::new();
            for id in message.paged_identities() {
                let (kind, value) = match id {
                    MobileIdentity::Imsi(v) => ("imsi", v.clone()),
                    MobileIdentity::Tmsi(v) => ("tmsi", v.clone()),
                    MobileIdentity::Imei(v) | MobileIdentity::ImeiSv(v) => ("imei", v.clone()),
                    _ => continue,
                };
                match kind {
                    "imsi" => self.paging.imsi_pages += 1,
                    "tmsi" => self.paging.tmsi_pages += 1,
                    _ => {}
                }
                identities.push((kind, value));
            }
            if identities.is_empty() {
                self.paging.empty_pages += 1;
            }
            self.paging_records
                .push(PagingRecord { time_s, identities });
        }
        let (decoded, error) = match &message {
            L3Message::Unparsed { reason, .. } => (None, Some(reason.to_string())),
            m => (serde_json::to_value(redact(m)).ok(), None),
        };
        self.messages.push(DecodedMessage {
            time_s,
            frame_number: block.fn_,
            channel: block.channel,
            message_type: message.message_type_name().to_string(),
            raw: block.bytes.to_vec(),
            decoded,
            error,
            snr_db: block.snr_db,
        });
    }

    fn measure_power(&mut self, samples: &[Complex32], first_sample: u64, rate_sps: f64) {
        for (i, s) in samples.iter().enumerate() {
            self.interval_sum += f64::from(s.norm_sqr());
            self.interval_n += 1;
            if self.interval_n as f64 >= OBSERVATION_INTERVAL_S * rate_sps {
                self.push_interval((first_sample + i as u64 + 1) as f64 / rate_sps);
            }
        }
    }

    fn push_interval(&mut self, end_s: f64) {
        if self.interval_n > 0 && self.interval_sum > 0.0 {
            self.power.push(PowerSample {
                time_s: self.interval_start_s,
                power_dbfs: 10.0 * (self.interval_sum / self.interval_n as f64).log10(),
            });
        }
        self.interval_sum = 0.0;
        self.interval_n = 0;
        self.interval_start_s = end_s;
    }
}

/// A strong carrier leaks into the next channel's filter, and that channel's receiver then
/// locks onto it about 200 kHz off. The same cell (same BSIC and identity) decoded on
/// neighbouring ARFCNs is one cell: keep the decode closest to its channel centre.
fn drop_adjacent_echoes(mut cells: Vec<GsmCellResult>) -> Vec<GsmCellResult> {
    let offset = |c: &GsmCellResult| c.measurement.freq_offset_hz.map_or(f64::MAX, f64::abs);
    cells.sort_by(|a, b| offset(a).total_cmp(&offset(b)));
    let mut kept: Vec<GsmCellResult> = Vec::new();
    for cell in cells {
        let echo = kept.iter().any(|k| {
            let near = match (k.arfcn, cell.arfcn) {
                (Some(a), Some(b)) => a.abs_diff(b) <= 2,
                _ => false,
            };
            near && k.measurement.bsic == cell.measurement.bsic
                && k.sysinfo.cell_id() == cell.sysinfo.cell_id()
        });
        if !echo {
            kept.push(cell);
        }
    }
    kept.sort_by_key(|c| c.arfcn);
    kept
}

/// Routes one event of the wideband receiver to its carrier's state, created on first sight.
fn wide_event(
    cells: &mut BTreeMap<u16, GsmChain>,
    arfcn: u16,
    event: GsmEvent,
    center_freq_hz: f64,
    rate_sps: f64,
) {
    let chain = cells.entry(arfcn).or_insert_with(|| {
        // ARFCN numbers repeat across bands (DCS/PCS): the one near the capture is meant.
        let channel = gsm_bands_for_arfcn(arfcn)
            .into_iter()
            .filter_map(|b| b.channel(arfcn))
            .min_by(|a, b| {
                (a.dl_freq_hz - center_freq_hz)
                    .abs()
                    .total_cmp(&(b.dl_freq_hz - center_freq_hz).abs())
            });
        GsmChain::new(
            Some(arfcn),
            channel.as_ref().map(|c| c.band.name().to_string()),
            channel.as_ref().map(|c| c.dl_freq_hz),
        )
    });
    chain.handle(event, rate_sps);
}

/// Bystanders' identities must not reach the decoded JSON: they are counted, and stored only
/// hashed by the store. The raw bytes stay (they are the evidence), so paging messages keep
/// `decoded` without the identity values.
fn redact(message: &L3Message) -> serde_json::Value {
    let mut value = serde_json::to_value(message).unwrap_or(serde_json::Value::Null);
    if message.paged_identities().is_empty() {
        return value;
    }
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                // MobileIdentity serialises as {"type": "Imsi", "value": "..."}.
                let personal = map
                    .get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| matches!(t, "Imsi" | "Tmsi" | "Imei" | "ImeiSv"));
                if personal {
                    map.insert(
                        "value".into(),
                        serde_json::Value::String("<redacted>".into()),
                    );
                    return;
                }
                map.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut value);
    value
}

/// One receiver on the carrier at 0 Hz (a one-ARFCN recording), or the wideband receiver that
/// channelises once and decodes every active carrier of a wide capture.
enum GsmFront {
    Narrow(Box<GsmReceiver>, Box<GsmChain>),
    Wide(Box<WidebandGsm>, BTreeMap<u16, GsmChain>),
}

/// Above this rate a capture holds more than one GSM channel worth decoding.
const NARROWBAND_MAX_SPS: f64 = 1.5e6;

pub struct Chain {
    info: SourceInfo,
    welch: Option<WelchAccumulator>,
    samples: u64,
    dropped: u64,
    gsm: Option<GsmFront>,
    lte: Option<LteChain>,
}

impl Chain {
    pub fn new(info: &SourceInfo, fft_size: usize) -> Self {
        let welch =
            WelchAccumulator::new(WelchConfig::new(fft_size).with_window(Window::Hann)).ok();
        let carrier = (info.center_freq_hz > 0.0).then_some(info.center_freq_hz);
        // The GSM receiver follows the carrier at 0 Hz; narrowband captures are what one ARFCN
        // recordings look like (gr-gsm's 4 sps, a dongle's 1-2.4 Msps).
        let gsm = if info.sample_rate_hz <= NARROWBAND_MAX_SPS {
            GsmReceiver::new(info.sample_rate_hz, carrier)
                .ok()
                .map(|rx| {
                    let channel =
                        carrier.and_then(|f| gsm_channels_for_dl_freq(f, None).into_iter().next());
                    GsmFront::Narrow(
                        Box::new(rx),
                        Box::new(GsmChain::new(
                            channel.as_ref().map(|c| c.arfcn),
                            channel.as_ref().map(|c| c.band.name().to_string()),
                            carrier,
                        )),
                    )
                })
        } else {
            carrier.and_then(|f| {
                WidebandGsm::new(info.sample_rate_hz, f, &WidebandConfig::default())
                    .ok()
                    .map(|rx| GsmFront::Wide(Box::new(rx), BTreeMap::new()))
            })
        };
        let seconds = info
            .total_samples
            .map(|n| n as f64 / info.sample_rate_hz.max(1.0));
        let lte = LteChain::new(info.sample_rate_hz, carrier, seconds);
        Chain {
            info: info.clone(),
            welch,
            samples: 0,
            dropped: 0,
            gsm,
            lte,
        }
    }

    pub fn push(&mut self, block: &IqBlock) {
        let rate = self.info.sample_rate_hz;
        if let Some(w) = &mut self.welch {
            w.push(&block.samples);
        }
        match &mut self.gsm {
            Some(GsmFront::Narrow(rx, g)) => {
                g.measure_power(&block.samples, block.first_sample, rate);
                for event in rx.push(&block.samples) {
                    g.handle(event, rate);
                }
            }
            Some(GsmFront::Wide(rx, cells)) => {
                let center = self.info.center_freq_hz;
                for (arfcn, event) in rx.push(&block.samples) {
                    wide_event(cells, arfcn, event, center, rate);
                }
            }
            None => {}
        }
        if let Some(l) = &mut self.lte {
            l.push(&block.samples);
        }
        self.samples += block.samples.len() as u64;
        self.dropped = block.dropped_total;
    }

    pub fn finish(self) -> StreamResult {
        let rate = self.info.sample_rate_hz;
        let seconds = self.samples as f64 / rate;
        let spectrum = self
            .welch
            .filter(|w| w.segments() > 0)
            .and_then(|w| w.spectrum(self.info.center_freq_hz, rate).ok())
            .map(|s| {
                let mut summary = summarise(&s, false);
                summary.seconds_analysed = seconds;
                summary
            });
        let gsm = match self.gsm {
            Some(GsmFront::Narrow(rx, g)) => vec![g.into_result(rx.finish(), seconds)],
            Some(GsmFront::Wide(rx, mut cells)) => {
                let (events, measurements) = rx.finish();
                let center = self.info.center_freq_hz;
                for (arfcn, event) in events {
                    wide_event(&mut cells, arfcn, event, center, rate);
                }
                let results: Vec<GsmCellResult> = measurements
                    .into_iter()
                    .filter_map(|m| {
                        let arfcn = m.arfcn?;
                        let chain = cells
                            .remove(&arfcn)
                            .unwrap_or_else(|| GsmChain::new(Some(arfcn), None, m.carrier_freq_hz));
                        Some(chain.into_result(m, seconds))
                    })
                    .collect();
                drop_adjacent_echoes(results)
            }
            None => Vec::new(),
        }
        .into_iter()
        .filter(GsmCellResult::found)
        .collect();
        let (lte, lte_carriers, lte_error) = self
            .lte
            .map_or((Vec::new(), Vec::new(), None), LteChain::finish);
        StreamResult {
            source: self.info,
            seconds,
            samples: self.samples,
            dropped: self.dropped,
            spectrum,
            gsm,
            lte,
            lte_carriers,
            lte_error,
        }
    }
}
