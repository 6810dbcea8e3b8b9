//! Integer decimation of wideband captures (15.36, 19.2, 30.72 Msps) to the 1.92 Msps cell-search
//! rate: a Hamming-windowed sinc low-pass, evaluated only at the kept output samples (polyphase
//! in effect), zero-phase so that output sample m lines up with input sample m * factor.
//!
//! Why not `cellsentry_dsp`'s resamplers: those are streaming filters with a group delay; the
//! search works on whole windows and reports frame timing in the input's sample count
//! (`frame_start_sample = first_frame * factor`), which this block decimator gives exactly.

use crate::{LteError, SEARCH_RATE_SPS};
use num_complex::Complex32;

/// Integer factor from `rate_sps` down to 1.92 Msps, or an error when it is not an integer.
pub fn decimation_factor(rate_sps: f64) -> Result<usize, LteError> {
    if !rate_sps.is_finite() || rate_sps < SEARCH_RATE_SPS * 0.999 {
        return Err(LteError::UnsupportedSampleRate(rate_sps));
    }
    let f = (rate_sps / SEARCH_RATE_SPS).round();
    if (f * SEARCH_RATE_SPS - rate_sps).abs() > 1.0 || f > 64.0 {
        return Err(LteError::UnsupportedSampleRate(rate_sps));
    }
    Ok(f as usize)
}

/// Low-pass taps for decimation by `factor`: cut-off 0.96 MHz at the output (the 6 PRB plus
/// about 100 kHz of carrier offset stay flat, aliases from beyond 1.3 MHz are stopped).
pub fn decimation_taps(factor: usize) -> Vec<f32> {
    let n = 10 * factor + 1;
    let mid = (n - 1) as f64 / 2.0;
    let fc = 0.5 / factor as f64; // cycles per input sample
    let mut h: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 - mid;
            let sinc = if t == 0.0 {
                2.0 * fc
            } else {
                (2.0 * std::f64::consts::PI * fc * t).sin() / (std::f64::consts::PI * t)
            };
            let w = 0.54 - 0.46 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos();
            sinc * w
        })
        .collect();
    let sum: f64 = h.iter().sum();
    for v in h.iter_mut() {
        *v /= sum;
    }
    h.into_iter().map(|v| v as f32).collect()
}

/// Decimates `input` by `factor` into `out` (cleared first). Factor 1 copies.
pub fn decimate(input: &[Complex32], factor: usize, out: &mut Vec<Complex32>) {
    out.clear();
    if factor <= 1 {
        out.extend_from_slice(input);
        return;
    }
    let taps = decimation_taps(factor);
    let half = (taps.len() - 1) / 2;
    let taps2: Vec<f32> = taps.iter().flat_map(|&h| [h, h]).collect();
    let n_out = input.len().div_ceil(factor);
    out.reserve(n_out);
    for m in 0..n_out {
        let centre = m * factor;
        let mut acc = Complex32::new(0.0, 0.0);
        if centre >= half && centre + half < input.len() {
            acc = dot_real(&input[centre - half..centre + half + 1], &taps2);
        } else {
            for (i, &h) in taps.iter().enumerate() {
                let idx = centre as isize + i as isize - half as isize;
                if idx >= 0 && (idx as usize) < input.len() {
                    acc += input[idx as usize] * h;
                }
            }
        }
        out.push(acc);
    }
}

/// sum x[i] * h[i], with `x` seen as interleaved f32 (re, im) and `h2` the taps each given
/// twice. Eight independent lanes (even ones collect re, odd ones im) let the compiler
/// vectorise; a single serial accumulator it may not reorder.
#[inline]
fn dot_real(x: &[Complex32], h2: &[f32]) -> Complex32 {
    let xf: &[f32] = bytemuck::cast_slice(x);
    let n = xf.len().min(h2.len());
    let (xf, h2) = (&xf[..n], &h2[..n]);
    let mut lanes = [0f32; 8];
    let mut xc = xf.chunks_exact(8);
    let mut hc = h2.chunks_exact(8);
    for (xs, hs) in (&mut xc).zip(&mut hc) {
        for i in 0..8 {
            lanes[i] += xs[i] * hs[i];
        }
    }
    let mut acc = [0f32; 2];
    for (i, v) in lanes.iter().enumerate() {
        acc[i % 2] += v;
    }
    for (i, (xv, hv)) in xc.remainder().iter().zip(hc.remainder()).enumerate() {
        acc[i % 2] += xv * hv;
    }
    Complex32::new(acc[0], acc[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors() {
        assert_eq!(decimation_factor(1.92e6), Ok(1));
        assert_eq!(decimation_factor(19.2e6), Ok(10));
        assert_eq!(decimation_factor(15.36e6), Ok(8));
        assert_eq!(decimation_factor(30.72e6), Ok(16));
        assert!(decimation_factor(2.0e6).is_err());
        assert!(decimation_factor(f64::NAN).is_err());
        assert!(decimation_factor(1.0e6).is_err());
    }

    fn tone_gain(freq_hz: f64) -> f32 {
        let fs = 19.2e6;
        let input: Vec<Complex32> = (0..20000)
            .map(|n| {
                let p = 2.0 * std::f64::consts::PI * freq_hz * n as f64 / fs;
                Complex32::new(p.cos() as f32, p.sin() as f32)
            })
            .collect();
        let mut out = Vec::new();
        decimate(&input, 10, &mut out);
        let mid = &out[200..1800];
        (mid.iter().map(|c| c.norm_sqr()).sum::<f32>() / mid.len() as f32).sqrt()
    }

    #[test]
    fn passband_flat_stopband_low() {
        assert!((tone_gain(0.0) - 1.0).abs() < 0.01);
        assert!((tone_gain(550e3) - 1.0).abs() < 0.05);
        // Would alias onto -0.12 MHz after decimation.
        assert!(tone_gain(1.8e6) < 0.003);
        assert!(tone_gain(-1.4e6) < 0.01);
    }
}
