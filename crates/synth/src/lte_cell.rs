//! LTE downlink cell generator: an OFDM transmitter (TS 36.211 6.12) that fills the resource
//! grid of every subframe with the signals a UE needs to find a cell and read its system
//! information: PSS/SSS (6.11, FDD and TDD positions), cell-specific reference signals of
//! antenna ports 0 and 1 (6.10.1), PBCH with the MIB (6.6, TS 36.212 5.3.1), PCFICH (6.7),
//! reserved PHICH groups (6.9), PDCCH with DCI format 1A for SI-RNTI (6.8, TS 36.212 5.3.3) and
//! PDSCH with SIB1 and the SI messages (6.4, TS 36.212 5.3.2, TS 36.331 5.2.1.2 / 5.2.3).
//!
//! The generator runs at N_FFT x 15 kHz for N_FFT = 128 k (1.92 Msps times k), normal or
//! extended cyclic prefix (160/144 or 512 Ts scaled to the FFT size). A cell wider than the
//! generation band keeps only the subcarriers that fit (a 10 MHz cell seen at 1.92 Msps shows
//! its central 6 PRB). The carrier can sit a whole number of subcarriers off the band centre
//! ([`LteCellGenerator::new`] `bin_shift`): the renderer places it there and applies the rest
//! of the offset (below 7.5 kHz) and the carrier frequency offset by rotation in time.
//!
//! Power: every used resource element has the same energy, chosen so that a fully loaded
//! carrier (all 12 n_prb subcarriers in use) has mean power 1 (0 dBFS); the scenario's
//! `power_db` scales that. An idle cell (CRS, sync, PBCH, control, SI only) measures lower
//! mean power than `power_db`; its RS EPRE is `power_db - 10 log10(12 n_prb)`.
//!
//! Antenna ports: each port is an antenna; the receiver sees their sum with a fixed phase per
//! port (port 0: 1; port 1: a seeded phase), through one common channel (the renderer's
//! multipath applies to the sum).
//!
//! Subframes whose content repeats (everything except subframe 0, whose PBCH carries the SFN)
//! are rendered once and then copied, so a second of a 10 MHz cell costs a few IFFTs per
//! radio frame.

use std::collections::HashMap;
use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use cellsentry_lte::coding::{cc_rate_match_map, conv_encode_tb, crc16_bits, PBCH_CRC_MASKS};
use cellsentry_lte::seq::{pss_freq, sss_seq, Gold, N_RB_MAX};
use cellsentry_lte::{CyclicPrefix, Duplex, PhichDuration, PhichResource};

use crate::lte_control::{ControlPlan, SiSchedule};
use crate::SynthError;

/// LTE subcarrier spacing (TS 36.211 6.2.3).
pub const SUBCARRIER_SPACING_HZ: f64 = 15_000.0;
/// Sample rate of the smallest LTE FFT (128 points).
pub const BASE_RATE_SPS: f64 = 1_920_000.0;
/// Downlink bandwidths in resource blocks (TS 36.101 table 5.6-1, MIB dl-Bandwidth order).
pub const N_PRB_VALUES: [u16; 6] = [6, 15, 25, 50, 75, 100];

/// One SI message (TS 36.331 SchedulingInfoList entry) carried as encoded bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LteSiMessage {
    /// si-Periodicity in radio frames: 8, 16, 32, 64, 128, 256 or 512.
    pub periodicity_rf: u16,
    /// The BCCH-DL-SCH message (UPER, as on the air) in hex.
    pub hex: String,
}

