//! Channelisers: pull narrow channels (GSM carriers) out of a wideband capture.
//!
//! - [`Nco`]: phase-continuous mixer (complex rotator) for frequency shifts.
//! - [`ChannelExtractor`]: one channel: NCO down-mix, then a decimating/resampling low-pass
//!   ([`crate::resample::Resampler`]) that is also the channel filter. Simple and exact; costs
//!   O(taps) per output sample, fine for narrow inputs (≤ a few Msps) or one channel.
//! - [`ChannelBank`]: many channels in one pass by fast convolution (FFT overlap-save filter
//!   bank, Borgerding 2006 / Renfors et al. 2014): one forward FFT of N input samples per block,
//!   then per channel a multiply by the channel filter's response over K bins around the
//!   channel and a K-point inverse FFT, which filters, shifts to DC and decimates by N/K at
//!   once. The output rate is any rational fraction of the input rate (e.g. 400 ksps = 2× the
//!   GSM channel spacing, or 4 samples/symbol = 1.0833 Msps = 13/240 of 20 Msps).
//!
//! Both channelisers apply the same linear-phase Kaiser low-pass (pass band ±`pass_hz`,
//! stop band beyond ±`stop_hz`); outputs are delayed by its group delay (`group_delay_s`).
//! The output of a channel at offset f is `x(t)·exp(−j2πft)` filtered, sampled at
//! `t = j / out_rate` (minus the group delay), with the mixer's phase referenced to the first
//! input sample, so the phase is continuous across blocks and equal for both channelisers.

use std::sync::Arc;

use num_complex::{Complex32, Complex64};
use rustfft::Fft;

use crate::error::check_rate;
use crate::filter::{kaiser_beta, kaiser_num_taps, windowed_sinc};
use crate::resample::{rational_approx, Resampler};
use crate::DspError;

/// GSM channel filter pass-band edge: ±80 kHz keeps the GMSK main lobe (≈90 % of its power).
pub const GSM_CHANNEL_PASS_HZ: f64 = 80e3;
/// GSM channel filter stop-band edge: ±120 kHz, so the neighbour 200 kHz away is rejected
/// from 80 kHz below its own centre outward.
pub const GSM_CHANNEL_STOP_HZ: f64 = 120e3;
/// Stop-band attenuation of the GSM channel filter.
pub const GSM_CHANNEL_ATTEN_DB: f64 = 70.0;

/// Samples between rotator renormalisations (counted on the stream, not per call, so block
/// boundaries do not change the output).
const RENORM_INTERVAL: u64 = 4096;

/// Numerically controlled oscillator: multiplies a stream by `exp(j2π·freq·n/rate)`, keeping
/// its phase across calls.
#[derive(Debug, Clone)]
pub struct Nco {
    freq_hz: f64,
    rate_sps: f64,
    phasor: Complex64,
    step: Complex64,
    count: u64,
}

impl Nco {
    /// `freq_hz` may be negative (shift down); |freq| must not exceed the sample rate.
    pub fn new(freq_hz: f64, rate_sps: f64) -> Result<Self, DspError> {
        let rate_sps = check_rate(rate_sps)?;
        let mut nco = Nco {
            freq_hz: 0.0,
            rate_sps,
            phasor: Complex64::new(1.0, 0.0),
            step: Complex64::new(1.0, 0.0),
            count: 0,
        };
        nco.set_freq(freq_hz)?;
        Ok(nco)
    }

    /// Retune without a phase jump.
    pub fn set_freq(&mut self, freq_hz: f64) -> Result<(), DspError> {
        if !(freq_hz.is_finite() && freq_hz.abs() <= self.rate_sps) {
            return Err(DspError::InvalidParameter(format!(
                "NCO frequency {freq_hz} Hz outside ±{} Hz",
                self.rate_sps
            )));
        }
        self.freq_hz = freq_hz;
        self.step =
            Complex64::from_polar(1.0, 2.0 * std::f64::consts::PI * freq_hz / self.rate_sps);
        Ok(())
    }

