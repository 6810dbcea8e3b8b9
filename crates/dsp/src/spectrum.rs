//! Welch power spectrum of an IQ stream: what the CLI `spectrum` command prints and what the
//! receivers use to find carriers before they try to decode them.
//!
//! # Conventions
//!
//! Samples are complex with full scale |x| = 1. Two calibrations are reported per bin, both in
//! dB relative to full scale:
//!
//! - `power_dbfs`: "tone-calibrated" power, `|X_k|² / (Σw)²`. A complex tone `A·exp(j2πft)`
//!   centred on a bin reads `20·log10(A)` dBFS (a full-scale tone is 0 dBFS). Use it to read a
//!   carrier's level off a plot. With the flat-top window the reading is within 0.01 dB
//!   wherever the tone falls between bins.
//! - `psd_dbfs_per_hz`: power spectral density, `|X_k|² / (fs · Σw²)`, in dBFS/Hz. Complex white
//!   noise of mean power σ² reads `10·log10(σ²/fs)` on every bin. Integrating the density over a
//!   band gives the band's power for tones and noise alike; channel power does exactly that.
//!
//! The two differ by the window's equivalent noise bandwidth: `psd = power / enbw_hz`.
//! The spectrum is fftshifted: index 0 is the most negative frequency, and `freq_hz` holds the
//! absolute RF frequency of each bin (`center_freq_hz + k·fs/N`).

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::Fft;
use serde::{Deserialize, Serialize};

use crate::bandplan::{GsmBand, GsmChannel, LteBandwidth, LteChannel};
use crate::error::check_rate;
use crate::DspError;

/// Smallest and largest supported FFT sizes.
pub const MIN_FFT_SIZE: usize = 2;
pub const MAX_FFT_SIZE: usize = 1 << 22;

/// Bandwidth over which GSM channel power is integrated: ±90 kHz around the carrier.
///
/// GMSK with BT = 0.3 (TS 45.004) keeps about 93 % of its power inside 180 kHz; ±90 kHz leaves
/// a 20 kHz gap to the neighbouring carrier's own ±90 kHz, so a strong neighbour leaks much
/// less than with ±100 kHz. The reading is therefore ≈0.3 dB below the carrier's total power
/// (measured on an ideal GMSK carrier in the unit tests); it is not corrected.
pub const GSM_MEAS_BW_HZ: f64 = 180e3;

/// Default percentile of bins used for the noise floor (see [`Spectrum::noise_floor`]).
pub const DEFAULT_NOISE_PERCENTILE: f64 = 0.2;

/// Spectral window. All are the periodic (DFT-even) forms used for spectral analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// No window: best resolution, −13 dB side lobes.
    Rectangular,
    /// Hann: general purpose, −31 dB side lobes, 1.5 bin ENBW.
    Hann,
    /// 4-term Blackman-Harris: −92 dB side lobes, for weak carriers next to strong ones.
    BlackmanHarris,
    /// 5-term flat-top (Matlab `flattopwin` coefficients): < 0.01 dB scalloping, for
    /// carrier levels.
    FlatTop,
}

impl Window {
    fn cosine_terms(self) -> &'static [f64] {
        match self {
            Window::Rectangular => &[1.0],
            Window::Hann => &[0.5, 0.5],
            Window::BlackmanHarris => &[0.35875, 0.48829, 0.14128, 0.01168],
            Window::FlatTop => &[
                0.215_578_95,
                0.416_631_58,
                0.277_263_158,
                0.083_578_947,
                0.006_947_368,
            ],
        }
    }

    /// `n` window coefficients, `w[i] = Σ_k (−1)^k a_k cos(2πki/n)`.
    pub fn coefficients(self, n: usize) -> Vec<f64> {
        let terms = self.cosine_terms();
        (0..n)
            .map(|i| {
                terms
                    .iter()
                    .enumerate()
                    .map(|(k, a)| {
                        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
                        sign * a * (2.0 * std::f64::consts::PI * (k * i) as f64 / n as f64).cos()
                    })
                    .sum()
            })
            .collect()
    }

    /// Gains of the `n`-point window.
    pub fn gains(self, n: usize) -> WindowGains {
        let w = self.coefficients(n);
        let sum: f64 = w.iter().sum();
        let sum_sq: f64 = w.iter().map(|x| x * x).sum();
        WindowGains {
            coherent_gain: sum / n as f64,
            noise_power_gain: sum_sq / n as f64,
            enbw_bins: n as f64 * sum_sq / (sum * sum),
        }
    }
}

/// Window gains: coherent gain Σw/N (amplitude of a bin-centred tone), noise power gain Σw²/N,
/// and equivalent noise bandwidth in bins, N·Σw²/(Σw)².
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowGains {
    pub coherent_gain: f64,
    pub noise_power_gain: f64,
    pub enbw_bins: f64,
}

/// Welch estimator settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WelchConfig {
    /// FFT (segment) length, any size in 2..=2^22 (powers of two are fastest).
    pub fft_size: usize,
    pub window: Window,
    /// Samples shared by consecutive segments (0 ≤ overlap < fft_size).
    pub overlap: usize,
}

