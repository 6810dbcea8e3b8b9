//! PDCCH (TS 36.211 6.8, 6.9, TS 36.212 5.3.3, TS 36.213 9.1.1): resource-element groups of the
//! control region, PHICH group placement (so PHICH REGs are excluded), the quadruplet
//! interleaver with the cyclic shift by N_ID^cell, scrambling, and the blind search of the
//! common search space for DCI formats 1A and 1C with CRC masked by SI-RNTI or P-RNTI.
//!
//! The mapping part ([`reg_at`], [`ControlMap`], [`phich_mapping_units`]) is public and pure,
//! so a transmitter can place its symbols on exactly the REs this receiver reads.

use crate::coding::{cc_rate_match_map, conv_encode_tb, crc16_bits, TailBitingViterbi};
use crate::dci::{dci_size, DciFormat};
use crate::grid::{combine, qpsk_llr, DlCell, Equalised, SubframeGrid, SC_PER_RB};
use crate::mib::{PhichDuration, PhichResource};
use crate::pcfich::pcfich_reg_starts;
use crate::seq::Gold;
use crate::{CyclicPrefix, Duplex};
use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// SI-RNTI (TS 36.321 7.1).
pub const SI_RNTI: u16 = 0xFFFF;
/// P-RNTI (TS 36.321 7.1).
pub const P_RNTI: u16 = 0xFFFE;

/// A resource-element group: four REs of one OFDM symbol `l` (subframe numbering), subcarriers
/// `k` in increasing order (the order the quadruplet's symbols are mapped, TS 36.211 6.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reg {
    pub l: u8,
    pub k: [u16; 4],
}

impl Reg {
    /// Subcarrier that represents the REG (its lowest).
    pub fn k0(&self) -> usize {
        self.k[0] as usize
    }
}

/// True when REGs of control symbol `l` are 6 subcarriers wide (they share the PRB with CRS):
/// symbol 0 always (ports 0 and 1 assumed even with one port), symbol 1 with four ports, and
/// symbol 3 with extended CP (TS 36.211 6.2.4).
pub fn reg_symbol_has_rs(cell: &DlCell, l: usize) -> bool {
    l == 0 || (l == 1 && cell.ports == 4) || (l == 3 && cell.cp == CyclicPrefix::Extended)
}

/// The REG of symbol `l` that starts at subcarrier `k0` (a multiple of 6 in symbols with CRS,
/// of 4 otherwise): its four REs, skipping the reference-signal positions.
pub fn reg_at(cell: &DlCell, l: usize, k0: usize) -> Reg {
    let mut k = [0u16; 4];
    if reg_symbol_has_rs(cell, l) {
        let rs = cell.v_shift() % 3;
        let mut n = 0;
        for kk in k0..k0 + 6 {
            if kk % 3 != rs && n < 4 {
                k[n] = kk as u16;
                n += 1;
            }
        }
    } else {
        for (j, v) in k.iter_mut().enumerate() {
            *v = (k0 + j) as u16;
        }
    }
    Reg { l: l as u8, k }
}

/// REG start subcarriers of symbol `l` across the band, lowest first.
fn reg_starts(cell: &DlCell, l: usize) -> impl Iterator<Item = usize> {
    let step = if reg_symbol_has_rs(cell, l) { 6 } else { 4 };
    (0..cell.n_sc()).step_by(step)
}

