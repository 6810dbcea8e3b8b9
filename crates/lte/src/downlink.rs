//! System-information receiver: from IQ and a found cell to BCCH-DL-SCH transport blocks (SIB1
//! and SI messages) and paging blocks. Per downlink subframe: control region demodulation and
//! channel estimate ([`crate::grid`]), CFI ([`crate::pcfich`]), common-search-space blind
//! decoding for SI-RNTI / P-RNTI ([`crate::pdcch`]), then, only when a DCI was found, the rest
//! of the subframe, PDSCH soft bits ([`crate::pdsch`]) and DL-SCH decoding ([`crate::dlsch`]).
//!
//! Every block is reported (SIB1 repeats every 20 ms); deduplication is the caller's choice
//! ([`SiReport::unique_payloads`]).

use crate::dci::{
    alloc_1a, alloc_1c, n_prb_1a, parse_1a, parse_1c, sib1_rv, DciError, DciFormat, PrbAllocation,
};
use crate::dlsch::{DlschDecoder, SoftCombiner};
use crate::grid::{DlCell, GridDemod, GridError};
use crate::pcfich::{control_symbols, decode_cfi};
use crate::pdcch::{
    phich_mapping_units, tdd_phich_m, ControlMap, PdcchDecoder, COMMON_CCES, P_RNTI, SI_RNTI,
};
use crate::pdsch::PdschRx;
use crate::tbs::{tbs_bits, tbs_format1c};
use crate::{Duplex, LteCellDetection, LteError};
use num_complex::Complex32;
use rustfft::FftPlanner;
use serde::{Deserialize, Serialize};

/// One decoded transport block on the BCCH-DL-SCH (or PCH).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiBlock {
    /// System frame number (counted from 0 at the first frame when the SFN is unknown).
    pub sfn: u16,
    pub subframe: u8,
    /// SI-RNTI 0xFFFF (system information) or P-RNTI 0xFFFE (paging).
    pub rnti: u16,
    pub dci_format: DciFormat,
    pub cfi: u8,
    /// Aggregation level and first CCE of the DCI.
    pub aggregation: u8,
    pub first_cce: u16,
    pub first_prb: u16,
    pub n_prb: u16,
    /// MCS field (format 1A) or TBS index (format 1C).
    pub mcs: u8,
    pub rv: u8,
    pub tbs_bits: u32,
    /// Receptions that went into the decode: 1, or more when SIB1 repetitions that failed
    /// alone were soft-combined (`rv` is then the last one's).
    pub receptions: u8,
    /// Transport block without its CRC24A.
    pub payload: Vec<u8>,
}

/// What a capture gave.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SiReport {
    pub cell_pci: u16,
    pub blocks: Vec<SiBlock>,
    /// DCIs for SI-RNTI / P-RNTI found in the common search space.
    pub dci_found: u32,
    /// Of those, receptions whose transport block failed the CRC on its own (every RV tried;
    /// a later soft combination may still have recovered it).
    pub crc_failed: u32,
    /// DCIs whose content could not be used (e.g. distributed allocation), with the reason.
    pub dci_unusable: Vec<String>,
    pub subframes_examined: u32,
}

impl SiReport {
    /// Distinct (RNTI, payload) pairs in first-seen order.
    pub fn unique_payloads(&self) -> Vec<(u16, &[u8])> {
        let mut out: Vec<(u16, &[u8])> = Vec::new();
        for b in &self.blocks {
            if !out
                .iter()
                .any(|(r, p)| *r == b.rnti && *p == b.payload.as_slice())
            {
                out.push((b.rnti, &b.payload));
            }
        }
        out
    }
}

/// Where the cell's radio frames are in the input and how far off its carrier is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellTiming {
    /// Input index (caller's rate) of the first sample of a radio frame (CP of subframe 0).
    pub frame_start_sample: u64,
    pub freq_offset_hz: f64,
    /// SFN of that frame, when known (MIB).
    pub sfn: Option<u16>,
}

impl CellTiming {
    pub fn from_detection(det: &LteCellDetection) -> Self {
        CellTiming {
            frame_start_sample: det.frame_start_sample,
            freq_offset_hz: det.freq_offset_hz,
            sfn: det.mib.as_ref().map(|m| m.sfn),
        }
    }
}

