//! Full-bandwidth downlink resource grid: OFDM demodulation of one subframe at any rate that is
//! 1.92 Msps times an integer (N_FFT = rate / 15 kHz), carrier-offset removal, cell-specific
//! reference signals of antenna ports 0..3 (TS 36.211 6.10.1) and the channel estimate over the
//! whole bandwidth (linear interpolation in frequency between pilots, in time between pilot
//! symbols), a noise estimate, sampling-clock tracking from the pilot phase slope, and the
//! transmit-diversity (SFBC, TS 36.211 6.3.4.3) combiner shared by PCFICH, PDCCH and PDSCH.
//!
//! Symbols are demodulated lazily: a subframe without a DCI for us needs only its control
//! region (plus the first pilot symbol after it for time interpolation).

use crate::mib::{PhichDuration, PhichResource};
use crate::seq::{sc_to_bin, Gold, N_RB_MAX};
use crate::{CyclicPrefix, Duplex, LteCellDetection, SEARCH_RATE_SPS};
use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Subcarriers per resource block, N_sc^RB (TS 36.211 table 6.2.3-1).
pub const SC_PER_RB: usize = 12;
/// Largest number of OFDM symbols per subframe (normal CP).
pub const MAX_SYMBOLS: usize = 14;

/// What the downlink receiver needs to know about a cell (from cell search + MIB, or given).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DlCell {
    /// Physical cell identity N_ID^cell (0..503).
    pub pci: u16,
    /// Downlink bandwidth N_RB^DL (6..110).
    pub n_prb: u16,
    /// CRS antenna ports 1, 2 or 4.
    pub ports: u8,
    pub cp: CyclicPrefix,
    pub duplex: Duplex,
    pub phich_ng: PhichResource,
    pub phich_duration: PhichDuration,
    /// TDD uplink-downlink configuration 0..6 when known (SIB1); it sets the PHICH group
    /// multiplier m_i of TS 36.211 table 6.9-1. `None`: every multiplier is tried.
    pub tdd_config: Option<u8>,
}

/// Errors of the full-bandwidth receiver; each prints as one line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("unsupported sample rate {0} Hz: need 1.92 Msps times an integer")]
    Rate(f64),
    #[error("invalid cell: {0}")]
    Cell(String),
    #[error(
        "{n_prb} PRB need an FFT of more than {nfft} points: sample rate too low for the cell"
    )]
    TooNarrow { n_prb: u16, nfft: usize },
}

impl DlCell {
    /// The cell as found by the search; `None` when its MIB did not decode (no bandwidth).
    pub fn from_detection(det: &LteCellDetection) -> Option<DlCell> {
        let mib = det.mib.as_ref()?;
        Some(DlCell {
            pci: det.pci,
            n_prb: mib.n_prb,
            ports: mib.ports,
            cp: det.cp,
            duplex: det.duplex,
            phich_ng: mib.phich_ng,
            phich_duration: mib.phich_duration,
            tdd_config: None,
        })
    }

    /// Checks the ranges every index computation relies on.
    pub fn validate(&self) -> Result<(), GridError> {
        if self.pci > 503 {
            return Err(GridError::Cell(format!("PCI {} > 503", self.pci)));
        }
        if !(6..=110).contains(&self.n_prb) {
            return Err(GridError::Cell(format!("{} PRB not in 6..110", self.n_prb)));
        }
        if !matches!(self.ports, 1 | 2 | 4) {
            return Err(GridError::Cell(format!("{} CRS ports", self.ports)));
        }
        if self.tdd_config.is_some_and(|c| c > 6) {
            return Err(GridError::Cell("TDD configuration > 6".into()));
        }
        Ok(())
    }

    /// Subcarriers of the downlink band, N_RB^DL * 12.
    pub fn n_sc(&self) -> usize {
        self.n_prb as usize * SC_PER_RB
    }

    /// OFDM symbols per slot, N_symb^DL.
    pub fn symbols_per_slot(&self) -> usize {
        match self.cp {
            CyclicPrefix::Normal => 7,
            CyclicPrefix::Extended => 6,
        }
    }