    pub fn freq_hz(&self) -> f64 {
        self.freq_hz
    }

    /// Current phase in radians (of the next sample's multiplier).
    pub fn phase_rad(&self) -> f64 {
        self.phasor.arg()
    }

    #[inline]
    fn next(&mut self) -> Complex32 {
        let p = self.phasor;
        self.phasor *= self.step;
        self.count += 1;
        if self.count.is_multiple_of(RENORM_INTERVAL) {
            self.phasor /= self.phasor.norm();
        }
        Complex32::new(p.re as f32, p.im as f32)
    }

    /// Mix `buf` in place.
    pub fn mix_in_place(&mut self, buf: &mut [Complex32]) {
        for x in buf.iter_mut() {
            *x *= self.next();
        }
    }

    /// Mix `input`, appending to `out`.
    pub fn mix(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        out.reserve(input.len());
        for x in input {
            let m = self.next();
            out.push(x * m);
        }
    }

    /// Back to phase 0.
    pub fn reset(&mut self) {
        self.phasor = Complex64::new(1.0, 0.0);
        self.count = 0;
    }
}

/// One channel at `offset_hz` from the capture centre, mixed to DC, filtered and resampled.
#[derive(Clone)]
pub struct ChannelExtractor {
    nco: Nco,
    resampler: Resampler,
    mixed: Vec<Complex32>,
    in_rate_sps: f64,
    out_rate_sps: f64,
}

impl ChannelExtractor {
    /// Channel filter pass band ±`pass_hz`, stop band beyond ±`stop_hz`, at `out_rate_sps`.
    pub fn new(
        in_rate_sps: f64,
        offset_hz: f64,
        out_rate_sps: f64,
        pass_hz: f64,
        stop_hz: f64,
        atten_db: f64,
    ) -> Result<Self, DspError> {
        let in_rate_sps = check_rate(in_rate_sps)?;
        if !(offset_hz.is_finite() && offset_hz.abs() <= in_rate_sps / 2.0) {
            return Err(DspError::ChannelOutsideSpan {
                offset_hz,
                half_span_hz: in_rate_sps / 2.0,
            });
        }
        Ok(ChannelExtractor {
            nco: Nco::new(-offset_hz, in_rate_sps)?,
            resampler: Resampler::with_band_edges_hz(
                in_rate_sps,
                out_rate_sps,
                pass_hz,
                stop_hz,
                atten_db,
            )?,
            mixed: Vec::new(),
            in_rate_sps,
            out_rate_sps,
        })
    }

    /// A GSM carrier at `offset_hz`, out at 4 samples/symbol with the GSM channel filter.
    pub fn gsm(in_rate_sps: f64, offset_hz: f64) -> Result<Self, DspError> {
        Self::new(
            in_rate_sps,
            offset_hz,
            crate::GSM_4SPS_RATE_SPS,
            GSM_CHANNEL_PASS_HZ,
            GSM_CHANNEL_STOP_HZ,
            GSM_CHANNEL_ATTEN_DB,
        )
    }

    pub fn out_rate_sps(&self) -> f64 {
        self.out_rate_sps
    }

    /// Delay of the output relative to the input, seconds.
    pub fn group_delay_s(&self) -> f64 {
        self.resampler.group_delay_in_samples() / self.in_rate_sps
    }

    /// Process a block, appending the channel's samples to `out`.
    pub fn process(&mut self, input: &[Complex32], out: &mut Vec<Complex32>) {
        self.mixed.clear();
        self.nco.mix(input, &mut self.mixed);
        self.resampler.process(&self.mixed, out);
    }

    pub fn reset(&mut self) {
        self.nco.reset();
        self.resampler.reset();
    }
}

/// Settings of a [`ChannelBank`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelBankConfig {
    pub in_rate_sps: f64,
    /// Output rate of every channel; must be a fraction p/q of the input rate with q ≤ 100000.
    pub out_rate_sps: f64,
    /// Channel centres relative to the capture centre frequency.
    pub channel_offsets_hz: Vec<f64>,
    /// Channel filter pass-band edge (one-sided).
    pub pass_hz: f64,
    /// Channel filter stop-band edge (one-sided), at most `out_rate_sps / 2`.
    pub stop_hz: f64,
    pub atten_db: f64,
}