/// Errors of the system-information receiver; each prints as one line.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum DownlinkError {
    #[error(transparent)]
    Lte(#[from] LteError),
    #[error(transparent)]
    Grid(#[from] GridError),
    #[error("cell {0} has no decoded MIB: bandwidth and antenna ports unknown")]
    NoMib(u16),
}

/// Decodes the SI (and paging) blocks of a cell found by the search in `iq` at `rate_sps`.
pub fn decode_system_information(
    iq: &[Complex32],
    rate_sps: f64,
    cell: &LteCellDetection,
) -> Result<SiReport, DownlinkError> {
    let dl = DlCell::from_detection(cell).ok_or(DownlinkError::NoMib(cell.pci))?;
    decode_system_information_with(iq, rate_sps, &dl, &CellTiming::from_detection(cell))
}

/// Same for a cell given explicitly (e.g. a capture too short for the MIB).
pub fn decode_system_information_with(
    iq: &[Complex32],
    rate_sps: f64,
    cell: &DlCell,
    timing: &CellTiming,
) -> Result<SiReport, DownlinkError> {
    let mut rx = SiReceiver::new(rate_sps, cell)?;
    let mut report = SiReport {
        cell_pci: cell.pci,
        ..SiReport::default()
    };
    rx.process(iq, timing, &mut report)?;
    Ok(report)
}

/// The SI receiver of one cell fed as the samples arrive: each subframe is decoded as soon as
/// it is whole and only a few subframes of samples are kept, so a live receiver needs no
/// buffer of the whole SI period (0.65 s of a 20 MHz carrier is 160 MB of samples). Fed the
/// same samples, it finds exactly what [`decode_system_information`] finds.
pub struct SiStream {
    rx: SiReceiver,
    timing: CellTiming,
    report: SiReport,
    /// Kept samples; `buf[0]` is input sample `base`.
    buf: Vec<Complex32>,
    base: u64,
    /// Input samples taken so far.
    taken: u64,
    /// Input samples looked at in all (the rest of a push is ignored).
    limit: u64,
    /// Next subframe, counted from the frame at `timing.frame_start_sample` (may be negative).
    idx: i64,
    error: Option<DownlinkError>,
}

impl SiStream {
    /// A stream for the cell found by the search (`cell`, timing in input samples counted
    /// from this stream's first sample), looking at `limit` input samples.
    pub fn new(rate_sps: f64, cell: &LteCellDetection, limit: u64) -> Result<Self, DownlinkError> {
        let dl = DlCell::from_detection(cell).ok_or(DownlinkError::NoMib(cell.pci))?;
        let timing = CellTiming::from_detection(cell);
        let rx = SiReceiver::new(rate_sps, &dl)?;
        let sf_len = rx.demod.layout.subframe_samples() as i64;
        let fs = timing.frame_start_sample as i64;
        Ok(SiStream {
            rx,
            report: SiReport {
                cell_pci: dl.pci,
                ..SiReport::default()
            },
            buf: Vec::new(),
            base: 0,
            taken: 0,
            limit,
            idx: -(fs / sf_len),
            timing,
            error: None,
        })
    }

    /// Whether the stream has looked at all the samples it wanted (or met an error).
    pub fn is_done(&self) -> bool {
        self.taken >= self.limit || self.error.is_some()
    }

    /// Takes the next samples of the input and decodes every subframe now whole.
    pub fn push(&mut self, samples: &[Complex32]) {
        if self.is_done() {
            return;
        }
        let room = (self.limit - self.taken).min(samples.len() as u64) as usize;
        let samples = &samples[..room];
        if let Some(i) = samples
            .iter()
            .position(|c| !c.re.is_finite() || !c.im.is_finite())
        {
            let at = (self.taken as usize).saturating_add(i);
            self.error = Some(LteError::NonFinite(at).into());
            self.buf = Vec::new();
            return;
        }
        self.buf.extend_from_slice(samples);
        self.taken += room as u64;
        self.run();
    }

    fn run(&mut self) {
        let sf_len = self.rx.demod.layout.subframe_samples() as i64;
        let fs = self.timing.frame_start_sample as i64;
        loop {
            let start = fs + self.idx * sf_len + self.rx.timing_adj;
            if start < 0 {
                self.idx += 1;
                continue;
            }
            // Whole only when the subframe's last sample is in: the same test as `begin`
            // applies to a finished input.
            if start + sf_len > self.taken as i64 {
                break;
            }
            let sf = self.idx.rem_euclid(10) as usize;
            let frame = self.idx.div_euclid(10);
            let sfn = match self.timing.sfn {
                Some(s) => (s as i64 + frame).rem_euclid(1024) as u16,
                None => frame.rem_euclid(1024) as u16,
            };
            self.rx.demod.set_input_base(self.base as usize);
            if self.rx.demod.begin(
                self.taken as usize,
                start as usize,
                sf,
                self.timing.freq_offset_hz,
            ) {
                self.report.subframes_examined += 1;
                let buf = std::mem::take(&mut self.buf);
                self.rx
                    .subframe(&buf, sf, sfn, self.timing.sfn.is_some(), &mut self.report);
                self.buf = buf;
            }
            self.idx += 1;
        }
        // Keep one subframe before the next one's nominal start: the timing correction moves
        // the window by a few samples at a time.
        let next = fs + self.idx * sf_len + self.rx.timing_adj;
        let keep_from = (next - sf_len).max(0) as u64;
        if keep_from > self.base {
            let n = ((keep_from - self.base) as usize).min(self.buf.len());
            self.buf.drain(..n);
            self.base += n as u64;
        }
    }

    /// What the cell's SI blocks yielded.
    pub fn finish(self) -> Result<SiReport, DownlinkError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.report),
        }
    }
}

