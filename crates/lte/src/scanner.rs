//! Streaming LTE carrier scanner: the cell search run on a live stream (or a long recording)
//! window by window, cells followed from window to window with first/last seen, MIBs decoded vs
//! failed and a measurement history, and the carrier's power timeline (jamming evidence).
//!
//! A phone does not search blindly all the time, and neither does this: the first window (and
//! one every `sweep_period_s`) is a blind sweep over the whole carrier-offset range with the long
//! PSS accumulation; the windows between search only the few kHz around the receiver's own
//! oscillator error, learnt from the decoded cells (all cells of a carrier sit within a fraction
//! of a ppm of each other, TS 36.104 6.5.1), and recognise known cells by their timing so their
//! SSS need not be searched again. A cell with an odd offset (a fake eNB on a cheap oscillator)
//! is still found by the next sweep.

use crate::resample::{decimate, decimation_factor};
use crate::search::{CellSearcher, KnownCell, SearchHints};
use crate::{power::carrier_power, LteCellDetection, LteError, SearchConfig, SEARCH_RATE_SPS};
use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// One radio frame in 1.92 Msps samples.
const FRAME_1P92: f64 = 19_200.0;
/// Frame timing difference (1.92 Msps samples) under which a detection continues a tracked
/// cell of the same PCI; further apart it is another cell with the same PCI.
const SAME_CELL_RADIUS: f64 = 128.0;

/// Schedule of the scanner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanConfig {
    pub search: SearchConfig,
    /// Time between the starts of two search windows.
    pub period_s: f64,
    /// Length of a window: the PSS accumulation plus the radio frames the MIB may need.
    pub window_s: f64,
    /// A blind sweep (every offset, long accumulation) at least this often.
    pub sweep_period_s: f64,
    /// Half-width of the offset range searched around the learnt receiver offset.
    pub tracking_span_hz: f64,
    /// Between sweeps, a search for new cells at least this often (the windows between only
    /// confirm the known cells).
    pub new_cell_period_s: f64,
    /// A cell not seen for this long is no longer confirmed window by window.
    pub forget_after_s: f64,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            search: SearchConfig::default(),
            period_s: 0.5,
            window_s: 0.08,
            sweep_period_s: 10.0,
            tracking_span_hz: 7_500.0,
            new_cell_period_s: 1.0,
            forget_after_s: 30.0,
        }
    }
}

/// One window's measurement of a tracked cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSample {
    pub time_s: f64,
    pub rsrp_dbfs: Option<f64>,
    pub rsrq_db: Option<f64>,
    pub sinr_db: Option<f64>,
    pub freq_offset_hz: f64,
    pub pss_metric: f32,
    pub mib_decoded: bool,
    /// SFN of the first radio frame starting in the window, from this window's MIB.
    pub sfn: Option<u16>,
}

/// A cell followed through the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackedCell {
    /// The first detection with a MIB (the first detection when none had one), with its frame
    /// timing in the stream's sample count (`frame_start_sample` counts from the stream start).
    pub detection: LteCellDetection,
    pub first_seen_s: f64,
    pub last_seen_s: f64,
    /// Windows it was detected in, and among those the ones whose PBCH passed its CRC.
    pub windows_seen: u32,
    pub mib_decoded: u32,
    pub mib_failed: u32,
    pub history: Vec<CellSample>,
    /// Frame timing in 1.92 Msps samples of the stream, modulo one frame (follows clock drift).
    #[serde(skip)]
    frame_phase_1p92: f64,
    /// Start (1.92 Msps samples of the stream) and SFN of a frame of the last decoded MIB.
    #[serde(skip)]
    sfn_ref: Option<(f64, u16)>,
}