impl ChannelBankConfig {
    /// GSM carriers (absolute downlink frequencies) in a capture at `center_freq_hz`, with the
    /// GSM channel filter, output at `out_rate_sps` (e.g. 400e3 for 2× the channel spacing, or
    /// [`crate::GSM_4SPS_RATE_SPS`]).
    pub fn gsm(
        in_rate_sps: f64,
        center_freq_hz: f64,
        channel_freqs_hz: &[f64],
        out_rate_sps: f64,
    ) -> Self {
        ChannelBankConfig {
            in_rate_sps,
            out_rate_sps,
            channel_offsets_hz: channel_freqs_hz
                .iter()
                .map(|f| f - center_freq_hz)
                .collect(),
            pass_hz: GSM_CHANNEL_PASS_HZ,
            stop_hz: GSM_CHANNEL_STOP_HZ,
            atten_db: GSM_CHANNEL_ATTEN_DB,
        }
    }
}

/// Per-channel state of the bank.
#[derive(Clone)]
struct BankChannel {
    /// FFT bin the channel is centred on.
    bin: i64,
    /// Phase index of this block's correction, in units of 1/N cycle (exact integer).
    block_phase: i64,
    /// Removes the offset that is left after rounding to a bin, at the output rate.
    residual: Option<Nco>,
    /// For off-grid channels, the filter response shifted by the residual offset, so that the
    /// result equals mixing by the exact offset before filtering.
    resp: Option<Vec<Complex32>>,
}

/// Fast-convolution multi-channel channeliser (see the module doc).
pub struct ChannelBank {
    n: usize,
    k: usize,
    overlap: usize,
    hop: usize,
    discard: usize,
    fft: Arc<dyn Fft<f32>>,
    ifft: Arc<dyn Fft<f32>>,
    buf: Vec<Complex32>,
    spec: Vec<Complex32>,
    chan: Vec<Complex32>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    /// Filter response × 1/N for signed bin offsets −K/2..K−K/2, and where each lands in the
    /// K-point IFFT input.
    resp: Vec<Complex32>,
    dest: Vec<usize>,
    channels: Vec<BankChannel>,
    in_rate_sps: f64,
    out_rate_sps: f64,
    delay_in: f64,
}

/// Smallest 5-smooth number (2^a·3^b·5^c) ≥ n: FFT sizes rustfft does fastest.
fn next_smooth(n: usize) -> usize {
    let mut m = n.max(1);
    loop {
        let mut r = m;
        for p in [2, 3, 5] {
            while r.is_multiple_of(p) {
                r /= p;
            }
        }
        if r == 1 {
            return m;
        }
        m += 1;
    }
}

/// Largest FFT the bank will plan.
pub const MAX_BANK_FFT: usize = 1 << 22;