/// PHICH group multiplier m_i of TS 36.211 table 6.9-1 for TDD configuration `cfg`, subframe
/// `sf` (uplink subframes give 0).
pub fn tdd_phich_m(cfg: u8, sf: usize) -> u8 {
    const M: [[u8; 10]; 7] = [
        [2, 1, 0, 0, 0, 2, 1, 0, 0, 0],
        [0, 1, 0, 0, 1, 0, 1, 0, 0, 1],
        [0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
        [1, 0, 0, 0, 0, 0, 0, 0, 1, 1],
        [0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
        [0, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        [1, 1, 0, 0, 0, 1, 1, 0, 0, 1],
    ];
    M.get(cfg as usize)
        .and_then(|r| r.get(sf % 10))
        .copied()
        .unwrap_or(0)
}

/// N_PHICH^group for FDD, TS 36.211 6.9: ceil(Ng N_RB / 8) (normal CP), twice that (extended).
pub fn phich_groups_fdd(ng: PhichResource, n_prb: u16, cp: CyclicPrefix) -> usize {
    // Ng in sixths so the ceiling stays in integers: ceil(ng6 * N_RB / 48).
    let ng6 = match ng {
        PhichResource::OneSixth => 1,
        PhichResource::Half => 3,
        PhichResource::One => 6,
        PhichResource::Two => 12,
    };
    let g = (ng6 * n_prb as usize).div_ceil(48);
    match cp {
        CyclicPrefix::Normal => g,
        CyclicPrefix::Extended => 2 * g,
    }
}

/// Number of PHICH mapping units m' in a subframe (TS 36.211 6.9.3): groups for normal CP, group
/// pairs for extended CP, times m_i for TDD (`tdd_m`, ignored for FDD).
pub fn phich_mapping_units(cell: &DlCell, tdd_m: u8) -> usize {
    let g = phich_groups_fdd(cell.phich_ng, cell.n_prb, cell.cp);
    let g = match cell.duplex {
        Duplex::Fdd => g,
        Duplex::Tdd => g * tdd_m as usize,
    };
    match cell.cp {
        CyclicPrefix::Normal => g,
        CyclicPrefix::Extended => g / 2,
    }
}

/// Control-region layout of one subframe: PCFICH, PHICH and PDCCH REGs and the interleaving.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlMap {
    /// Control-region OFDM symbols (1..4).
    pub n_ctrl: usize,
    pub pcfich: [Reg; 4],
    /// Three REGs per PHICH mapping unit m' (TS 36.211 6.9.3).
    pub phich: Vec<[Reg; 3]>,
    /// REGs left for the PDCCH, in the mapping order of TS 36.211 6.8.5 (frequency first
    /// across the control symbols).
    pub pdcch: Vec<Reg>,
    /// `quad_reg[q]`: index into `pdcch` of the REG that carries quadruplet q of the
    /// multiplexed PDCCH block (after interleaving and the cyclic shift by N_ID^cell).
    pub quad_reg: Vec<u32>,
    /// Control channel elements, N_CCE = floor(N_REG / 9).
    pub n_cce: usize,
}

impl ControlMap {
    /// Builds the map for `n_ctrl` control symbols and `phich_units` PHICH mapping units
    /// (see [`phich_mapping_units`]).
    pub fn new(cell: &DlCell, n_ctrl: usize, phich_units: usize) -> ControlMap {
        let n_ctrl = n_ctrl.clamp(1, 4);
        let pcf_starts = pcfich_reg_starts(cell.pci, cell.n_prb);
        let pcfich = pcf_starts.map(|k| reg_at(cell, 0, k));
        // REGs per symbol not used by the PCFICH, lowest frequency first (n'_l of 6.9.3).
        let phich_syms = match cell.phich_duration {
            PhichDuration::Normal => 1,
            PhichDuration::Extended => 3.min(n_ctrl),
        };
        let free: Vec<Vec<usize>> = (0..phich_syms)
            .map(|l| {
                reg_starts(cell, l)
                    .filter(|k| l != 0 || !pcf_starts.contains(k))
                    .collect()
            })
            .collect();
        let mut phich = Vec::with_capacity(phich_units);
        let mut used: Vec<(usize, usize)> = Vec::new();
        let n_id = cell.pci as usize;
        for m in 0..phich_units {
            let mut regs = [Reg { l: 0, k: [0; 4] }; 3];
            for (i, r) in regs.iter_mut().enumerate() {
                let li = match cell.phich_duration {
                    PhichDuration::Normal => 0,
                    PhichDuration::Extended => i.min(phich_syms - 1),
                };
                let n_li = free[li].len().max(1);
                let n_0 = free[0].len().max(1);
                let idx = (n_id * n_li / n_0 + m + i * n_li / 3) % n_li;
                let k = free[li].get(idx).copied().unwrap_or(0);
                *r = reg_at(cell, li, k);
                used.push((li, k));
            }
            phich.push(regs);
        }
        let mut pdcch = Vec::new();
        let n_sc = cell.n_sc();
        for k in 0..n_sc {
            for l in 0..n_ctrl {
                let step = if reg_symbol_has_rs(cell, l) { 6 } else { 4 };
                if k % step != 0 {
                    continue;
                }
                if l == 0 && pcf_starts.contains(&k) {
                    continue;
                }
                if used.contains(&(l, k)) {
                    continue;
                }
                pdcch.push(reg_at(cell, l, k));
            }
        }
        let m_quad = pdcch.len();
        let mut quad_reg = vec![0u32; m_quad];
        if m_quad > 0 {
            // The sub-block interleaver of TS 36.212 5.1.4.2.1 on quadruplets is the stream-0
            // part of the convolutional rate-matching map.
            let perm = cc_rate_match_map(m_quad);
            for i in 0..m_quad {
                let q = perm[(i + n_id) % m_quad].1 as usize;
                if let Some(slot) = quad_reg.get_mut(q) {
                    *slot = i as u32;
                }
            }
        }
        ControlMap {
            n_ctrl,
            pcfich,
            phich,
            pdcch,
            quad_reg,
            n_cce: m_quad / 9,
        }
    }

    /// The nine REGs of CCE `n` in the order its 36 QPSK symbols are mapped.
    pub fn cce_regs(&self, n: usize) -> impl Iterator<Item = &Reg> + '_ {
        (9 * n..9 * n + 9).filter_map(move |q| {
            let i = *self.quad_reg.get(q)? as usize;
            self.pdcch.get(i)
        })
    }
}

/// PDCCH scrambling c_init = floor(ns / 2) 2^9 + N_ID^cell (TS 36.211 6.8.2).
pub fn pdcch_scrambling_init(pci: u16, subframe: usize) -> u32 {
    (subframe as u32 % 10) * 512 + pci as u32
}

/// A DCI found by the blind search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundDci {
    pub rnti: u16,
    pub format: DciFormat,
    /// Aggregation level L (CCEs) and first CCE.
    pub aggregation: u8,
    pub first_cce: u16,
    /// Payload bits (0/1), without CRC.
    pub bits: Vec<u8>,
    /// Soft agreement of the re-encoded codeword with what was received (0..1).
    pub agreement: f32,
}

