//! GMSK modulator (TS 45.004): differential encoding, BT = 0.3 Gaussian frequency pulse,
//! modulation index 1/2, at 4 samples per symbol (1 083 333.33 sps, the rate osmo-trx and
//! gr-gsm use). The GSM receiver crate has no modulator, so it lives here.
//!
//! The phase is continuous across bursts, guard periods and frames: C0 is always on, and a
//! continuous stream is what a real BTS carrier looks like between bursts.

use num_complex::Complex32;

/// Samples per symbol of the modulator output.
pub const SPS: usize = 4;
/// Symbols the Gaussian frequency pulse is truncated to (+-2 T, where it is < 1 % of its peak).
const PULSE_SYMBOLS: usize = 4;
const PULSE_LEN: usize = PULSE_SYMBOLS * SPS;

/// Error function, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): std has no `erf`.
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y
}

/// Frequency pulse g(t) of TS 45.004 2.4 (rectangle of one symbol convolved with a Gaussian of
/// BT = 0.3), integrated over each output sample interval and normalised so that one symbol
/// turns the phase by exactly pi/2 (modulation index 1/2).
fn pulse_taps() -> [f64; PULSE_LEN] {
    let bt = 0.3;
    let sigma = (2f64.ln()).sqrt() / (2.0 * std::f64::consts::PI * bt);
    // Integral of the Gaussian-filtered rect from -inf to t (t in symbols, rect on [-1/2, 1/2]).
    let big_g = |t: f64| {
        let phi = |x: f64| 0.5 * (1.0 + erf(x / (sigma * 2f64.sqrt())));
        // Antiderivative of phi(t + 1/2) - phi(t - 1/2) by numeric integration is overkill:
        // sample finely and sum (done once at construction).
        phi(t + 0.5) - phi(t - 0.5)
    };
    let mut taps = [0f64; PULSE_LEN];
    let fine = 64;
    for (m, tap) in taps.iter_mut().enumerate() {
        let mut acc = 0.0;
        for k in 0..fine {
            let t = (m as f64 + (k as f64 + 0.5) / fine as f64) / SPS as f64
                - PULSE_SYMBOLS as f64 / 2.0;
            acc += big_g(t);
        }
        *tap = acc;
    }
    let sum: f64 = taps.iter().sum();
    for t in taps.iter_mut() {
        *t /= sum;
    }
    taps
}

/// Streaming GMSK modulator.
///
/// The phase step of each output sample depends only on the last `PULSE_SYMBOLS` NRZ symbols
/// and the sample's position within the symbol, so the unit phasors of every step are
/// precomputed (16 patterns x 4 samples) and the signal is a running product: no
/// trigonometry per sample.
#[derive(Debug, Clone)]
pub struct GmskModulator {
    /// `steps[pattern][s]`: phasor of sample `s` of a symbol when the last four symbols are
    /// `pattern` (bit i = 1 when symbol k-i is -1).
    steps: [[Complex32; SPS]; 1 << PULSE_SYMBOLS],
    pattern: usize,
    prev_bit: u8,
    state: Complex32,
}

impl Default for GmskModulator {
    fn default() -> Self {
        Self::new()
    }
}

impl GmskModulator {
    pub fn new() -> Self {
        let taps = pulse_taps();
        let mut steps = [[Complex32::new(1.0, 0.0); SPS]; 1 << PULSE_SYMBOLS];
        for (pattern, row) in steps.iter_mut().enumerate() {
            for (s, step) in row.iter_mut().enumerate() {
                let mut dphi = 0.0;
                for i in 0..PULSE_SYMBOLS {
                    // Symbol k-i is i symbols old: it uses the pulse i symbols further on.
                    let a = if (pattern >> i) & 1 == 1 { -1.0 } else { 1.0 };
                    dphi += a * taps[i * SPS + s];
                }
                let dphi = dphi * std::f64::consts::FRAC_PI_2;
                *step = Complex32::new(dphi.cos() as f32, dphi.sin() as f32);
            }
        }
        GmskModulator {
            steps,
            pattern: 0,
            // TS 45.004 2.3: the bit before the first one is taken as 1.
            prev_bit: 1,
            state: Complex32::new(1.0, 0.0),
        }
    }

    /// Modulates `bits` (0/1) and appends `SPS` samples per bit to `out`, unit amplitude.
    pub fn modulate(&mut self, bits: &[u8], out: &mut Vec<Complex32>) {
        out.reserve(bits.len() * SPS);
        for &b in bits {
            let b = b & 1;
            // TS 45.004 2.3: d^(i) = d(i) xor d(i-1); a(i) = 1 - 2 d^(i).
            let d = b ^ self.prev_bit;
            self.prev_bit = b;
            self.pattern = ((self.pattern << 1) | usize::from(d)) & ((1 << PULSE_SYMBOLS) - 1);
            let row = &self.steps[self.pattern];
            for step in row {
                self.state *= step;
                out.push(self.state);
            }
        }
        // Keep |state| = 1 despite rounding (once per call is plenty: error grows ~1e-7/step).
        self.state /= self.state.norm();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_zero_bits_give_the_fcch_tone() {
        // TS 45.002 5.2.4: the FCCH (all zeros) is a tone 1625/24 kHz above the carrier.
        let mut m = GmskModulator::new();
        let mut out = Vec::new();
        m.modulate(&[0u8; 200], &mut out);
        let x = &out[100..700];
        let mut acc = Complex32::new(0.0, 0.0);
        for w in x.windows(2) {
            acc += w[1] * w[0].conj();
        }
        let f_hz = acc.arg() as f64 / std::f64::consts::TAU * 1_083_333.333;
        assert!((f_hz - 67_708.33).abs() < 1.0, "{f_hz}");
        assert!(out.iter().all(|c| (c.norm() - 1.0).abs() < 1e-4));
    }

    #[test]
    fn pulse_is_normalised_and_symmetric() {
        let t = pulse_taps();
        assert!((t.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for i in 0..PULSE_LEN / 2 {
            assert!((t[i] - t[PULSE_LEN - 1 - i]).abs() < 1e-9);
        }
        assert!(
            t[0] < 1e-2 * t[PULSE_LEN / 2],
            "{}",
            t[0] / t[PULSE_LEN / 2]
        );
    }
}