impl ChannelBank {
    pub fn new(cfg: &ChannelBankConfig) -> Result<Self, DspError> {
        let fs = check_rate(cfg.in_rate_sps)?;
        let out = check_rate(cfg.out_rate_sps)?;
        if out > fs {
            return Err(DspError::InvalidRatio(format!(
                "output rate {out} sps above input rate {fs} sps"
            )));
        }
        if cfg.channel_offsets_hz.is_empty() {
            return Err(DspError::InvalidParameter("no channels requested".into()));
        }
        if !(cfg.pass_hz > 0.0 && cfg.stop_hz > cfg.pass_hz && cfg.stop_hz <= out / 2.0 + 1e-6) {
            return Err(DspError::InvalidFilter(format!(
                "need 0 < pass ({}) < stop ({}) <= out rate / 2 ({}) Hz",
                cfg.pass_hz,
                cfg.stop_hz,
                out / 2.0
            )));
        }
        if !(cfg.atten_db.is_finite() && (10.0..=200.0).contains(&cfg.atten_db)) {
            return Err(DspError::InvalidFilter(format!(
                "stop-band attenuation {} dB outside 10..200 dB",
                cfg.atten_db
            )));
        }
        let (p, q) = rational_approx(out / fs, 100_000).ok_or_else(|| {
            DspError::InvalidRatio(format!(
                "{out}/{fs} is not a fraction with a denominator ≤ 100000"
            ))
        })?;
        let (p, q) = (p as usize, q as usize);
        // Filter length at the input rate (odd, for an integer delay).
        let taps = kaiser_num_taps(cfg.atten_db, (cfg.stop_hz - cfg.pass_hz) / fs) | 1;
        if taps > MAX_BANK_FFT {
            return Err(DspError::InvalidFilter(format!(
                "channel filter would need {taps} taps: widen the transition band"
            )));
        }
        // Overlap ≥ taps − 1 and a multiple of q, so that both the kept and the discarded part
        // of each block are whole output samples.
        let overlap = (taps - 1).div_ceil(q).max(1) * q;
        // Block ≈ 4× the overlap: 75 % of each FFT is useful output (8× measured no faster).
        let m = next_smooth((4 * overlap).div_ceil(q).max(2));
        let n = m * q;
        if n > MAX_BANK_FFT {
            return Err(DspError::InvalidFilter(format!(
                "channel bank would need an FFT of {n} points (limit {MAX_BANK_FFT}): widen the transition band"
            )));
        }
        let k = m * p;
        let hop = n - overlap;
        let discard = overlap / q * p;

        // Channel filter response on the N-point grid, scaled by 1/N for the unnormalised
        // FFT pair.
        let h = windowed_sinc(
            taps,
            (cfg.pass_hz + cfg.stop_hz) / 2.0 / fs,
            kaiser_beta(cfg.atten_db),
            1.0,
        );
        let fft = crate::fft::forward(n);
        let mut hf: Vec<Complex32> = vec![Complex32::default(); n];
        for (d, t) in hf.iter_mut().zip(&h) {
            *d = Complex32::new(*t as f32, 0.0);
        }
        let mut scratch_fwd = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        fft.process_with_scratch(&mut hf, &mut scratch_fwd);
        let half = (k / 2) as i64;
        // K bins around DC of an N-point response, in the order the channel loop reads them.
        let pick = |full: &[Complex32]| -> Vec<Complex32> {
            (0..k as i64)
                .map(|j| full[(j - half).rem_euclid(n as i64) as usize] / n as f32)
                .collect()
        };
        let resp = pick(&hf);
        let dest: Vec<usize> = (0..k as i64)
            .map(|j| (j - half).rem_euclid(k as i64) as usize)
            .collect();
        let mut channels = Vec::with_capacity(cfg.channel_offsets_hz.len());
        for &off in &cfg.channel_offsets_hz {
            if !(off.is_finite() && off.abs() <= fs / 2.0) {
                return Err(DspError::ChannelOutsideSpan {
                    offset_hz: off,
                    half_span_hz: fs / 2.0,
                });
            }
            let bin = (off * n as f64 / fs).round() as i64;
            let resid = off - bin as f64 * fs / n as f64;
            let (residual, resp) = if resid.abs() > 1e-6 {
                // DFT of h[m]·exp(j2π·resid·m/fs) = H(f − resid) on the bin grid.
                let mut hm: Vec<Complex32> = vec![Complex32::default(); n];
                for (m, (d, t)) in hm.iter_mut().zip(&h).enumerate() {
                    let ph = 2.0 * std::f64::consts::PI * resid * m as f64 / fs;
                    *d = Complex32::new((t * ph.cos()) as f32, (t * ph.sin()) as f32);
                }
                fft.process_with_scratch(&mut hm, &mut scratch_fwd);
                (Some(Nco::new(-resid, out)?), Some(pick(&hm)))
            } else {
                (None, None)
            };
            channels.push(BankChannel {
                bin,
                // Block 0 starts `overlap` samples before the stream (zero pre-fill).
                block_phase: (bin * overlap as i64).rem_euclid(n as i64),
                residual,
                resp,
            });
        }
        let ifft = crate::fft::inverse(k);
        let scratch_inv = vec![Complex32::default(); ifft.get_inplace_scratch_len()];
        Ok(ChannelBank {
            n,
            k,
            overlap,
            hop,
            discard,
            fft,
            ifft,
            buf: vec![Complex32::default(); overlap],
            spec: vec![Complex32::default(); n],
            chan: vec![Complex32::default(); k],
            scratch_fwd,
            scratch_inv,
            resp,
            dest,
            channels,
            in_rate_sps: fs,
            out_rate_sps: out,
            delay_in: (taps as f64 - 1.0) / 2.0,
        })
    }

