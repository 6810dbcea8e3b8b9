//! Brings any input rate to the receiver's internal 4 samples/symbol with the project's
//! resampler (`cellsentry_dsp::Resampler`: exact rational polyphase for ratios such as 13/6 or
//! 325/576, arbitrary-ratio otherwise). The wrapper adds what the receiver relies on: input
//! already at the internal rate passes through untouched (so 4 sps recordings decode exactly as
//! recorded), and the filter's group delay is taken out so that output k lines up with input
//! time k * step, which the receiver uses to report sample positions.

use cellsentry_dsp::{Resampler as DspResampler, ResamplerSpec};
use num_complex::Complex32;

/// Pass band to 45 % of the output Nyquist (about 240 kHz at 4 sps: the GMSK spectrum and a
/// carrier offset of tens of kHz) and 60 dB stop band: enough for the equaliser, and a short
/// filter per output sample.
const SPEC: ResamplerSpec = ResamplerSpec {
    passband: 0.45,
    atten_db: 60.0,
};

/// Streaming resampler from `in_rate_sps` to `out_rate_sps`.
pub struct Resampler {
    /// Input samples per output sample.
    step: f64,
    inner: Option<DspResampler>,
    /// Outputs still to drop at the start (the filter's group delay).
    skip: usize,
}

impl Resampler {
    /// Build a resampler. Rates must be positive and finite (checked by the caller); a
    /// resampler that cannot be built for them passes samples through.
    pub fn new(in_rate_sps: f64, out_rate_sps: f64) -> Self {
        let step = in_rate_sps / out_rate_sps;
        if (step - 1.0).abs() < 1e-9 {
            return Resampler {
                step: 1.0,
                inner: None,
                skip: 0,
            };
        }
        let inner = DspResampler::new(in_rate_sps, out_rate_sps, &SPEC).ok();
        let skip = inner
            .as_ref()
            .map_or(0, |r| (r.group_delay_in_samples() / step).round() as usize);
        Resampler {
            step: if inner.is_some() { step } else { 1.0 },
            inner,
            skip,
        }
    }

    /// Input samples per output sample.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// Resample `input`, appending the outputs to `out`.
    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        let Some(inner) = &mut self.inner else {
            out.extend_from_slice(input);
            return;
        };
        let start = out.len();
        inner.process(input, out);
        if self.skip > 0 {
            let drop = self.skip.min(out.len() - start);
            out.drain(start..start + drop);
            self.skip -= drop;
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
        // Compare against the ideal tone at the output rate (output k = input time k*step):
        // unit gain, a timing error under half an output sample (the filter delay is taken
        // out to the nearest output sample), and nothing else.
        let ideal = |k: usize| {
            let ph = 2.0 * std::f64::consts::PI * f * k as f64 / fout;
            Complex32::new(ph.cos() as f32, ph.sin() as f32)
        };
        let range = 100..out.len().min(30_100);
        let c: Complex32 = range
            .clone()
            .map(|k| out[k] * ideal(k).conj())
            .sum::<Complex32>()
            / range.len() as f32;
        assert!((c.norm() - 1.0).abs() < 0.01, "gain {}", c.norm());
        let delay_out = f64::from(c.arg()) * fout / (2.0 * std::f64::consts::PI * f);
        assert!(delay_out.abs() <= 0.5, "delay {delay_out} output samples");
        let mse = range
            .clone()
            .map(|k| f64::from((out[k] - ideal(k) * c).norm_sqr()))
            .sum::<f64>()
            / range.len() as f64;
        assert!(mse < 1e-4, "mse {mse}");
    }
}