    /// OFDM symbols per subframe.
    pub fn symbols_per_subframe(&self) -> usize {
        2 * self.symbols_per_slot()
    }

    /// v_shift = N_ID^cell mod 6 (TS 36.211 6.10.1.2).
    pub fn v_shift(&self) -> usize {
        (self.pci % 6) as usize
    }

    /// Symbols (in the subframe, 0..2N) that carry CRS of port `p`, TS 36.211 6.10.1.2.
    pub fn crs_symbols(&self, p: usize) -> [usize; 4] {
        let n = self.symbols_per_slot();
        if p < 2 {
            [0, n - 3, n, 2 * n - 3]
        } else {
            [1, n + 1, usize::MAX, usize::MAX]
        }
    }

    /// Frequency offset (0..6) of the CRS of port `p` in subframe symbol `l`, or `None` when
    /// that symbol has no CRS of the port: k = 6m + (v + v_shift) mod 6, TS 36.211 6.10.1.2.
    pub fn crs_offset(&self, p: usize, l: usize) -> Option<usize> {
        let n = self.symbols_per_slot();
        let slot = l / n;
        let ls = l % n;
        let v = match p {
            0 if ls == 0 => 0,
            0 if ls == n - 3 => 3,
            1 if ls == 0 => 3,
            1 if ls == n - 3 => 0,
            2 if ls == 1 => 3 * slot,
            3 if ls == 1 => 3 + 3 * slot,
            _ => return None,
        };
        Some((v + self.v_shift()) % 6)
    }

    /// True when RE (l, k) of a subframe carries a CRS of any of the cell's ports (these REs
    /// are never used by PDSCH, TS 36.211 6.3.5).
    pub fn is_crs(&self, l: usize, k: usize) -> bool {
        (0..self.ports as usize).any(|p| self.crs_offset(p, l) == Some(k % 6))
    }
}

/// OFDM symbol timing at a given sample rate (TS 36.211 table 6.12-1, lengths in Ts = 1/30.72
/// MHz scaled by N_FFT / 2048).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfdmLayout {
    pub rate_sps: f64,
    pub nfft: usize,
    /// Cyclic prefix of the first symbol of a slot and of the others.
    pub cp_first: usize,
    pub cp_other: usize,
    pub symbols_per_slot: usize,
}

impl OfdmLayout {
    pub fn new(rate_sps: f64, cp: CyclicPrefix) -> Result<Self, GridError> {
        if !rate_sps.is_finite() || rate_sps < SEARCH_RATE_SPS * 0.999 {
            return Err(GridError::Rate(rate_sps));
        }
        let f = (rate_sps / SEARCH_RATE_SPS).round();
        if (f * SEARCH_RATE_SPS - rate_sps).abs() > 1.0 || f > 32.0 {
            return Err(GridError::Rate(rate_sps));
        }
        let nfft = 128 * f as usize;
        let (cp_first, cp_other, nsym) = match cp {
            CyclicPrefix::Normal => (160 * nfft / 2048, 144 * nfft / 2048, 7),
            CyclicPrefix::Extended => (512 * nfft / 2048, 512 * nfft / 2048, 6),
        };
        Ok(OfdmLayout {
            rate_sps: f * SEARCH_RATE_SPS,
            nfft,
            cp_first,
            cp_other,
            symbols_per_slot: nsym,
        })
    }

    pub fn slot_samples(&self) -> usize {
        self.nfft * 15 / 2
    }

    pub fn subframe_samples(&self) -> usize {
        self.nfft * 15
    }

    /// Offset of the useful part (after the CP) of subframe symbol `l` from the subframe start.
    pub fn useful_offset(&self, l: usize) -> usize {
        let slot = l / self.symbols_per_slot;
        let ls = l % self.symbols_per_slot;
        let in_slot = if ls == 0 {
            self.cp_first
        } else {
            self.cp_first + self.nfft + (ls - 1) * (self.nfft + self.cp_other) + self.cp_other
        };
        slot * self.slot_samples() + in_slot
    }
}

