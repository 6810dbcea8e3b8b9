//! PDSCH (TS 36.211 6.3, 6.4): the resource elements a transport block occupies in a subframe
//! (public, in mapping order, for transmitters too), single-port and transmit-diversity
//! combining, QPSK/16QAM/64QAM soft demapping (TS 36.211 7.1; positive LLR = bit 0) and
//! descrambling (TS 36.211 6.3.1).

use crate::dci::PrbAllocation;
use crate::grid::{combine, DlCell, Equalised, SubframeGrid, SC_PER_RB};
use crate::seq::Gold;
use crate::Duplex;
use num_complex::Complex32;

/// True when RE (l, k) of `subframe` is taken by the PBCH or the synchronisation signals
/// (including their reserved guard subcarriers): the central 72 subcarriers of subframe 0,
/// slot 1, symbols 0..3 (TS 36.211 6.6.4), of the SSS/PSS symbols (FDD: last two symbols of
/// slot 0 of subframes 0 and 5; TDD: last symbol of subframes 0 and 5, and symbol 2 of
/// subframes 1 and 6; TS 36.211 6.11).
pub fn is_pbch_or_sync(cell: &DlCell, subframe: usize, l: usize, k: usize) -> bool {
    let n_sc = cell.n_sc();
    let lo = (n_sc / 2).saturating_sub(36);
    if k < lo || k >= lo + 72 {
        return false;
    }
    let n = cell.symbols_per_slot();
    let sf = subframe % 10;
    if sf == 0 && l >= n && l < n + 4 {
        return true;
    }
    match cell.duplex {
        Duplex::Fdd => (sf == 0 || sf == 5) && (l == n - 2 || l == n - 1),
        Duplex::Tdd => ((sf == 0 || sf == 5) && l == 2 * n - 1) || ((sf == 1 || sf == 6) && l == 2),
    }
}

/// The PDSCH resource elements (l, k) of an allocation in `subframe` with `n_ctrl` control
/// symbols, in the order the modulation symbols are mapped (TS 36.211 6.3.5: k first over the
/// assigned PRBs, then l, starting with the first slot). CRS REs of all configured ports and
/// PBCH/synchronisation REs are skipped. `out` is cleared first.
pub fn pdsch_res(
    cell: &DlCell,
    subframe: usize,
    n_ctrl: usize,
    alloc: &PrbAllocation,
    out: &mut Vec<(u8, u16)>,
) {
    out.clear();
    let n = cell.symbols_per_slot();
    let n_prb = cell.n_prb as usize;
    for l in n_ctrl..2 * n {
        let slot = l / n;
        for prb in 0..n_prb {
            if !alloc.contains(slot, prb) {
                continue;
            }
            for k in prb * SC_PER_RB..(prb + 1) * SC_PER_RB {
                if cell.is_crs(l, k) || is_pbch_or_sync(cell, subframe, l, k) {
                    continue;
                }
                out.push((l as u8, k as u16));
            }
        }
    }
}

/// Bits per modulation symbol: 2, 4, 6.
pub fn valid_qm(qm: u8) -> bool {
    matches!(qm, 2 | 4 | 6)
}

/// PDSCH scrambling c_init = n_RNTI 2^14 + q 2^13 + floor(ns/2) 2^9 + N_ID^cell, TS 36.211
/// 6.3.1 (codeword q = 0).
pub fn pdsch_scrambling_init(rnti: u16, subframe: usize, pci: u16) -> u32 {
    ((rnti as u32) << 14) + (((subframe % 10) as u32) << 9) + pci as u32
}

/// Soft demapping of equalised symbols for Q_m = 2, 4, 6 (max-log, TS 36.211 7.1.2-7.1.4
/// Gray maps); `out` gets Q_m values per symbol, positive = bit 0.
pub fn demap(eq: &[Equalised], qm: u8, out: &mut [f32]) {
    match qm {
        4 => {
            let a = 1.0 / 10f32.sqrt();
            for (e, o) in eq.iter().zip(out.chunks_exact_mut(4)) {
                let (i, q) = (e.s.re, e.s.im);
                let w = 4.0 * a * e.inv_var;
                o[0] = w * i;
                o[1] = w * q;
                o[2] = w * (2.0 * a - i.abs());
                o[3] = w * (2.0 * a - q.abs());
            }
        }
        6 => {
            let a = 1.0 / 42f32.sqrt();
            for (e, o) in eq.iter().zip(out.chunks_exact_mut(6)) {
                let (i, q) = (e.s.re, e.s.im);
                let w = 4.0 * a * e.inv_var;
                o[0] = w * i;
                o[1] = w * q;
                o[2] = w * (4.0 * a - i.abs());
                o[3] = w * (4.0 * a - q.abs());
                o[4] = w * (2.0 * a - (i.abs() - 4.0 * a).abs());
                o[5] = w * (2.0 * a - (q.abs() - 4.0 * a).abs());
            }
        }
        _ => crate::grid::qpsk_llr(eq, out),
    }
}

