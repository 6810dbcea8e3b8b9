//! PSS search (TS 36.211 6.11.1) tolerant of large carrier offsets.
//!
//! The three Zadoff-Chu templates are correlated with the input by overlap-save FFT for a grid
//! of carrier-offset hypotheses: modulating a template by an integer number of FFT bins is a
//! circular shift of its spectrum, so every hypothesis costs one complex multiply pass and one
//! inverse FFT per block. |correlation|^2 is folded modulo one half frame (5 ms, where the PSS
//! repeats) and accumulated non-coherently, which is insensitive to the offset's phase drift.

use crate::ofdm::{derotate, HALF_FRAME_SAMPLES, NFFT};
use crate::seq::{pss_freq, sync_bin};
use crate::SEARCH_RATE_SPS;
use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Overlap-save block length.
const BLOCK: usize = 512;
/// Correlation outputs used per block: at most BLOCK - NFFT + 1 are free of wrap-around; 384
/// divides the half frame (25 blocks), so blocks at the same offset in successive half frames
/// fold onto the same accumulator segment, which stays in cache while they are summed.
const VALID: usize = 384;
const SEGMENTS: usize = HALF_FRAME_SAMPLES / VALID;
/// Hypothesis spacing in FFT bins of the block (2 bins = 7.5 kHz: at most 3.75 kHz off, which
/// costs under 1 dB of correlation over the 66.7 us PSS).
const HYP_STEP_BINS: i32 = 2;

/// A PSS seen in the accumulated correlation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PssCandidate {
    pub n_id_2: u8,
    /// Useful-part start of a PSS, modulo 9600 (one half frame).
    pub pos: usize,
    /// Carrier offset of the best hypothesis (coarse, +-3.75 kHz).
    pub freq_hz: f64,
    /// Peak over the mean of the accumulated correlation of this root.
    pub metric: f32,
}

/// Cached plans, templates and buffers of the PSS search.
pub struct PssSearch {
    fft: Arc<dyn Fft<f32>>,
    ifft: Arc<dyn Fft<f32>>,
    /// conj(FFT_BLOCK(zero-padded time template)) per root, real and imaginary parts apart
    /// (split arrays multiply without lane shuffles).
    templ_re: [Vec<f32>; 3],
    templ_im: [Vec<f32>; 3],
    /// Spectrum of the current block, split likewise.
    xf_re: Vec<f32>,
    xf_im: Vec<f32>,
    /// Unit-energy time-domain templates (used for local refinement).
    td: [[Complex32; NFFT]; 3],
    /// Hypothesis shifts in bins, as 0..BLOCK.
    shifts: Vec<usize>,
    shift_bins: Vec<i32>,
    /// Widest carrier offset hypothesis allowed (both signs).
    max_freq_offset_hz: f64,
    /// Accumulators of the 25 fold segments, each [root][hypothesis][VALID], kept after a
    /// search so that `extend` can resume.
    store: Vec<f32>,
    /// Samples the stored accumulation covers.
    covered: usize,
    xf: Vec<Complex32>,
    prod: Vec<Complex32>,
    scratch: Vec<Complex32>,
    /// Per root and folded position: best accumulated value over the hypotheses, and which.
    best: [Vec<(f32, usize)>; 3],
    /// Per root: mean of the accumulation over all positions and hypotheses.
    mean: [f64; 3],
    best_pos: Vec<(f32, usize)>,
    peaks_per_root: usize,
}

/// Positions around a taken peak that are not taken again (correlation main lobe and the
/// delay spread of the same cell).
const PEAK_GUARD: usize = 16;