/// CRS values r_{l,ns}(m') for m' = m + N_RB^max - N_RB, m = 0..2 N_RB, for every slot and the
/// three symbol positions that carry CRS (l = 0, 1, N_symb - 3), TS 36.211 6.10.1.1.
#[derive(Debug, Clone)]
pub struct CrsTable {
    pci: u16,
    n_prb: u16,
    cp: CyclicPrefix,
    /// [(ns * 3 + which) * 2 N_RB + m]
    values: Vec<Complex32>,
}

impl CrsTable {
    pub fn new(pci: u16, n_prb: u16, cp: CyclicPrefix) -> Self {
        let nsym = match cp {
            CyclicPrefix::Normal => 7u32,
            CyclicPrefix::Extended => 6,
        };
        let n_cp = u32::from(cp == CyclicPrefix::Normal);
        let n = pci as u32;
        let m_len = 2 * n_prb as usize;
        let skip = 2 * (N_RB_MAX - n_prb as usize);
        let a = std::f32::consts::FRAC_1_SQRT_2;
        let mut values = Vec::with_capacity(20 * 3 * m_len);
        for ns in 0..20u32 {
            for l in [0u32, 1, nsym - 3] {
                let c_init = (1u32 << 10) * (7 * (ns + 1) + l + 1) * (2 * n + 1) + 2 * n + n_cp;
                let mut g = Gold::new(c_init);
                for _ in 0..skip {
                    g.next_bit();
                }
                for _ in 0..m_len {
                    let b0 = g.next_bit();
                    let b1 = g.next_bit();
                    values.push(Complex32::new(
                        a * (1.0 - 2.0 * b0 as f32),
                        a * (1.0 - 2.0 * b1 as f32),
                    ));
                }
            }
        }
        CrsTable {
            pci,
            n_prb,
            cp,
            values,
        }
    }

    /// The 2 N_RB values of slot `ns` (0..20) and slot symbol `l` (0, 1 or N_symb - 3).
    pub fn symbol(&self, ns: usize, l: usize) -> &[Complex32] {
        let nsym = match self.cp {
            CyclicPrefix::Normal => 7,
            CyclicPrefix::Extended => 6,
        };
        let which = match l {
            0 => 0,
            1 => 1,
            x if x == nsym - 3 => 2,
            _ => return &[],
        };
        let m_len = 2 * self.n_prb as usize;
        let start = ((ns % 20) * 3 + which) * m_len;
        self.values.get(start..start + m_len).unwrap_or(&[])
    }

    fn matches(&self, cell: &DlCell) -> bool {
        self.pci == cell.pci && self.n_prb == cell.n_prb && self.cp == cell.cp
    }
}

/// One subframe of the grid: received REs, per-port channel at the pilot symbols and noise.
#[derive(Debug, Clone)]
pub struct SubframeGrid {
    pub n_sc: usize,
    pub n_sym: usize,
    /// Received value of RE (l, k) at `re[l * n_sc + k]`.
    pub re: Vec<Complex32>,
    /// Bit l set: symbol l is demodulated.
    pub have: u32,
    /// Channel per port and pilot symbol, interpolated to every subcarrier:
    /// `pilot_h[(p * 4 + j) * n_sc + k]` for the j-th CRS symbol of port p.
    pilot_h: Vec<Complex32>,
    /// Channel of every port at every demodulated symbol, `h_full[(l * 4 + p) * n_sc + k]`,
    /// filled by [`GridDemod::estimate`] from `pilot_h` (time interpolation done once).
    h_full: Vec<Complex32>,
    /// Subframe symbol of each pilot estimate (usize::MAX: not estimated).
    pilot_l: [[usize; 4]; 4],
    pub ports: usize,
    /// Noise variance per RE (same scale as `re`).
    pub noise_var: f32,
    /// Mean |h|^2 of port 0 (for SNR reporting).
    pub signal_power: f32,
    /// Timing error seen in the pilots' phase slope, in samples (positive: late window).
    pub delay_samples: f32,
}

impl SubframeGrid {
    fn new() -> Self {
        SubframeGrid {
            n_sc: 0,
            n_sym: 0,
            re: Vec::new(),
            have: 0,
            pilot_h: Vec::new(),
            h_full: Vec::new(),
            pilot_l: [[usize::MAX; 4]; 4],
            ports: 1,
            noise_var: 1.0,
            signal_power: 0.0,
            delay_samples: 0.0,
        }
    }