impl WelchConfig {
    /// Hann window with 50 % overlap.
    pub fn new(fft_size: usize) -> Self {
        WelchConfig {
            fft_size,
            window: Window::Hann,
            overlap: fft_size / 2,
        }
    }

    pub fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    pub fn with_overlap(mut self, overlap: usize) -> Self {
        self.overlap = overlap;
        self
    }

    pub fn validate(&self) -> Result<(), DspError> {
        if !(MIN_FFT_SIZE..=MAX_FFT_SIZE).contains(&self.fft_size) {
            return Err(DspError::InvalidFftSize {
                size: self.fft_size,
                min: MIN_FFT_SIZE,
                max: MAX_FFT_SIZE,
            });
        }
        if self.overlap >= self.fft_size {
            return Err(DspError::InvalidOverlap {
                overlap: self.overlap,
                fft_size: self.fft_size,
            });
        }
        Ok(())
    }

    fn hop(&self) -> usize {
        self.fft_size - self.overlap
    }
}

/// Streaming Welch estimator: feed blocks of any length with [`push`](Self::push); memory is
/// constant (one segment of samples plus one accumulator per bin) however long the stream.
pub struct WelchAccumulator {
    cfg: WelchConfig,
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    pending: Vec<Complex32>,
    work: Vec<Complex32>,
    scratch: Vec<Complex32>,
    acc: Vec<f64>,
    segments: u64,
    gains: WindowGains,
}

impl WelchAccumulator {
    pub fn new(cfg: WelchConfig) -> Result<Self, DspError> {
        cfg.validate()?;
        let n = cfg.fft_size;
        let fft = crate::fft::forward(n);
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        Ok(WelchAccumulator {
            window: cfg
                .window
                .coefficients(n)
                .iter()
                .map(|&w| w as f32)
                .collect(),
            gains: cfg.window.gains(n),
            cfg,
            fft,
            pending: Vec::with_capacity(n),
            work: vec![Complex32::default(); n],
            scratch,
            acc: vec![0.0; n],
            segments: 0,
        })
    }

    pub fn config(&self) -> &WelchConfig {
        &self.cfg
    }

    /// Number of segments averaged so far.
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Forget everything accumulated (keeps the FFT plan and buffers).
    pub fn reset(&mut self) {
        self.pending.clear();
        self.acc.iter_mut().for_each(|a| *a = 0.0);
        self.segments = 0;
    }

    /// Add samples. Segments start every `fft_size − overlap` samples of the stream, whatever
    /// the block boundaries, so the result does not depend on how the stream was cut.
    pub fn push(&mut self, mut samples: &[Complex32]) {
        let n = self.cfg.fft_size;
        let hop = self.cfg.hop();
        while !samples.is_empty() {
            if self.pending.is_empty() {
                // Whole segments straight from the caller's slice, no copy.
                while samples.len() >= n {
                    Self::accumulate(
                        &*self.fft,
                        &self.window,
                        &samples[..n],
                        &mut self.work,
                        &mut self.scratch,
                        &mut self.acc,
                    );
                    self.segments += 1;
                    samples = &samples[hop..];
                }
                self.pending.extend_from_slice(samples);
                return;
            }
            let take = (n - self.pending.len()).min(samples.len());
            self.pending.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.pending.len() == n {
                Self::accumulate(
                    &*self.fft,
                    &self.window,
                    &self.pending,
                    &mut self.work,
                    &mut self.scratch,
                    &mut self.acc,
                );
                self.segments += 1;
                // What remains (the overlap) starts the next segment.
                self.pending.drain(..hop);
            }
        }
    }

    fn accumulate(
        fft: &dyn Fft<f32>,
        window: &[f32],
        seg: &[Complex32],
        work: &mut [Complex32],
        scratch: &mut [Complex32],
        acc: &mut [f64],
    ) {
        for ((o, x), w) in work.iter_mut().zip(seg).zip(window) {
            *o = x * *w;
        }
        fft.process_with_scratch(work, scratch);
        for (a, x) in acc.iter_mut().zip(work.iter()) {
            *a += f64::from(x.norm_sqr());
        }
    }

    /// The averaged spectrum so far, labelled with the stream's centre frequency and rate.
    pub fn spectrum(&self, center_freq_hz: f64, rate_sps: f64) -> Result<Spectrum, DspError> {
        let rate_sps = check_rate(rate_sps)?;
        if !center_freq_hz.is_finite() {
            return Err(DspError::InvalidParameter(format!(
                "centre frequency {center_freq_hz} Hz is not finite"
            )));
        }
        if self.segments == 0 {
            return Err(DspError::NotEnoughSamples {
                needed: self.cfg.fft_size,
                have: self.pending.len(),
            });
        }
        let n = self.cfg.fft_size;
        let sum_w = self.gains.coherent_gain * n as f64;
        let tone_scale = 1.0 / (sum_w * sum_w * self.segments as f64);
        let enbw_hz = self.gains.enbw_bins * rate_sps / n as f64;
        let half = n / 2;
        let mut freq_hz = Vec::with_capacity(n);
        let mut power_dbfs = Vec::with_capacity(n);
        let mut psd_dbfs_per_hz = Vec::with_capacity(n);
        for i in 0..n {
            let j = i as i64 - half as i64;
            let idx = j.rem_euclid(n as i64) as usize;
            let p = self.acc.get(idx).copied().unwrap_or(0.0) * tone_scale;
            freq_hz.push(center_freq_hz + j as f64 * rate_sps / n as f64);
            power_dbfs.push(to_db(p) as f32);
            psd_dbfs_per_hz.push(to_db(p / enbw_hz) as f32);
        }
        Ok(Spectrum {
            center_freq_hz,
            rate_sps,
            fft_size: n,
            window: self.cfg.window,
            overlap: self.cfg.overlap,
            segments: self.segments,
            enbw_hz,
            freq_hz,
            power_dbfs,
            psd_dbfs_per_hz,
        })
    }
}