impl PssSearch {
    pub fn new(
        planner: &mut FftPlanner<f32>,
        max_freq_offset_hz: f64,
        peaks_per_root: usize,
    ) -> Self {
        let fft = planner.plan_fft_forward(BLOCK);
        let ifft = planner.plan_fft_inverse(BLOCK);
        let ifft128 = planner.plan_fft_inverse(NFFT);
        let mut td = [[Complex32::new(0.0, 0.0); NFFT]; 3];
        let mut templ_conj: [Vec<Complex32>; 3] = Default::default();
        for r in 0..3 {
            let d = pss_freq(r);
            let t = &mut td[r];
            for (n, v) in d.iter().enumerate() {
                t[sync_bin(n, NFFT)] = *v;
            }
            ifft128.process(t);
            let e: f32 = t.iter().map(|c| c.norm_sqr()).sum::<f32>().sqrt();
            for c in t.iter_mut() {
                *c /= e;
            }
            let mut padded = vec![Complex32::new(0.0, 0.0); BLOCK];
            padded[..NFFT].copy_from_slice(t);
            fft.process(&mut padded);
            templ_conj[r] = padded.iter().map(|c| c.conj()).collect();
        }
        let (shift_bins, shifts) = hypotheses(-max_freq_offset_hz.abs(), max_freq_offset_hz.abs());
        let scratch_len = fft
            .get_inplace_scratch_len()
            .max(ifft.get_inplace_scratch_len());
        let templ_re = templ_conj
            .clone()
            .map(|t| t.iter().map(|c| c.re).collect::<Vec<f32>>());
        let templ_im = templ_conj.map(|t| t.iter().map(|c| c.im).collect::<Vec<f32>>());
        PssSearch {
            store: vec![0.0; SEGMENTS * 3 * shift_bins.len() * VALID],
            max_freq_offset_hz: max_freq_offset_hz.abs(),
            covered: 0,
            fft,
            ifft,
            templ_re,
            templ_im,
            xf_re: vec![0.0; BLOCK],
            xf_im: vec![0.0; BLOCK],
            td,
            shifts,
            shift_bins,
            xf: vec![Complex32::new(0.0, 0.0); BLOCK],
            prod: vec![Complex32::new(0.0, 0.0); BLOCK],
            scratch: vec![Complex32::new(0.0, 0.0); scratch_len],
            best: Default::default(),
            mean: [0.0; 3],
            best_pos: vec![(0.0, 0); HALF_FRAME_SAMPLES],
            peaks_per_root: peaks_per_root.max(1),
        }
    }

    /// Restricts the carrier-offset hypotheses to `lo_hz..=hi_hz` (clamped to the
    /// construction-time maximum), or the whole range with `None`. Once a receiver knows its own
    /// oscillator error from a decoded cell, the cells of the carrier sit within a few kHz of it
    /// and a few hypotheses replace the 31 of a blind search. Resets the accumulation.
    pub fn set_freq_range(&mut self, range_hz: Option<(f64, f64)>) {
        let max = self.max_freq_offset_hz;
        let (lo, hi) = match range_hz {
            Some((lo, hi)) if lo <= hi => (lo.clamp(-max, max), hi.clamp(-max, max)),
            _ => (-max, max),
        };
        let (shift_bins, shifts) = hypotheses(lo, hi);
        if shift_bins != self.shift_bins {
            self.store = vec![0.0; SEGMENTS * 3 * shift_bins.len() * VALID];
            self.shift_bins = shift_bins;
            self.shifts = shifts;
        }
        self.covered = 0;
    }

    /// Number of carrier-offset hypotheses searched.
    pub fn hypotheses(&self) -> usize {
        self.shift_bins.len()
    }

    /// Unit-energy time-domain PSS (no CP) of `n_id_2`.
    pub fn template(&self, n_id_2: usize) -> &[Complex32; NFFT] {
        &self.td[n_id_2 % 3]
    }

    /// Accumulates over `x` (at most the caller's search span) and returns up to
    /// `peaks_per_root` candidates of each root whose metric reaches `threshold`, strongest first.
    pub fn search(&mut self, x: &[Complex32], threshold: f32) -> Vec<PssCandidate> {
        self.covered = 0;
        self.extend(x, threshold)
    }