/// The carrier in one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarrierSample {
    pub time_s: f64,
    /// Power in the central 6 PRB and the in-window noise floor estimate, dB full scale.
    pub carrier_power_dbfs: f64,
    pub noise_floor_dbfs: f64,
    pub excess_power_db: f64,
    /// A cell was synchronised in this window.
    pub pss_found: bool,
    pub pcis: Vec<u16>,
    /// This window was a blind sweep.
    pub sweep: bool,
}

/// What a window brought that a live display wants at once.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    /// A cell not tracked before; the index into [`CellScanner::cells`].
    NewCell(usize),
}

/// Counters of the work done, for speed reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanStats {
    pub windows: u32,
    pub sweeps: u32,
    /// Input samples consumed.
    pub samples: u64,
    /// Wall time spent in sweep windows and in tracking windows (decimation, search, MIB,
    /// carrier power), seconds.
    pub sweep_time_s: f64,
    pub tracking_time_s: f64,
}

/// The scanner of one carrier.
pub struct CellScanner {
    cfg: ScanConfig,
    rate_sps: f64,
    carrier_freq_hz: Option<f64>,
    factor: usize,
    searcher: CellSearcher,
    /// Input samples seen so far.
    pos: u64,
    /// Start (input sample) of the next window, and its samples.
    window_start: u64,
    window: Vec<Complex32>,
    window_len: usize,
    period_samples: u64,
    decimated: Vec<Complex32>,
    last_sweep_s: Option<f64>,
    last_new_cell_search_s: Option<f64>,
    /// The receiver's oscillator error as seen on the decoded cells.
    rx_offset_hz: Option<f64>,
    cells: Vec<TrackedCell>,
    carrier: Vec<CarrierSample>,
    stats: ScanStats,
}

impl CellScanner {
    /// A scanner for a stream at `rate_sps` (1.92 Msps times an integer) tuned to
    /// `carrier_freq_hz` (used for ppm figures only).
    pub fn new(
        rate_sps: f64,
        carrier_freq_hz: Option<f64>,
        cfg: ScanConfig,
    ) -> Result<Self, LteError> {
        let factor = decimation_factor(rate_sps)?;
        // Windows start on multiples of the decimation factor so that their 1.92 Msps
        // samples line up with one another's.
        let align = |s: f64| ((s * rate_sps) as u64 / factor as u64).max(1) * factor as u64;
        let window_len = align(cfg.window_s) as usize;
        let period_samples = align(cfg.period_s).max(window_len as u64);
        Ok(CellScanner {
            searcher: CellSearcher::new(cfg.search.clone()),
            cfg,
            rate_sps,
            carrier_freq_hz,
            factor,
            pos: 0,
            window_start: 0,
            window: Vec::with_capacity(window_len),
            window_len,
            period_samples,
            decimated: Vec::new(),
            last_sweep_s: None,
            last_new_cell_search_s: None,
            rx_offset_hz: None,
            cells: Vec::new(),
            carrier: Vec::new(),
            stats: ScanStats::default(),
        })
    }

    /// Feeds the next samples of the stream; returns what the windows completed in them found.
    pub fn push(&mut self, samples: &[Complex32]) -> Vec<ScanEvent> {
        let mut events = Vec::new();
        let end = self.pos + samples.len() as u64;
        let mut at = self.pos;
        while at < end {
            if at < self.window_start {
                at = self.window_start.min(end);
                continue;
            }
            let take = (self.window_len - self.window.len()).min((end - at) as usize);
            let from = (at - self.pos) as usize;
            self.window.extend_from_slice(&samples[from..from + take]);
            at += take as u64;
            if self.window.len() == self.window_len {
                let window = std::mem::take(&mut self.window);
                self.process_window(&window, &mut events);
                self.window = window;
                self.window.clear();
                self.window_start += self.period_samples;
            }
        }
        self.pos = end;
        self.stats.samples = end;
        events
    }