fn to_db(p: f64) -> f64 {
    10.0 * p.max(1e-30).log10()
}

fn from_db(db: f32) -> f64 {
    10f64.powf(f64::from(db) / 10.0)
}

/// One-shot Welch spectrum of a whole slice.
pub fn welch(
    samples: &[Complex32],
    cfg: WelchConfig,
    center_freq_hz: f64,
    rate_sps: f64,
) -> Result<Spectrum, DspError> {
    let mut acc = WelchAccumulator::new(cfg)?;
    acc.push(samples);
    acc.spectrum(center_freq_hz, rate_sps)
}

/// An averaged, fftshifted power spectrum (see the module doc for the two calibrations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    pub center_freq_hz: f64,
    pub rate_sps: f64,
    pub fft_size: usize,
    pub window: Window,
    pub overlap: usize,
    /// Number of segments averaged.
    pub segments: u64,
    /// Equivalent noise bandwidth of one bin in Hz.
    pub enbw_hz: f64,
    /// Absolute RF frequency of each bin, ascending.
    pub freq_hz: Vec<f64>,
    /// Tone-calibrated bin power in dBFS.
    pub power_dbfs: Vec<f32>,
    /// Power spectral density in dBFS/Hz.
    pub psd_dbfs_per_hz: Vec<f32>,
}

/// Noise floor estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoiseFloor {
    /// Density in dBFS/Hz.
    pub psd_dbfs_per_hz: f64,
    /// What one bin of pure noise reads in the tone-calibrated `power_dbfs`.
    pub power_dbfs_per_bin: f64,
}

impl NoiseFloor {
    /// Noise power in a bandwidth, dBFS.
    pub fn power_dbfs_in(&self, bandwidth_hz: f64) -> f64 {
        self.psd_dbfs_per_hz + 10.0 * bandwidth_hz.max(1e-30).log10()
    }
}

/// A local maximum of the spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// Bin index in the (fftshifted) spectrum.
    pub bin: usize,
    pub freq_hz: f64,
    pub power_dbfs: f64,
    /// Height above the noise floor per bin, dB.
    pub above_floor_db: f64,
}

/// Measured power of one GSM channel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GsmChannelPower {
    pub channel: GsmChannel,
    /// Power integrated over ±90 kHz ([`GSM_MEAS_BW_HZ`]), dBFS.
    pub power_dbfs: f64,
    /// Ratio of that to the noise floor over the same bandwidth, dB.
    pub snr_db: f64,
}

/// Measured power of one LTE carrier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LteChannelPower {
    pub channel: LteChannel,
    pub bandwidth: LteBandwidth,
    /// Power integrated over the occupied bandwidth (N_RB × 180 kHz), dBFS.
    pub power_dbfs: f64,
    pub snr_db: f64,
}

impl Spectrum {
    /// Bin spacing fs/N in Hz.
    pub fn bin_width_hz(&self) -> f64 {
        self.rate_sps / self.fft_size as f64
    }

    /// Index of the bin nearest `freq_hz`, `None` outside the captured span.
    pub fn bin_of_freq(&self, freq_hz: f64) -> Option<usize> {
        let first = *self.freq_hz.first()?;
        let k = ((freq_hz - first) / self.bin_width_hz()).round();
        (k >= 0.0 && k < self.freq_hz.len() as f64).then_some(k as usize)
    }

    /// Power in [lo_hz, hi_hz] in dBFS, integrating the density (partial edge bins pro rata).
    /// `None` if the band is empty, reversed, or not entirely inside the captured span.
    pub fn band_power_dbfs(&self, lo_hz: f64, hi_hz: f64) -> Option<f64> {
        let bw = self.bin_width_hz();
        let first = *self.freq_hz.first()? - bw / 2.0;
        let last = *self.freq_hz.last()? + bw / 2.0;
        if !(lo_hz < hi_hz && lo_hz >= first - 1e-6 && hi_hz <= last + 1e-6) {
            return None;
        }
        let k0 = (((lo_hz - first) / bw).floor().max(0.0)) as usize;
        let k1 = (((hi_hz - first) / bw).ceil() as usize).min(self.fft_size);
        let mut sum = 0.0;
        for k in k0..k1 {
            let (Some(f), Some(d)) = (self.freq_hz.get(k), self.psd_dbfs_per_hz.get(k)) else {
                continue;
            };
            let overlap = ((f + bw / 2.0).min(hi_hz) - (f - bw / 2.0).max(lo_hz)).max(0.0);
            sum += from_db(*d) * overlap;
        }
        Some(to_db(sum))
    }