    /// Like [`PssSearch::search`] over all of `x`, where `x` starts with the span the previous
    /// `search`/`extend` call accumulated (the longer second pass of the cell search): only the
    /// new samples are correlated.
    pub fn extend(&mut self, x: &[Complex32], threshold: f32) -> Vec<PssCandidate> {
        let nh = self.shifts.len();
        let seg_len = 3 * nh * VALID;
        let done = if x.len() >= self.covered {
            self.covered
        } else {
            0
        };
        if done == 0 {
            self.store.fill(0.0);
        }
        let mut sums = [0f64; 3];
        for b in self.best.iter_mut() {
            b.clear();
            b.resize(HALF_FRAME_SAMPLES, (0.0, 0));
        }
        // Outputs of the block at `start` whose whole PSS window lies in the first `len`
        // samples.
        let n_out = |start: usize, len: usize| (len + 1).saturating_sub(NFFT + start).min(VALID);
        let mut store = std::mem::take(&mut self.store);
        for (seg, acc) in store.chunks_exact_mut(seg_len).enumerate() {
            let mut start = seg * VALID;
            // The last block may be short: it is zero-padded.
            while start + NFFT <= x.len() {
                let (lo, hi) = (n_out(start, done), n_out(start, x.len()));
                if hi > lo {
                    let end = (start + BLOCK).min(x.len());
                    self.accumulate_block(&x[start..end], acc, lo, hi);
                }
                start += HALF_FRAME_SAMPLES;
            }
            // Fold the segment into the per-position best hypothesis and the root's sum.
            for r in 0..3 {
                let rows = &acc[r * nh * VALID..(r + 1) * nh * VALID];
                sums[r] += rows.iter().map(|&v| v as f64).sum::<f64>();
                let best = &mut self.best[r][seg * VALID..(seg + 1) * VALID];
                for (h, row) in rows.chunks_exact(VALID).enumerate() {
                    for (b, &v) in best.iter_mut().zip(row.iter()) {
                        if v > b.0 {
                            *b = (v, h);
                        }
                    }
                }
            }
        }
        self.store = store;
        self.covered = x.len();
        for r in 0..3 {
            self.mean[r] = sums[r] / (nh * HALF_FRAME_SAMPLES) as f64;
        }
        let bin_hz = SEARCH_RATE_SPS / BLOCK as f64;
        let mut out = Vec::new();
        for r in 0..3 {
            let mean = self.mean[r];
            if mean <= 0.0 {
                continue;
            }
            self.best_pos.copy_from_slice(&self.best[r]);
            // several peaks per root (a weak cell can hide under another cell's sidelobes;
            // the SSS and the MIB CRC sort them out)
            for _ in 0..self.peaks_per_root {
                let (pos, &(v, h)) = match self
                    .best_pos
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                {
                    Some(m) => m,
                    None => break,
                };
                let metric = (v as f64 / mean) as f32;
                if metric < threshold {
                    break;
                }
                out.push(PssCandidate {
                    n_id_2: r as u8,
                    pos,
                    freq_hz: self.shift_bins[h] as f64 * bin_hz,
                    metric,
                });
                for d in 0..=2 * PEAK_GUARD {
                    let i = (pos + HALF_FRAME_SAMPLES + d - PEAK_GUARD) % HALF_FRAME_SAMPLES;
                    self.best_pos[i].0 = 0.0;
                }
            }
        }
        out.sort_by(|a, b| b.metric.total_cmp(&a.metric));
        out
    }

    /// Correlates one block (at most BLOCK samples, zero-padded) with every root and hypothesis
    /// and adds |c|^2 of its outputs `lo..hi` to the segment accumulator `acc`.
    fn accumulate_block(&mut self, block: &[Complex32], acc: &mut [f32], lo: usize, hi: usize) {
        let nh = self.shifts.len();
        self.xf[..block.len()].copy_from_slice(block);
        self.xf[block.len()..].fill(Complex32::new(0.0, 0.0));
        self.fft
            .process_with_scratch(&mut self.xf, &mut self.scratch);
        for (i, c) in self.xf.iter().enumerate() {
            self.xf_re[i] = c.re;
            self.xf_im[i] = c.im;
        }
        for r in 0..3 {
            let (tr, ti) = (&self.templ_re[r], &self.templ_im[r]);
            for (h, &s) in self.shifts.iter().enumerate() {
                // prod[k] = X[k + s] * conj(P[k]): the correlation for the hypothesis modulated
                // by s bins, times a unit phase ramp that |.|^2 ignores.
                let n_lo = BLOCK - s;
                mul_split(
                    &mut self.prod[..n_lo],
                    &self.xf_re[s..],
                    &self.xf_im[s..],
                    &tr[..n_lo],
                    &ti[..n_lo],
                );
                mul_split(
                    &mut self.prod[n_lo..],
                    &self.xf_re[..s],
                    &self.xf_im[..s],
                    &tr[n_lo..],
                    &ti[n_lo..],
                );
                self.ifft
                    .process_with_scratch(&mut self.prod, &mut self.scratch);
                let row = &mut acc[(r * nh + h) * VALID..(r * nh + h + 1) * VALID];
                for (a, c) in row[lo..hi].iter_mut().zip(self.prod[lo..hi].iter()) {
                    *a += c.norm_sqr();
                }
            }
        }
    }