    pub fn num_channels(&self) -> usize {
        self.channels.len()
    }

    /// Forward FFT size N (input samples per block including the overlap).
    pub fn fft_size(&self) -> usize {
        self.n
    }

    /// Inverse FFT size K per channel.
    pub fn channel_fft_size(&self) -> usize {
        self.k
    }

    /// New input samples consumed per block.
    pub fn hop(&self) -> usize {
        self.hop
    }

    pub fn out_rate_sps(&self) -> f64 {
        self.out_rate_sps
    }

    /// Delay of every output relative to the input, seconds.
    pub fn group_delay_s(&self) -> f64 {
        self.delay_in / self.in_rate_sps
    }

    /// Feed a block; each channel's new samples are appended to `outputs[i]` (same order as
    /// the configured offsets). Output appears in steps of one FFT block.
    pub fn process(
        &mut self,
        mut input: &[Complex32],
        outputs: &mut [Vec<Complex32>],
    ) -> Result<(), DspError> {
        if outputs.len() != self.channels.len() {
            return Err(DspError::OutputCount {
                expected: self.channels.len(),
                got: outputs.len(),
            });
        }
        while !input.is_empty() {
            let take = (self.n - self.buf.len()).min(input.len());
            self.buf.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.buf.len() == self.n {
                self.process_block(outputs);
                self.buf.drain(..self.hop);
            }
        }
        Ok(())
    }

    fn process_block(&mut self, outputs: &mut [Vec<Complex32>]) {
        let n = self.n as i64;
        let k = self.k;
        self.spec.copy_from_slice(&self.buf);
        self.fft
            .process_with_scratch(&mut self.spec, &mut self.scratch_fwd);
        let half = (k / 2) as i64;
        for (ch, out) in self.channels.iter_mut().zip(outputs.iter_mut()) {
            let mut src = (ch.bin - half).rem_euclid(n) as usize;
            let resp = ch.resp.as_deref().unwrap_or(&self.resp);
            for (g, d) in resp.iter().zip(&self.dest) {
                self.chan[*d] = self.spec[src] * g;
                src += 1;
                if src == self.n {
                    src = 0;
                }
            }
            self.ifft
                .process_with_scratch(&mut self.chan, &mut self.scratch_inv);
            // Undo the bin shift's dependence on where this block starts in the stream.
            let rot = Complex64::from_polar(
                1.0,
                2.0 * std::f64::consts::PI * ch.block_phase as f64 / n as f64,
            );
            let rot = Complex32::new(rot.re as f32, rot.im as f32);
            ch.block_phase = (ch.block_phase - ch.bin * self.hop as i64).rem_euclid(n);
            let valid = &self.chan[self.discard..];
            out.reserve(valid.len());
            match &mut ch.residual {
                None => out.extend(valid.iter().map(|v| v * rot)),
                Some(nco) => {
                    let start = out.len();
                    out.extend(valid.iter().map(|v| v * rot));
                    nco.mix_in_place(&mut out[start..]);
                }
            }
        }
    }

