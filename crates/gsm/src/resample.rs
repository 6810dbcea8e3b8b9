//! Local arbitrary-ratio resampler (polyphase windowed sinc) that brings any input rate to the
//! receiver's internal 4 samples/symbol.
//!
//! Stop-gap until `cellsentry_dsp::resample` exists; it is kept small and streaming so a file
//! can be pushed in blocks of any size. When the input is already at the internal rate the
//! samples pass through untouched.

use num_complex::Complex32;

const PHASES: usize = 512;
/// Half length of the interpolation kernel in input samples at ratio 1.
const BASE_HALF: usize = 8;

/// Streaming resampler from `in_rate_sps` to `out_rate_sps`.
pub struct Resampler {
    /// Input samples per output sample.
    step: f64,
    passthrough: bool,
    half: usize,
    /// (PHASES + 1) x (2*half) taps; row PHASES equals row 0 shifted by one sample, so the
    /// rounded phase never needs a carry.
    table: Vec<f32>,
    hist: Vec<Complex32>,
    /// Position of the next output in `hist` coordinates: integer part and 32-bit fraction
    /// (fixed point keeps floor/round out of the per-sample loop).
    t_int: usize,
    t_frac: u64,
    step_fixed: u64,
}

impl Resampler {
    /// Build a resampler. Rates must be positive and finite (checked by the caller).
    pub fn new(in_rate_sps: f64, out_rate_sps: f64) -> Self {
        let step = in_rate_sps / out_rate_sps;
        let passthrough = (step - 1.0).abs() < 1e-9;
        // Decimation widens the kernel so the anti-alias cut-off follows the output rate.
        let scale = if step > 1.0 { step } else { 1.0 };
        let half = ((BASE_HALF as f64) * scale).ceil() as usize;
        let fc = 0.5 / scale * 0.92; // cut-off in cycles per input sample
        let ntap = 2 * half;
        let rows = if passthrough { 0 } else { PHASES + 1 };
        let mut table = vec![0f32; rows * ntap];
        for p in 0..rows {
            let phi = p as f64 / PHASES as f64;
            let row = &mut table[p * ntap..(p + 1) * ntap];
            let mut sum = 0f64;
            let mut vals = vec![0f64; ntap];
            for (i, v) in vals.iter_mut().enumerate() {
                let tau = i as f64 - half as f64 + 1.0 - phi;
                let x = 2.0 * fc * tau;
                let sinc = if x.abs() < 1e-12 {
                    1.0
                } else {
                    (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                };
                let u = tau / half as f64;
                // Blackman window over [-half, half].
                let win = if u.abs() >= 1.0 {
                    0.0
                } else {
                    0.42 + 0.5 * (std::f64::consts::PI * u).cos()
                        + 0.08 * (2.0 * std::f64::consts::PI * u).cos()
                };
                *v = sinc * win;
                sum += *v;
            }
            for (r, v) in row.iter_mut().zip(vals.iter()) {
                *r = (*v / sum) as f32;
            }
        }
        Resampler {
            step,
            passthrough,
            half,
            table,
            hist: vec![Complex32::new(0.0, 0.0); half],
            t_int: half,
            t_frac: 0,
            step_fixed: (step * 4_294_967_296.0).round() as u64,
        }
    }

    /// Input samples per output sample.
    pub fn step(&self) -> f64 {
        if self.passthrough {
            1.0
        } else {
            self.step
        }
    }

    /// Resample `input`, appending the outputs to `out`.
    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        if self.passthrough {
            out.extend_from_slice(input);
            return;
        }
        self.hist.extend_from_slice(input);
        let ntap = 2 * self.half;
        let shift = 32 - PHASES.trailing_zeros();
        while self.t_int + self.half < self.hist.len() {
            // Nearest of PHASES+1 phases (the last one is the next sample at phase 0).
            let p = ((self.t_frac + (1 << (shift - 1))) >> shift) as usize;
            let taps = &self.table[p * ntap..(p + 1) * ntap];
            let start = self.t_int + 1 - self.half;
            let src = &self.hist[start..start + ntap];
            let mut acc = Complex32::new(0.0, 0.0);
            for (s, &c) in src.iter().zip(taps.iter()) {
                acc += s * c;
            }
            out.push(acc);
            let t = self.t_frac + self.step_fixed;
            self.t_int += (t >> 32) as usize;
            self.t_frac = t & 0xffff_ffff;
        }
        // Drop consumed history, keeping the kernel's reach behind the next output.
        let drop = self.t_int.saturating_sub(self.half).min(self.hist.len());
        if drop > 0 {
            self.hist.drain(..drop);
            self.t_int -= drop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_survives_13_over_6_upsampling() {
        // 500 ksps -> 1083.33 ksps, as for the 2007 captures.
        let fin = 500_000.0;
        let fout = 1_083_333.333_333_333_3;
        let f = 67_708.0;
        let x: Vec<Complex32> = (0..20_000)
            .map(|n| {
                let ph = 2.0 * std::f64::consts::PI * f * n as f64 / fin;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        let mut r = Resampler::new(fin, fout);
        let mut out = Vec::new();
        for chunk in x.chunks(777) {
            r.process(chunk, &mut out);
        }
        let expect_len = (20_000.0 * fout / fin) as usize;
        assert!(out.len() + 40 >= expect_len && out.len() <= expect_len + 2);
        // Compare against the ideal tone at the output rate (output k = input time k*step).
        let mut err = 0f64;
        let mut cnt = 0;
        for (k, y) in out.iter().enumerate().skip(100).take(30_000) {
            let ph = 2.0 * std::f64::consts::PI * f * k as f64 / fout;
            let ideal = Complex32::new(ph.cos() as f32, ph.sin() as f32);
            err += f64::from((y - ideal).norm_sqr());
            cnt += 1;
        }
        let mse = err / cnt as f64;
        assert!(mse < 1e-4, "mse {mse}");
    }
}
