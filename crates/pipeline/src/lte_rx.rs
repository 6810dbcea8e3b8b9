//! The LTE receiver of a session: the streaming cell scanner (a search window every 0.5 s:
//! cells with first/last seen and a measurement per window, and the carrier timeline the
//! jamming and SMS-blaster-sequence rules read), and the system information of each cell,
//! decoded from [`LTE_SI_S`] seconds of samples taken from where the cell was first found.
//!
//! A cell's measurements are held until its SIB1 is decoded (or could not be), so that the
//! store and the detector meet it under its global identity. SIBs are decoded as the samples
//! arrive (one streaming SI receiver per cell, a few subframes of samples each); only the
//! stream's start is buffered, until the first search window has named the cells in it, so
//! memory does not grow with the carrier's bandwidth times the SI period.

use cellsentry_capture::IqBlock;
use cellsentry_detect::{
    CarrierObservation, CellObservation, FreqPriority, LteSib1, LteSystemInfo, Plmn, Rat,
    SiFingerprint,
};
use cellsentry_dsp::bandplan::lte_channels_for_dl_freq;
use cellsentry_gsm::gsmtap::{gsmtap_packet, GsmtapHeader};
use cellsentry_lte::{
    CellScanner, LteCellDetection, LteError, ScanConfig, ScanEvent, SiStream, SEARCH_RATE_SPS,
};
use num_complex::Complex32;
use serde_json::json;

use crate::receiver::{CellMeasurement, CellMessage, CellRef, Receiver, RxEvent};
use crate::result::{LteCarrierResult, LteCellResult, LteSiResult};

/// How much signal the SI receiver looks at: SIB1 eight times and SI messages up to a
/// periodicity of 64 frames.
pub const LTE_SI_S: f64 = 0.65;
/// Cap on the buffered samples (128 MiB of cf32), whatever the rate.
const LTE_MAX_SAMPLES: usize = 16 << 20;
/// Recordings shorter than this are searched in back-to-back blind windows.
const LTE_SHORT_RECORDING_S: f64 = 2.0;
/// Cells first found after the start whose SI samples are collected at the same time; one
/// found while these fill gets no SIBs (say so) rather than another 0.65 s of samples.
const LTE_MAX_PENDING_SI: usize = 2;
/// Longest gap (seconds of dropped samples) bridged with silence, which keeps the scanner's
/// timing and tracked cells; a longer one restarts the scanner.
const MAX_BRIDGED_GAP_S: f64 = 10.0;
/// GSMTAP payload type "LTE RRC" and its BCCH-DL-SCH sub-type (osmocom gsmtap.h).
const GSMTAP_TYPE_LTE_RRC: u8 = 0x0d;
const GSMTAP_LTE_RRC_SUB_BCCH_DL_SCH: u8 = 5;

/// The streaming SI receiver of one cell, fed from stream sample `start` on; `det` is the
/// cell's timing as seen from there.
struct SiFeed {
    cell: usize,
    start: u64,
    det: LteCellDetection,
    stream: SiStream,
    /// Found by a later window (counts against [`LTE_MAX_PENDING_SI`]).
    later: bool,
}

/// What the session was told of one scanner cell so far.
#[derive(Default)]
struct CellState {
    /// History entries already turned into measurements.
    history_done: usize,
    mib_reported: u32,
    /// `None` while the SIBs are still being collected.
    si: Option<Option<LteSiResult>>,
    /// Events held until the SIBs are known.
    held: Vec<RxEvent>,
    released: bool,
    summary_sent: bool,
}

/// The LTE receiver of a session.
pub struct LteRx {
    id: u16,
    rate_sps: f64,
    carrier_freq_hz: Option<f64>,
    earfcn: Option<u32>,
    band: Option<u16>,
    cfg: ScanConfig,
    scanner: CellScanner,
    states: Vec<CellState>,
    carriers_done: usize,
    wanted: usize,
    /// Stream samples seen (gaps included).
    pos: u64,
    /// The stream's start, kept until the first search window has named its cells (at most
    /// `LTE_SI_S` seconds): their SIBs are decoded from the stream's first sample.
    head: Option<Vec<Complex32>>,
    feeds: Vec<SiFeed>,
    pcap: bool,
    /// Stream sample index where the receiver started, and its time: the scanner counts from
    /// its own start.
    start_sample: u64,
    t0_s: f64,
}

