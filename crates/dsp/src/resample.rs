//! Streaming resamplers: change a stream's sample rate block by block, e.g. 500 ksps to GSM's
//! 4 samples/symbol (×13/6), 19.2 Msps to LTE's 1.92 Msps (÷10), 30.72 Msps (×8/5) or
//! 23.04 Msps (×6/5).
//!
//! [`RationalResampler`] is an exact L/M polyphase filter; [`ArbitraryResampler`] handles any
//! real ratio with a 256-phase bank and linear interpolation between adjacent phases.
//! [`Resampler::new`] picks the rational one whenever the rate ratio is a fraction with small
//! terms. Both keep their filter history and output phase between calls, so feeding a stream in
//! blocks of any size gives bit-identical output to feeding it at once.
//!
//! Filters are Kaiser-windowed sincs ([`crate::filter`]). With the default [`ResamplerSpec`]
//! (pass band 0.8 of the lower Nyquist, 80 dB) the pass band is flat to ±0.001 dB and anything
//! that would alias into the pass band is ≥ 80 dB down; the band between 0.8 and 1.0 of the
//! output Nyquist may hold aliases of the input's transition band.
//!
//! Group delay: both filters are linear-phase; output sample `j` represents input time
//! `j · in_rate/out_rate − group_delay_in_samples()` (in input samples).

use num_complex::Complex32;

use crate::error::check_rate;
use crate::filter::{kaiser_beta, kaiser_num_taps, windowed_sinc};
use crate::DspError;

/// Largest interpolation or decimation factor of a rational resampler.
pub const MAX_RATIONAL_FACTOR: usize = 4096;
/// Largest prototype filter (all phases together), a guard against absurd specifications.
pub const MAX_PROTOTYPE_TAPS: usize = 4_000_000;
/// Number of phases of the arbitrary-ratio resampler's filter bank.
pub const ARBITRARY_PHASES: usize = 256;

/// Anti-alias/anti-image filter quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResamplerSpec {
    /// Pass-band edge as a fraction (0..1) of the lower of the two Nyquist frequencies.
    pub passband: f64,
    /// Stop-band attenuation in dB.
    pub atten_db: f64,
}

impl Default for ResamplerSpec {
    fn default() -> Self {
        ResamplerSpec {
            passband: 0.8,
            atten_db: 80.0,
        }
    }
}

/// Band edges in cycles per input sample, for a resampler of ratio `out/in`.
fn edges_for(spec: &ResamplerSpec, ratio: f64) -> Result<(f64, f64, f64), DspError> {
    if !(spec.passband > 0.0 && spec.passband < 1.0) {
        return Err(DspError::InvalidFilter(format!(
            "pass band fraction {} must be in (0, 1)",
            spec.passband
        )));
    }
    let nyq = 0.5 * ratio.min(1.0);
    Ok((
        spec.passband * nyq,
        (2.0 - spec.passband) * nyq,
        spec.atten_db,
    ))
}

fn check_atten(atten_db: f64) -> Result<(), DspError> {
    if atten_db.is_finite() && (10.0..=200.0).contains(&atten_db) {
        Ok(())
    } else {
        Err(DspError::InvalidFilter(format!(
            "stop-band attenuation {atten_db} dB outside 10..200 dB"
        )))
    }
}

fn check_edges(pass: f64, stop: f64) -> Result<(), DspError> {
    if pass.is_finite() && stop.is_finite() && pass > 0.0 && stop > pass {
        Ok(())
    } else {
        Err(DspError::InvalidFilter(format!(
            "need 0 < pass edge ({pass}) < stop edge ({stop})"
        )))
    }
}