/// Identity, layout and broadcast content of an LTE cell (the `lte` object of a scenario cell).
///
/// The System Information is given as encoded BCCH-DL-SCH messages in hex; the scheduling
/// (`si` order, periodicities, `si_window_ms`) must agree with what SIB1 announces, which the
/// generator does not check (a fake cell may well lie).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LteCellConfig {
    /// Physical cell identity 0..503.
    pub pci: u16,
    /// Downlink bandwidth in resource blocks: 6, 15, 25, 50, 75 or 100.
    pub n_prb: u16,
    /// CRS antenna ports: 1 or 2.
    #[serde(default = "default_ports")]
    pub ports: u8,
    #[serde(default = "default_duplex")]
    pub duplex: Duplex,
    /// TDD [uplink-downlink configuration 0..6, special subframe configuration 0..9]
    /// (TS 36.211 tables 4.2-2, 4.2-1); TDD default [2, 7].
    #[serde(default)]
    pub tdd_config: Option<[u8; 2]>,
    #[serde(default = "default_cp")]
    pub cp: CyclicPrefix,
    #[serde(default = "default_phich_duration")]
    pub phich_duration: PhichDuration,
    #[serde(default = "default_phich_ng")]
    pub phich_ng: PhichResource,
    /// Control format indicator 1..3 (PDCCH symbols; one more for 6 PRB), TS 36.211 6.7.
    #[serde(default = "default_cfi")]
    pub cfi: u8,
    /// What the cell broadcasts, described in scenario terms (PLMN, TAC, priorities, GERAN
    /// layers...) and encoded by `cellsentry-lte-rrc` when the scenario is loaded; the
    /// alternative to `sib1_hex`/`si`, which it fills in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_information: Option<cellsentry_lte_rrc::SystemInfoSpec>,
    /// SIB1 (BCCH-DL-SCH message) in hex; absent = no system information is sent.
    #[serde(default)]
    pub sib1_hex: Option<String>,
    /// SI messages in SchedulingInfoList order (the n-th has the n-th SI window).
    #[serde(default)]
    pub si: Vec<LteSiMessage>,
    /// si-WindowLength in ms: 1, 2, 5, 10, 15, 20 or 40.
    #[serde(default = "default_si_window")]
    pub si_window_ms: u16,
    /// I_MCS of the DCI 1A (0..26; I_TBS = I_MCS, QPSK, TS 36.213 7.1.7); absent = the smallest
    /// that fits each message in at most 3/4 of the bandwidth.
    #[serde(default)]
    pub mcs: Option<u8>,
    /// SFN of the radio frame at the start of the scene; absent = derived from the seed.
    #[serde(default)]
    pub start_sfn: Option<u16>,
}

fn default_ports() -> u8 {
    1
}
fn default_duplex() -> Duplex {
    Duplex::Fdd
}
fn default_cp() -> CyclicPrefix {
    CyclicPrefix::Normal
}
fn default_phich_duration() -> PhichDuration {
    PhichDuration::Normal
}
fn default_phich_ng() -> PhichResource {
    PhichResource::One
}
fn default_cfi() -> u8 {
    2
}
fn default_si_window() -> u16 {
    20
}

/// Parses a hex string (whitespace allowed) into bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    digits
        .chunks_exact(2)
        .map(|p| {
            let s = std::str::from_utf8(p).map_err(|_| "non-ASCII character".to_string())?;
            u8::from_str_radix(s, 16).map_err(|_| format!("invalid hex digits {s:?}"))
        })
        .collect()
}

impl LteCellConfig {
    /// A 1-port FDD cell with default layout and no system information.
    pub fn new(pci: u16, n_prb: u16) -> LteCellConfig {
        LteCellConfig {
            pci,
            n_prb,
            ports: 1,
            duplex: Duplex::Fdd,
            tdd_config: None,
            cp: CyclicPrefix::Normal,
            phich_duration: PhichDuration::Normal,
            phich_ng: PhichResource::One,
            system_information: None,
            cfi: 2,
            sib1_hex: None,
            si: Vec::new(),
            si_window_ms: 20,
            mcs: None,
            start_sfn: None,
        }
    }