    /// Power of a channel of `bandwidth_hz` centred on `freq_hz`, dBFS.
    pub fn channel_power_dbfs(&self, freq_hz: f64, bandwidth_hz: f64) -> Option<f64> {
        self.band_power_dbfs(freq_hz - bandwidth_hz / 2.0, freq_hz + bandwidth_hz / 2.0)
    }

    /// Total power of the whole span, dBFS (equals the mean |x|² of the input).
    pub fn total_power_dbfs(&self) -> f64 {
        let bw = self.bin_width_hz();
        to_db(self.psd_dbfs_per_hz.iter().map(|d| from_db(*d) * bw).sum())
    }

    /// Robust noise floor: the `percentile` (0..1) of the bin densities, corrected for the
    /// known bias of a percentile of averaged periodogram bins.
    ///
    /// Each bin of pure noise is Gamma distributed with K_eff degrees of freedom (K_eff =
    /// segments, reduced for overlap by Welch's formula); its p-quantile relative to the mean is
    /// taken from the Wilson-Hilferty approximation and divided out. A low percentile (default
    /// 0.2) stays on the noise even when most of the span is occupied by carriers; very strong
    /// anti-alias roll-off at the span edges biases it low (crop those bins first if needed).
    pub fn noise_floor(&self, percentile: f64) -> Option<NoiseFloor> {
        if !(0.0..=1.0).contains(&percentile) || self.psd_dbfs_per_hz.is_empty() {
            return None;
        }
        let mut v: Vec<f32> = self.psd_dbfs_per_hz.clone();
        let last = v.len() - 1;
        let idx = ((last as f64 * percentile).round() as usize).min(last);
        let (_, q, _) = v.select_nth_unstable_by(idx, |a, b| a.total_cmp(b));
        let q_db = f64::from(*q);
        let k = self.effective_averages();
        let z = normal_quantile(percentile.clamp(1e-6, 1.0 - 1e-6));
        let ratio = (1.0 - 1.0 / (9.0 * k) + z / (3.0 * k.sqrt()))
            .max(1e-3)
            .powi(3);
        let psd = q_db - 10.0 * ratio.log10();
        Some(NoiseFloor {
            psd_dbfs_per_hz: psd,
            power_dbfs_per_bin: psd + 10.0 * self.enbw_hz.log10(),
        })
    }

    /// Equivalent number of independent averages per bin (Welch 1967, eq. for overlapped
    /// segments): 1/K_eff = (1/K)·(1 + 2 Σ_j (1 − j/K) ρ(j)²), ρ(j) the window's overlap
    /// correlation at a shift of j hops.
    pub fn effective_averages(&self) -> f64 {
        let k = self.segments.max(1) as f64;
        let n = self.fft_size;
        if n < 2 {
            return k;
        }
        let hop = n - self.overlap.min(n - 1);
        let w = self.window.coefficients(n);
        let e: f64 = w.iter().map(|x| x * x).sum();
        let mut s = 0.0;
        let mut j = 1usize;
        while j * hop < n && (j as f64) < k {
            let shift = j * hop;
            let rho: f64 = w.iter().zip(&w[shift..]).map(|(a, b)| a * b).sum::<f64>() / e;
            s += (1.0 - j as f64 / k) * rho * rho;
            j += 1;
        }
        k / (1.0 + 2.0 * s)
    }

    /// Local maxima at least `min_above_floor_db` above the noise floor (per bin), keeping
    /// only the strongest within `min_separation_hz`. Sorted by descending power.
    pub fn find_peaks(&self, min_above_floor_db: f64, min_separation_hz: f64) -> Vec<Peak> {
        let Some(floor) = self.noise_floor(DEFAULT_NOISE_PERCENTILE) else {
            return Vec::new();
        };
        let p = &self.power_dbfs;
        let mut cands: Vec<Peak> = Vec::new();
        for (i, (&here, &freq_hz)) in p.iter().zip(&self.freq_hz).enumerate() {
            let left = i
                .checked_sub(1)
                .and_then(|j| p.get(j))
                .copied()
                .unwrap_or(f32::NEG_INFINITY);
            let right = p.get(i + 1).copied().unwrap_or(f32::NEG_INFINITY);
            if here >= left && here > right {
                let above = f64::from(here) - floor.power_dbfs_per_bin;
                if above >= min_above_floor_db {
                    cands.push(Peak {
                        bin: i,
                        freq_hz,
                        power_dbfs: f64::from(here),
                        above_floor_db: above,
                    });
                }
            }
        }
        cands.sort_by(|a, b| b.power_dbfs.total_cmp(&a.power_dbfs));
        let mut kept: Vec<Peak> = Vec::new();
        for c in cands {
            if kept
                .iter()
                .all(|k| (k.freq_hz - c.freq_hz).abs() >= min_separation_hz)
            {
                kept.push(c);
            }
        }
        kept
    }