/// Real dot product with eight independent partial sums, so that it vectorises.
#[inline]
pub(crate) fn dot_real(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let ac = a.chunks_exact(8);
    let bc = b.chunks_exact(8);
    let tail: f32 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Filter history kept planar (separate I and Q), so each output is two real dot products.
#[derive(Clone)]
struct Planar {
    re: Vec<f32>,
    im: Vec<f32>,
}

impl Planar {
    fn zeros(n: usize) -> Self {
        Planar {
            re: vec![0.0; n],
            im: vec![0.0; n],
        }
    }

    fn len(&self) -> usize {
        self.re.len()
    }

    fn reset(&mut self, hist: usize) {
        self.re.clear();
        self.re.resize(hist, 0.0);
        self.im.clear();
        self.im.resize(hist, 0.0);
    }

    fn extend(&mut self, input: &[Complex32]) {
        self.re.extend(input.iter().map(|v| v.re));
        self.im.extend(input.iter().map(|v| v.im));
    }

    /// Keep only the last `hist` samples.
    fn keep_tail(&mut self, hist: usize) {
        let total = self.len();
        self.re.copy_within(total - hist..total, 0);
        self.re.truncate(hist);
        self.im.copy_within(total - hist..total, 0);
        self.im.truncate(hist);
    }

    #[inline]
    fn dot(&self, taps: &[f32], start: usize) -> Complex32 {
        let end = start + taps.len();
        Complex32::new(
            dot_real(taps, &self.re[start..end]),
            dot_real(taps, &self.im[start..end]),
        )
    }
}

fn too_many_taps(n: usize) -> DspError {
    DspError::InvalidFilter(format!(
        "resampling filter would need {n} taps (limit {MAX_PROTOTYPE_TAPS}): widen the transition band"
    ))
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Best fraction p/q ≈ `x` with q ≤ `max_den` by continued fractions; `Some` only if it matches
/// `x` to 1e-9 relative (so 1083333.33/500000 is recognised as 13/6).
pub fn rational_approx(x: f64, max_den: u64) -> Option<(u64, u64)> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    let (mut h0, mut h1) = (0u64, 1u64);
    let (mut k0, mut k1) = (1u64, 0u64);
    let mut v = x;
    for _ in 0..64 {
        let a = v.floor();
        if a > 1e12 {
            break;
        }
        let a = a as u64;
        let h2 = a.checked_mul(h1)?.checked_add(h0)?;
        let k2 = a.checked_mul(k1)?.checked_add(k0)?;
        if k2 > max_den {
            break;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        if ((h1 as f64 / k1 as f64) - x).abs() <= 1e-9 * x {
            return Some((h1, k1));
        }
        let f = v - a as f64;
        if f < 1e-15 {
            break;
        }
        v = 1.0 / f;
    }
    (k1 != 0 && ((h1 as f64 / k1 as f64) - x).abs() <= 1e-9 * x).then_some((h1, k1))
}

/// Exact L/M polyphase resampler (interpolate by `up`, filter, decimate by `down`), computing
/// only the output samples that are kept.
#[derive(Clone)]
pub struct RationalResampler {
    up: usize,
    down: usize,
    taps_per_phase: usize,
    /// `up` rows of `taps_per_phase` taps, each row time-reversed for a forward dot product.
    rows: Vec<f32>,
    /// History (`taps_per_phase − 1` samples) followed by the current block.
    work: Planar,
    phase: usize,
    pos: usize,
    delay_in: f64,
}

impl RationalResampler {
    /// Resample by `up/down` (reduced by their gcd) with the default-style `spec` filter.
    pub fn new(up: usize, down: usize, spec: &ResamplerSpec) -> Result<Self, DspError> {
        if up == 0 || down == 0 {
            return Err(DspError::InvalidRatio(format!(
                "{up}/{down}: factors must be ≥ 1"
            )));
        }
        let g = gcd(up, down);
        let (pass, stop, atten) = edges_for(spec, (up / g) as f64 / (down / g) as f64)?;
        Self::with_band_edges(up, down, pass, stop, atten)
    }

    /// Resample by `up/down` with an explicit low-pass: edges in cycles per *input* sample.
    /// Use this to make the resampler also the channel filter (stop edge well below the output
    /// Nyquist).
    pub fn with_band_edges(
        up: usize,
        down: usize,
        pass_edge: f64,
        stop_edge: f64,
        atten_db: f64,
    ) -> Result<Self, DspError> {
        if up == 0 || down == 0 {
            return Err(DspError::InvalidRatio(format!(
                "{up}/{down}: factors must be ≥ 1"
            )));
        }
        let g = gcd(up, down);
        let (up, down) = (up / g, down / g);
        if up > MAX_RATIONAL_FACTOR || down > MAX_RATIONAL_FACTOR {
            return Err(DspError::InvalidRatio(format!(
                "{up}/{down}: factors above {MAX_RATIONAL_FACTOR}; use the arbitrary-ratio resampler"
            )));
        }
        check_edges(pass_edge, stop_edge)?;
        check_atten(atten_db)?;
        // The prototype runs at up × input rate.
        let stop_edge = stop_edge.min(0.5 * up as f64);
        if stop_edge <= pass_edge {
            return Err(DspError::InvalidFilter(format!(
                "pass edge {pass_edge} is beyond the interpolated Nyquist"
            )));
        }
        let transition = (stop_edge - pass_edge) / up as f64;
        let n_min = kaiser_num_taps(atten_db, transition);
        if n_min > MAX_PROTOTYPE_TAPS {
            return Err(too_many_taps(n_min));
        }
        let k = n_min.div_ceil(up).max(1);
        let n = k * up;
        if n > MAX_PROTOTYPE_TAPS {
            return Err(DspError::InvalidFilter(format!(
                "resampling filter would need {n} taps (limit {MAX_PROTOTYPE_TAPS}): widen the transition band"
            )));
        }
        let cutoff = (pass_edge + stop_edge) / 2.0 / up as f64;
        let h = windowed_sinc(n, cutoff, kaiser_beta(atten_db), up as f64);
        let mut rows = vec![0.0f32; n];
        for p in 0..up {
            for j in 0..k {
                // Row p, position j multiplies x[m − (k−1−j)]: tap h[p + (k−1−j)·up].
                rows[p * k + j] = h[p + (k - 1 - j) * up] as f32;
            }
        }
        Ok(RationalResampler {
            up,
            down,
            taps_per_phase: k,
            rows,
            work: Planar::zeros(k - 1),
            phase: 0,
            pos: 0,
            delay_in: (n as f64 - 1.0) / 2.0 / up as f64,
        })
    }

    /// Reduced interpolation and decimation factors.
    pub fn factors(&self) -> (usize, usize) {
        (self.up, self.down)
    }

    /// Output rate / input rate.
    pub fn ratio(&self) -> f64 {
        self.up as f64 / self.down as f64
    }

    /// Filter taps applied per output sample.
    pub fn taps_per_output(&self) -> usize {
        self.taps_per_phase
    }

    /// Group delay in input samples (see the module doc).
    pub fn group_delay_in_samples(&self) -> f64 {
        self.delay_in
    }

    /// Clear history and output phase, as if new.
    pub fn reset(&mut self) {
        self.work.reset(self.taps_per_phase - 1);
        self.phase = 0;
        self.pos = 0;
    }

    /// Resample `input`, appending the output samples to `out`.
    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        let k = self.taps_per_phase;
        let hist = k - 1;
        self.work.extend(input);
        let len = input.len();
        out.reserve((len * self.up) / self.down + 1);
        while self.pos < len {
            let row = &self.rows[self.phase * k..(self.phase + 1) * k];
            out.push(self.work.dot(row, self.pos));
            self.phase += self.down;
            self.pos += self.phase / self.up;
            self.phase %= self.up;
        }
        self.pos -= len;
        self.work.keep_tail(hist);
    }
}

/// Arbitrary (real) ratio resampler: a polyphase bank of [`ARBITRARY_PHASES`] phases with
/// linear interpolation between adjacent phases (interpolation error < −90 dB).
#[derive(Clone)]
pub struct ArbitraryResampler {
    ratio: f64,
    step: f64,
    taps_per_phase: usize,
    /// `ARBITRARY_PHASES + 1` rows, each time-reversed.
    rows: Vec<f32>,
    work: Planar,
    pos: usize,
    frac: f64,
    delay_in: f64,
}

impl ArbitraryResampler {
    /// Resample by `ratio` = output rate / input rate.
    pub fn new(ratio: f64, spec: &ResamplerSpec) -> Result<Self, DspError> {
        if !(ratio.is_finite() && (1e-4..=1e4).contains(&ratio)) {
            return Err(DspError::InvalidRatio(format!(
                "{ratio} must be in 1e-4..1e4"
            )));
        }
        let (pass, stop, atten) = edges_for(spec, ratio)?;
        Self::with_band_edges(ratio, pass, stop, atten)
    }

    /// Resample by `ratio` with an explicit low-pass, edges in cycles per input sample.
    pub fn with_band_edges(
        ratio: f64,
        pass_edge: f64,
        stop_edge: f64,
        atten_db: f64,
    ) -> Result<Self, DspError> {
        if !(ratio.is_finite() && (1e-4..=1e4).contains(&ratio)) {
            return Err(DspError::InvalidRatio(format!(
                "{ratio} must be in 1e-4..1e4"
            )));
        }
        check_edges(pass_edge, stop_edge)?;
        check_atten(atten_db)?;
        let p = ARBITRARY_PHASES;
        let transition = (stop_edge - pass_edge) / p as f64;
        let n_min = kaiser_num_taps(atten_db, transition);
        if n_min > MAX_PROTOTYPE_TAPS {
            return Err(too_many_taps(n_min));
        }
        let k = n_min.div_ceil(p).max(1);
        let n = k * p;
        if n > MAX_PROTOTYPE_TAPS {
            return Err(DspError::InvalidFilter(format!(
                "resampling filter would need {n} taps (limit {MAX_PROTOTYPE_TAPS}): widen the transition band"
            )));
        }
        let cutoff = (pass_edge + stop_edge) / 2.0 / p as f64;
        let h = windowed_sinc(n, cutoff, kaiser_beta(atten_db), p as f64);
        let tap = |i: usize| h.get(i).copied().unwrap_or(0.0);
        let mut rows = vec![0.0f32; (p + 1) * k];
        for ph in 0..=p {
            for j in 0..k {
                rows[ph * k + j] = tap(ph + (k - 1 - j) * p) as f32;
            }
        }
        Ok(ArbitraryResampler {
            ratio,
            step: 1.0 / ratio,
            taps_per_phase: k,
            rows,
            work: Planar::zeros(k - 1),
            pos: 0,
            frac: 0.0,
            delay_in: (n as f64 - 1.0) / 2.0 / p as f64,
        })
    }

    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Group delay in input samples (see the module doc).
    pub fn group_delay_in_samples(&self) -> f64 {
        self.delay_in
    }

    pub fn reset(&mut self) {
        self.work.reset(self.taps_per_phase - 1);
        self.pos = 0;
        self.frac = 0.0;
    }

    /// Resample `input`, appending to `out`.
    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        let k = self.taps_per_phase;
        let hist = k - 1;
        let p = ARBITRARY_PHASES;
        self.work.extend(input);
        let len = input.len();
        out.reserve((len as f64 * self.ratio) as usize + 1);
        while self.pos < len {
            // Output time = pos + frac input samples; frac·P selects the phase.
            let fp = self.frac * p as f64;
            let ph = (fp as usize).min(p - 1);
            let mu = (fp - ph as f64) as f32;
            let a = self.work.dot(&self.rows[ph * k..(ph + 1) * k], self.pos);
            let b = self
                .work
                .dot(&self.rows[(ph + 1) * k..(ph + 2) * k], self.pos);
            out.push(a + (b - a) * mu);
            self.frac += self.step;
            let whole = self.frac.floor();
            self.frac -= whole;
            self.pos += whole as usize;
        }
        self.pos -= len;
        self.work.keep_tail(hist);
    }
}