/// PDSCH soft-bit extraction with buffers kept between subframes.
#[derive(Default)]
pub struct PdschRx {
    res: Vec<(u8, u16)>,
    y: Vec<Complex32>,
    h: Vec<[Complex32; 4]>,
    eq: Vec<Equalised>,
    scr: Vec<u8>,
}

impl PdschRx {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of PDSCH REs of the last [`PdschRx::soft_bits`] call.
    pub fn n_re(&self) -> usize {
        self.res.len()
    }

    /// Descrambled soft bits (G = Q_m * REs) of the allocation into `llr` (cleared first).
    /// All symbols from `n_ctrl` on must be demodulated and the channel estimated.
    #[allow(clippy::too_many_arguments)]
    pub fn soft_bits(
        &mut self,
        grid: &SubframeGrid,
        cell: &DlCell,
        subframe: usize,
        n_ctrl: usize,
        alloc: &PrbAllocation,
        rnti: u16,
        qm: u8,
        llr: &mut Vec<f32>,
    ) {
        llr.clear();
        if !valid_qm(qm) {
            return;
        }
        pdsch_res(cell, subframe, n_ctrl, alloc, &mut self.res);
        self.y.clear();
        self.h.clear();
        for &(l, k) in &self.res {
            self.y.push(grid.y(l as usize, k as usize));
            self.h.push(grid.h_all(l as usize, k as usize));
        }
        // With four ports the layer mapper pads to a multiple of four symbols; those padding
        // symbols are not sent, so the pairs of the combiner stay aligned from the start.
        self.eq.resize(self.y.len(), Equalised::default());
        combine(
            cell.ports as usize,
            &self.y,
            &self.h,
            grid.noise_var,
            &mut self.eq,
        );
        let g = self.eq.len() * qm as usize;
        llr.resize(g, 0.0);
        demap(&self.eq, qm, llr);
        self.scr.resize(g, 0);
        Gold::fill(
            pdsch_scrambling_init(rnti, subframe, cell.pci),
            &mut self.scr,
        );
        for (v, &c) in llr.iter_mut().zip(self.scr.iter()) {
            if c == 1 {
                *v = -*v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::{PhichDuration, PhichResource};
    use crate::CyclicPrefix;

    fn cell(duplex: Duplex, ports: u8) -> DlCell {
        DlCell {
            pci: 301,
            n_prb: 100,
            ports,
            cp: CyclicPrefix::Normal,
            duplex,
            phich_ng: PhichResource::One,
            phich_duration: PhichDuration::Normal,
            tdd_config: None,
        }
    }

    #[test]
    fn re_counts_per_prb_pair() {
        // 2 ports, CFI 1: 13 symbols * 12 - 3 CRS symbols (l = 4, 7, 11) * 4 = 144 per PRB.
        let c = cell(Duplex::Fdd, 2);
        let mut v = Vec::new();
        pdsch_res(&c, 5, 1, &PrbAllocation::localized(0, 4), &mut v);
        assert_eq!(v.len(), 4 * 144);
        // Subframe 5, central PRBs lose the SSS/PSS symbols (2 * 12 REs per PRB).
        pdsch_res(&c, 5, 1, &PrbAllocation::localized(47, 6), &mut v);
        assert_eq!(v.len(), 6 * (144 - 24));
        // Subframe 0, central PRBs also lose PBCH symbols 7..10 (minus their CRS).
        pdsch_res(&c, 0, 2, &PrbAllocation::localized(47, 6), &mut v);
        assert_eq!(v.len(), 6 * (132 - 24 - 44));
        // Mapping order: first RE at (n_ctrl, lowest k of the first PRB).
        assert_eq!(v[0], (2, 47 * 12));
        // One port: the CRS REs of port 1 carry PDSCH.
        let c1 = cell(Duplex::Tdd, 1);
        pdsch_res(&c1, 5, 2, &PrbAllocation::localized(0, 7), &mut v);
        assert_eq!(v.len(), 7 * (12 * 12 - 3 * 2));
    }

    #[test]
    fn qam_demap_signs() {
        let a = 1.0 / 10f32.sqrt();
        // 16QAM bits 0,0,1,1 -> I = +3a? (b0 = 0 positive, b2 = 1 outer) Q = +3a.
        let e = [Equalised {
            s: Complex32::new(3.0 * a, 3.0 * a),
            inv_var: 1.0,
        }];
        let mut o = [0f32; 4];
        demap(&e, 4, &mut o);
        assert!(o[0] > 0.0 && o[1] > 0.0 && o[2] < 0.0 && o[3] < 0.0);
    }
}