/// Smallest agreement between a CRC-passing DCI's re-encoded codeword and the received soft
/// bits: a random block that passes the 16-bit check scores about 0.3.
pub const MIN_DCI_AGREEMENT: f32 = 0.5;

/// CCEs of the common search space, TS 36.213 9.1.1.
pub const COMMON_CCES: usize = 16;

/// Smallest linear SNR (received power over noise, minus 1) of a candidate's CCEs worth a
/// blind decoding attempt: about -7 dB, below where an aggregation-8 DCI still decodes.
pub const MIN_CANDIDATE_SNR: f32 = 0.2;

/// Control-region receiver: soft bits of the CCEs and the common-search-space blind decoding.
pub struct PdcchDecoder {
    vit: TailBitingViterbi,
    /// Rate-matching maps per coded length K (payload + 16).
    maps: Vec<(usize, Vec<(u8, u16)>)>,
    /// Descrambled soft bits of all CCEs of the current subframe.
    pub llr: Vec<f32>,
    /// Per CCE: received power over the noise power, minus 1 (an SNR estimate).
    pub cce_snr: Vec<f32>,
    y: Vec<Complex32>,
    h: Vec<[Complex32; 4]>,
    eq: Vec<Equalised>,
    /// Scrambling bits per subframe number and the c_init they were made for.
    scr: [Vec<u8>; 10],
    scr_key: [Option<u32>; 10],
}

impl Default for PdcchDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl PdcchDecoder {
    pub fn new() -> Self {
        PdcchDecoder {
            vit: TailBitingViterbi::new(),
            maps: Vec::new(),
            llr: Vec::new(),
            cce_snr: Vec::new(),
            y: Vec::new(),
            h: Vec::new(),
            eq: Vec::new(),
            scr: Default::default(),
            scr_key: [None; 10],
        }
    }

