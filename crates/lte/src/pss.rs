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
/// Correlation outputs per block that are free of wrap-around.
const VALID: usize = BLOCK - NFFT + 1;
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
    /// conj(FFT_BLOCK(zero-padded time template)) per root.
    templ_conj: [Vec<Complex32>; 3],
    /// Unit-energy time-domain templates (used for local refinement).
    td: [[Complex32; NFFT]; 3],
    shifts: Vec<i32>,
    acc: Vec<f32>,
    xf: Vec<Complex32>,
    prod: Vec<Complex32>,
    scratch: Vec<Complex32>,
    best_pos: Vec<(f32, usize)>,
    peaks_per_root: usize,
    /// Template spectra hold energy only within +-band_half bins of DC; the products skip the
    /// rest.
    band_half: usize,
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
        // Template spectra: 62 subcarriers (4 bins apart here) plus interpolation sidelobes; bins
        // below 1e-4 of the peak power are dropped (under 0.1 % of the template energy).
        let peak = templ_conj
            .iter()
            .flat_map(|t| t.iter().map(|c| c.norm_sqr()))
            .fold(0f32, f32::max);
        let band_half = (0..BLOCK)
            .filter(|&k| templ_conj.iter().any(|t| t[k].norm_sqr() > 1e-4 * peak))
            .map(|k| k.min(BLOCK - k))
            .max()
            .unwrap_or(BLOCK / 2 - 1)
            .min(BLOCK / 2 - 1);
        let bin_hz = SEARCH_RATE_SPS / BLOCK as f64;
        let max_bins = (max_freq_offset_hz.abs() / bin_hz).ceil() as i32;
        let max_steps = (max_bins + HYP_STEP_BINS - 1) / HYP_STEP_BINS;
        let shifts: Vec<i32> = (-max_steps..=max_steps)
            .map(|s| s * HYP_STEP_BINS)
            .collect();
        let scratch_len = fft
            .get_inplace_scratch_len()
            .max(ifft.get_inplace_scratch_len());
        PssSearch {
            acc: vec![0.0; 3 * shifts.len() * HALF_FRAME_SAMPLES],
            fft,
            ifft,
            templ_conj,
            td,
            shifts,
            xf: vec![Complex32::new(0.0, 0.0); BLOCK],
            prod: vec![Complex32::new(0.0, 0.0); BLOCK],
            scratch: vec![Complex32::new(0.0, 0.0); scratch_len],
            best_pos: vec![(0.0, 0); HALF_FRAME_SAMPLES],
            band_half,
            peaks_per_root: peaks_per_root.max(1),
        }
    }

    /// Unit-energy time-domain PSS (no CP) of `n_id_2`.
    pub fn template(&self, n_id_2: usize) -> &[Complex32; NFFT] {
        &self.td[n_id_2 % 3]
    }

    /// Accumulates over `x` (at most the caller's search span) and returns up to
    /// `peaks_per_root` candidates of each root whose metric reaches `threshold`, strongest first.
    pub fn search(&mut self, x: &[Complex32], threshold: f32) -> Vec<PssCandidate> {
        self.acc.iter_mut().for_each(|v| *v = 0.0);
        let nh = self.shifts.len();
        let mut start = 0;
        while start + BLOCK <= x.len() {
            self.xf.copy_from_slice(&x[start..start + BLOCK]);
            self.fft
                .process_with_scratch(&mut self.xf, &mut self.scratch);
            for r in 0..3 {
                let t = &self.templ_conj[r];
                for (h, &s) in self.shifts.iter().enumerate() {
                    // prod[k' + s] = X[k' + s] * conj(P[k']), only where the template has energy
                    let s = s.rem_euclid(BLOCK as i32) as usize;
                    self.prod.fill(Complex32::new(0.0, 0.0));
                    // the band is one circular run of bins; walk it in linear pieces
                    let len = 2 * self.band_half + 1;
                    let mut i = 0;
                    while i < len {
                        let kp = (BLOCK - self.band_half + i) % BLOCK;
                        let k = (kp + s) % BLOCK;
                        let run = (BLOCK - kp).min(BLOCK - k).min(len - i);
                        for ((p, xv), tv) in self.prod[k..k + run]
                            .iter_mut()
                            .zip(self.xf[k..k + run].iter())
                            .zip(t[kp..kp + run].iter())
                        {
                            *p = xv * tv;
                        }
                        i += run;
                    }
                    self.ifft
                        .process_with_scratch(&mut self.prod, &mut self.scratch);
                    let row = &mut self.acc
                        [(r * nh + h) * HALF_FRAME_SAMPLES..(r * nh + h + 1) * HALF_FRAME_SAMPLES];
                    let idx = start % HALF_FRAME_SAMPLES;
                    let first = (HALF_FRAME_SAMPLES - idx).min(VALID);
                    for (a, c) in row[idx..idx + first].iter_mut().zip(self.prod.iter()) {
                        *a += c.norm_sqr();
                    }
                    for (a, c) in row[..VALID - first]
                        .iter_mut()
                        .zip(self.prod[first..VALID].iter())
                    {
                        *a += c.norm_sqr();
                    }
                }
            }
            start += VALID;
        }
        let bin_hz = SEARCH_RATE_SPS / BLOCK as f64;
        let mut out = Vec::new();
        for r in 0..3 {
            let rows = &self.acc[r * nh * HALF_FRAME_SAMPLES..(r + 1) * nh * HALF_FRAME_SAMPLES];
            let mean = rows.iter().map(|&v| v as f64).sum::<f64>() / rows.len() as f64;
            if mean <= 0.0 {
                continue;
            }
            // best hypothesis per position
            for (pos, slot) in self.best_pos.iter_mut().enumerate() {
                let mut best = (0f32, 0usize);
                for h in 0..nh {
                    let v = rows[h * HALF_FRAME_SAMPLES + pos];
                    if v > best.0 {
                        best = (v, h);
                    }
                }
                *slot = best;
            }
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
                    freq_hz: self.shifts[h] as f64 * bin_hz,
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

    /// Metric (peak over mean, best hypothesis) of root `n_id_2` at folded position `pos`, from
    /// the last [`PssSearch::search`].
    pub fn metric_at(&self, n_id_2: usize, pos: usize) -> f32 {
        let nh = self.shifts.len();
        let r = n_id_2 % 3;
        let rows = &self.acc[r * nh * HALF_FRAME_SAMPLES..(r + 1) * nh * HALF_FRAME_SAMPLES];
        let mean = rows.iter().map(|&v| v as f64).sum::<f64>() / rows.len() as f64;
        let p = pos % HALF_FRAME_SAMPLES;
        let best = (0..nh)
            .map(|h| rows[h * HALF_FRAME_SAMPLES + p])
            .fold(0f32, f32::max);
        if mean > 0.0 {
            (best as f64 / mean) as f32
        } else {
            0.0
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