    /// Checks every field; the message names the field and the allowed values.
    /// Encodes `system_information` into `sib1_hex`, `si` and `si_window_ms`.
    pub fn resolve_system_information(&mut self) -> Result<(), String> {
        let Some(spec) = &self.system_information else {
            return Ok(());
        };
        if self.sib1_hex.is_some() || !self.si.is_empty() {
            return Err("give either system_information or sib1_hex/si, not both".into());
        }
        let enc = cellsentry_lte_rrc::encode_system_information(spec)
            .map_err(|e| format!("system_information: {e}"))?;
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        self.sib1_hex = Some(hex(&enc.sib1));
        self.si = enc
            .messages
            .iter()
            .map(|m| LteSiMessage {
                periodicity_rf: m.periodicity_rf,
                hex: hex(&m.bytes),
            })
            .collect();
        self.si_window_ms = u16::from(enc.si_window_ms);
        Ok(())
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.pci > 503 {
            return Err(format!("pci {} outside 0..503", self.pci));
        }
        if !N_PRB_VALUES.contains(&self.n_prb) {
            return Err(format!(
                "n_prb {} is not an LTE bandwidth (6, 15, 25, 50, 75, 100)",
                self.n_prb
            ));
        }
        if !(1..=2).contains(&self.ports) {
            return Err(format!("ports {} unsupported (1 or 2)", self.ports));
        }
        match (self.duplex, self.tdd_config) {
            (Duplex::Fdd, Some(_)) => return Err("tdd_config given for an FDD cell".into()),
            (Duplex::Tdd, Some([sa, ssp])) => {
                if sa > 6 {
                    return Err(format!(
                        "tdd_config: uplink-downlink configuration {sa} > 6"
                    ));
                }
                let max_ssp = if self.cp == CyclicPrefix::Normal {
                    9
                } else {
                    7
                };
                if ssp > max_ssp {
                    return Err(format!(
                        "tdd_config: special subframe configuration {ssp} > {max_ssp}"
                    ));
                }
            }
            _ => {}
        }
        if !(1..=3).contains(&self.cfi) {
            return Err(format!("cfi {} outside 1..3", self.cfi));
        }
        if self.phich_duration == PhichDuration::Extended {
            return Err("phich_duration extended is not generated (use normal)".into());
        }
        if let Some(h) = &self.sib1_hex {
            let b = parse_hex(h).map_err(|e| format!("sib1_hex: {e}"))?;
            if b.is_empty() {
                return Err("sib1_hex is empty".into());
            }
        } else if !self.si.is_empty() {
            return Err("si messages need a sib1_hex that schedules them".into());
        }
        if ![1, 2, 5, 10, 15, 20, 40].contains(&self.si_window_ms) {
            return Err(format!(
                "si_window_ms {} not one of 1, 2, 5, 10, 15, 20, 40",
                self.si_window_ms
            ));
        }
        for (i, m) in self.si.iter().enumerate() {
            if ![8, 16, 32, 64, 128, 256, 512].contains(&m.periodicity_rf) {
                return Err(format!(
                    "si[{i}].periodicity_rf {} not one of 8, 16, ..., 512",
                    m.periodicity_rf
                ));
            }
            let b = parse_hex(&m.hex).map_err(|e| format!("si[{i}].hex: {e}"))?;
            if b.is_empty() {
                return Err(format!("si[{i}].hex is empty"));
            }
            // TS 36.331 5.2.3: the windows of all SI messages follow each other without
            // overlap inside every period.
            let end_ms = (i + 1) * usize::from(self.si_window_ms);
            if end_ms > usize::from(m.periodicity_rf) * 10 {
                return Err(format!(
                    "si[{i}]: its SI window ends at {end_ms} ms, after its period of {} ms",
                    usize::from(m.periodicity_rf) * 10
                ));
            }
        }
        if let Some(m) = self.mcs {
            if m > 26 {
                return Err(format!("mcs {m} outside 0..26 (DCI 1A for SI-RNTI)"));
            }
        }
        if let Some(s) = self.start_sfn {
            if s > 1023 {
                return Err(format!("start_sfn {s} outside 0..1023"));
            }
        }
        Ok(())
    }

    /// OFDM symbols per slot (TS 36.211 table 6.2.3-1).
    pub fn symbols_per_slot(&self) -> usize {
        match self.cp {
            CyclicPrefix::Normal => 7,
            CyclicPrefix::Extended => 6,
        }
    }

    /// Smallest standard FFT size (128 .. 2048) whose band holds the whole carrier.
    pub fn native_nfft(&self) -> usize {
        match self.n_prb {
            0..=6 => 128,
            7..=15 => 256,
            16..=25 => 512,
            26..=50 => 1024,
            51..=75 => 1536,
            _ => 2048,
        }
    }

    /// Occupied bandwidth (12 n_prb subcarriers plus the DC), Hz.
    pub fn occupied_bw_hz(&self) -> f64 {
        (12.0 * f64::from(self.n_prb) + 1.0) * SUBCARRIER_SPACING_HZ
    }

    /// Downlink OFDM symbols of subframe `sf` (0 = uplink, DwPTS length for a special
    /// subframe, all for a downlink subframe), TS 36.211 tables 4.2-1 and 4.2-2.
    pub fn dl_symbols(&self, sf: usize) -> usize {
        let all = 2 * self.symbols_per_slot();
        if self.duplex == Duplex::Fdd {
            return all;
        }
        let [sa, ssp] = self.tdd_config.unwrap_or([2, 7]);
        const PATTERN: [&[u8; 10]; 7] = [
            b"DSUUUDSUUU",
            b"DSUUDDSUUD",
            b"DSUDDDSUDD",
            b"DSUUUDDDDD",
            b"DSUUDDDDDD",
            b"DSUDDDDDDD",
            b"DSUUUDSUUD",
        ];
        const DWPTS_NORMAL: [usize; 10] = [3, 9, 10, 11, 12, 3, 9, 10, 11, 6];
        const DWPTS_EXTENDED: [usize; 8] = [3, 8, 9, 10, 3, 8, 9, 5];
        let pat = PATTERN[usize::from(sa).min(6)];
        match pat[sf % 10] {
            b'D' => all,
            b'S' => match self.cp {
                CyclicPrefix::Normal => DWPTS_NORMAL[usize::from(ssp).min(9)],
                CyclicPrefix::Extended => DWPTS_EXTENDED[usize::from(ssp).min(7)],
            },
            _ => 0,
        }
    }