    /// Extracts, combines, demaps and descrambles the first `max_cce` CCEs of `map` (16 cover
    /// the common search space) from `grid` into `self.llr` (72 soft bits per CCE, positive =
    /// 0). The control symbols must be demodulated and the channel estimated.
    pub fn receive(
        &mut self,
        grid: &SubframeGrid,
        cell: &DlCell,
        map: &ControlMap,
        sf: usize,
        max_cce: usize,
    ) {
        let n_q = 9 * map.n_cce.min(max_cce);
        self.y.clear();
        self.h.clear();
        for q in 0..n_q {
            let Some(reg) = map.quad_reg.get(q).and_then(|&i| map.pdcch.get(i as usize)) else {
                continue;
            };
            for &k in &reg.k {
                self.y.push(grid.y(reg.l as usize, k as usize));
                self.h.push(grid.h_all(reg.l as usize, k as usize));
            }
        }
        // Received power per CCE over the noise: an unused CCE (nothing sent) sits near 1.
        let nv = grid.noise_var.max(1e-20);
        self.cce_snr.clear();
        for c in self.y.chunks(36) {
            let p = c.iter().map(|v| v.norm_sqr()).sum::<f32>() / c.len().max(1) as f32;
            self.cce_snr.push(p / nv - 1.0);
        }
        self.eq.resize(self.y.len(), Equalised::default());
        combine(
            cell.ports as usize,
            &self.y,
            &self.h,
            grid.noise_var,
            &mut self.eq,
        );
        self.llr.resize(2 * self.eq.len(), 0.0);
        qpsk_llr(&self.eq, &mut self.llr);
        // One sequence per subframe number, generated when the cell or length changes.
        let sfi = sf % 10;
        let need = self.llr.len();
        let c_init = pdcch_scrambling_init(cell.pci, sfi);
        if self.scr_key[sfi] != Some(c_init) || self.scr[sfi].len() < need {
            self.scr[sfi].resize(need, 0);
            Gold::fill(c_init, &mut self.scr[sfi]);
            self.scr_key[sfi] = Some(c_init);
        }
        for (v, &c) in self.llr.iter_mut().zip(self.scr[sfi].iter()) {
            if c == 1 {
                *v = -*v;
            }
        }
    }

    fn map_for(&mut self, k: usize) -> usize {
        if let Some(i) = self.maps.iter().position(|(kk, _)| *kk == k) {
            return i;
        }
        self.maps.push((k, cc_rate_match_map(k)));
        self.maps.len() - 1
    }

    /// Tries to decode a DCI of `payload` bits from `l_agg` CCEs starting at CCE `first`.
    /// Returns (RNTI that the CRC was masked with, payload bits, agreement) when the RNTI is
    /// one of `rntis` (the agreement is only worked out then).
    pub fn try_candidate(
        &mut self,
        first: usize,
        l_agg: usize,
        payload: usize,
        rntis: &[u16],
    ) -> Option<(u16, Vec<u8>, f32)> {
        let k = payload + 16;
        let e = 72 * l_agg;
        if k > 128 {
            return None;
        }
        let mi = self.map_for(k);
        let soft = self.llr.get(72 * first..72 * first + e)?;
        let map = &self.maps[mi].1;
        if map.is_empty() {
            return None;
        }
        let mut w = [[0f32; 128]; 3];
        for (j, &v) in soft.iter().enumerate() {
            let (s, kk) = map[j % map.len()];
            w[s as usize][kk as usize] += v;
        }
        let mut out = [0u8; 128];
        self.vit
            .decode([&w[0][..k], &w[1][..k], &w[2][..k]], &mut out[..k])?;
        let crc = crc16_bits(&out[..payload]);
        let rx = out[payload..k]
            .iter()
            .fold(0u16, |a, &b| (a << 1) | b as u16);
        let rnti = crc ^ rx;
        if !rntis.contains(&rnti) {
            return None;
        }
        // Re-encode and compare: a wrong block passing the 16-bit check by chance agrees
        // poorly with the soft values.
        let enc = conv_encode_tb(&out[..k]);
        let mut num = 0f32;
        let mut den = 0f32;
        for s in 0..3 {
            for i in 0..k {
                let v = w[s][i];
                num += if enc[s][i] == 1 { -v } else { v };
                den += v.abs();
            }
        }
        let agreement = if den > 0.0 { num / den } else { 0.0 };
        Some((rnti, out[..payload].to_vec(), agreement))
    }