/// How strongly the PCFICH must agree with a codeword before the subframe is searched: below
/// this the subframe is most likely uplink (TDD) or lost.
const MIN_CFI_CONFIDENCE: f32 = 0.2;
/// Timing error (samples at the input rate) after which the FFT window is moved.
const TIMING_STEP: f32 = 1.0;

/// Reusable receiver for one cell at one sample rate (FFT plan, tables, decoders, buffers).
pub struct SiReceiver {
    demod: GridDemod,
    pdcch: PdcchDecoder,
    pdsch: PdschRx,
    dlsch: DlschDecoder,
    maps: Vec<((usize, usize), ControlMap)>,
    llr: Vec<f32>,
    /// Correction (samples) applied to the nominal subframe starts, from pilot phase slopes.
    timing_adj: i64,
    delay_avg: f32,
    /// TDD with unknown configuration: PHICH mapping units that worked per subframe number.
    tdd_units: [Option<usize>; 10],
    /// Soft buffer of SIB1 receptions that failed alone: (SFN / 8, TBS, buffer).
    sib1_comb: Option<(u16, u32, SoftCombiner)>,
}

impl SiReceiver {
    pub fn new(rate_sps: f64, cell: &DlCell) -> Result<Self, DownlinkError> {
        let mut planner = FftPlanner::new();
        let demod = GridDemod::new(&mut planner, rate_sps, cell).map_err(|e| match e {
            GridError::Rate(r) => DownlinkError::Lte(LteError::UnsupportedSampleRate(r)),
            other => DownlinkError::Grid(other),
        })?;
        Ok(SiReceiver {
            demod,
            pdcch: PdcchDecoder::new(),
            pdsch: PdschRx::new(),
            dlsch: DlschDecoder::new(),
            maps: Vec::new(),
            llr: Vec::new(),
            timing_adj: 0,
            delay_avg: 0.0,
            tdd_units: [None; 10],
            sib1_comb: None,
        })
    }

    fn control_map(&mut self, n_ctrl: usize, units: usize) -> usize {
        if let Some(i) = self
            .maps
            .iter()
            .position(|(key, _)| *key == (n_ctrl, units))
        {
            return i;
        }
        self.maps.push((
            (n_ctrl, units),
            ControlMap::new(&self.demod.cell, n_ctrl, units),
        ));
        self.maps.len() - 1
    }