    /// The 24 MIB bits (TS 36.331 MasterInformationBlock: dl-Bandwidth, phich-Config,
    /// systemFrameNumber = SFN div 4, 10 spare bits), first bit first.
    pub fn mib_bits(&self, sfn: u16) -> [u8; 24] {
        let mut bits = [0u8; 24];
        let bw = N_PRB_VALUES
            .iter()
            .position(|&n| n == self.n_prb)
            .unwrap_or(0) as u16;
        let dur = u16::from(self.phich_duration == PhichDuration::Extended);
        let ng = match self.phich_ng {
            PhichResource::OneSixth => 0u16,
            PhichResource::Half => 1,
            PhichResource::One => 2,
            PhichResource::Two => 3,
        };
        let v: u32 = (u32::from(bw) << 21)
            | (u32::from(dur) << 20)
            | (u32::from(ng) << 18)
            | (u32::from((sfn >> 2) & 0xFF) << 10);
        for (i, b) in bits.iter_mut().enumerate() {
            *b = ((v >> (23 - i)) & 1) as u8;
        }
        bits
    }
}

/// Frame layout of a cell at one FFT size.
#[derive(Debug, Clone)]
pub struct Layout {
    pub nfft: usize,
    /// Symbols per slot.
    pub n_symb: usize,
    /// Subcarriers of the cell, 12 n_prb.
    pub n_sc: usize,
    /// Cyclic prefix length (samples) of each symbol of a subframe.
    pub cp_len: Vec<usize>,
    /// Useful-part start (first sample after the CP) of each symbol, from the subframe start.
    pub useful_start: Vec<usize>,
    /// Samples per subframe, 15 N_FFT.
    pub subframe_samples: usize,
}

impl Layout {
    /// Layout for `cp` at FFT size `nfft` (a multiple of 128), TS 36.211 table 6.12-1.
    pub fn new(cp: CyclicPrefix, n_prb: u16, nfft: usize) -> Layout {
        let n_symb = match cp {
            CyclicPrefix::Normal => 7,
            CyclicPrefix::Extended => 6,
        };
        let scale = nfft / 128;
        let mut cp_len = Vec::with_capacity(2 * n_symb);
        for _slot in 0..2 {
            for l in 0..n_symb {
                cp_len.push(match cp {
                    CyclicPrefix::Normal if l == 0 => 10 * scale,
                    CyclicPrefix::Normal => 9 * scale,
                    CyclicPrefix::Extended => 32 * scale,
                });
            }
        }
        let mut useful_start = Vec::with_capacity(2 * n_symb);
        let mut pos = 0;
        for &c in &cp_len {
            useful_start.push(pos + c);
            pos += c + nfft;
        }
        Layout {
            nfft,
            n_symb,
            n_sc: 12 * usize::from(n_prb),
            cp_len,
            useful_start,
            subframe_samples: pos,
        }
    }

    /// Grid index of subcarrier `k` (0..n_sc) of symbol `l` (0..2 n_symb).
    #[inline]
    pub fn idx(&self, l: usize, k: usize) -> usize {
        l * self.n_sc + k
    }

    /// Frequency of subcarrier `k` relative to the carrier, in subcarriers (the DC subcarrier
    /// is skipped, TS 36.211 6.12).
    #[inline]
    pub fn sc_offset(&self, k: usize) -> i64 {
        let half = (self.n_sc / 2) as i64;
        let r = k as i64 - half;
        if r < 0 {
            r
        } else {
            r + 1
        }
    }
}

/// The resource grids of one subframe, one per antenna port, `[port][l * n_sc + k]`.
#[derive(Debug, Clone)]
pub struct SubframeGrid {
    pub ports: Vec<Vec<Complex32>>,
    /// Symbols (from the start of the subframe) that carry anything.
    pub dl_symbols: usize,
}

/// What a subframe carries besides the always-present signals (cache key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct SubframeKey {
    subframe: u8,
    /// SFN for subframe 0 (the PBCH changes with it), else 0.
    sfn: u16,
    /// (SI message index, 0 = SIB1, redundancy version).
    pdsch: Option<(u8, u8)>,
}

/// The cell's broadcast content and layout constants, shared by grid builders.
pub struct CellParams {
    pub cfg: LteCellConfig,
    pub layout: Layout,
    /// Energy scale per RE: 1/sqrt(12 n_prb).
    pub amp: f32,
    /// CRS r(m') for every (slot 0..20, CRS symbol index 0/1), 2 n_prb values each.
    crs: Vec<Vec<Complex32>>,
    /// Scrambled PBCH QPSK symbols of the four frames of a 40 ms period, per SFN div 4.
    pbch_cache: Option<(u16, Vec<Complex32>)>,
}

/// QPSK of TS 36.211 7.1.2 (bits b0, b1 -> ((1-2b0) + j(1-2b1))/sqrt 2).
#[inline]
pub fn qpsk(b0: u8, b1: u8) -> Complex32 {
    let a = std::f32::consts::FRAC_1_SQRT_2;
    Complex32::new(
        a * (1.0 - 2.0 * f32::from(b0 & 1)),
        a * (1.0 - 2.0 * f32::from(b1 & 1)),
    )
}