impl LteRx {
    /// The LTE search takes 1.92 Msps times an integer (the 6-PRB rate and the standard
    /// bandwidths' rates). `seconds`: the length of a recording, when known.
    /// `start_sample`: the stream sample index the receiver starts at (a scan's later step).
    pub fn new(
        id: u16,
        rate_sps: f64,
        carrier_freq_hz: Option<f64>,
        seconds: Option<f64>,
        start_sample: u64,
        pcap: bool,
    ) -> Result<Self, String> {
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
        if let Some(s) = seconds {
            let needed_s = 0.04;
            if s < needed_s {
                let e = LteError::TooShort {
                    needed: (needed_s * SEARCH_RATE_SPS) as usize,
                    got: (s * SEARCH_RATE_SPS) as usize,
                };
                return Err(e.to_string());
            }
        }
        let scanner =
            CellScanner::new(rate_sps, carrier_freq_hz, cfg.clone()).map_err(|e| e.to_string())?;
        let wanted = ((LTE_SI_S * rate_sps) as usize).min(LTE_MAX_SAMPLES);
        let channel = carrier_freq_hz.and_then(|f| lte_channels_for_dl_freq(f).into_iter().next());
        Ok(LteRx {
            id,
            rate_sps,
            carrier_freq_hz,
            earfcn: channel.as_ref().map(|c| c.earfcn),
            band: channel.as_ref().map(|c| c.band),
            cfg,
            scanner,
            states: Vec::new(),
            carriers_done: 0,
            wanted,
            pos: 0,
            head: Some(Vec::new()),
            feeds: Vec::new(),
            pcap,
            start_sample,
            t0_s: start_sample as f64 / rate_sps,
        })
    }

    fn cell_ref(&self, i: usize) -> CellRef {
        CellRef {
            receiver: self.id,
            index: i as u32,
        }
    }

    fn push_samples(&mut self, samples: &[Complex32], out: &mut Vec<RxEvent>) {
        if let Some(head) = &mut self.head {
            let room = self.wanted.saturating_sub(head.len());
            head.extend_from_slice(&samples[..room.min(samples.len())]);
        }
        for f in &mut self.feeds {
            f.stream.push(samples);
        }
        let events = self.scanner.push(samples);
        self.pos += samples.len() as u64;
        self.states
            .resize_with(self.scanner.cells().len(), CellState::default);
        self.start_si_feeds(&events);
        let head_full = self.head.as_ref().is_some_and(|h| h.len() >= self.wanted);
        if head_full || self.scanner.stats().windows > 0 {
            self.feed_head();
        }
        self.collect_done(false);
        self.emit_new(out, false);
    }

    /// The SIBs of each cell whose stream has seen all it wanted (all streams when
    /// `finishing`: what there is).
    fn collect_done(&mut self, finishing: bool) {
        let (done, running): (Vec<SiFeed>, Vec<SiFeed>) = std::mem::take(&mut self.feeds)
            .into_iter()
            .partition(|f| finishing || f.stream.is_done());
        self.feeds = running;
        for f in done {
            let mut si = f
                .stream
                .finish()
                .map(|report| LteSiResult::from_report(&report, &f.det, self.rate_sps))
                .unwrap_or_else(|e| LteSiResult {
                    error: Some(e.to_string()),
                    ..Default::default()
                });
            let offset_s = f.start as f64 / self.rate_sps;
            for m in &mut si.messages {
                m.time_s += offset_s;
            }
            if let Some(state) = self.states.get_mut(f.cell) {
                state.si = Some(Some(si));
            }
        }
    }

    /// A stream for the SIBs of cell `i` from stream sample `start` on.
    fn open_feed(&self, i: usize, start: u64, later: bool) -> Result<SiFeed, String> {
        let cell = self
            .scanner
            .cells()
            .get(i)
            .ok_or_else(|| "cell gone".to_string())?;
        let det = shifted(&cell.detection, start, self.rate_sps)?;
        let stream =
            SiStream::new(self.rate_sps, &det, self.wanted as u64).map_err(|e| e.to_string())?;
        Ok(SiFeed {
            cell: i,
            start,
            det,
            stream,
            later,
        })
    }