    /// Received value of RE (l, k) (zero when out of range).
    #[inline]
    pub fn y(&self, l: usize, k: usize) -> Complex32 {
        self.re
            .get(l * self.n_sc + k)
            .copied()
            .unwrap_or(Complex32::new(0.0, 0.0))
    }

    /// Interpolation weights between the two pilot symbols of port `p` nearest to `l`.
    #[inline]
    fn time_weights(&self, p: usize, l: usize) -> (usize, f32, usize, f32) {
        let pl = &self.pilot_l[p];
        let avail: [bool; 4] = [
            pl[0] != usize::MAX,
            pl[1] != usize::MAX,
            pl[2] != usize::MAX,
            pl[3] != usize::MAX,
        ];
        // The last estimated pilot at or before l and the first after it.
        let mut before = None;
        let mut after = None;
        for j in 0..4 {
            if !avail[j] {
                continue;
            }
            if pl[j] <= l {
                before = Some(j);
            } else if after.is_none() {
                after = Some(j);
            }
        }
        match (before, after) {
            (Some(a), Some(b)) => {
                let t = (l - pl[a]) as f32 / (pl[b] - pl[a]) as f32;
                (a, 1.0 - t, b, t)
            }
            (Some(a), None) => (a, 1.0, a, 0.0),
            (None, Some(b)) => (b, 1.0, b, 0.0),
            (None, None) => (0, 0.0, 0, 0.0),
        }
    }

    /// Channel of port `p` at RE (l, k) (zero before [`GridDemod::estimate`]).
    #[inline]
    pub fn h(&self, p: usize, l: usize, k: usize) -> Complex32 {
        self.h_full
            .get((l * 4 + p) * self.n_sc + k)
            .copied()
            .unwrap_or_default()
    }

    /// Channels of all ports at RE (l, k) (unused ports zero).
    #[inline]
    pub fn h_all(&self, l: usize, k: usize) -> [Complex32; 4] {
        let base = l * 4 * self.n_sc + k;
        let n = self.n_sc;
        match self.h_full.get(base..base + 3 * n + 1) {
            Some(h) => [h[0], h[n], h[2 * n], h[3 * n]],
            None => [Complex32::default(); 4],
        }
    }

    /// Interpolates the pilot estimates in time onto every demodulated symbol.
    fn fill_channel(&mut self) {
        let n_sc = self.n_sc;
        self.h_full
            .resize(self.n_sym * 4 * n_sc, Complex32::default());
        for l in 0..self.n_sym {
            if self.have & (1 << l) == 0 {
                continue;
            }
            for p in 0..4 {
                let dst_at = (l * 4 + p) * n_sc;
                if p >= self.ports {
                    self.h_full[dst_at..dst_at + n_sc].fill(Complex32::default());
                    continue;
                }
                let (a, wa, b, wb) = self.time_weights(p, l);
                let base = p * 4 * n_sc;
                let (pa, pb) = (base + a * n_sc, base + b * n_sc);
                for k in 0..n_sc {
                    self.h_full[dst_at + k] = self.pilot_h[pa + k] * wa + self.pilot_h[pb + k] * wb;
                }
            }
        }
    }
}

/// Full-bandwidth subframe receiver: FFT plan, CRS table and buffers built once per cell/rate.
pub struct GridDemod {
    pub layout: OfdmLayout,
    pub cell: DlCell,
    fft: Arc<dyn Fft<f32>>,
    scratch: Vec<Complex32>,
    buf: Vec<Complex32>,
    /// exp(+j 2 pi k backoff / N) / N per FFT bin: undoes the early FFT window.
    ramp: Vec<Complex32>,
    backoff: usize,
    /// FFT bin of each subcarrier k = 0..n_sc.
    bins: Vec<usize>,
    crs: CrsTable,
    pub grid: SubframeGrid,
    /// Where the current subframe starts in the input and which subframe (0..9) it is.
    sf_start: usize,
    subframe: usize,
    cfo_hz: f64,
    /// Input index of the first sample of the slice `demod` is given (0 unless the caller
    /// streams and keeps only a window of the input).
    x_base: usize,
    /// Scratch for the LS pilot estimates of one symbol.
    ls: Vec<Complex32>,
}