/// Transmit-diversity precoding for two ports (TS 36.211 6.3.3.3 layer mapping, 6.3.4.3):
/// symbol pair (d(2i), d(2i+1)) becomes (x0, x1) on port 0 and (-x1*, x0*) on port 1, each
/// scaled by 1/sqrt 2.
#[inline]
pub fn sfbc_pair(d0: Complex32, d1: Complex32) -> ([Complex32; 2], [Complex32; 2]) {
    let s = std::f32::consts::FRAC_1_SQRT_2;
    ([d0 * s, d1 * s], [-d1.conj() * s, d0.conj() * s])
}

impl CellParams {
    pub fn new(cfg: &LteCellConfig, nfft: usize) -> CellParams {
        let layout = Layout::new(cfg.cp, cfg.n_prb, nfft);
        let n_prb = usize::from(cfg.n_prb);
        let mut crs = Vec::with_capacity(40);
        let n_cp = u32::from(cfg.cp == CyclicPrefix::Normal);
        let n_id = u32::from(cfg.pci);
        let mut bits = vec![0u8; 4 * N_RB_MAX];
        for ns in 0..20u32 {
            for &l in &[0, layout.n_symb as u32 - 3] {
                // TS 36.211 6.10.1.1
                let c_init = (1 << 10) * (7 * (ns + 1) + l + 1) * (2 * n_id + 1) + 2 * n_id + n_cp;
                Gold::fill(c_init, &mut bits);
                let first = N_RB_MAX - n_prb;
                crs.push(
                    (0..2 * n_prb)
                        .map(|m| {
                            let mp = m + first;
                            qpsk(bits[2 * mp], bits[2 * mp + 1])
                        })
                        .collect(),
                );
            }
        }
        CellParams {
            cfg: cfg.clone(),
            layout,
            amp: 1.0 / (12.0 * n_prb as f32).sqrt(),
            crs,
            pbch_cache: None,
        }
    }

    /// Places the CRS of every port (TS 36.211 6.10.1.2) in the first `dl_symbols` symbols.
    fn put_crs(&self, grid: &mut SubframeGrid, subframe: usize) {
        let lay = &self.layout;
        let v_shift = usize::from(self.cfg.pci) % 6;
        for slot in 0..2 {
            let ns = 2 * subframe + slot;
            for (ci, &l) in [0, lay.n_symb - 3].iter().enumerate() {
                let sym = slot * lay.n_symb + l;
                if sym >= grid.dl_symbols {
                    continue;
                }
                let r = &self.crs[2 * ns + ci];
                for (p, g) in grid.ports.iter_mut().enumerate() {
                    let v = match (p, l) {
                        (0, 0) => 0,
                        (0, _) => 3,
                        (_, 0) => 3,
                        _ => 0,
                    };
                    for (m, &val) in r.iter().enumerate() {
                        let k = 6 * m + (v + v_shift) % 6;
                        g[lay.idx(sym, k)] = val * self.amp;
                    }
                }
            }
        }
    }

    /// PSS and SSS (TS 36.211 6.11.1.2, 6.11.2.2) on port 0.
    fn put_sync(&self, grid: &mut SubframeGrid, subframe: usize) {
        let lay = &self.layout;
        let n_id_2 = usize::from(self.cfg.pci % 3);
        let n_id_1 = usize::from(self.cfg.pci / 3);
        let ns = lay.n_symb;
        let (pss_sym, sss_sym) = match self.cfg.duplex {
            Duplex::Fdd => match subframe {
                0 | 5 => (Some(ns - 1), Some(ns - 2)),
                _ => (None, None),
            },
            Duplex::Tdd => match subframe {
                0 | 5 => (None, Some(2 * ns - 1)),
                1 | 6 => (Some(2), None),
                _ => (None, None),
            },
        };
        let k0 = lay.n_sc / 2 - 31;
        let g = &mut grid.ports[0];
        if let Some(l) = pss_sym.filter(|&l| l < grid.dl_symbols) {
            let d = pss_freq(n_id_2);
            for (n, &v) in d.iter().enumerate() {
                g[lay.idx(l, k0 + n)] = v * self.amp;
            }
        }
        if let Some(l) = sss_sym.filter(|&l| l < grid.dl_symbols) {
            let d = sss_seq(n_id_1, n_id_2, subframe >= 5);
            for (n, &v) in d.iter().enumerate() {
                g[lay.idx(l, k0 + n)] = Complex32::new(f32::from(v) * self.amp, 0.0);
            }
        }
    }