    /// Power of every GSM channel of `bands` that lies wholly inside the span (see
    /// [`crate::bandplan::gsm_channels_in_span`]), in frequency order.
    pub fn gsm_channel_powers(&self, bands: &[GsmBand]) -> Vec<GsmChannelPower> {
        let floor = self.noise_floor(DEFAULT_NOISE_PERCENTILE);
        crate::bandplan::gsm_channels_in_span(self.center_freq_hz, self.rate_sps, bands)
            .into_iter()
            .filter_map(|channel| {
                let power_dbfs = self.channel_power_dbfs(channel.dl_freq_hz, GSM_MEAS_BW_HZ)?;
                let noise = floor.map_or(f64::NEG_INFINITY, |f| f.power_dbfs_in(GSM_MEAS_BW_HZ));
                Some(GsmChannelPower {
                    channel,
                    power_dbfs,
                    snr_db: power_dbfs - noise,
                })
            })
            .collect()
    }

    /// GSM channels whose power is at least `min_snr_db` above the noise in the same bandwidth,
    /// strongest first.
    pub fn gsm_active_channels(&self, bands: &[GsmBand], min_snr_db: f64) -> Vec<GsmChannelPower> {
        let mut v: Vec<GsmChannelPower> = self
            .gsm_channel_powers(bands)
            .into_iter()
            .filter(|c| c.snr_db >= min_snr_db)
            .collect();
        v.sort_by(|a, b| b.power_dbfs.total_cmp(&a.power_dbfs));
        v
    }

    /// Power of an LTE carrier at `channel` with `bandwidth`, integrated over the occupied
    /// N_RB × 180 kHz (TS 36.101 Table 5.6-1). `None` if it does not fit in the span.
    pub fn lte_channel_power(
        &self,
        channel: LteChannel,
        bandwidth: LteBandwidth,
    ) -> Option<LteChannelPower> {
        let bw = bandwidth.occupied_bw_hz();
        let power_dbfs = self.channel_power_dbfs(channel.dl_freq_hz, bw)?;
        let noise = self
            .noise_floor(DEFAULT_NOISE_PERCENTILE)
            .map_or(f64::NEG_INFINITY, |f| f.power_dbfs_in(bw));
        Some(LteChannelPower {
            channel,
            bandwidth,
            power_dbfs,
            snr_db: power_dbfs - noise,
        })
    }
}

/// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let lo = 0.02425;
    if p < lo {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - lo {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Deterministic generator for test signals (xorshift64* + Box-Muller).
    pub(crate) struct Rng(u64);
    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        pub(crate) fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        /// Complex Gaussian with E|x|² = `power`.
        pub(crate) fn cgauss(&mut self, power: f64) -> Complex32 {
            let r = (-self.uniform().ln() * power).sqrt();
            let th = 2.0 * std::f64::consts::PI * self.uniform();
            Complex32::new((r * th.cos()) as f32, (r * th.sin()) as f32)
        }
    }

    pub(crate) fn tone(n: usize, freq_hz: f64, rate: f64, amp: f64, phase: f64) -> Vec<Complex32> {
        (0..n)
            .map(|i| {
                let ph = 2.0 * std::f64::consts::PI * freq_hz * i as f64 / rate + phase;
                Complex32::new((amp * ph.cos()) as f32, (amp * ph.sin()) as f32)
            })
            .collect()
    }

    fn db(x: f64) -> f64 {
        10.0 * x.log10()
    }

    #[test]
    fn window_gains_match_literature() {
        // Harris 1978 Table 1 / Heinzel et al. 2002: ENBW Hann 1.5, BH4 2.0044, flat-top
        // (Matlab) 3.7702; coherent gains 0.5, 0.35875, 0.2156.
        let n = 4096;
        let h = Window::Hann.gains(n);
        assert!((h.enbw_bins - 1.5).abs() < 1e-9);
        assert!((h.coherent_gain - 0.5).abs() < 1e-12);
        assert!((h.noise_power_gain - 0.375).abs() < 1e-12);
        let b = Window::BlackmanHarris.gains(n);
        assert!((b.enbw_bins - 2.0044).abs() < 1e-3, "{}", b.enbw_bins);
        assert!((b.coherent_gain - 0.35875).abs() < 1e-12);
        let f = Window::FlatTop.gains(n);
        assert!((f.enbw_bins - 3.7702).abs() < 2e-3, "{}", f.enbw_bins);
        assert!((f.coherent_gain - 0.215_578_95).abs() < 1e-9);
        let r = Window::Rectangular.gains(n);
        assert_eq!((r.enbw_bins, r.coherent_gain), (1.0, 1.0));
    }

    #[test]
    fn against_naive_dft_all_small_sizes() {
        // Exhaustive check of bin order, fftshift, frequencies and scaling against a direct
        // O(N²) DFT, for every size 2..=64 and every window.
        let mut rng = Rng::new(7);
        for n in 2..=64usize {
            let x: Vec<Complex32> = (0..n).map(|_| rng.cgauss(1.0)).collect();
            for window in [
                Window::Rectangular,
                Window::Hann,
                Window::BlackmanHarris,
                Window::FlatTop,
            ] {
                let cfg = WelchConfig {
                    fft_size: n,
                    window,
                    overlap: 0,
                };
                let s = welch(&x, cfg, 100.0, n as f64).unwrap();
                let w = window.coefficients(n);
                let sw: f64 = w.iter().sum();
                for (i, (&f, &p)) in s.freq_hz.iter().zip(&s.power_dbfs).enumerate() {
                    let k = f - 100.0; // bin spacing is 1 Hz here
                    assert_eq!(k, (i as i64 - (n / 2) as i64) as f64);
                    let (mut re, mut im) = (0.0f64, 0.0f64);
                    for (t, (xv, wv)) in x.iter().zip(&w).enumerate() {
                        let ph = -2.0 * std::f64::consts::PI * k * t as f64 / n as f64;
                        let (c, sn) = (ph.cos(), ph.sin());
                        let (xr, xi) = (f64::from(xv.re) * wv, f64::from(xv.im) * wv);
                        re += xr * c - xi * sn;
                        im += xr * sn + xi * c;
                    }
                    let want = (re * re + im * im) / (sw * sw);
                    let got = from_db(p);
                    assert!(
                        (got - want).abs() <= 1e-4 * want.max(1e-3),
                        "n={n} {window:?} bin {i}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn flat_top_tone_level_anywhere_between_bins() {
        let (n, fs) = (1024usize, 1.0e6);
        for frac in [0.0, 0.1, 0.25, 0.37, 0.5, 0.73] {
            for amp_db in [0.0, -20.0, -47.0] {
                let amp = 10f64.powf(amp_db / 20.0);
                let f = (100.0 + frac) * fs / n as f64;
                let x = tone(n * 16, f, fs, amp, 0.3);
                let cfg = WelchConfig::new(n).with_window(Window::FlatTop);
                let s = welch(&x, cfg, 900e6, fs).unwrap();
                // Noise-free: the strongest peak is the tone (side lobes are local maxima too).
                let peak = s.find_peaks(10.0, 10e3);
                assert!(!peak.is_empty());
                let bin = s.bin_of_freq(900e6 + f).unwrap();
                let p = f64::from(s.power_dbfs[bin]).max(f64::from(s.power_dbfs[bin + 1]));
                assert!((p - amp_db).abs() < 0.1, "frac {frac} amp {amp_db}: {p}");
                assert!((peak[0].freq_hz - 900e6 - f).abs() <= fs / n as f64);
            }
        }
    }

    #[test]
    fn hann_tone_main_lobe_sum_and_channel_power() {
        let (n, fs) = (1024usize, 2.0e6);
        for frac in [0.0, 0.3, 0.5] {
            let amp = 0.25;
            let f = (-200.0 + frac) * fs / n as f64;
            let x = tone(n * 8, f, fs, amp, 1.0);
            let s = welch(&x, WelchConfig::new(n), 0.0, fs).unwrap();
            let c = s.bin_of_freq(f).unwrap();
            // Sum of the tone-calibrated main lobe (±3 bins) divided by ENBW (bins) = A².
            let g = Window::Hann.gains(n);
            let lobe: f64 = (c - 3..=c + 3).map(|k| from_db(s.power_dbfs[k])).sum();
            let got = db(lobe / g.enbw_bins);
            assert!((got - db(amp * amp)).abs() < 0.02, "frac {frac}: {got}");
            let cp = s.channel_power_dbfs(f, 20.0 * fs / n as f64).unwrap();
            assert!((cp - db(amp * amp)).abs() < 0.02, "{cp}");
            if frac == 0.0 {
                // Bin-centred: 0 dB scalloping, neighbours at −6.02 dB.
                assert!((f64::from(s.power_dbfs[c]) - db(amp * amp)).abs() < 1e-3);
                assert!((f64::from(s.power_dbfs[c + 1] - s.power_dbfs[c]) + 6.0206).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn white_noise_floor_is_sigma2_over_fs() {
        let fs = 1.92e6;
        let sigma2 = 1e-3; // −30 dBFS total
        let mut rng = Rng::new(11);
        let x: Vec<Complex32> = (0..400_000).map(|_| rng.cgauss(sigma2)).collect();
        for window in [Window::Hann, Window::BlackmanHarris, Window::FlatTop] {
            let s = welch(&x, WelchConfig::new(1024).with_window(window), 1.8e9, fs).unwrap();
            let want = db(sigma2 / fs);
            let mean_psd = db(s.psd_dbfs_per_hz.iter().map(|d| from_db(*d)).sum::<f64>() / 1024.0);
            assert!(
                (mean_psd - want).abs() < 0.05,
                "{window:?} mean {mean_psd} vs {want}"
            );
            for pct in [0.1, 0.2, 0.5] {
                let nf = s.noise_floor(pct).unwrap();
                assert!(
                    (nf.psd_dbfs_per_hz - want).abs() < 0.15,
                    "{window:?} p{pct}: {} vs {want}",
                    nf.psd_dbfs_per_hz
                );
                // Per bin (tone-calibrated): σ²·ENBW_bins/N.
                let bin = db(sigma2 * window.gains(1024).enbw_bins / 1024.0);
                assert!((nf.power_dbfs_per_bin - bin).abs() < 0.15);
            }
            assert!((s.total_power_dbfs() - db(sigma2)).abs() < 0.05);
        }
        // Few averages: the percentile bias correction matters most here (K = 1: the median
        // of an exponential is ln 2 of its mean, −1.6 dB uncorrected).
        let s1 = welch(&x[..4096], WelchConfig::new(4096), 0.0, fs).unwrap();
        assert_eq!(s1.segments, 1);
        let nf = s1.noise_floor(0.5).unwrap();
        assert!(
            (nf.psd_dbfs_per_hz - db(sigma2 / fs)).abs() < 0.3,
            "{}",
            nf.psd_dbfs_per_hz
        );
    }

    #[test]
    fn floor_is_robust_to_many_carriers() {
        // Noise at −60 dBFS/bin-ish plus 40 tones occupying a large part of the span.
        let fs = 2.0e6;
        let n = 2048;
        let mut rng = Rng::new(3);
        let sigma2 = 1e-5;
        let mut x: Vec<Complex32> = (0..n * 64).map(|_| rng.cgauss(sigma2)).collect();
        for c in 0..40 {
            let f = -0.9e6 + c as f64 * 45e3;
            for (xi, t) in x.iter_mut().zip(tone(n * 64, f, fs, 0.05, c as f64)) {
                *xi += t;
            }
        }
        let s = welch(
            &x,
            WelchConfig::new(n).with_window(Window::BlackmanHarris),
            0.0,
            fs,
        )
        .unwrap();
        let nf = s.noise_floor(DEFAULT_NOISE_PERCENTILE).unwrap();
        assert!((nf.psd_dbfs_per_hz - db(sigma2 / fs)).abs() < 0.3, "{nf:?}");
        let peaks = s.find_peaks(20.0, 20e3);
        assert_eq!(peaks.len(), 40);
    }

    /// Continuous-phase GMSK (BT = 0.3, TS 45.004 2.4) of random bits, unit envelope; its power
    /// is exactly A² by construction, independent of any spectral estimate.
    pub(crate) fn gmsk(bits: usize, sps: usize, amp: f64, seed: u64) -> Vec<Complex32> {
        let mut rng = Rng::new(seed);
        let bt = 0.3;
        let sigma = (2f64.ln()).sqrt() / (2.0 * std::f64::consts::PI * bt);
        // Gaussian frequency pulse over 4 symbols, sampled at `sps`, normalised to area 1/2
        // (modulation index 0.5 → phase step π/2 per symbol).
        let span = 4 * sps;
        let g: Vec<f64> = (0..span)
            .map(|i| {
                let t = (i as f64 + 0.5) / sps as f64 - 2.0;
                let erfish = |u: f64| 0.5 * libm_erf(u / std::f64::consts::SQRT_2);
                erfish((t + 0.5) / sigma) - erfish((t - 0.5) / sigma)
            })
            .collect();
        let area: f64 = g.iter().sum();
        let mut freq = vec![0.0f64; bits * sps + span];
        for b in 0..bits {
            let a = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
            for (i, gi) in g.iter().enumerate() {
                freq[b * sps + i] += a * gi / area * std::f64::consts::PI / 2.0;
            }
        }
        let mut ph = 0.0;
        freq[span..bits * sps]
            .iter()
            .map(|f| {
                ph += f;
                Complex32::new((amp * ph.cos()) as f32, (amp * ph.sin()) as f32)
            })
            .collect()
    }

    /// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7) — enough for a pulse shape.
    fn libm_erf(x: f64) -> f64 {
        let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
        let y = 1.0
            - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736)
                * t
                + 0.254_829_592)
                * t
                * (-x * x).exp();
        if x >= 0.0 {
            y
        } else {
            -y
        }
    }

    #[test]
    fn gsm_channel_power_of_known_gmsk_carrier() {
        // One GMSK carrier at ARFCN 62 (947.4 MHz), amplitude 0.1 (−20 dBFS by construction),
        // in an 8 samples/symbol (2.1667 Msps) capture centred on 947.0 MHz, plus weak noise.
        let rate = 8.0 * crate::GSM_SYMBOL_RATE;
        let off_hz = 400e3;
        let mut rng = Rng::new(9);
        let x: Vec<Complex32> = gmsk(20_000, 8, 0.1, 5)
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let ph = 2.0 * std::f64::consts::PI * off_hz * i as f64 / rate;
                v * Complex32::new(ph.cos() as f32, ph.sin() as f32) + rng.cgauss(1e-7)
            })
            .collect();
        let cfg = WelchConfig::new(2048).with_window(Window::BlackmanHarris);
        let s = welch(&x, cfg, 947.0e6, rate).unwrap();
        let ch = s.gsm_channel_powers(&[GsmBand::PGsm900]);
        assert_eq!(ch.len(), 9); // 946.2 .. 947.8 MHz fit in ±1.083 MHz
        let c62 = ch.iter().find(|c| c.channel.arfcn == 62).unwrap();
        // ±90 kHz holds ≈93 % of GMSK BT 0.3 power: 0.3 dB below the true −20 dBFS.
        assert!((c62.power_dbfs + 20.3).abs() < 0.1, "{}", c62.power_dbfs);
        assert!(
            (s.total_power_dbfs() + 20.0).abs() < 0.05,
            "{}",
            s.total_power_dbfs()
        );
        // With almost no noise the GMSK skirts make ARFCN 61/63 "active" too (≈19 dB down).
        let active = s.gsm_active_channels(&[GsmBand::PGsm900], 10.0);
        assert_eq!(active[0].channel.arfcn, 62);
        assert!(active[0].snr_db > 40.0);
        for a in &active[1..] {
            assert!(a.power_dbfs < c62.power_dbfs - 15.0, "{a:?}");
        }
    }

    #[test]
    fn lte_channel_power_of_ofdm_carrier() {
        // A 25-PRB (5 MHz) OFDM carrier: 300 QPSK subcarriers at 15 kHz around an empty DC
        // subcarrier (TS 36.211 6.12), 512-point IFFT at 7.68 Msps, scaled so that the mean
        // power is exactly 0.01 (−20 dBFS) by Parseval. It sits at band 3 EARFCN 1675.
        let fs = 7.68e6;
        let nfft = 512;
        let mut rng = Rng::new(21);
        let ifft = crate::fft::inverse(nfft);
        let amp = (0.01f64 * (nfft * nfft) as f64 / 300.0).sqrt() / nfft as f64;
        let mut x = Vec::new();
        for _ in 0..400 {
            let mut sym = vec![Complex32::default(); nfft];
            for k in (-150i32..=150).filter(|k| *k != 0) {
                let re = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
                let im = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
                let a = (amp * std::f64::consts::FRAC_1_SQRT_2 * nfft as f64) as f32;
                sym[k.rem_euclid(nfft as i32) as usize] = Complex32::new(re * a, im * a);
            }
            ifft.process(&mut sym);
            x.extend(sym.iter().map(|v| v / nfft as f32));
        }
        let mean: f64 = x.iter().map(|v| f64::from(v.norm_sqr())).sum::<f64>() / x.len() as f64;
        assert!((10.0 * mean.log10() + 20.0).abs() < 0.01);
        let s = welch(&x, WelchConfig::new(1024), 1852.5e6, fs).unwrap();
        let ch = crate::bandplan::lte_channel(1675).unwrap();
        let p = s.lte_channel_power(ch, LteBandwidth::Mhz5).unwrap();
        // N_RB × 180 kHz = 4.5 MHz holds all 300 subcarriers (4.5 MHz) but for the window's
        // leakage at the two edges.
        assert!((p.power_dbfs + 20.0).abs() < 0.1, "{p:?}");
        // Next to the occupied band only the OFDM symbols' sinc skirts remain (≈ −52 dBFS).
        let outside = s
            .band_power_dbfs(1852.5e6 + 2.4e6, 1852.5e6 + 3.8e6)
            .unwrap();
        assert!(outside < -45.0, "{outside}");
    }

    #[test]
    fn streaming_equals_one_shot() {
        let mut rng = Rng::new(1);
        let x: Vec<Complex32> = (0..50_000).map(|_| rng.cgauss(1.0)).collect();
        for cfg in [
            WelchConfig::new(512),
            WelchConfig::new(1000).with_overlap(0),
            WelchConfig::new(256).with_overlap(200),
        ] {
            let one = welch(&x, cfg, 0.0, 1e6).unwrap();
            let mut acc = WelchAccumulator::new(cfg).unwrap();
            let mut i = 0;
            let mut step = 1;
            while i < x.len() {
                let j = (i + step).min(x.len());
                acc.push(&x[i..j]);
                i = j;
                step = (step * 7 + 3) % 3001;
            }
            let s = acc.spectrum(0.0, 1e6).unwrap();
            assert_eq!(s.segments, one.segments);
            assert_eq!(s.power_dbfs, one.power_dbfs);
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(matches!(
            WelchAccumulator::new(WelchConfig::new(1)),
            Err(DspError::InvalidFftSize { .. })
        ));
        assert!(WelchAccumulator::new(WelchConfig::new(1 << 23)).is_err());
        assert!(matches!(
            WelchAccumulator::new(WelchConfig::new(64).with_overlap(64)),
            Err(DspError::InvalidOverlap { .. })
        ));
        let acc = WelchAccumulator::new(WelchConfig::new(64)).unwrap();
        assert!(matches!(
            acc.spectrum(0.0, 1e6),
            Err(DspError::NotEnoughSamples { .. })
        ));
        let s = welch(
            &[Complex32::new(0.0, 0.0); 64],
            WelchConfig::new(64),
            0.0,
            1.0,
        )
        .unwrap();
        assert!(s.power_dbfs.iter().all(|p| p.is_finite()));
        assert!(welch(&[Complex32::default(); 64], WelchConfig::new(64), 0.0, 0.0).is_err());
        assert!(welch(
            &[Complex32::default(); 64],
            WelchConfig::new(64),
            f64::NAN,
            1.0
        )
        .is_err());
        assert!(s.band_power_dbfs(10.0, 5.0).is_none());
        assert!(s.band_power_dbfs(-100.0, 5.0).is_none());
        assert!(s.noise_floor(1.5).is_none());
    }
}