impl GridDemod {
    pub fn new(
        planner: &mut FftPlanner<f32>,
        rate_sps: f64,
        cell: &DlCell,
    ) -> Result<Self, GridError> {
        cell.validate()?;
        let layout = OfdmLayout::new(rate_sps, cell.cp)?;
        let nfft = layout.nfft;
        if cell.n_sc() + 1 > nfft {
            return Err(GridError::TooNarrow {
                n_prb: cell.n_prb,
                nfft,
            });
        }
        let fft = planner.plan_fft_forward(nfft);
        let scratch = vec![Complex32::new(0.0, 0.0); fft.get_inplace_scratch_len()];
        // Half the CP of margin on both sides for timing error and the channel's delay spread.
        let backoff = layout.cp_other / 2;
        let ramp = crate::ofdm::backoff_ramp(nfft, backoff, 1.0 / (nfft as f64).sqrt());
        let n_sc = cell.n_sc();
        let bins = (0..n_sc)
            .map(|k| sc_to_bin(k as i32 - (n_sc / 2) as i32, nfft))
            .collect();
        let mut grid = SubframeGrid::new();
        grid.n_sc = n_sc;
        grid.n_sym = cell.symbols_per_subframe();
        grid.ports = cell.ports as usize;
        grid.re = vec![Complex32::new(0.0, 0.0); grid.n_sym * n_sc];
        grid.pilot_h = vec![Complex32::new(0.0, 0.0); 16 * n_sc];
        Ok(GridDemod {
            layout,
            fft,
            scratch,
            buf: vec![Complex32::new(0.0, 0.0); nfft],
            ramp,
            backoff,
            bins,
            crs: CrsTable::new(cell.pci, cell.n_prb, cell.cp),
            cell: *cell,
            grid,
            sf_start: 0,
            subframe: 0,
            cfo_hz: 0.0,
            x_base: 0,
            ls: vec![Complex32::new(0.0, 0.0); 2 * cell.n_prb as usize],
        })
    }

    /// Switches to another cell description at the same rate (tables rebuilt when needed).
    pub fn set_cell(&mut self, cell: &DlCell) -> Result<(), GridError> {
        cell.validate()?;
        if cell.cp != self.cell.cp || cell.n_sc() + 1 > self.layout.nfft {
            return Err(GridError::Cell(
                "cyclic prefix or bandwidth change needs a new GridDemod".into(),
            ));
        }
        if !self.crs.matches(cell) {
            self.crs = CrsTable::new(cell.pci, cell.n_prb, cell.cp);
        }
        let n_sc = cell.n_sc();
        self.bins = (0..n_sc)
            .map(|k| sc_to_bin(k as i32 - (n_sc / 2) as i32, self.layout.nfft))
            .collect();
        self.grid.n_sc = n_sc;
        self.grid.ports = cell.ports as usize;
        self.grid
            .re
            .resize(self.grid.n_sym * n_sc, Complex32::default());
        self.grid.pilot_h.resize(16 * n_sc, Complex32::default());
        self.ls
            .resize(2 * cell.n_prb as usize, Complex32::default());
        self.cell = *cell;
        Ok(())
    }

    /// Starts a new subframe: `sf_start` is the input index of its first sample (CP of symbol
    /// 0), `subframe` its number 0..9 in the radio frame. Returns false when the subframe does
    /// not fit in `x`.
    pub fn begin(&mut self, x_len: usize, sf_start: usize, subframe: usize, cfo_hz: f64) -> bool {
        self.sf_start = sf_start;
        self.subframe = subframe % 10;
        self.cfo_hz = cfo_hz;
        self.grid.have = 0;
        self.grid.pilot_l = [[usize::MAX; 4]; 4];
        sf_start + self.layout.subframe_samples() <= x_len
    }

    /// The slices later given to `demod` start at input index `x_base` (a streaming caller's
    /// window); indices and the CFO phase stay counted from input sample 0.
    pub fn set_input_base(&mut self, x_base: usize) {
        self.x_base = x_base;
    }