    /// Examines every subframe of `iq` (the partial frame before `frame_start_sample` too) and
    /// appends what it finds to `report`. Timing tracking starts afresh from `timing` on every
    /// call (a streaming caller passes each block with its own frame start); tables, plans,
    /// the learned TDD control layout and buffers are kept.
    pub fn process(
        &mut self,
        iq: &[Complex32],
        timing: &CellTiming,
        report: &mut SiReport,
    ) -> Result<(), DownlinkError> {
        if let Some(i) = iq
            .iter()
            .position(|c| !c.re.is_finite() || !c.im.is_finite())
        {
            return Err(LteError::NonFinite(i).into());
        }
        self.timing_adj = 0;
        self.delay_avg = 0.0;
        self.sib1_comb = None;
        let sf_len = self.demod.layout.subframe_samples() as i64;
        let fs = timing.frame_start_sample as i64;
        // First subframe that may start in the input (negative index: before the frame start).
        let first = -(fs / sf_len);
        let n_total = iq.len() as i64;
        let mut idx = first;
        while fs + idx * sf_len + sf_len <= n_total + sf_len {
            let start = fs + idx * sf_len + self.timing_adj;
            if start < 0 {
                idx += 1;
                continue;
            }
            let sf = idx.rem_euclid(10) as usize;
            let frame = idx.div_euclid(10);
            let sfn = match timing.sfn {
                Some(s) => (s as i64 + frame).rem_euclid(1024) as u16,
                None => frame.rem_euclid(1024) as u16,
            };
            if !self
                .demod
                .begin(iq.len(), start as usize, sf, timing.freq_offset_hz)
            {
                idx += 1;
                continue;
            }
            report.subframes_examined += 1;
            self.subframe(iq, sf, sfn, timing.sfn.is_some(), report);
            idx += 1;
        }
        Ok(())
    }

    fn subframe(
        &mut self,
        iq: &[Complex32],
        sf: usize,
        sfn: u16,
        sfn_known: bool,
        report: &mut SiReport,
    ) {
        let cell = self.demod.cell;
        let nsym = cell.symbols_per_slot();
        // Control region (up to 4 symbols) and the next port-0 pilot for time interpolation.
        let ctrl_end = (nsym - 3 + 1).max(if cell.n_prb <= 10 { 4 } else { 3 });
        if !self.demod.demod(iq, 0..ctrl_end) {
            return;
        }
        self.demod.estimate();
        let Some(cfi) = decode_cfi(&self.demod.grid, &cell, sf) else {
            return;
        };
        if cfi.confidence < MIN_CFI_CONFIDENCE {
            return;
        }
        // Only a clearly received downlink subframe may move the timing (TDD uplink subframes
        // and empty input give random pilot phases).
        let g = &self.demod.grid;
        if cfi.confidence >= 0.5 && g.signal_power > g.noise_var {
            self.track_timing();
        }
        let n_ctrl = control_symbols(cfi.cfi, cell.n_prb);
        // TDD: PHICH groups depend on the UL/DL configuration, unknown before SIB1; try the
        // possible multipliers (the CRC picks the right control layout).
        let mut units = [0usize; 3];
        let n_units = match (cell.duplex, cell.tdd_config) {
            (Duplex::Fdd, _) => {
                units[0] = phich_mapping_units(&cell, 1);
                1
            }
            (Duplex::Tdd, Some(c)) => {
                units[0] = phich_mapping_units(&cell, tdd_phich_m(c, sf));
                1
            }
            // m_i is fixed per subframe number: once a DCI decoded with one layout, keep it.
            (Duplex::Tdd, None) => match self.tdd_units[sf] {
                Some(u) => {
                    units[0] = u;
                    1
                }
                None => {
                    let mut n = 0;
                    for m in 0..3 {
                        let u = phich_mapping_units(&cell, m);
                        if !units[..n].contains(&u) {
                            units[n] = u;
                            n += 1;
                        }
                    }
                    n
                }
            },
        };
        let mut dcis = Vec::new();
        for &u in &units[..n_units] {
            let mi = self.control_map(n_ctrl, u);
            let map = &self.maps[mi].1;
            self.pdcch
                .receive(&self.demod.grid, &cell, map, sf, COMMON_CCES);
            dcis = self.pdcch.search_common(&cell, map, &[SI_RNTI, P_RNTI]);
            if !dcis.is_empty() {
                if cell.duplex == Duplex::Tdd {
                    self.tdd_units[sf] = Some(u);
                }
                break;
            }
        }
        for dci in dcis {
            report.dci_found += 1;
            let parsed = match dci.format {
                DciFormat::Format1A => parse_1a(&dci.bits, cell.n_prb, cell.duplex).and_then(|d| {
                    let alloc = alloc_1a(&d, cell.n_prb)?;
                    let tbs = tbs_bits(d.mcs, n_prb_1a(d.tpc)).ok_or(DciError::Riv {
                        riv: d.riv,
                        n_rb: cell.n_prb,
                    })?;
                    Ok((alloc, d.mcs, tbs, vec![d.rv]))
                }),
                DciFormat::Format1C => parse_1c(&dci.bits, cell.n_prb).and_then(|d| {
                    let alloc = alloc_1c(&d, cell.n_prb)?;
                    let tbs = tbs_format1c(d.tbs_index).unwrap_or(0);
                    // SIB1 (subframe 5 of even frames) follows TS 36.321 5.3.1; for other SI
                    // messages the position in the SI window is unknown: try every RV.
                    let rvs = if sf == 5 && sfn.is_multiple_of(2) && sfn_known {
                        vec![sib1_rv(sfn)]
                    } else {
                        vec![0, 2, 3, 1]
                    };
                    Ok((alloc, d.tbs_index, tbs, rvs))
                }),
            };
            let (alloc, mcs, tbs, rvs): (PrbAllocation, u8, u32, Vec<u8>) = match parsed {
                Ok(v) => v,
                Err(e) => {
                    report
                        .dci_unusable
                        .push(format!("SFN {sfn} subframe {sf}: {e}"));
                    continue;
                }
            };
            let n_sym = cell.symbols_per_subframe();
            if !self.demod.demod(iq, n_ctrl..n_sym) {
                report.crc_failed += 1;
                continue;
            }
            self.demod.estimate();
            self.pdsch.soft_bits(
                &self.demod.grid,
                &cell,
                sf,
                n_ctrl,
                &alloc,
                dci.rnti,
                2,
                &mut self.llr,
            );
            let n_l = if cell.ports > 1 { 2 } else { 1 };
            let mut ok = None;
            for &rv in &rvs {
                if let Ok(p) = self.dlsch.decode(&self.llr, tbs as usize, 2, n_l, rv, None) {
                    ok = Some((rv, p, 1u8));
                    break;
                }
            }
            if ok.is_none() {
                report.crc_failed += 1;
                // SIB1 repeats the same transport block in the four even frames of an 80 ms
                // period with RVs 0, 2, 3, 1: failed receptions are soft-combined.
                let is_sib1 = dci.rnti == SI_RNTI && sf == 5 && sfn_known && sfn.is_multiple_of(2);
                if is_sib1 && rvs.len() == 1 {
                    ok = self.combine_sib1(sfn, tbs, n_l, rvs[0]);
                }
            }
            if let Some((rv, payload, receptions)) = ok {
                report.blocks.push(SiBlock {
                    sfn,
                    subframe: sf as u8,
                    rnti: dci.rnti,
                    dci_format: dci.format,
                    cfi: cfi.cfi,
                    aggregation: dci.aggregation,
                    first_cce: dci.first_cce,
                    first_prb: alloc.first_prb(),
                    n_prb: alloc.n_prb(),
                    mcs,
                    rv,
                    tbs_bits: tbs,
                    receptions,
                    payload,
                });
            }
        }
    }