/// Either resampler, chosen from the two rates.
#[derive(Clone)]
pub enum Resampler {
    Rational(RationalResampler),
    Arbitrary(ArbitraryResampler),
}

/// Largest denominator/numerator for which [`Resampler::new`] prefers the exact rational form.
pub const MAX_AUTO_RATIONAL: u64 = 1000;

impl Resampler {
    /// From `in_rate_sps` to `out_rate_sps`: rational when the ratio is p/q with p, q ≤ 1000
    /// (to 1e-9), arbitrary otherwise.
    pub fn new(
        in_rate_sps: f64,
        out_rate_sps: f64,
        spec: &ResamplerSpec,
    ) -> Result<Self, DspError> {
        let ratio = check_rate(out_rate_sps)? / check_rate(in_rate_sps)?;
        let (pass, stop, atten) = edges_for(spec, ratio)?;
        Self::from_edges(ratio, pass, stop, atten)
    }

    /// From `in_rate_sps` to `out_rate_sps` with an explicit low-pass (edges in Hz). The stop
    /// edge must not exceed `out_rate − pass` so nothing aliases into the pass band.
    pub fn with_band_edges_hz(
        in_rate_sps: f64,
        out_rate_sps: f64,
        pass_hz: f64,
        stop_hz: f64,
        atten_db: f64,
    ) -> Result<Self, DspError> {
        let in_rate = check_rate(in_rate_sps)?;
        let out_rate = check_rate(out_rate_sps)?;
        check_edges(pass_hz, stop_hz)?;
        if stop_hz > out_rate - pass_hz + 1e-6 {
            return Err(DspError::InvalidFilter(format!(
                "stop edge {stop_hz} Hz would let aliases into the pass band at {out_rate} sps"
            )));
        }
        Self::from_edges(
            out_rate / in_rate,
            pass_hz / in_rate,
            stop_hz / in_rate,
            atten_db,
        )
    }