    pub fn subframe(&self) -> usize {
        self.subframe
    }

    /// Demodulates the subframe symbols `l` in `ls` that are not done yet.
    pub fn demod(&mut self, x: &[Complex32], ls: std::ops::Range<usize>) -> bool {
        let nfft = self.layout.nfft;
        let n_sc = self.grid.n_sc;
        for l in ls {
            if l >= self.grid.n_sym {
                return false;
            }
            if self.grid.have & (1 << l) != 0 {
                continue;
            }
            let useful = self.sf_start + self.layout.useful_offset(l);
            // At the very start of the input the window may not reach back the full backoff.
            let backoff = self.backoff.min(useful);
            let start = useful - backoff;
            let Some(seg) = start
                .checked_sub(self.x_base)
                .and_then(|s| x.get(s..s + nfft))
            else {
                return false;
            };
            // Phase referenced to input sample 0 keeps successive symbols coherent.
            let w = -2.0 * std::f64::consts::PI * self.cfo_hz / self.layout.rate_sps;
            let p0 = (w * start as f64).rem_euclid(2.0 * std::f64::consts::PI);
            let mut ph = Complex32::new(p0.cos() as f32, p0.sin() as f32);
            let step = Complex32::new(w.cos() as f32, w.sin() as f32);
            for (i, (o, s)) in self.buf.iter_mut().zip(seg.iter()).enumerate() {
                *o = s * ph;
                ph *= step;
                // Renormalise now and then: f32 rotation drifts in magnitude over 2048 steps.
                if i & 255 == 255 {
                    ph /= ph.norm();
                }
            }
            self.fft
                .process_with_scratch(&mut self.buf, &mut self.scratch);
            let row = &mut self.grid.re[l * n_sc..(l + 1) * n_sc];
            for (o, &b) in row.iter_mut().zip(self.bins.iter()) {
                *o = self.buf[b] * self.ramp[b];
            }
            if backoff != self.backoff {
                // The ramp assumed the full backoff: take the missing part back out.
                let short = (self.backoff - backoff) as f64;
                for (o, &b) in row.iter_mut().zip(self.bins.iter()) {
                    let k = if b < nfft / 2 {
                        b as f64
                    } else {
                        b as f64 - nfft as f64
                    };
                    let p = -2.0 * std::f64::consts::PI * k * short / nfft as f64;
                    *o *= Complex32::new(p.cos() as f32, p.sin() as f32);
                }
            }
            self.grid.have |= 1 << l;
        }
        true
    }

    /// Estimates the channel of every port at every demodulated CRS symbol (those already
    /// estimated are kept), then the noise variance and timing error from port 0.
    pub fn estimate(&mut self) {
        let n_sc = self.grid.n_sc;
        let n_pil = 2 * self.cell.n_prb as usize;
        let nsym = self.cell.symbols_per_slot();
        let mut noise_acc = 0f64;
        let mut noise_n = 0usize;
        let mut sig_acc = 0f64;
        let mut slope = Complex32::new(0.0, 0.0);
        for p in 0..self.grid.ports {
            let syms = self.cell.crs_symbols(p);
            for (j, &l) in syms.iter().enumerate() {
                if l == usize::MAX || self.grid.have & (1 << l) == 0 {
                    continue;
                }
                let Some(off) = self.cell.crs_offset(p, l) else {
                    continue;
                };
                let ns = 2 * self.subframe + l / nsym;
                let r = self.crs.symbol(ns, l % nsym);
                if r.len() != n_pil {
                    continue;
                }
                let row = &self.grid.re[l * n_sc..(l + 1) * n_sc];
                for m in 0..n_pil {
                    self.ls[m] = row[6 * m + off] * r[m].conj();
                }
                if p == 0 {
                    for m in 1..n_pil - 1 {
                        let e = self.ls[m] - (self.ls[m - 1] + self.ls[m + 1]) * 0.5;
                        noise_acc += e.norm_sqr() as f64;
                        noise_n += 1;
                    }
                    for m in 0..n_pil - 1 {
                        slope += self.ls[m].conj() * self.ls[m + 1];
                    }
                }
                let dst = &mut self.grid.pilot_h[(p * 4 + j) * n_sc..(p * 4 + j + 1) * n_sc];
                interpolate_pilots(&self.ls, off, dst);
                if p == 0 {
                    sig_acc += dst.iter().map(|h| h.norm_sqr() as f64).sum::<f64>() / n_sc as f64;
                }
                self.grid.pilot_l[p][j] = l;
            }
        }
        if noise_n > 0 {
            // e = n_m - (n_{m-1} + n_{m+1}) / 2 has 1.5 times the noise variance.
            self.grid.noise_var = ((noise_acc / noise_n as f64) / 1.5).max(1e-20) as f32;
            let n_est = self.grid.pilot_l[0]
                .iter()
                .filter(|&&l| l != usize::MAX)
                .count()
                .max(1);
            self.grid.signal_power = (sig_acc / n_est as f64) as f32;
        }
        // A window d samples late advances the signal: phase +2 pi 6 d / N between pilots.
        if slope.norm() > 0.0 {
            self.grid.delay_samples =
                slope.arg() * self.layout.nfft as f32 / (2.0 * std::f32::consts::PI * 6.0);
        }
        self.grid.fill_channel();
    }
}

