//! PCFICH (TS 36.211 6.7, TS 36.212 5.3.4): where its four resource-element groups sit in
//! OFDM symbol 0 (public, for transmitters too), the 32-bit CFI codewords, scrambling, and the
//! receiver that picks the control format indicator from one subframe's grid.

use crate::grid::{combine, qpsk_llr, DlCell, Equalised, SubframeGrid, SC_PER_RB};
use crate::pdcch::{reg_at, Reg};
use crate::seq::Gold;
use num_complex::Complex32;

/// CFI codewords b(0..31) for CFI 1, 2, 3, TS 36.212 table 5.3.4-1 (bit 0 = MSB).
pub const CFI_CODEWORDS: [u32; 3] = [0x6DB6_DB6D, 0xB6DB_6DB6, 0xDB6D_B6DB];

/// First subcarrier of each of the four PCFICH REGs in symbol 0, TS 36.211 6.7.4:
/// k = k_bar + floor(i N_RB / 2) N_sc^RB / 2 with k_bar = (N_sc^RB / 2)(N_ID mod 2 N_RB).
pub fn pcfich_reg_starts(pci: u16, n_prb: u16) -> [usize; 4] {
    let n_rb = n_prb.max(1) as usize;
    let half = SC_PER_RB / 2;
    let k_bar = half * (pci as usize % (2 * n_rb));
    let n_sc = n_rb * SC_PER_RB;
    let mut out = [0usize; 4];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (k_bar + (i * n_rb / 2) * half) % n_sc;
    }
    out
}

/// The four PCFICH REGs (symbol 0), in the order the quadruplets z(0..3) are mapped.
pub fn pcfich_regs(cell: &DlCell) -> [Reg; 4] {
    let s = pcfich_reg_starts(cell.pci, cell.n_prb);
    [
        reg_at(cell, 0, s[0]),
        reg_at(cell, 0, s[1]),
        reg_at(cell, 0, s[2]),
        reg_at(cell, 0, s[3]),
    ]
}

/// PCFICH scrambling bits, c_init = (floor(ns/2) + 1)(2 N_ID + 1) 2^9 + N_ID (TS 36.211 6.7.1),
/// packed with c(0) in the MSB.
pub fn pcfich_scrambling(pci: u16, subframe: usize) -> u32 {
    let n = pci as u32;
    let c_init = (subframe as u32 % 10 + 1) * (2 * n + 1) * 512 + n;
    let mut g = Gold::new(c_init);
    let mut w = 0u32;
    for _ in 0..32 {
        w = (w << 1) | g.next_bit() as u32;
    }
    w
}

/// Scrambled 32 bits (MSB first) sent for `cfi` (1..3) in `subframe`: what a transmitter maps
/// as 16 QPSK symbols onto [`pcfich_regs`].
pub fn pcfich_bits(pci: u16, subframe: usize, cfi: u8) -> Option<u32> {
    let cw = *CFI_CODEWORDS.get(usize::from(cfi).checked_sub(1)?)?;
    Some(cw ^ pcfich_scrambling(pci, subframe))
}

/// Result of the CFI decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CfiDecision {
    /// Control format indicator 1..3.
    pub cfi: u8,
    /// Correlation of the soft bits with the chosen codeword over the sum of their magnitudes
    /// (1 = every bit agrees with full confidence).
    pub confidence: f32,
    /// Best correlation minus the second best, same scale.
    pub margin: f32,
}

/// OFDM symbols of the control region for a CFI (TS 36.211 table 6.7-1, non-MBSFN subframes):
/// CFI for N_RB > 10, CFI + 1 for N_RB <= 10.
pub fn control_symbols(cfi: u8, n_prb: u16) -> usize {
    if n_prb <= 10 {
        cfi as usize + 1
    } else {
        cfi as usize
    }
}

/// Decodes the CFI from symbol 0 of `grid` (demodulated and channel-estimated).
pub fn decode_cfi(grid: &SubframeGrid, cell: &DlCell, subframe: usize) -> Option<CfiDecision> {
    if grid.have & 1 == 0 {
        return None;
    }
    let regs = pcfich_regs(cell);
    let mut y = [Complex32::default(); 16];
    let mut h = [[Complex32::default(); 4]; 16];
    for (r, reg) in regs.iter().enumerate() {
        for (j, &k) in reg.k.iter().enumerate() {
            y[4 * r + j] = grid.y(0, k as usize);
            h[4 * r + j] = grid.h_all(0, k as usize);
        }
    }
    let mut eq = [Equalised::default(); 16];
    combine(cell.ports as usize, &y, &h, grid.noise_var, &mut eq);
    let mut llr = [0f32; 32];
    qpsk_llr(&eq, &mut llr);
    decide_cfi(&llr, cell.pci, subframe)
}

/// The CFI decision from the 32 soft bits of the PCFICH (positive = 0, still scrambled) of
/// `subframe`: the codeword of TS 36.212 table 5.3.4-1 that correlates best. `None` when the
/// soft bits carry no information (all zero or not finite).
pub fn decide_cfi(llr: &[f32; 32], pci: u16, subframe: usize) -> Option<CfiDecision> {
    let mut llr = *llr;
    let scr = pcfich_scrambling(pci, subframe);
    let mut total = 0f32;
    for (i, v) in llr.iter_mut().enumerate() {
        if (scr >> (31 - i)) & 1 == 1 {
            *v = -*v;
        }
        total += v.abs();
    }
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let mut scores = [0f32; 3];
    for (c, cw) in CFI_CODEWORDS.iter().enumerate() {
        scores[c] = llr
            .iter()
            .enumerate()
            .map(|(i, &v)| if (cw >> (31 - i)) & 1 == 1 { -v } else { v })
            .sum::<f32>()
            / total;
    }
    let mut best = 0;
    for c in 1..3 {
        if scores[c] > scores[best] {
            best = c;
        }
    }
    let second = (0..3)
        .filter(|&c| c != best)
        .map(|c| scores[c])
        .fold(f32::MIN, f32::max);
    Some(CfiDecision {
        cfi: best as u8 + 1,
        confidence: scores[best],
        margin: scores[best] - second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codewords_are_table_5_3_4_1() {
        let table = [
            "01101101101101101101101101101101",
            "10110110110110110110110110110110",
            "11011011011011011011011011011011",
        ];
        for (cw, s) in CFI_CODEWORDS.iter().zip(table) {
            assert_eq!(format!("{cw:032b}"), s);
        }
    }

    #[test]
    fn reg_starts_follow_6_7_4() {
        // PCI 301, 100 RB: k_bar = 6 * (301 mod 200) = 606; steps of 50 RB * 6 = 300.
        assert_eq!(pcfich_reg_starts(301, 100), [606, 906, 6, 306]);
        // PCI 1, 6 RB: k_bar = 6; steps of 3 RB * 6 = 18.
        assert_eq!(pcfich_reg_starts(1, 6), [6, 24, 42, 60]);
        assert_eq!(control_symbols(3, 6), 4);
        assert_eq!(control_symbols(2, 100), 2);
    }
}
