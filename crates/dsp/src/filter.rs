//! FIR low-pass design by the Kaiser window method, shared by the resamplers and channelisers.
//!
//! Kaiser's empirical formulas (Oppenheim & Schafer, "Discrete-Time Signal Processing", 7.6)
//! pick the window shape `beta` from the wanted stop-band attenuation and the length from the
//! transition width, so every filter in this crate is specified by band edges and attenuation,
//! never by a hand-picked tap count.

use crate::DspError;

/// A low-pass specification; frequencies are normalised to the filter's own sample rate
/// (cycles/sample, so Nyquist = 0.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowpassSpec {
    /// End of the pass band.
    pub pass_edge: f64,
    /// Start of the stop band.
    pub stop_edge: f64,
    /// Minimum stop-band attenuation in dB (also sets the pass-band ripple, 10^(−A/20)).
    pub atten_db: f64,
}

/// Kaiser window shape parameter for a stop-band attenuation in dB.
pub fn kaiser_beta(atten_db: f64) -> f64 {
    if atten_db > 50.0 {
        0.1102 * (atten_db - 8.7)
    } else if atten_db >= 21.0 {
        0.5842 * (atten_db - 21.0).powf(0.4) + 0.07886 * (atten_db - 21.0)
    } else {
        0.0
    }
}

/// Kaiser's estimate of the number of taps for `atten_db` and a transition width normalised to
/// the sample rate.
pub fn kaiser_num_taps(atten_db: f64, transition: f64) -> usize {
    let n = (atten_db - 7.95) / (14.36 * transition);
    // NaN or absurd values saturate, so callers' size limits reject them.
    if n.is_nan() {
        return usize::MAX;
    }
    (n.max(1.0).ceil() as usize).saturating_add(1)
}

/// Modified Bessel function of the first kind, order 0 (power series; converges fast for the
/// arguments a Kaiser window uses, beta < 40).
pub fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..200 {
        term *= q / (k as f64 * k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// Kaiser window of `n` points (symmetric).
pub fn kaiser_window(n: usize, beta: f64) -> Vec<f64> {
    if n == 1 {
        return vec![1.0];
    }
    let denom = bessel_i0(beta);
    let m = (n - 1) as f64;
    (0..n)
        .map(|i| {
            let r = 2.0 * i as f64 / m - 1.0;
            bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / denom
        })
        .collect()
}

/// Windowed-sinc low-pass of `num_taps` taps with -6 dB cutoff `cutoff` (cycles/sample),
/// scaled to a DC gain of `gain`.
pub fn windowed_sinc(num_taps: usize, cutoff: f64, beta: f64, gain: f64) -> Vec<f64> {
    let w = kaiser_window(num_taps, beta);
    let mid = (num_taps as f64 - 1.0) / 2.0;
    let mut h: Vec<f64> = w
        .iter()
        .enumerate()
        .map(|(i, wi)| {
            let t = i as f64 - mid;
            let s = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            s * wi
        })
        .collect();
    let dc: f64 = h.iter().sum();
    if dc != 0.0 {
        let k = gain / dc;
        h.iter_mut().for_each(|x| *x *= k);
    }
    h
}

/// Design a low-pass from `spec`; `gain` is the DC gain, `max_taps` a safety limit so that an
/// absurd specification is an error instead of a huge allocation.
pub fn design_lowpass(
    spec: &LowpassSpec,
    gain: f64,
    max_taps: usize,
) -> Result<Vec<f64>, DspError> {
    let LowpassSpec {
        pass_edge,
        stop_edge,
        atten_db,
    } = *spec;
    if !(pass_edge.is_finite() && stop_edge.is_finite() && atten_db.is_finite()) {
        return Err(DspError::InvalidFilter(
            "band edges and attenuation must be finite".into(),
        ));
    }
    if !(pass_edge > 0.0 && stop_edge > pass_edge && stop_edge <= 0.5 + 1e-12) {
        return Err(DspError::InvalidFilter(format!(
            "need 0 < pass edge ({pass_edge}) < stop edge ({stop_edge}) <= 0.5 cycles/sample"
        )));
    }
    if !(10.0..=200.0).contains(&atten_db) {
        return Err(DspError::InvalidFilter(format!(
            "stop-band attenuation {atten_db} dB outside 10..200 dB"
        )));
    }
    let n = kaiser_num_taps(atten_db, stop_edge - pass_edge);
    if n > max_taps {
        return Err(DspError::InvalidFilter(format!(
            "filter would need {n} taps (limit {max_taps}): widen the transition band"
        )));
    }
    Ok(windowed_sinc(
        n,
        (pass_edge + stop_edge) / 2.0,
        kaiser_beta(atten_db),
        gain,
    ))
}

/// Magnitude response of real taps at `freq` cycles/sample (for tests and diagnostics).
pub fn response_magnitude(taps: &[f64], freq: f64) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (n, h) in taps.iter().enumerate() {
        let ph = -2.0 * std::f64::consts::PI * freq * n as f64;
        re += h * ph.cos();
        im += h * ph.sin();
    }
    (re * re + im * im).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_i0_known_values() {
        // Abramowitz & Stegun Table 9.8: I0(1) = 1.266065878, I0(5) = 27.23987182.
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_i0(1.0) - 1.266_065_878).abs() < 1e-8);
        assert!((bessel_i0(5.0) - 27.239_871_82).abs() < 1e-6);
    }

    #[test]
    fn lowpass_meets_spec() {
        for &(p, s, a) in &[(0.1, 0.15, 60.0), (0.02, 0.03, 80.0), (0.2, 0.3, 40.0)] {
            let spec = LowpassSpec {
                pass_edge: p,
                stop_edge: s,
                atten_db: a,
            };
            let h = design_lowpass(&spec, 1.0, 100_000).unwrap();
            let ripple = 10f64.powf(-a / 20.0) * 1.5;
            for i in 0..=100 {
                let f = p * i as f64 / 100.0;
                assert!((response_magnitude(&h, f) - 1.0).abs() < ripple, "pass {f}");
            }
            for i in 0..=200 {
                let f = s + (0.5 - s) * i as f64 / 200.0;
                let db = 20.0 * response_magnitude(&h, f).log10();
                assert!(db < -a + 1.0, "stop {f}: {db} dB");
            }
        }
    }

    #[test]
    fn bad_specs_are_errors() {
        let bad = [
            (0.2, 0.1, 60.0),
            (0.0, 0.1, 60.0),
            (0.1, 0.6, 60.0),
            (0.1, 0.2, 1000.0),
            (f64::NAN, 0.2, 60.0),
        ];
        for (p, s, a) in bad {
            let spec = LowpassSpec {
                pass_edge: p,
                stop_edge: s,
                atten_db: a,
            };
            assert!(design_lowpass(&spec, 1.0, 10_000).is_err());
        }
        let tiny = LowpassSpec {
            pass_edge: 0.1,
            stop_edge: 0.1 + 1e-9,
            atten_db: 60.0,
        };
        assert!(matches!(
            design_lowpass(&tiny, 1.0, 10_000),
            Err(DspError::InvalidFilter(_))
        ));
    }
}