    /// Metric (peak over mean, best hypothesis) of root `n_id_2` at folded position `pos`, from
    /// the last [`PssSearch::search`].
    pub fn metric_at(&self, n_id_2: usize, pos: usize) -> f32 {
        let r = n_id_2 % 3;
        let mean = self.mean[r];
        match self.best[r].get(pos % HALF_FRAME_SAMPLES) {
            Some(&(v, _)) if mean > 0.0 => (v as f64 / mean) as f32,
            _ => 0.0,
        }
    }

    /// Correlation of the two halves of the PSS template with `x` at useful start `pos`, after
    /// removing `cfo_hz`. `None` when the window does not fit.
    pub fn half_corr(
        &self,
        x: &[Complex32],
        pos: usize,
        n_id_2: usize,
        cfo_hz: f64,
    ) -> Option<(Complex32, Complex32)> {
        let seg = x.get(pos..pos + NFFT)?;
        let mut buf = [Complex32::new(0.0, 0.0); NFFT];
        derotate(seg, pos, cfo_hz, &mut buf);
        let t = &self.td[n_id_2 % 3];
        let mut c1 = Complex32::new(0.0, 0.0);
        let mut c2 = Complex32::new(0.0, 0.0);
        for i in 0..NFFT / 2 {
            c1 += buf[i] * t[i].conj();
        }
        for i in NFFT / 2..NFFT {
            c2 += buf[i] * t[i].conj();
        }
        Some((c1, c2))
    }

    /// Best PSS position within +-`radius` of `guess`, with its correlation power.
    pub fn refine(
        &self,
        x: &[Complex32],
        guess: usize,
        radius: usize,
        n_id_2: usize,
        cfo_hz: f64,
    ) -> Option<(usize, f32)> {
        let lo = guess.saturating_sub(radius);
        let mut best: Option<(usize, f32)> = None;
        for p in lo..=guess + radius {
            if let Some((a, b)) = self.half_corr(x, p, n_id_2, cfo_hz) {
                let v = (a + b).norm_sqr();
                if best.is_none_or(|(_, bv)| v > bv) {
                    best = Some((p, v));
                }
            }
        }
        best
    }
}

/// Hypothesis shifts (in block bins, and as 0..BLOCK indices) covering `lo_hz..=hi_hz` on the
/// `HYP_STEP_BINS` grid; the grid is anchored at 0 Hz so a narrowed search uses the same
/// hypotheses as the blind one.
fn hypotheses(lo_hz: f64, hi_hz: f64) -> (Vec<i32>, Vec<usize>) {
    let bin_hz = SEARCH_RATE_SPS / BLOCK as f64;
    let step_hz = HYP_STEP_BINS as f64 * bin_hz;
    // Each hypothesis covers +-step/2 around it, so rounding the ends still covers the range to
    // within half a step (where the correlation loss is under 1 dB).
    let lo = (lo_hz / step_hz).round() as i32;
    let hi = (hi_hz / step_hz).round() as i32;
    let shift_bins: Vec<i32> = (lo..=hi).map(|s| s * HYP_STEP_BINS).collect();
    let shifts = shift_bins
        .iter()
        .map(|s| s.rem_euclid(BLOCK as i32) as usize)
        .collect();
    (shift_bins, shifts)
}