/// Linear interpolation of LS pilot estimates at subcarriers 6m + off to every subcarrier, after
/// a light [1 2 1]/4 smoothing across pilots (noise reduction; the channel changes little over
/// 90 kHz at the delay spreads the cyclic prefix allows). Flat extension at the band edges.
fn interpolate_pilots(ls: &[Complex32], off: usize, out: &mut [Complex32]) {
    let n = ls.len();
    if n == 0 {
        return;
    }
    let sm = |m: usize| -> Complex32 {
        if n < 3 {
            return ls[m];
        }
        let a = ls[m.saturating_sub(1)];
        let c = ls[(m + 1).min(n - 1)];
        (a + ls[m] * 2.0 + c) * 0.25
    };
    let mut prev = sm(0);
    for o in out.iter_mut().take(off + 1) {
        *o = prev;
    }
    for m in 1..n {
        let cur = sm(m);
        let k0 = 6 * (m - 1) + off;
        for d in 1..=6 {
            if let Some(o) = out.get_mut(k0 + d) {
                *o = prev + (cur - prev) * (d as f32 / 6.0);
            }
        }
        prev = cur;
    }
    let last = 6 * (n - 1) + off;
    for o in out.iter_mut().skip(last + 1) {
        *o = prev;
    }
}

/// Equalised symbol and its inverse noise variance, for soft demapping.
#[derive(Debug, Clone, Copy, Default)]
pub struct Equalised {
    pub s: Complex32,
    pub inv_var: f32,
}

/// Combines received REs `y` with channels `h` (per RE, per port) for `ports` CRS ports:
/// plain matched filter for one port, SFBC (Alamouti) pairs for two, and for four ports pairs
/// on ports (0, 2) then (1, 3) per group of four (TS 36.211 6.3.4.3). Index 0 of `y` must be
/// the first symbol of a pair/quadruplet. `noise_var` is the per-RE noise variance.
pub fn combine(
    ports: usize,
    y: &[Complex32],
    h: &[[Complex32; 4]],
    noise_var: f32,
    out: &mut [Equalised],
) {
    let n = y.len().min(h.len()).min(out.len());
    let nv = noise_var.max(1e-20);
    if ports <= 1 {
        for i in 0..n {
            let g = h[i][0].norm_sqr();
            let s = if g > 0.0 {
                h[i][0].conj() * y[i] / g
            } else {
                Complex32::default()
            };
            out[i] = Equalised { s, inv_var: g / nv };
        }
        return;
    }
    let mut i = 0;
    while i + 1 < n {
        let (pa, pb) = if ports == 4 && i % 4 >= 2 {
            (1, 3)
        } else if ports == 4 {
            (0, 2)
        } else {
            (0, 1)
        };
        let (r0, r1) = (y[i], y[i + 1]);
        let d0 = h[i][pa].conj() * r0 + h[i + 1][pb] * r1.conj();
        let d1 = h[i + 1][pa].conj() * r1 - h[i][pb] * r0.conj();
        let e = 0.5
            * (h[i][pa].norm_sqr()
                + h[i + 1][pa].norm_sqr()
                + h[i][pb].norm_sqr()
                + h[i + 1][pb].norm_sqr());
        // Each port sends with amplitude 1/sqrt(2): d = (e / sqrt 2) s + noise of variance e nv.
        let g = e * std::f32::consts::FRAC_1_SQRT_2;
        if g > 0.0 {
            let inv_var = g * g / (e * nv);
            out[i] = Equalised { s: d0 / g, inv_var };
            out[i + 1] = Equalised { s: d1 / g, inv_var };
        } else {
            out[i] = Equalised::default();
            out[i + 1] = Equalised::default();
        }
        i += 2;
    }
    if i < n {
        out[i] = Equalised::default();
    }
}