    /// Blind search of the common search space (TS 36.213 9.1.1: CCEs 0..min(16, N_CCE), L = 4
    /// with 4 candidates, L = 8 with 2) for formats 1A and 1C with CRC masked by one of
    /// `rntis`. A DCI decoded at both levels is reported once, at the level that agrees best.
    pub fn search_common(
        &mut self,
        cell: &DlCell,
        map: &ControlMap,
        rntis: &[u16],
    ) -> Vec<FoundDci> {
        let n_cce = map.n_cce.min(COMMON_CCES).min(self.cce_snr.len());
        let mut found: Vec<FoundDci> = Vec::new();
        for (l_agg, n_cand) in [(4usize, 4usize), (8, 2)] {
            let n_pos = n_cce / l_agg;
            if n_pos == 0 {
                continue;
            }
            // Y_k = 0 in the common space: candidate m starts at CCE L ((m) mod floor(N/L)).
            for m in 0..n_cand.min(n_pos) {
                let first = l_agg * m;
                // Skip candidates with no power above the noise (nothing is sent there): saves
                // the Viterbi runs in empty control regions and TDD uplink subframes.
                let snr = self
                    .cce_snr
                    .get(first..first + l_agg)
                    .map(|v| v.iter().sum::<f32>() / l_agg as f32)
                    .unwrap_or(0.0);
                if snr < MIN_CANDIDATE_SNR {
                    continue;
                }
                for format in [DciFormat::Format1A, DciFormat::Format1C] {
                    let Some(size) = dci_size(format, cell.n_prb, cell.duplex) else {
                        continue;
                    };
                    let Some((rnti, bits, agreement)) =
                        self.try_candidate(first, l_agg, size, rntis)
                    else {
                        continue;
                    };
                    if agreement < MIN_DCI_AGREEMENT {
                        continue;
                    }
                    // Format 0 and 1A share a size; the first bit tells them apart (1 = 1A).
                    if format == DciFormat::Format1A && bits.first() != Some(&1) {
                        continue;
                    }
                    if let Some(prev) = found
                        .iter_mut()
                        .find(|f| f.rnti == rnti && f.format == format && f.bits == bits)
                    {
                        if agreement > prev.agreement {
                            prev.aggregation = l_agg as u8;
                            prev.first_cce = first as u16;
                            prev.agreement = agreement;
                        }
                        continue;
                    }
                    found.push(FoundDci {
                        rnti,
                        format,
                        aggregation: l_agg as u8,
                        first_cce: first as u16,
                        bits,
                        agreement,
                    });
                }
            }
        }
        found
    }
}

/// Number of REGs per PRB in control symbol `l` (2 with CRS, 3 without).
pub fn regs_per_prb(cell: &DlCell, l: usize) -> usize {
    if reg_symbol_has_rs(cell, l) {
        SC_PER_RB / 6
    } else {
        SC_PER_RB / 4
    }
}

