//! SSS detection (TS 36.211 6.11.2): cell-identity group N_ID_1, subframe 0/5 (frame timing),
//! cyclic prefix and duplex mode from where the SSS sits relative to the PSS.
//!
//! Each SSS candidate symbol is equalised with the PSS of the same half frame as the channel
//! reference (e = Y_sss * conj(Y_pss) * d_pss). The metric is linear in e, so the e of all half
//! frames are summed first, separately for even and odd half frames (which alternate between
//! subframe 0 and 5), and only then correlated with the 168 x 2 sequences.

use crate::ofdm::{pss_start, sss_start, Demod, NFFT};
use crate::seq::{pss_freq, sss_seq, sync_bin};
use crate::{CyclicPrefix, Duplex};
use num_complex::Complex32;

/// The four (duplex, CP) layouts tried.
pub const LAYOUTS: [(Duplex, CyclicPrefix); 4] = [
    (Duplex::Fdd, CyclicPrefix::Normal),
    (Duplex::Tdd, CyclicPrefix::Normal),
    (Duplex::Fdd, CyclicPrefix::Extended),
    (Duplex::Tdd, CyclicPrefix::Extended),
];

/// Outcome of the SSS stage for one PSS candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SssDetection {
    pub n_id_1: u16,
    pub duplex: Duplex,
    pub cp: CyclicPrefix,
    /// True when the first PSS occurrence given belongs to subframe 0 (else subframe 5).
    pub first_is_subframe0: bool,
    /// z-score of the best (group, half-frame) metric against the other 335 of its layout.
    pub margin: f32,
}

/// Precomputed SSS sequences as f32 (index [n_id_2][subframe5][n_id_1][n]) and PSS values.
pub struct SssDetector {
    seqs: Vec<f32>,
    pss: [[Complex32; 62]; 3],
}

impl Default for SssDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl SssDetector {
    pub fn new() -> Self {
        let mut seqs = Vec::with_capacity(3 * 2 * 168 * 62);
        for n2 in 0..3 {
            for sf5 in [false, true] {
                for n1 in 0..168 {
                    seqs.extend(sss_seq(n1, n2, sf5).iter().map(|&v| v as f32));
                }
            }
        }
        SssDetector {
            seqs,
            pss: [pss_freq(0), pss_freq(1), pss_freq(2)],
        }
    }

    fn seq(&self, n2: usize, sf5: bool, n1: usize) -> &[f32] {
        let i = ((n2 * 2 + usize::from(sf5)) * 168 + n1) * 62;
        &self.seqs[i..i + 62]
    }

    /// Detects the SSS given the (refined) PSS useful starts `pss_pos` of successive half frames.
    pub fn detect(
        &self,
        demod: &mut Demod,
        x: &[Complex32],
        n_id_2: usize,
        pss_pos: &[usize],
        cfo_hz: f64,
    ) -> Option<SssDetection> {
        self.detect_constrained(demod, x, n_id_2, pss_pos, cfo_hz, None)
    }

    /// [`SssDetector::detect`] for one given group and layout (a co-sited sector is tried with
    /// its anchor cell's N_ID_1): the subframe parity is still chosen, and the margin is the
    /// z-score of that group against all the others of the layout.
    pub fn detect_group(
        &self,
        demod: &mut Demod,
        x: &[Complex32],
        n_id_2: usize,
        pss_pos: &[usize],
        cfo_hz: f64,
        group: (u16, Duplex, CyclicPrefix),
    ) -> Option<SssDetection> {
        self.detect_constrained(demod, x, n_id_2, pss_pos, cfo_hz, Some(group))
    }

    fn detect_constrained(
        &self,
        demod: &mut Demod,
        x: &[Complex32],
        n_id_2: usize,
        pss_pos: &[usize],
        cfo_hz: f64,
        group: Option<(u16, Duplex, CyclicPrefix)>,
    ) -> Option<SssDetection> {
        let n2 = n_id_2 % 3;
        let z = &self.pss[n2];
        // e sums per layout and parity
        let mut e = [[[Complex32::new(0.0, 0.0); 62]; 2]; 4];
        let mut used = [[0usize; 2]; 4];
        let mut ypss = [Complex32::new(0.0, 0.0); NFFT];
        let mut ysss = [Complex32::new(0.0, 0.0); NFFT];
        for (i, &p) in pss_pos.iter().enumerate() {
            if !demod.symbol(x, p, cfo_hz, &mut ypss) {
                continue;
            }
            for (li, &(dup, cp)) in LAYOUTS.iter().enumerate() {
                let delta = pss_start(dup, cp) - sss_start(dup, cp);
                let Some(sp) = p.checked_sub(delta) else {
                    continue;
                };
                if !demod.symbol(x, sp, cfo_hz, &mut ysss) {
                    continue;
                }
                used[li][i % 2] += 1;
                for n in 0..62 {
                    let b = sync_bin(n, NFFT);
                    e[li][i % 2][n] += ysss[b] * ypss[b].conj() * z[n];
                }
            }
        }
        let mut best: Option<SssDetection> = None;
        let mut best_norm = 0f32;
        for (li, &(dup, cp)) in LAYOUTS.iter().enumerate() {
            if used[li][0] + used[li][1] == 0 {
                continue;
            }
            if group.is_some_and(|(_, d, c)| (d, c) != (dup, cp)) {
                continue;
            }
            let mut sum = 0f64;
            let mut sum_sq = 0f64;
            let mut count = 0usize;
            let mut top = (0usize, false, f32::MIN);
            for n1 in 0..168 {
                for h in [false, true] {
                    // h == false: even half frames are subframe 0.
                    let a = corr(&e[li][0], self.seq(n2, h, n1));
                    let b = corr(&e[li][1], self.seq(n2, !h, n1));
                    let m = a + b;
                    sum += m as f64;
                    sum_sq += (m as f64) * (m as f64);
                    count += 1;
                    if group.is_some_and(|(g, _, _)| usize::from(g) != n1) {
                        continue;
                    }
                    if m > top.2 {
                        top = (n1, h, m);
                    }
                }
            }
            // z-score of the best group against all the others
            let t = top.2 as f64;
            let n = (count - 1) as f64;
            let mean = (sum - t) / n;
            let var = ((sum_sq - t * t) / n - mean * mean).max(1e-30);
            if mean <= 0.0 {
                continue;
            }
            let norm = ((t - mean) / var.sqrt()) as f32;
            if norm > best_norm {
                best_norm = norm;
                best = Some(SssDetection {
                    n_id_1: top.0 as u16,
                    duplex: dup,
                    cp,
                    first_is_subframe0: !top.1,
                    margin: norm,
                });
            }
        }
        best
    }
}

#[inline]
fn corr(e: &[Complex32; 62], d: &[f32]) -> f32 {
    let mut acc = Complex32::new(0.0, 0.0);
    for (v, &s) in e.iter().zip(d.iter()) {
        acc += v * s;
    }
    // sqrt of the power rather than hypot: the same to rounding, and several times cheaper
    acc.norm_sqr().sqrt()
}