    /// The 1920 (normal CP) or 1728 scrambled PBCH bits of the 40 ms period holding `sfn`
    /// as QPSK symbols (TS 36.212 5.3.1, TS 36.211 6.6.1-6.6.2).
    fn pbch_symbols(&mut self, sfn: u16) -> &[Complex32] {
        let period = sfn >> 2;
        if self.pbch_cache.as_ref().map(|c| c.0) != Some(period) {
            let a = self.cfg.mib_bits(sfn);
            let mut c = [0u8; 40];
            c[..24].copy_from_slice(&a);
            let mask = PBCH_CRC_MASKS
                .iter()
                .find(|(p, _)| *p == self.cfg.ports)
                .map(|m| m.1)
                .unwrap_or(0);
            let crc = crc16_bits(&a) ^ mask;
            for i in 0..16 {
                c[24 + i] = ((crc >> (15 - i)) & 1) as u8;
            }
            let d = conv_encode_tb(&c);
            let map = cc_rate_match_map(40);
            let e_bits = match self.cfg.cp {
                CyclicPrefix::Normal => 1920,
                CyclicPrefix::Extended => 1728,
            };
            let mut scr = vec![0u8; e_bits];
            Gold::fill(u32::from(self.cfg.pci), &mut scr);
            let bits: Vec<u8> = (0..e_bits)
                .map(|j| {
                    let (s, i) = map[j % map.len()];
                    d[usize::from(s)][usize::from(i)] ^ scr[j]
                })
                .collect();
            let syms = bits.chunks_exact(2).map(|b| qpsk(b[0], b[1])).collect();
            self.pbch_cache = Some((period, syms));
        }
        match &self.pbch_cache {
            Some((_, s)) => s,
            None => &[],
        }
    }

    /// PBCH of frame `sfn` in subframe 0, slot 1, symbols 0..3, central 72 subcarriers,
    /// skipping the REs reserved for CRS of ports 0..3 (TS 36.211 6.6.4).
    fn put_pbch(&mut self, grid: &mut SubframeGrid, sfn: u16) {
        let n_symb = self.layout.n_symb;
        let n_sc = self.layout.n_sc;
        let amp = self.amp;
        let ports = usize::from(self.cfg.ports);
        let v3 = usize::from(self.cfg.pci) % 3;
        let per_frame = match self.cfg.cp {
            CyclicPrefix::Normal => 240,
            CyclicPrefix::Extended => 216,
        };
        let seg = usize::from(sfn % 4) * per_frame;
        let syms: Vec<Complex32> = self.pbch_symbols(sfn)[seg..seg + per_frame].to_vec();
        let mut res = Vec::with_capacity(per_frame);
        for l in 0..4 {
            let sym = n_symb + l;
            let crs_sym = l == 0 || l == 1 || (l == 3 && n_symb == 6);
            for kk in 0..72 {
                let k = n_sc / 2 - 36 + kk;
                if crs_sym && k % 3 == v3 {
                    continue;
                }
                res.push(sym * n_sc + k);
            }
        }
        if ports == 1 {
            for (&i, &s) in res.iter().zip(syms.iter()) {
                grid.ports[0][i] = s * amp;
            }
        } else {
            for (ri, si) in res.chunks_exact(2).zip(syms.chunks_exact(2)) {
                let (y0, y1) = sfbc_pair(si[0], si[1]);
                for j in 0..2 {
                    grid.ports[0][ri[j]] = y0[j] * amp;
                    grid.ports[1][ri[j]] = y1[j] * amp;
                }
            }
        }
    }

    /// Builds the grids of subframe `subframe` of frame `sfn` (without PDSCH SI content when
    /// `plan` is `None`).
    pub fn subframe_grid(
        &mut self,
        sfn: u16,
        subframe: usize,
        control: Option<&mut ControlPlan>,
    ) -> SubframeGrid {
        let lay = &self.layout;
        let n = 2 * lay.n_symb * lay.n_sc;
        let mut grid = SubframeGrid {
            ports: vec![vec![Complex32::new(0.0, 0.0); n]; usize::from(self.cfg.ports)],
            dl_symbols: self.cfg.dl_symbols(subframe),
        };
        if grid.dl_symbols == 0 {
            return grid;
        }
        self.put_crs(&mut grid, subframe);
        self.put_sync(&mut grid, subframe);
        if subframe == 0 {
            self.put_pbch(&mut grid, sfn);
        }
        if let Some(c) = control {
            c.fill(self, &mut grid, sfn, subframe);
        }
        grid
    }
}

/// Streaming generator of one LTE cell's downlink at N_FFT x 15 kHz.
pub struct LteCellGenerator {
    params: CellParams,
    control: ControlPlan,
    ifft: Arc<dyn Fft<f32>>,
    scratch: Vec<Complex32>,
    buf: Vec<Complex32>,
    /// (grid subcarrier, FFT bin) of every subcarrier inside the generation band.
    bins: Vec<(usize, usize)>,
    /// Per symbol of a subframe: exp(j 2 pi m u_l / N), the phase a carrier m bins off the
    /// band centre has at the symbol's useful start (keeps the shifted carrier continuous).
    sym_phase: Vec<Complex32>,
    port_gain: Vec<Complex32>,
    sfn: u16,
    subframe: usize,
    cache: HashMap<SubframeKey, Vec<Complex32>>,
}