    /// Forget the stream (zero history, phases back to the start).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.buf.resize(self.overlap, Complex32::default());
        let n = self.n as i64;
        for ch in &mut self.channels {
            ch.block_phase = (ch.bin * self.overlap as i64).rem_euclid(n);
            if let Some(nco) = &mut ch.residual {
                nco.reset();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::tests::{tone, Rng};

    fn power_db(y: &[Complex32]) -> f64 {
        10.0 * (y.iter().map(|v| f64::from(v.norm_sqr())).sum::<f64>() / y.len() as f64).log10()
    }

    /// Largest deviation of successive phase steps from their mean (radians), and mean |y|.
    fn phase_step_spread(y: &[Complex32]) -> (f64, f64) {
        let steps: Vec<f64> = y
            .windows(2)
            .map(|w| f64::from((w[1] * w[0].conj()).arg()))
            .collect();
        let mean = steps.iter().sum::<f64>() / steps.len() as f64;
        let spread = steps.iter().map(|s| (s - mean).abs()).fold(0.0, f64::max);
        let amp = y.iter().map(|v| f64::from(v.norm())).sum::<f64>() / y.len() as f64;
        (spread, amp)
    }

    #[test]
    fn nco_is_phase_continuous_and_block_independent() {
        let x = vec![Complex32::new(1.0, 0.0); 20_000];
        let mut a = Nco::new(-123_456.7, 1.92e6).unwrap();
        let mut one = Vec::new();
        a.mix(&x, &mut one);
        let mut b = Nco::new(-123_456.7, 1.92e6).unwrap();
        let mut blk = Vec::new();
        for c in x.chunks(777) {
            b.mix(c, &mut blk);
        }
        assert_eq!(one, blk);
        // Against the closed form exp(j2πfn/fs).
        for (i, v) in one.iter().enumerate().step_by(997) {
            let ph = -2.0 * std::f64::consts::PI * 123_456.7 * i as f64 / 1.92e6;
            assert!((f64::from(v.re) - ph.cos()).abs() < 1e-6);
            assert!((f64::from(v.im) - ph.sin()).abs() < 1e-6);
        }
        assert!(Nco::new(f64::NAN, 1e6).is_err());
        assert!(Nco::new(3e6, 1e6).is_err());
    }

    #[test]
    fn extractor_gsm_from_500ksps() {
        // A tone 30 kHz above a carrier at +150 kHz in 500 ksps comes out at 4 sps, at +30 kHz,
        // with its amplitude; a tone in the adjacent channel (+350 kHz would alias; use
        // −50 kHz, 200 kHz away) is ≥ 50 dB down.
        let fs = 500e3;
        let mut ex = ChannelExtractor::gsm(fs, 150e3).unwrap();
        let x = tone(50_000, 180e3, fs, 0.5, 0.0);
        let mut y = Vec::new();
        for c in x.chunks(1234) {
            ex.process(c, &mut y);
        }
        let skip = (ex.group_delay_s() * 2.0 * ex.out_rate_sps()) as usize + 2;
        let (spread, amp) = phase_step_spread(&y[skip..]);
        assert!(spread < 1e-3, "{spread}");
        assert!((20.0 * (amp / 0.5).log10()).abs() < 0.01, "{amp}");
        let mut ex = ChannelExtractor::gsm(fs, 150e3).unwrap();
        let mut y = Vec::new();
        ex.process(&tone(50_000, -50e3, fs, 0.5, 0.0), &mut y);
        let rej = power_db(&y[skip..]) - 20.0 * 0.5f64.log10();
        assert!(rej < -60.0, "adjacent rejection {rej} dB");
        assert!(ChannelExtractor::gsm(fs, 300e3).is_err());
        assert!(ChannelExtractor::gsm(f64::NAN, 0.0).is_err());
    }

    fn gsm_bank(fs: f64, out: f64, offsets: Vec<f64>) -> ChannelBank {
        ChannelBank::new(&ChannelBankConfig {
            in_rate_sps: fs,
            out_rate_sps: out,
            channel_offsets_hz: offsets,
            pass_hz: GSM_CHANNEL_PASS_HZ,
            stop_hz: GSM_CHANNEL_STOP_HZ,
            atten_db: GSM_CHANNEL_ATTEN_DB,
        })
        .unwrap()
    }

    #[test]
    fn bank_tone_only_in_its_channel() {
        // 20 Msps, 99 channels on a 200 kHz grid offset by 100 kHz from the centre (like a
        // capture tuned between two ARFCNs), outputs at 400 ksps.
        let fs = 20e6;
        let offsets: Vec<f64> = (-49..=49).map(|i| i as f64 * 200e3 + 100e3).collect();
        for (ch, df) in [(49usize, 0.0), (50, 60e3), (10, -75e3), (97, 40e3)] {
            let mut bank = gsm_bank(fs, 400e3, offsets.clone());
            let f = offsets[ch] + df;
            let x = tone(400_000, f, fs, 0.1, 0.2);
            let mut outs = vec![Vec::new(); offsets.len()];
            bank.process(&x, &mut outs).unwrap();
            let skip = (bank.group_delay_s() * 400e3) as usize * 2 + 2;
            let want = power_db(&outs[ch][skip..]);
            assert!(
                (want - 20.0 * 0.1f64.log10()).abs() < 0.01,
                "ch {ch}: {want}"
            );
            let (spread, _) = phase_step_spread(&outs[ch][skip..]);
            assert!(spread < 1e-3, "ch {ch} phase spread {spread}");
            let mean_step = {
                let y = &outs[ch][skip..];
                let s: Complex64 = y
                    .windows(2)
                    .map(|w| {
                        let d = w[1] * w[0].conj();
                        Complex64::new(f64::from(d.re), f64::from(d.im))
                    })
                    .sum();
                s.arg() * 400e3 / (2.0 * std::f64::consts::PI)
            };
            assert!((mean_step - df).abs() < 1.0, "freq {mean_step} vs {df}");
            for (i, o) in outs.iter().enumerate() {
                if i != ch {
                    let rej = power_db(&o[skip..]) - want;
                    assert!(rej < -50.0, "tone in ch {ch}: ch {i} only {rej} dB down");
                }
            }
        }
    }

    /// Analytic output of an ideal channeliser for tones (Hz, amplitude, phase) at input
    /// rate `fs`: mixed down by `off`, delayed by `delay_s`, sampled at `out`.
    fn expected(
        tones: &[(f64, f64, f64)],
        off: f64,
        delay_s: f64,
        out: f64,
        len: usize,
    ) -> Vec<Complex32> {
        (0..len)
            .map(|j| {
                let t = j as f64 / out - delay_s;
                let mut acc = Complex64::new(0.0, 0.0);
                for &(f, a, ph) in tones {
                    // The mixer (phase 0 at the first input sample) acts before the filter, so
                    // both the tone and the mixer are seen delayed.
                    let arg = 2.0 * std::f64::consts::PI * (f - off) * t + ph;
                    acc += Complex64::from_polar(a, arg);
                }
                Complex32::new(acc.re as f32, acc.im as f32)
            })
            .collect()
    }

    fn rel_error_db(got: &[Complex32], want: &[Complex32], skip: usize) -> f64 {
        let mut err = 0.0;
        let mut pw = 0.0;
        for (a, b) in got[skip..].iter().zip(&want[skip..]) {
            err += f64::from((a - b).norm_sqr());
            pw += f64::from(b.norm_sqr());
        }
        10.0 * (err / pw).log10()
    }

    #[test]
    fn bank_and_extractor_match_analytic_multitone() {
        // GSM 4 sps straight out of 20 Msps (13/240) for on-grid and off-grid channels: in-band
        // tones must come out with the right amplitude, frequency, phase and delay.
        let fs = 20e6;
        let out = crate::GSM_4SPS_RATE_SPS;
        let offsets = vec![-3.4e6, 200e3, 5.0e6 + 37e3];
        let mut tones = Vec::new();
        for (i, off) in offsets.iter().enumerate() {
            for (j, d) in [-61e3, -12.5e3, 3e3, 44e3, 70e3].iter().enumerate() {
                tones.push((off + d, 0.05 + 0.01 * j as f64, 0.3 * (i * 5 + j) as f64));
            }
        }
        let n_in = 200_000;
        let mut x = vec![Complex32::default(); n_in];
        for &(f, a, ph) in &tones {
            for (xi, t) in x.iter_mut().zip(tone(n_in, f, fs, a, ph)) {
                *xi += t;
            }
        }
        let mut bank = gsm_bank(fs, out, offsets.clone());
        let mut outs = vec![Vec::new(); 3];
        bank.process(&x, &mut outs).unwrap();
        for (c, off) in offsets.iter().enumerate() {
            let mine: Vec<_> = tones
                .iter()
                .copied()
                .filter(|t| (t.0 - off).abs() < 100e3)
                .collect();
            let skip = (bank.group_delay_s() * out) as usize * 2 + 4;
            let want = expected(&mine, *off, bank.group_delay_s(), out, outs[c].len());
            let db = rel_error_db(&outs[c], &want, skip);
            assert!(db < -55.0, "bank channel {c}: {db} dB");

            let mut ex = ChannelExtractor::gsm(fs, *off).unwrap();
            let mut y = Vec::new();
            for blk in x.chunks(10_000) {
                ex.process(blk, &mut y);
            }
            let skip = (ex.group_delay_s() * out) as usize * 2 + 4;
            let want = expected(&mine, *off, ex.group_delay_s(), out, y.len());
            let db = rel_error_db(&y, &want, skip);
            assert!(db < -55.0, "extractor channel {c}: {db} dB");
        }
    }

    #[test]
    fn bank_block_by_block_equals_one_shot() {
        let fs = 20e6;
        let out = crate::GSM_4SPS_RATE_SPS;
        let offsets = vec![-3.4e6, 200e3, 5.0e6 + 37e3];
        let mut rng = Rng::new(5);
        let x: Vec<Complex32> = (0..100_000).map(|_| rng.cgauss(1.0)).collect();
        let mut one = gsm_bank(fs, out, offsets.clone());
        let mut o1 = vec![Vec::new(); 3];
        one.process(&x, &mut o1).unwrap();
        let mut blk = gsm_bank(fs, out, offsets.clone());
        let mut o2 = vec![Vec::new(); 3];
        let mut i = 0;
        let mut step = 1;
        while i < x.len() {
            let j = (i + step).min(x.len());
            blk.process(&x[i..j], &mut o2).unwrap();
            i = j;
            step = (step * 31 + 7) % 20_000;
        }
        assert_eq!(o1, o2);
        assert!(o1[0].len() > 4000);
        one.reset();
        let mut o3 = vec![Vec::new(); 3];
        one.process(&x, &mut o3).unwrap();
        assert_eq!(o1, o3);
    }

    #[test]
    fn bank_bad_parameters() {
        let ok = ChannelBankConfig::gsm(20e6, 950e6, &[950.2e6], 400e3);
        assert!(ChannelBank::new(&ok).is_ok());
        let mut c = ok.clone();
        c.out_rate_sps = 30e6;
        assert!(ChannelBank::new(&c).is_err());
        let mut c = ok.clone();
        c.channel_offsets_hz = vec![11e6];
        assert!(matches!(
            ChannelBank::new(&c),
            Err(DspError::ChannelOutsideSpan { .. })
        ));
        let mut c = ok.clone();
        c.channel_offsets_hz.clear();
        assert!(ChannelBank::new(&c).is_err());
        let mut c = ok.clone();
        c.stop_hz = c.pass_hz * (1.0 + 1e-15);
        assert!(matches!(
            ChannelBank::new(&c),
            Err(DspError::InvalidFilter(_))
        ));
        let mut c = ok.clone();
        c.stop_hz = 300e3;
        assert!(ChannelBank::new(&c).is_err());
        let mut c = ok.clone();
        c.out_rate_sps = 20e6 / std::f64::consts::PI;
        assert!(matches!(
            ChannelBank::new(&c),
            Err(DspError::InvalidRatio(_))
        ));
        let mut bank = ChannelBank::new(&ok).unwrap();
        let mut outs = vec![Vec::new(); 2];
        assert!(matches!(
            bank.process(&[Complex32::default(); 10], &mut outs),
            Err(DspError::OutputCount { .. })
        ));
    }
}