    /// Adds the current soft bits (a SIB1 reception that failed alone) to the SIB1 combiner of
    /// its 80 ms period and decodes the sum once it holds two receptions or more.
    fn combine_sib1(&mut self, sfn: u16, tbs: u32, n_l: u8, rv: u8) -> Option<(u8, Vec<u8>, u8)> {
        let period = sfn / 8;
        let fresh = !matches!(&self.sib1_comb, Some((p, t, _)) if *p == period && *t == tbs);
        if fresh {
            self.sib1_comb = Some((period, tbs, SoftCombiner::new(tbs as usize, None).ok()?));
        }
        let (_, _, comb) = self.sib1_comb.as_mut()?;
        comb.add(&self.llr, 2, n_l, rv).ok()?;
        if comb.receptions() < 2 {
            return None;
        }
        let payload = comb.decode(&mut self.dlsch).ok()?;
        let n = comb.receptions().min(u8::MAX as usize) as u8;
        self.sib1_comb = None;
        Some((rv, payload, n))
    }

    /// Follows the sampling-clock drift: the pilots' phase slope gives the FFT window's timing
    /// error; once it passes a sample the following subframes start that much earlier/later.
    fn track_timing(&mut self) {
        let d = self.demod.grid.delay_samples;
        if !d.is_finite() {
            return;
        }
        self.delay_avg = 0.7 * self.delay_avg + 0.3 * d;
        if self.delay_avg.abs() >= TIMING_STEP {
            let step = self.delay_avg.round();
            self.timing_adj -= step as i64;
            self.delay_avg -= step;
        }
    }
}