impl LteCellGenerator {
    /// A generator for `cfg` at `rate_sps` (1.92 Msps times an integer; N_FFT = rate / 15 kHz)
    /// whose carrier is `bin_shift` subcarriers above the band centre, starting at subframe 0
    /// of frame `start_sfn`. `seed` picks the phase of antenna port 1.
    pub fn new(
        cfg: &LteCellConfig,
        rate_sps: f64,
        bin_shift: i64,
        start_sfn: u16,
        seed: u64,
    ) -> Result<LteCellGenerator, SynthError> {
        cfg.validate().map_err(SynthError::Scenario)?;
        let nfft = nfft_for_rate(rate_sps).ok_or_else(|| {
            SynthError::Unsupported(format!(
                "LTE generation rate {rate_sps} sps is not 1.92 Msps times an integer"
            ))
        })?;
        let params = CellParams::new(cfg, nfft);
        let control = ControlPlan::new(&params).map_err(SynthError::Scenario)?;
        let lay = &params.layout;
        let half = (nfft / 2) as i64;
        let bins = (0..lay.n_sc)
            .filter_map(|k| {
                let f = lay.sc_offset(k) + bin_shift;
                (f > -half && f < half).then(|| (k, f.rem_euclid(nfft as i64) as usize))
            })
            .collect();
        let sym_phase = lay
            .useful_start
            .iter()
            .map(|&u| {
                let ph = std::f64::consts::TAU
                    * ((bin_shift * u as i64).rem_euclid(nfft as i64)) as f64
                    / nfft as f64;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        let mut planner = FftPlanner::new();
        let ifft = planner.plan_fft_inverse(nfft);
        let scratch = vec![Complex32::new(0.0, 0.0); ifft.get_inplace_scratch_len()];
        let theta = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
            * std::f64::consts::TAU;
        let port_gain = (0..usize::from(cfg.ports))
            .map(|p| {
                if p == 0 {
                    Complex32::new(1.0, 0.0)
                } else {
                    Complex32::new(theta.cos() as f32, theta.sin() as f32)
                }
            })
            .collect();
        Ok(LteCellGenerator {
            control,
            ifft,
            scratch,
            buf: vec![Complex32::new(0.0, 0.0); nfft],
            bins,
            sym_phase,
            port_gain,
            sfn: start_sfn % 1024,
            subframe: 0,
            cache: HashMap::new(),
            params,
        })
    }

    pub fn config(&self) -> &LteCellConfig {
        &self.params.cfg
    }

    pub fn layout(&self) -> &Layout {
        &self.params.layout
    }

    /// Samples per subframe (1 ms).
    pub fn subframe_samples(&self) -> usize {
        self.params.layout.subframe_samples
    }

    /// (SFN, subframe) of the next subframe [`Self::next_subframe`] renders.
    pub fn position(&self) -> (u16, usize) {
        (self.sfn, self.subframe)
    }

    /// Skips `n` subframes without rendering them.
    pub fn skip_subframes(&mut self, n: u64) {
        let pos = u64::from(self.sfn) * 10 + self.subframe as u64 + n;
        self.sfn = ((pos / 10) % 1024) as u16;
        self.subframe = (pos % 10) as usize;
    }

    /// The per-port resource grids of subframe `subframe` of frame `sfn`, as transmitted.
    pub fn grid(&mut self, sfn: u16, subframe: usize) -> SubframeGrid {
        self.params
            .subframe_grid(sfn, subframe % 10, Some(&mut self.control))
    }

    /// The grids of subframe `subframe` of frame `sfn` carrying `grant` instead of the
    /// cell's own SI schedule (for comparisons with other transmitters).
    pub fn grid_with_grant(
        &mut self,
        sfn: u16,
        subframe: usize,
        grant: &crate::lte_control::SiGrant,
    ) -> SubframeGrid {
        let mut g = self.params.subframe_grid(sfn, subframe % 10, None);
        if g.dl_symbols > 0 {
            self.control.fill_pcfich(&self.params, &mut g, subframe);
            self.control
                .put_si_grant(&self.params, &mut g, subframe, grant);
        }
        g
    }

    /// The control plan (control maps, PDSCH RE lists, SI schedule).
    pub fn control(&self) -> &ControlPlan {
        &self.control
    }

    /// The transport blocks sent (SIB1 first, then SI messages), padded to their TBS.
    pub fn transport_blocks(&self) -> Vec<Vec<u8>> {
        self.control.transport_blocks()
    }

    /// The SI schedule (which message, redundancy version) of `subframe` in frame `sfn`.
    pub fn si_schedule(&self, sfn: u16, subframe: usize) -> Option<SiSchedule> {
        self.control.schedule(sfn, subframe)
    }

    /// Appends the next subframe (`subframe_samples()` samples) to `out`.
    pub fn next_subframe(&mut self, out: &mut Vec<Complex32>) {
        let (sfn, sf) = (self.sfn, self.subframe);
        let key = SubframeKey {
            subframe: sf as u8,
            sfn: if sf == 0 { sfn } else { 0 },
            pdsch: self.control.schedule(sfn, sf).map(|s| (s.message, s.rv)),
        };
        if let Some(samples) = self.cache.get(&key) {
            out.extend_from_slice(samples);
        } else {
            let start = out.len();
            let grid = self.grid(sfn, sf);
            self.modulate(&grid, out);
            if sf != 0 {
                if self.cache.len() > 256 {
                    self.cache.clear();
                }
                self.cache.insert(key, out[start..].to_vec());
            }
        }
        self.skip_subframes(1);
    }

    /// OFDM modulation of a subframe: sum of the ports with their gains, IFFT, cyclic prefix.
    fn modulate(&mut self, grid: &SubframeGrid, out: &mut Vec<Complex32>) {
        let lay = &self.params.layout;
        let nfft = lay.nfft;
        for l in 0..2 * lay.n_symb {
            let cp = lay.cp_len[l];
            if l >= grid.dl_symbols {
                out.extend(std::iter::repeat_n(Complex32::new(0.0, 0.0), cp + nfft));
                continue;
            }
            self.buf.fill(Complex32::new(0.0, 0.0));
            let row = l * lay.n_sc;
            let ph = self.sym_phase[l];
            for &(k, b) in &self.bins {
                let mut v = Complex32::new(0.0, 0.0);
                for (g, pg) in grid.ports.iter().zip(self.port_gain.iter()) {
                    v += g[row + k] * pg;
                }
                self.buf[b] = v * ph;
            }
            self.ifft
                .process_with_scratch(&mut self.buf, &mut self.scratch);
            out.extend_from_slice(&self.buf[nfft - cp..]);
            out.extend_from_slice(&self.buf);
        }
    }
}

/// N_FFT for a generation rate: rate / 15 kHz when that is a multiple of 128.
pub fn nfft_for_rate(rate_sps: f64) -> Option<usize> {
    let k = rate_sps / BASE_RATE_SPS;
    let kr = k.round();
    if kr >= 1.0 && (k - kr).abs() < 1e-9 * k.max(1.0) && kr <= 64.0 {
        Some(128 * kr as usize)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_table_6_12_1() {
        let l = Layout::new(CyclicPrefix::Normal, 50, 1024);
        assert_eq!(l.subframe_samples, 15360);
        assert_eq!(l.cp_len[0], 80);
        assert_eq!(l.cp_len[1], 72);
        assert_eq!(l.useful_start[7], 7680 + 80);
        let e = Layout::new(CyclicPrefix::Extended, 6, 128);
        assert_eq!(e.subframe_samples, 1920);
        assert_eq!(e.cp_len[3], 32);
    }

    #[test]
    fn mib_bits_match_the_srsran_vector() {
        // bch_payload_file[] of srsRAN pbch_file_test.c: n50, normal, Ng one, SFN 28.
        let mut c = LteCellConfig::new(150, 50);
        c.ports = 2;
        let s: String = c
            .mib_bits(28)
            .iter()
            .map(|&b| char::from(b'0' + b))
            .collect();
        assert_eq!(s, "011010000001110000000000");
    }

    #[test]
    fn validation_errors_name_the_field() {
        let mut c = LteCellConfig::new(504, 50);
        assert!(c.validate().unwrap_err().contains("pci"));
        c.pci = 1;
        c.n_prb = 20;
        assert!(c.validate().unwrap_err().contains("n_prb"));
        c.n_prb = 6;
        c.si = vec![LteSiMessage {
            periodicity_rf: 8,
            hex: "00".into(),
        }];
        assert!(c.validate().unwrap_err().contains("sib1_hex"));
        c.sib1_hex = Some("0g".into());
        assert!(c.validate().unwrap_err().contains("sib1_hex"));
        c.sib1_hex = Some("68".into());
        c.si_window_ms = 40;
        c.si.push(c.si[0].clone());
        c.si.push(c.si[0].clone());
        // Third window ends at 120 ms, after the 80 ms period.
        assert!(c.validate().unwrap_err().contains("si[2]"));
    }

    #[test]
    fn tdd_subframe_pattern() {
        let mut c = LteCellConfig::new(1, 25);
        c.duplex = Duplex::Tdd;
        c.tdd_config = Some([2, 7]);
        let d: Vec<usize> = (0..10).map(|s| c.dl_symbols(s)).collect();
        assert_eq!(d, vec![14, 10, 0, 14, 14, 14, 10, 0, 14, 14]);
    }
}