    /// Ends the stream: a last partial window of at least a MIB period is searched too.
    pub fn finish(&mut self) -> Vec<ScanEvent> {
        let mut events = Vec::new();
        let min = (0.04 * self.rate_sps) as usize;
        if self.window.len() >= min {
            let window = std::mem::take(&mut self.window);
            self.process_window(&window, &mut events);
        }
        self.window.clear();
        events
    }

    pub fn cells(&self) -> &[TrackedCell] {
        &self.cells
    }

    pub fn carrier(&self) -> &[CarrierSample] {
        &self.carrier
    }

    pub fn stats(&self) -> ScanStats {
        self.stats
    }

    /// The receiver's oscillator error learnt from the decoded cells, Hz.
    pub fn rx_offset_hz(&self) -> Option<f64> {
        self.rx_offset_hz
    }

    fn process_window(&mut self, window: &[Complex32], events: &mut Vec<ScanEvent>) {
        let started = std::time::Instant::now();
        let sweep = self.search_window(window, events);
        let spent = started.elapsed().as_secs_f64();
        if sweep {
            self.stats.sweep_time_s += spent;
        } else {
            self.stats.tracking_time_s += spent;
        }
    }

    /// One window's work; returns whether it was a sweep.
    fn search_window(&mut self, window: &[Complex32], events: &mut Vec<ScanEvent>) -> bool {
        let time_s = self.window_start as f64 / self.rate_sps;
        let start_1p92 = (self.window_start / self.factor as u64) as f64;
        decimate(window, self.factor, &mut self.decimated);
        let sweep = self
            .last_sweep_s
            .is_none_or(|t| time_s - t >= self.cfg.sweep_period_s - 1e-9);
        // Cells not seen for a while (driven past, switched off) stop being confirmed every
        // window: a long drive must not pay for every cell it ever saw. They stay in `cells`,
        // and a sweep finds them again if they come back.
        let forget_s = self.cfg.forget_after_s;
        let known: Vec<KnownCell> = self
            .cells
            .iter()
            .filter(|c| time_s - c.last_seen_s <= forget_s)
            .map(|c| KnownCell {
                pci: c.detection.pci,
                duplex: c.detection.duplex,
                cp: c.detection.cp,
                frame_phase_1p92: (c.frame_phase_1p92 - start_1p92).rem_euclid(FRAME_1P92),
                sss_metric: c.detection.sss_metric,
                mib: c.sfn_ref.and_then(|(abs_1p92, sfn)| {
                    let ports = c.detection.mib.as_ref()?.ports;
                    let phase = (c.frame_phase_1p92 - start_1p92).rem_euclid(FRAME_1P92);
                    let frames = ((start_1p92 + phase - abs_1p92) / FRAME_1P92).round();
                    Some((ports, (f64::from(sfn) + frames).rem_euclid(1024.0) as u16))
                }),
                // the latest offset: it follows the receiver's oscillator drift
                freq_offset_hz: c
                    .history
                    .last()
                    .map_or(c.detection.freq_offset_hz, |h| h.freq_offset_hz),
                pss_metric: c
                    .history
                    .last()
                    .map_or(c.detection.pss_metric, |h| h.pss_metric),
            })
            .collect();
        // Between sweeps, known cells are confirmed every window, new cells searched for every
        // `new_cell_period_s` (every window while no cell is known: there is nothing else to
        // look at, and a window that did not look must not count as "no PSS").
        let new_cell_search = sweep
            || known.is_empty()
            || self
                .last_new_cell_search_s
                .is_none_or(|t| time_s - t >= self.cfg.new_cell_period_s - 1e-9);
        if new_cell_search {
            self.last_new_cell_search_s = Some(time_s);
        }
        let hints = if sweep {
            SearchHints {
                known,
                ..Default::default()
            }
        } else if !new_cell_search {
            SearchHints {
                known,
                tracking: true,
                known_only: true,
                ..Default::default()
            }
        } else {
            let range = self
                .rx_offset_hz
                .map(|f| (f - self.cfg.tracking_span_hz, f + self.cfg.tracking_span_hz));
            // Without a learnt offset every hypothesis is searched (the costly case: a stream
            // that has not seen a cell yet), but still over the short accumulation only: a
            // shorter one lets noise peaks through the PSS threshold (measured: 2-4 per window
            // at 10 ms, none at 20 ms).
            SearchHints {
                freq_range_hz: range,
                known,
                max_span_ms: Some(self.cfg.search.pss_search_ms),
                tracking: true,
                known_only: false,
            }
        };
        self.stats.windows += 1;
        if sweep {
            self.stats.sweeps += 1;
            self.last_sweep_s = Some(time_s);
        }
        let detections = self
            .searcher
            .search_with(
                &self.decimated,
                SEARCH_RATE_SPS,
                self.carrier_freq_hz,
                &hints,
            )
            .unwrap_or_default();
        if let Ok((power_dbfs, floor_dbfs)) = carrier_power(&self.decimated) {
            self.carrier.push(CarrierSample {
                time_s,
                carrier_power_dbfs: power_dbfs,
                noise_floor_dbfs: floor_dbfs,
                excess_power_db: power_dbfs - floor_dbfs,
                pss_found: !detections.is_empty(),
                pcis: detections.iter().map(|d| d.pci).collect(),
                sweep,
            });
        }
        let mut offsets: Vec<f64> = Vec::new();
        for mut det in detections {
            let phase = (start_1p92 + det.frame_start_sample_1p92).rem_euclid(FRAME_1P92);
            // The search ran at 1.92 Msps on this window: back to the stream's rate and count.
            det.frame_start_sample =
                self.window_start + (det.frame_start_sample_1p92 * self.factor as f64) as u64;
            det.frame_start_sample_1p92 += start_1p92;
            let sfn_ref = det
                .mib
                .as_ref()
                .map(|m| (det.frame_start_sample_1p92, m.sfn));
            if det.mib.is_some() {
                offsets.push(det.freq_offset_hz);
            }
            let sample = CellSample {
                time_s,
                rsrp_dbfs: det.rsrp_dbfs,
                rsrq_db: det.rsrq_db,
                sinr_db: det.sinr_db,
                freq_offset_hz: det.freq_offset_hz,
                pss_metric: det.pss_metric,
                mib_decoded: det.mib.is_some(),
                sfn: det.mib.as_ref().map(|m| m.sfn),
            };
            let existing = self.cells.iter_mut().position(|c| {
                let d = (c.frame_phase_1p92 - phase).rem_euclid(FRAME_1P92);
                c.detection.pci == det.pci && d.min(FRAME_1P92 - d) <= SAME_CELL_RADIUS
            });
            match existing {
                Some(i) => {
                    let c = &mut self.cells[i];
                    c.frame_phase_1p92 = phase;
                    c.sfn_ref = sfn_ref.or(c.sfn_ref);
                    c.last_seen_s = time_s;
                    c.windows_seen += 1;
                    if det.mib.is_some() {
                        c.mib_decoded += 1;
                        if c.detection.mib.is_none() {
                            c.detection = det;
                        }
                    } else {
                        c.mib_failed += 1;
                    }
                    c.history.push(sample);
                }
                None => {
                    let decoded = det.mib.is_some();
                    self.cells.push(TrackedCell {
                        detection: det,
                        first_seen_s: time_s,
                        last_seen_s: time_s,
                        windows_seen: 1,
                        mib_decoded: u32::from(decoded),
                        mib_failed: u32::from(!decoded),
                        history: vec![sample],
                        frame_phase_1p92: phase,
                        sfn_ref,
                    });
                    events.push(ScanEvent::NewCell(self.cells.len() - 1));
                }
            }
        }
        if !offsets.is_empty() {
            offsets.sort_by(|a, b| a.total_cmp(b));
            self.rx_offset_hz = Some(offsets[offsets.len() / 2]);
        }
        sweep
    }
}