    /// Starts a stream from the first sample for every cell the head serves, gives it the
    /// head, then drops the head.
    fn feed_head(&mut self) {
        let Some(head) = self.head.take() else {
            return;
        };
        let head_end = head.len() as u64;
        let needed = (0.05 * self.rate_sps) as u64;
        for i in 0..self.scanner.cells().len() {
            let pending = self.states.get(i).is_some_and(|s| s.si.is_none())
                && !self.feeds.iter().any(|f| f.cell == i);
            if !pending {
                continue;
            }
            let Some(cell) = self.scanner.cells().get(i) else {
                continue;
            };
            let det = &cell.detection;
            if det.mib.is_none() || det.frame_start_sample + needed > head_end {
                continue;
            }
            match self.open_feed(i, 0, false) {
                Ok(mut feed) => {
                    feed.stream.push(&head);
                    self.feeds.push(feed);
                }
                Err(e) => {
                    if let Some(s) = self.states.get_mut(i) {
                        s.si = Some(Some(LteSiResult {
                            error: Some(e),
                            ..Default::default()
                        }));
                    }
                }
            }
        }
    }

    /// A cell first found after the head gets its own stream, from the next sample on.
    fn start_si_feeds(&mut self, events: &[ScanEvent]) {
        let head_len = self.head.as_ref().map(|h| h.len() as u64);
        for ScanEvent::NewCell(i) in events {
            let Some(cell) = self.scanner.cells().get(*i) else {
                continue;
            };
            let needed = (0.05 * self.rate_sps) as u64;
            let has_mib = cell.detection.mib.is_some();
            let in_head = head_len.is_some_and(|h| cell.detection.frame_start_sample + needed <= h);
            let pending_later = self.feeds.iter().filter(|f| f.later).count();
            let Some(state) = self.states.get_mut(*i) else {
                continue;
            };
            if !has_mib {
                // No bandwidth or ports known: no SIBs. A later detection may bring a MIB, but
                // its SIBs are not waited for.
                state.si = Some(None);
                continue;
            }
            // Served by the head while it is being filled and the cell's frame is in it.
            if in_head {
                continue;
            }
            if pending_later >= LTE_MAX_PENDING_SI {
                state.si = Some(Some(LteSiResult {
                    error: Some(format!(
                        "SIBs not decoded: the SIBs of {LTE_MAX_PENDING_SI} other new cells were being collected"
                    )),
                    ..Default::default()
                }));
                continue;
            }
            match self.open_feed(*i, self.pos, true) {
                Ok(feed) => self.feeds.push(feed),
                Err(e) => {
                    if let Some(s) = self.states.get_mut(*i) {
                        s.si = Some(Some(LteSiResult {
                            error: Some(e),
                            ..Default::default()
                        }));
                    }
                }
            }
        }
    }

    /// Turns what the scanner and the SI chain learnt since the last call into events.
    fn emit_new(&mut self, out: &mut Vec<RxEvent>, finishing: bool) {
        let carriers = self.scanner.carrier();
        let t0 = self.t0_s;
        for c in carriers.iter().skip(self.carriers_done) {
            let result = LteCarrierResult {
                earfcn: self.earfcn,
                carrier_freq_hz: self.carrier_freq_hz,
                time_s: t0 + c.time_s,
                carrier_power_dbfs: c.carrier_power_dbfs,
                noise_floor_dbfs: c.noise_floor_dbfs,
                excess_power_db: c.excess_power_db,
                pss_found: c.pss_found,
            };
            if let Some(channel) = self.earfcn {
                let obs = CarrierObservation {
                    rat: Rat::Lte,
                    channel,
                    freq_hz: self.carrier_freq_hz,
                    time_unix_ms: ((t0 + c.time_s) * 1000.0) as i64,
                    power_dbfs: c.carrier_power_dbfs,
                    noise_floor_dbfs: Some(c.noise_floor_dbfs),
                    sync_found: c.pss_found,
                };
                out.push(RxEvent::Carrier(obs, result));
            }
        }
        self.carriers_done = carriers.len();
        for i in 0..self.scanner.cells().len() {
            self.emit_cell(i, out, finishing);
        }
    }