/// QPSK soft bits (TS 36.211 7.1.2) of equalised symbols: positive means bit 0.
pub fn qpsk_llr(eq: &[Equalised], out: &mut [f32]) {
    let k = 2.0 * std::f32::consts::SQRT_2;
    for (e, o) in eq.iter().zip(out.chunks_exact_mut(2)) {
        o[0] = k * e.s.re * e.inv_var;
        o[1] = k * e.s.im * e.inv_var;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_lengths_add_up() {
        for rate in [1.92e6, 15.36e6, 19.2e6, 30.72e6] {
            let lay = OfdmLayout::new(rate, CyclicPrefix::Normal).unwrap();
            assert_eq!(lay.nfft as f64 * 15e3, rate);
            assert_eq!(lay.useful_offset(6) + lay.nfft, lay.slot_samples());
            assert_eq!(lay.useful_offset(13) + lay.nfft, lay.subframe_samples());
            let ext = OfdmLayout::new(rate, CyclicPrefix::Extended).unwrap();
            assert_eq!(ext.useful_offset(11) + ext.nfft, ext.subframe_samples());
        }
        let lay = OfdmLayout::new(19.2e6, CyclicPrefix::Normal).unwrap();
        assert_eq!((lay.nfft, lay.cp_first, lay.cp_other), (1280, 100, 90));
        assert!(OfdmLayout::new(10e6, CyclicPrefix::Normal).is_err());
    }

    #[test]
    fn crs_table_central_values_match_search() {
        // The central 6 RB of any bandwidth use the same m' as the 6-RB search front end.
        let t = CrsTable::new(301, 100, CyclicPrefix::Normal);
        let c = crate::seq::crs_central(301, 3, 4, true);
        let s = t.symbol(3, 4);
        assert_eq!(&s[94..106], &c[..]);
    }

    #[test]
    fn sfbc_round_trip() {
        let h = [
            Complex32::new(0.8, 0.3),
            Complex32::new(-0.2, 0.9),
            Complex32::new(0.5, -0.5),
            Complex32::new(0.1, 0.4),
        ];
        let d = [
            Complex32::new(1.0, -1.0),
            Complex32::new(-1.0, -1.0),
            Complex32::new(1.0, 1.0),
            Complex32::new(-1.0, 1.0),
        ];
        for ports in [2usize, 4] {
            let a = std::f32::consts::FRAC_1_SQRT_2;
            let mut y = [Complex32::default(); 4];
            for i in (0..4).step_by(2) {
                let (pa, pb) = if ports == 4 && i >= 2 {
                    (1, 3)
                } else if ports == 4 {
                    (0, 2)
                } else {
                    (0, 1)
                };
                // x_pa(2i) = d0, x_pb(2i) = -d1*, x_pa(2i+1) = d1, x_pb(2i+1) = d0*
                y[i] = (h[pa] * d[i] - h[pb] * d[i + 1].conj()) * a;
                y[i + 1] = (h[pa] * d[i + 1] + h[pb] * d[i].conj()) * a;
            }
            let hh = [h; 4];
            let mut out = [Equalised::default(); 4];
            combine(ports, &y, &hh, 0.01, &mut out);
            for i in 0..4 {
                assert!((out[i].s - d[i]).norm() < 1e-4, "ports {ports} i {i}");
            }
        }
    }
}