    fn from_edges(ratio: f64, pass: f64, stop: f64, atten: f64) -> Result<Self, DspError> {
        match rational_approx(ratio, MAX_AUTO_RATIONAL) {
            Some((p, q)) if p <= MAX_AUTO_RATIONAL && q <= MAX_AUTO_RATIONAL => {
                Ok(Resampler::Rational(RationalResampler::with_band_edges(
                    p as usize, q as usize, pass, stop, atten,
                )?))
            }
            _ => Ok(Resampler::Arbitrary(ArbitraryResampler::with_band_edges(
                ratio, pass, stop, atten,
            )?)),
        }
    }

    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        match self {
            Resampler::Rational(r) => r.process(input, out),
            Resampler::Arbitrary(r) => r.process(input, out),
        }
    }

    pub fn ratio(&self) -> f64 {
        match self {
            Resampler::Rational(r) => r.ratio(),
            Resampler::Arbitrary(r) => r.ratio(),
        }
    }

    pub fn group_delay_in_samples(&self) -> f64 {
        match self {
            Resampler::Rational(r) => r.group_delay_in_samples(),
            Resampler::Arbitrary(r) => r.group_delay_in_samples(),
        }
    }

    pub fn reset(&mut self) {
        match self {
            Resampler::Rational(r) => r.reset(),
            Resampler::Arbitrary(r) => r.reset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::tests::{tone, Rng};

    /// Least-squares amplitude and phase of a tone of known frequency in `y`.
    fn tone_fit(y: &[Complex32], freq_hz: f64, rate: f64) -> (f64, f64) {
        let (mut re, mut im) = (0.0, 0.0);
        for (i, v) in y.iter().enumerate() {
            let ph = -2.0 * std::f64::consts::PI * freq_hz * i as f64 / rate;
            let (c, s) = (ph.cos(), ph.sin());
            re += f64::from(v.re) * c - f64::from(v.im) * s;
            im += f64::from(v.re) * s + f64::from(v.im) * c;
        }
        let n = y.len() as f64;
        ((re * re + im * im).sqrt() / n, im.atan2(re))
    }

    /// Frequency from the mean phase step.
    fn freq_est(y: &[Complex32], rate: f64) -> f64 {
        let mut acc = num_complex::Complex64::new(0.0, 0.0);
        for w in y.windows(2) {
            let d = w[1] * w[0].conj();
            acc += num_complex::Complex64::new(f64::from(d.re), f64::from(d.im));
        }
        acc.arg() * rate / (2.0 * std::f64::consts::PI)
    }

    fn residual_power(y: &[Complex32], freq_hz: f64, rate: f64, amp: f64, phase: f64) -> f64 {
        let t = tone(y.len(), freq_hz, rate, amp, phase);
        y.iter()
            .zip(&t)
            .map(|(a, b)| f64::from((a - b).norm_sqr()))
            .sum::<f64>()
            / y.len() as f64
    }

    fn run(r: &mut Resampler, x: &[Complex32]) -> Vec<Complex32> {
        let mut out = Vec::new();
        r.process(x, &mut out);
        out
    }

    #[test]
    fn lte_and_gsm_rates_preserve_tone() {
        // (in, out, expected kind, tone Hz)
        let cases: [(f64, f64, bool, f64); 5] = [
            (19.2e6, 1.92e6, true, 300e3),
            (19.2e6, 30.72e6, true, -4.1e6),
            (19.2e6, 23.04e6, true, 7.3e6),
            (500e3, crate::GSM_4SPS_RATE_SPS, true, 67.7e3),
            (1.0e6, 1.0e6 / 0.913_7, false, -333e3),
        ];
        for (fin, fout, rational, f) in cases {
            let mut r = Resampler::new(fin, fout, &ResamplerSpec::default()).unwrap();
            assert_eq!(
                matches!(r, Resampler::Rational(_)),
                rational,
                "{fin}->{fout}"
            );
            assert!((r.ratio() - fout / fin).abs() < 1e-12);
            let amp = 0.3;
            let n_in = (fin * 0.01) as usize;
            let x = tone(n_in, f, fin, amp, 0.7);
            let y = run(&mut r, &x);
            let expected_len = n_in as f64 * fout / fin;
            assert!(
                (y.len() as f64 - expected_len).abs() <= 1.0,
                "{} vs {expected_len}",
                y.len()
            );
            // Skip the filter's start-up transient.
            let skip = (r.group_delay_in_samples() * 2.0 * fout / fin) as usize + 2;
            let steady = &y[skip..];
            let (a, _) = tone_fit(steady, f, fout);
            assert!(
                (20.0 * (a / amp).log10()).abs() < 0.01,
                "{fin}->{fout}: amp {a}"
            );
            assert!((freq_est(steady, fout) - f).abs() < 0.5, "{fin}->{fout}");
            // Group delay: y[j] = tone at input time j·in/out − delay.
            let d = r.group_delay_in_samples() / fin;
            let ph0 = 0.7 - 2.0 * std::f64::consts::PI * f * d
                + 2.0 * std::f64::consts::PI * f * skip as f64 / fout;
            let err = residual_power(steady, f, fout, amp, ph0);
            assert!(
                10.0 * (err / (amp * amp)).log10() < -60.0,
                "{fin}->{fout}: {err}"
            );
        }
    }

    #[test]
    fn alias_rejection() {
        // Tones above the output Nyquist must vanish: 1.5 MHz into 19.2→1.92 Msps would alias
        // to −0.42 MHz; 800 kHz into 2→1 Msps would alias to −200 kHz.
        for (fin, fout, f) in [
            (19.2e6, 1.92e6, 1.5e6),
            (2e6, 1e6, 800e3),
            (19.2e6, 1.92e6, -5e6),
        ] {
            let mut r = Resampler::new(fin, fout, &ResamplerSpec::default()).unwrap();
            let x = tone((fin * 0.005) as usize, f, fin, 1.0, 0.0);
            let y = run(&mut r, &x);
            let skip = (r.group_delay_in_samples() * 2.0 * fout / fin) as usize + 2;
            let p: f64 = y[skip..]
                .iter()
                .map(|v| f64::from(v.norm_sqr()))
                .sum::<f64>()
                / (y.len() - skip) as f64;
            let db = 10.0 * p.log10();
            assert!(db < -79.0, "{fin}->{fout} tone {f}: {db} dB");
        }
    }

    #[test]
    fn block_by_block_equals_one_shot() {
        let mut rng = Rng::new(42);
        let x: Vec<Complex32> = (0..30_000).map(|_| rng.cgauss(1.0)).collect();
        for (fin, fout) in [
            (19.2e6, 1.92e6),
            (19.2e6, 30.72e6),
            (500e3, crate::GSM_4SPS_RATE_SPS),
            (1.0, 1.234_567),
            (1.0, 0.377),
        ] {
            let spec = ResamplerSpec::default();
            let mut one = Resampler::new(fin, fout, &spec).unwrap();
            let whole = run(&mut one, &x);
            let mut blk = Resampler::new(fin, fout, &spec).unwrap();
            let mut out = Vec::new();
            let mut i = 0;
            let mut step = 1;
            while i < x.len() {
                let j = (i + step).min(x.len());
                blk.process(&x[i..j], &mut out);
                i = j;
                step = (step * 13 + 5) % 2000;
            }
            assert_eq!(out, whole, "{fin}->{fout}");
            // Reset gives the same again.
            one.reset();
            assert_eq!(run(&mut one, &x), whole);
        }
    }

    #[test]
    fn rational_detection() {
        assert_eq!(
            rational_approx(crate::GSM_4SPS_RATE_SPS / 500e3, 1000),
            Some((13, 6))
        );
        assert_eq!(rational_approx(1.92e6 / 19.2e6, 1000), Some((1, 10)));
        assert_eq!(rational_approx(30.72 / 19.2, 1000), Some((8, 5)));
        assert_eq!(rational_approx(23.04 / 19.2, 1000), Some((6, 5)));
        assert_eq!(
            rational_approx(crate::GSM_4SPS_RATE_SPS / 20e6, 1000),
            Some((13, 240))
        );
        assert_eq!(rational_approx(std::f64::consts::PI, 1000), None);
        assert_eq!(rational_approx(f64::NAN, 1000), None);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let s = ResamplerSpec::default();
        assert!(matches!(
            RationalResampler::new(0, 3, &s),
            Err(DspError::InvalidRatio(_))
        ));
        assert!(RationalResampler::new(5000, 4999, &s).is_err());
        assert!(ArbitraryResampler::new(f64::NAN, &s).is_err());
        assert!(ArbitraryResampler::new(0.0, &s).is_err());
        assert!(Resampler::new(-1.0, 1.0, &s).is_err());
        assert!(Resampler::new(1.0, f64::INFINITY, &s).is_err());
        let bad = ResamplerSpec {
            passband: 1.2,
            atten_db: 80.0,
        };
        assert!(Resampler::new(1.0, 2.0, &bad).is_err());
        let bad = ResamplerSpec {
            passband: 0.8,
            atten_db: -3.0,
        };
        assert!(Resampler::new(1.0, 2.0, &bad).is_err());
        // Stop edge that would alias into the pass band.
        assert!(Resampler::with_band_edges_hz(20e6, 1e6, 400e3, 700e3, 60.0).is_err());
        // Unreasonably sharp: too many taps.
        assert!(Resampler::with_band_edges_hz(20e6, 1e6, 100e3, 100.001e3, 60.0).is_err());
        assert!(
            Resampler::with_band_edges_hz(20e6, 1e6, 100e3, 100e3 * (1.0 + 1e-15), 60.0).is_err()
        );
        assert!(RationalResampler::with_band_edges(3, 2, 0.1, 0.1 + 1e-300, 60.0).is_err());
        assert!(ArbitraryResampler::with_band_edges(1.5, 0.1, 0.1 + 1e-300, 60.0).is_err());
        // Empty input is fine.
        let mut r = Resampler::new(2.0, 3.0, &s).unwrap();
        assert!(run(&mut r, &[]).is_empty());
    }
}