    fn emit_cell(&mut self, i: usize, out: &mut Vec<RxEvent>, finishing: bool) {
        let cell_ref = self.cell_ref(i);
        let (earfcn, band, freq) = (self.earfcn, self.band, self.carrier_freq_hz);
        let pcap = self.pcap;
        let t0 = self.t0_s;
        let Some(cell) = self.scanner.cells().get(i) else {
            return;
        };
        let Some(state) = self.states.get_mut(i) else {
            return;
        };
        let mut events = Vec::new();
        let si = state.si.as_ref().and_then(Option::as_ref);
        let base = lte_observation(t0 + cell.first_seen_s, &cell.detection, earfcn, freq, si);
        for h in cell.history.iter().skip(state.history_done) {
            let mut o = base.clone();
            o.time_unix_ms = ((t0 + h.time_s) * 1000.0) as i64;
            o.power_dbfs = h.rsrp_dbfs.or(base.power_dbfs);
            o.snr_db = h.sinr_db.or(base.snr_db);
            o.freq_offset_hz = Some(h.freq_offset_hz);
            o.freq_offset_ppm = freq
                .filter(|f| *f > 0.0)
                .map(|f| h.freq_offset_hz / f * 1e6);
            let mibs = cell.mib_decoded.saturating_sub(state.mib_reported);
            state.mib_reported = cell.mib_decoded;
            events.push(RxEvent::Measurement(
                cell_ref,
                Box::new(CellMeasurement {
                    detect: o,
                    freq_hz: freq.unwrap_or(0.0),
                    blocks_ok: mibs,
                    blocks_failed: 0,
                    summary: None,
                    first_heard_s: Some(t0 + cell.first_seen_s),
                }),
            ));
        }
        state.history_done = cell.history.len();
        if !state.released {
            state.held.extend(events);
            if state.si.is_none() && !finishing {
                return;
            }
            // The SIBs are known (or will not be): everything held goes out with the identity.
            state.released = true;
            let si = state.si.as_ref().and_then(Option::as_ref);
            let ident = lte_observation(t0 + cell.first_seen_s, &cell.detection, earfcn, freq, si);
            events = std::mem::take(&mut state.held);
            for ev in &mut events {
                if let RxEvent::Measurement(_, m) = ev {
                    m.detect.plmn.clone_from(&ident.plmn);
                    m.detect.lac_tac = ident.lac_tac;
                    m.detect.cell_id = ident.cell_id;
                    m.detect.lte.clone_from(&ident.lte);
                }
            }
            // SI messages and their GSMTAP frames.
            if let Some(si) = si {
                let (ok, failed) = (
                    si.messages.iter().map(|m| m.receptions).sum::<u32>(),
                    si.crc_failed,
                );
                if let Some(RxEvent::Measurement(_, m)) = events.first_mut() {
                    m.blocks_ok += ok;
                    m.blocks_failed += failed;
                }
                for m in &si.messages {
                    let frame_number = u32::from(m.sfn) * 10 + u32::from(m.subframe);
                    events.push(RxEvent::Message(
                        cell_ref,
                        Box::new(CellMessage {
                            time_s: t0 + m.time_s,
                            frame_number: Some(frame_number),
                            channel: "BCCH-DL-SCH".into(),
                            message_type: m.message_type.clone(),
                            raw: m.raw.clone(),
                            decoded: m.decoded.clone(),
                            error: m.error.clone(),
                        }),
                    ));
                    if pcap {
                        // GSMTAP v2 has 14 bits of channel number; EARFCNs above that are
                        // truncated.
                        let header = GsmtapHeader {
                            payload_type: GSMTAP_TYPE_LTE_RRC,
                            arfcn: (earfcn.unwrap_or(0) & 0x3fff) as u16,
                            signal_dbm: cell.detection.rsrp_dbfs.unwrap_or(0.0) as f32,
                            sub_type: GSMTAP_LTE_RRC_SUB_BCCH_DL_SCH,
                            frame_number,
                            ..GsmtapHeader::default()
                        };
                        events.push(RxEvent::Frame {
                            time_s: t0 + m.time_s,
                            packet: gsmtap_packet(&header, &m.raw),
                        });
                    }
                }
            }
        }
        out.extend(events);
        // The cell's parameters for the report: once its SIBs are known, and at the end.
        let send_summary = (!state.summary_sent && state.released) || finishing;
        if send_summary {
            let si = state.si.as_ref().and_then(Option::as_ref);
            // Issue #13: the SI fingerprint shared in exports and matched by the watch-list.
            let si_fingerprint = si
                .filter(|s| s.system_info.sib1.is_some() || !s.system_info.sibs.is_empty())
                .and_then(|s| SiFingerprint::lte(&lte_system_info(&s.system_info)));
            let summary = json!({
                "si_fingerprint": si_fingerprint,
                "earfcn": earfcn, "band": band, "pci": cell.detection.pci,
                "duplex": cell.detection.duplex, "cp": cell.detection.cp,
                "mib": cell.detection.mib, "rsrq_db": cell.detection.rsrq_db,
                "frame_start_sample": cell.detection.frame_start_sample,
                "first_seen_s": t0 + cell.first_seen_s, "last_seen_s": t0 + cell.last_seen_s,
                "windows_seen": cell.windows_seen,
                "system_information": si.map(|s| &s.system_info),
                "si_error": si.and_then(|s| s.error.clone()),
                "paging_blocks": si.map(|s| s.paging_blocks),
            });
            // Attached to the cell's last measurement event of this call, if any.
            if let Some(RxEvent::Measurement(_, m)) = out
                .iter_mut()
                .rev()
                .find(|e| matches!(e, RxEvent::Measurement(c, _) if *c == cell_ref))
            {
                m.summary = Some(summary);
                state.summary_sent = true;
            }
        }
    }