/// out[k] = (ar[k] + j ai[k]) * (br[k] + j bi[k]) over the shortest of the slices.
#[inline]
fn mul_split(out: &mut [Complex32], ar: &[f32], ai: &[f32], br: &[f32], bi: &[f32]) {
    let n = out
        .len()
        .min(ar.len())
        .min(ai.len())
        .min(br.len())
        .min(bi.len());
    let (out, ar, ai, br, bi) = (&mut out[..n], &ar[..n], &ai[..n], &br[..n], &bi[..n]);
    for k in 0..n {
        out[k] = Complex32::new(ar[k] * br[k] - ai[k] * bi[k], ar[k] * bi[k] + ai[k] * br[k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PSS of root 1 every half frame at 47 kHz offset, in pseudo-random noise.
    fn signal(len: usize) -> Vec<Complex32> {
        let mut planner = FftPlanner::new();
        let s = PssSearch::new(&mut planner, 110_000.0, 3);
        let t = *s.template(1);
        let mut seed = 7u64;
        let mut noise = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        };
        let mut x: Vec<Complex32> = (0..len)
            .map(|_| Complex32::new(noise(), noise()) * 0.05)
            .collect();
        let w = 2.0 * std::f64::consts::PI * 47_000.0 / SEARCH_RATE_SPS;
        let mut p = 1234;
        while p + NFFT <= len {
            for (n, v) in t.iter().enumerate() {
                let ph = w * (p + n) as f64;
                x[p + n] += v * Complex32::new(ph.cos() as f32, ph.sin() as f32);
            }
            p += HALF_FRAME_SAMPLES;
        }
        x
    }

    #[test]
    fn finds_root_position_and_offset() {
        let x = signal(38_400);
        let mut s = PssSearch::new(&mut FftPlanner::new(), 110_000.0, 3);
        let c = s.search(&x, 8.0);
        assert_eq!((c[0].n_id_2, c[0].pos), (1, 1234));
        assert!((c[0].freq_hz - 47_000.0).abs() <= 3_750.0, "{:?}", c[0]);
    }

    #[test]
    fn narrowed_range_finds_the_offset_inside_it_only() {
        let x = signal(38_400);
        let mut s = PssSearch::new(&mut FftPlanner::new(), 110_000.0, 3);
        s.set_freq_range(Some((40_000.0, 55_000.0)));
        assert_eq!(s.hypotheses(), 3);
        let c = s.search(&x, 8.0);
        assert_eq!((c[0].n_id_2, c[0].pos), (1, 1234));
        assert!((c[0].freq_hz - 47_000.0).abs() <= 3_750.0, "{:?}", c[0]);
        // a range 30 kHz away: the PSS decorrelates, nothing clears the threshold at its root
        s.set_freq_range(Some((-10_000.0, 10_000.0)));
        let c = s.search(&x, 8.0);
        assert!(c.iter().all(|c| c.pos != 1234 || c.n_id_2 != 1), "{c:?}");
        s.set_freq_range(None);
        assert_eq!(s.hypotheses(), 31);
    }

    #[test]
    fn extend_equals_a_fresh_search_over_the_longer_span() {
        let x = signal(4 * 38_400 + 77);
        let mut a = PssSearch::new(&mut FftPlanner::new(), 110_000.0, 3);
        let mut b = PssSearch::new(&mut FftPlanner::new(), 110_000.0, 3);
        let fresh = a.search(&x, 2.0);
        b.search(&x[..38_400 + 100], 2.0);
        let resumed = b.extend(&x, 2.0);
        assert_eq!(fresh.len(), resumed.len());
        for (f, r) in fresh.iter().zip(resumed.iter()) {
            assert_eq!((f.n_id_2, f.pos, f.freq_hz), (r.n_id_2, r.pos, r.freq_hz));
            assert!((f.metric - r.metric).abs() < 1e-3 * f.metric, "{f:?} {r:?}");
        }
        for r in 0..3 {
            assert!((a.metric_at(r, 1234) - b.metric_at(r, 1234)).abs() < 1e-2);
        }
    }
}