/// The transmit side of a DCI (TS 36.212 5.3.3.2-5.3.3.4): CRC16 scrambled by the RNTI,
/// tail-biting convolutional code, rate matching to `e_bits` (72 per CCE). What a generator
/// puts on the PDCCH and what [`PdcchDecoder`] undoes.
pub fn encode_dci(payload: &[u8], rnti: u16, e_bits: usize) -> Vec<u8> {
    let mut c = payload.to_vec();
    let crc = crc16_bits(payload) ^ rnti;
    c.extend((0..16).map(|i| ((crc >> (15 - i)) & 1) as u8));
    let d = conv_encode_tb(&c);
    let map = cc_rate_match_map(c.len());
    (0..e_bits)
        .map(|j| {
            let (s, i) = map[j % map.len()];
            d[usize::from(s)][usize::from(i)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CyclicPrefix, Duplex};

    fn cell(pci: u16, n_prb: u16, ports: u8) -> DlCell {
        DlCell {
            pci,
            n_prb,
            ports,
            cp: CyclicPrefix::Normal,
            duplex: Duplex::Fdd,
            phich_ng: PhichResource::One,
            phich_duration: PhichDuration::Normal,
            tdd_config: None,
        }
    }

    #[test]
    fn reg_skips_reference_signals() {
        let c = cell(301, 100, 2); // v_shift 1 -> RS at k mod 3 == 1
        assert_eq!(reg_at(&c, 0, 6).k, [6, 8, 9, 11]);
        assert_eq!(reg_at(&c, 1, 8).k, [8, 9, 10, 11]);
    }

    #[test]
    fn control_map_counts() {
        // 6 RB, 4 control symbols, Ng one: 1 PHICH group. Symbol 0: 12 REGs - 4 PCFICH - 3
        // PHICH = 5; symbols 1..3: 18 each. 59 REGs -> 6 CCEs.
        let c = cell(1, 6, 1);
        let units = phich_mapping_units(&c, 1);
        assert_eq!(units, 1);
        let m = ControlMap::new(&c, 4, units);
        assert_eq!(m.pdcch.len(), 59);
        assert_eq!(m.n_cce, 6);
        // 100 RB, 2 ports, CFI 1: 200 REGs - 4 - 13 * 3 = 157 -> 17 CCEs.
        let c = cell(301, 100, 2);
        assert_eq!(
            phich_groups_fdd(PhichResource::One, 100, CyclicPrefix::Normal),
            13
        );
        let m = ControlMap::new(&c, 1, 13);
        assert_eq!(m.pdcch.len(), 157);
        assert_eq!(m.n_cce, 17);
        // Every PDCCH REG carries exactly one quadruplet.
        let mut seen = vec![false; m.pdcch.len()];
        for &i in &m.quad_reg {
            assert!(!seen[i as usize]);
            seen[i as usize] = true;
        }
        // PHICH and PCFICH REGs never overlap each other or the PDCCH.
        let mut all: Vec<(u8, u16)> = m.pdcch.iter().map(|r| (r.l, r.k[0])).collect();
        all.extend(m.pcfich.iter().map(|r| (r.l, r.k[0])));
        all.extend(m.phich.iter().flatten().map(|r| (r.l, r.k[0])));
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(n, 200);
    }

    #[test]
    fn tdd_table_6_9_1() {
        assert_eq!(tdd_phich_m(0, 0), 2);
        assert_eq!(tdd_phich_m(2, 3), 1);
        assert_eq!(tdd_phich_m(2, 5), 0);
        assert_eq!(tdd_phich_m(6, 9), 1);
    }

    /// Encoding then decoding a DCI with noiseless soft bits gives back the payload and the
    /// RNTI (the decoder recovers the RNTI from the CRC mask).
    #[test]
    fn encode_dci_round_trips_through_the_viterbi() {
        let payload: Vec<u8> = (0..27).map(|i| ((i * 7 + 3) % 5 % 2) as u8).collect();
        let e = encode_dci(&payload, 0xFFFF, 288);
        assert_eq!(e.len(), 288);
        let k = payload.len() + 16;
        let map = cc_rate_match_map(k);
        let mut w = vec![vec![0f32; k]; 3];
        for (j, bit) in e.iter().enumerate() {
            let (st, idx) = map[j % map.len()];
            w[usize::from(st)][usize::from(idx)] += if *bit == 0 { 1.0 } else { -1.0 };
        }
        let mut vit = TailBitingViterbi::new();
        let mut out = vec![0u8; k];
        vit.decode([&w[0], &w[1], &w[2]], &mut out).unwrap();
        assert_eq!(&out[..27], &payload[..]);
        let rx = out[27..].iter().fold(0u16, |a, &b| (a << 1) | u16::from(b));
        assert_eq!(crc16_bits(&payload) ^ rx, 0xFFFF);
    }
}