    /// Bridges dropped samples with silence (the scanner's timing and cells stay), or, for a
    /// long gap, restarts the scanner.
    fn bridge_gap(&mut self, missing: u64, out: &mut Vec<RxEvent>) {
        if missing as f64 <= MAX_BRIDGED_GAP_S * self.rate_sps {
            let zeros = vec![Complex32::new(0.0, 0.0); (1 << 16).min(missing as usize)];
            let mut left = missing;
            while left > 0 {
                let n = (left as usize).min(zeros.len());
                self.push_samples(&zeros[..n], out);
                left -= n as u64;
            }
        } else {
            self.emit_new(out, true);
            if let Ok(s) = CellScanner::new(self.rate_sps, self.carrier_freq_hz, self.cfg.clone()) {
                self.scanner = s;
            }
            self.states.clear();
            self.carriers_done = 0;
            self.feeds.clear();
            self.head = None;
            self.pos += missing;
        }
    }
}

impl Receiver for LteRx {
    fn name(&self) -> &'static str {
        "lte"
    }

    fn push(&mut self, block: &IqBlock, out: &mut Vec<RxEvent>) {
        let at = self.start_sample + self.pos;
        if block.first_sample > at {
            self.bridge_gap(block.first_sample - at, out);
        }
        self.push_samples(&block.samples, out);
    }

    fn finish(&mut self, out: &mut Vec<RxEvent>) {
        self.scanner.finish();
        self.states
            .resize_with(self.scanner.cells().len(), CellState::default);
        if self.scanner.stats().windows == 0 {
            let e = LteError::TooShort {
                needed: (0.04 * SEARCH_RATE_SPS) as usize,
                got: (self.pos as f64 / self.rate_sps * SEARCH_RATE_SPS) as usize,
            };
            self.emit_new(out, true);
            out.push(RxEvent::LteError(e.to_string()));
            return;
        }
        // Buffers still filling at the end of the stream: what there is.
        self.feed_head();
        self.collect_done(true);
        self.emit_new(out, true);
        let t0 = self.t0_s;
        for (i, tracked) in self.scanner.cells().iter().enumerate() {
            let mut history = tracked.history.clone();
            for h in &mut history {
                h.time_s += t0;
            }
            let si = self
                .states
                .get_mut(i)
                .and_then(|s| s.si.take())
                .flatten()
                .filter(|_| tracked.detection.mib.is_some());
            out.push(RxEvent::LteDone(Box::new(LteCellResult {
                cell: self.cell_ref(i),
                earfcn: self.earfcn,
                band: self.band,
                carrier_freq_hz: self.carrier_freq_hz,
                time_s: t0 + tracked.first_seen_s,
                last_seen_s: t0 + tracked.last_seen_s,
                windows_seen: tracked.windows_seen,
                mib_decoded: tracked.mib_decoded,
                mib_failed: tracked.mib_failed,
                history,
                detection: tracked.detection.clone(),
                si,
            })));
        }
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

/// An LTE cell as the detector sees it. Until SIB1 is decoded only the physical identity
/// (EARFCN, PCI) and the measurements are known.
fn lte_observation(
    first_seen_s: f64,
    d: &LteCellDetection,
    earfcn: Option<u32>,
    freq_hz: Option<f64>,
    si: Option<&LteSiResult>,
) -> CellObservation {
    let mut o = CellObservation::new(Rat::Lte, (first_seen_s * 1000.0) as i64);
    o.channel = earfcn;
    o.bsic_pci = Some(d.pci);
    o.dl_freq_hz = freq_hz;
    o.power_dbfs = d.rsrp_dbfs;
    o.snr_db = d.sinr_db;
    o.freq_offset_hz = Some(d.freq_offset_hz);
    o.freq_offset_ppm = d.freq_offset_ppm;
    if let Some(si) = si {
        let info = &si.system_info;
        if let Some(s1) = &info.sib1 {
            o.plmn = s1
                .plmns
                .first()
                .map(|p| Plmn::broadcast(p.mcc.clone(), p.mnc.clone()));
            o.lac_tac = Some(u32::from(s1.tracking_area_code));
            o.cell_id = Some(s1.cell_identity);
        }
        if info.sib1.is_some() || !info.sibs.is_empty() {
            o.lte = Some(lte_system_info(info));
        }
    }
    o
}

/// SIB number of a TS 36.331 SIB-Type name ("sibType7" -> 7); `None` for extension values.
fn sib_number(name: &str) -> Option<u8> {
    name.strip_prefix("sibType")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// The detector's view of what an LTE cell broadcast (SIB1, SIB3 priority, SIB5/6/7 layers).
pub fn lte_system_info(info: &cellsentry_lte_rrc::CellSystemInfo) -> LteSystemInfo {
    let mut sibs_received: Vec<u8> = info
        .sibs
        .iter()
        .filter_map(|s| s.type_name().strip_prefix("sib")?.parse().ok())
        .collect();
    if info.sib1.is_some() {
        sibs_received.insert(0, 1);
    }
    let sib1 = info.sib1.as_ref().map(|s| LteSib1 {
        plmns: s
            .plmns
            .iter()
            .map(|p| Plmn::broadcast(p.mcc.clone(), p.mnc.clone()))
            .collect(),
        tac: Some(u32::from(s.tracking_area_code)),
        cell_id: Some(s.cell_identity),
        cell_barred: Some(s.cell_barred),
        q_rxlevmin_dbm: Some(s.q_rx_lev_min_dbm),
        scheduling: s
            .scheduling
            .iter()
            .map(|si| si.sib_types.iter().filter_map(|t| sib_number(t)).collect())
            .collect(),
        si_window_ms: Some(u16::from(s.si_window_length_ms)),
    });
    LteSystemInfo {
        sibs_received,
        sib1,
        serving_priority: info.serving_priority(),
        inter_freq: info.sib5().map_or_else(Vec::new, |s| {
            s.carriers
                .iter()
                .map(|c| FreqPriority {
                    channel: c.dl_earfcn,
                    priority: c.cell_reselection_priority,
                })
                .collect()
        }),
        utra: info.sib6().map_or_else(Vec::new, |s| {
            s.utra_fdd
                .iter()
                .chain(&s.utra_tdd)
                .map(|c| FreqPriority {
                    channel: u32::from(c.uarfcn),
                    priority: c.cell_reselection_priority,
                })
                .collect()
        }),
        geran: info.sib7().map_or_else(Vec::new, |s| {
            s.carrier_groups
                .iter()
                .flat_map(|g| {
                    g.arfcns.iter().map(|a| FreqPriority {
                        channel: u32::from(*a),
                        priority: g.cell_reselection_priority,
                    })
                })
                .collect()
        }),
        sib4_neighbours: info.sib4().map(|s| s.neighbours.len() as u16),
        sib5_neighbours: info
            .sib5()
            .map(|s| s.carriers.iter().map(|c| c.neighbours.len() as u16).sum()),
    }
}
