//! Streaming scene renderer: every cell's signal (a GSM C0 at 4 samples per symbol, an LTE
//! downlink at N_FFT x 15 kHz) is resampled to the scene rate when needed (and for its clock
//! offset), passed through its multipath channel, scaled by its power and profile, gated by its
//! on-times, shifted to its offset from the tuned centre (plus frequency offset and drift) and
//! summed; then the noise floor, per-cell AWGN and jammers are added.
//!
//! LTE cells: at scene rates of 1.92 Msps times k the cell is generated at the scene rate with
//! an N_FFT = 128 k grid, the whole-subcarrier part of its offset placed in the grid (so a cell
//! partly outside the band keeps the subcarriers inside it) and only the rest (< 7.5 kHz) done by
//! rotation. At other rates it is generated at its native rate and resampled, and must fit in
//! the band.
//!
//! Memory is constant: each cell keeps at most one TDMA frame (GSM) or subframe (LTE) of
//! look-ahead, so a scene of any length renders block by block.

use num_complex::{Complex32, Complex64};

use cellsentry_dsp::filter::{kaiser_beta, windowed_sinc};
use cellsentry_dsp::{Resampler, ResamplerSpec};

use crate::c0::{C0Generator, RATE_4SPS};
use crate::lte_cell::{nfft_for_rate, LteCellConfig, LteCellGenerator, SUBCARRIER_SPACING_HZ};
use crate::rng::Rng;
use crate::scenario::{CellSpec, Jammer, Rat, Scenario};
use crate::SynthError;

/// Half the occupied bandwidth of a GSM carrier used for visibility and annotations.
pub const GSM_HALF_BW_HZ: f64 = 100e3;
/// Samples between updates of Rayleigh tap gains (Doppler of a few hundred Hz at most).
const FADING_UPDATE: usize = 32;
/// Sinusoids per Rayleigh tap (sum-of-sinusoids fading).
const FADING_SINUSOIDS: usize = 16;

struct Fading {
    /// Integer tap delays in scene samples and their mean amplitudes.
    delays: Vec<usize>,
    amps: Vec<f32>,
    /// Static channel: fixed tap phasors. Fading: per tap, (Doppler Hz, phase) per sinusoid.
    fixed: Vec<Complex32>,
    sinusoids: Vec<Vec<(f64, f64)>>,
    gains: Vec<Complex32>,
    hist: Vec<Complex32>,
    produced: u64,
    rate_sps: f64,
}

impl Fading {
    fn new(spec: &crate::scenario::Multipath, rate_sps: f64, rng: &mut Rng) -> Fading {
        let taps = spec.model.taps();
        let total: f64 = taps.iter().map(|t| 10f64.powf(t.1 / 10.0)).sum();
        let delays: Vec<usize> = taps
            .iter()
            .map(|t| (t.0 * rate_sps).round() as usize)
            .collect();
        let amps = taps
            .iter()
            .map(|t| (10f64.powf(t.1 / 10.0) / total).sqrt() as f32)
            .collect::<Vec<_>>();
        let fixed = taps
            .iter()
            .map(|_| Complex32::from_polar(1.0, (rng.uniform() * std::f64::consts::TAU) as f32))
            .collect();
        let sinusoids = if spec.doppler_hz > 0.0 {
            taps.iter()
                .map(|_| {
                    (0..FADING_SINUSOIDS)
                        .map(|_| {
                            let a = rng.uniform() * std::f64::consts::TAU;
                            (
                                spec.doppler_hz * a.cos(),
                                rng.uniform() * std::f64::consts::TAU,
                            )
                        })
                        .collect()
                })
                .collect()
        } else {
            Vec::new()
        };
        let max_delay = delays.iter().copied().max().unwrap_or(0);
        let mut f = Fading {
            gains: vec![Complex32::new(0.0, 0.0); taps.len()],
            delays,
            amps,
            fixed,
            sinusoids,
            hist: vec![Complex32::new(0.0, 0.0); max_delay],
            produced: 0,
            rate_sps,
        };
        f.update_gains();
        f
    }

    fn update_gains(&mut self) {
        let t = self.produced as f64 / self.rate_sps;
        for (k, g) in self.gains.iter_mut().enumerate() {
            let base = if self.sinusoids.is_empty() {
                self.fixed[k]
            } else {
                let mut acc = Complex64::new(0.0, 0.0);
                for &(fd, ph) in &self.sinusoids[k] {
                    acc += Complex64::from_polar(1.0, std::f64::consts::TAU * fd * t + ph);
                }
                let s = acc / (FADING_SINUSOIDS as f64).sqrt();
                Complex32::new(s.re as f32, s.im as f32)
            };
            *g = base * self.amps[k];
        }
    }

    /// Filters `x` in place (history carried between calls).
    fn process(&mut self, x: &mut [Complex32]) {
        let h = self.hist.len();
        let mut buf = Vec::with_capacity(h + x.len());
        buf.extend_from_slice(&self.hist);
        buf.extend_from_slice(x);
        for (i, y) in x.iter_mut().enumerate() {
            if (self.produced as usize + i).is_multiple_of(FADING_UPDATE)
                && !self.sinusoids.is_empty()
            {
                let saved = self.produced;
                self.produced += i as u64;
                self.update_gains();
                self.produced = saved;
            }
            let mut acc = Complex32::new(0.0, 0.0);
            for (d, g) in self.delays.iter().zip(self.gains.iter()) {
                acc += buf[h + i - d] * g;
            }
            *y = acc;
        }
        self.produced += x.len() as u64;
        if h > 0 {
            let n = buf.len();
            self.hist.copy_from_slice(&buf[n - h..]);
        }
    }
}

/// Where a cell's samples come from.
enum Source {
    Gsm(Box<C0Generator>),
    Lte(Box<LteCellGenerator>),
}

impl Source {
    /// Appends the next TDMA frame / LTE subframe at the generator's own rate.
    fn next_block(&mut self, out: &mut Vec<Complex32>) {
        match self {
            Source::Gsm(g) => g.next_frame(out),
            Source::Lte(g) => g.next_subframe(out),
        }
    }
}

/// One cell's signal chain.
struct CellChain {
    gen: Source,
    resampler: Option<Resampler>,
    fading: Option<Fading>,
    frame: Vec<Complex32>,
    pending: Vec<Complex32>,
    pending_pos: usize,
    offset_hz: f64,
    cfo_hz: f64,
    drift_hz_per_s: f64,
    phase: Complex64,
    power_db: f64,
    profile: Vec<[f64; 2]>,
    on: Vec<(u64, u64)>,
}

fn on_ranges(spec: &CellSpec, rate: f64) -> Vec<(u64, u64)> {
    match &spec.on {
        None => vec![(0, u64::MAX)],
        Some(list) => list
            .iter()
            .map(|(a, b)| {
                let s = (a.max(0.0) * rate).round() as u64;
                let e = b
                    .map(|b| (b.max(0.0) * rate).round() as u64)
                    .unwrap_or(u64::MAX);
                (s, e)
            })
            .collect(),
    }
}

fn profile_db(profile: &[[f64; 2]], t: f64) -> f64 {
    match profile {
        [] => 0.0,
        [first, ..] if t <= first[0] => first[1],
        _ => {
            for w in profile.windows(2) {
                if t <= w[1][0] {
                    let span = w[1][0] - w[0][0];
                    let a = if span > 0.0 {
                        (t - w[0][0]) / span
                    } else {
                        1.0
                    };
                    return w[0][1] + a * (w[1][1] - w[0][1]);
                }
            }
            profile.last().map(|p| p[1]).unwrap_or(0.0)
        }
    }
}

impl CellChain {
    fn ensure(&mut self, n: usize) {
        while self.pending.len() - self.pending_pos < n {
            if self.pending_pos > 0 {
                self.pending.drain(..self.pending_pos);
                self.pending_pos = 0;
            }
            self.frame.clear();
            self.gen.next_block(&mut self.frame);
            let start = self.pending.len();
            match &mut self.resampler {
                Some(r) => r.process(&self.frame, &mut self.pending),
                None => self.pending.extend_from_slice(&self.frame),
            }
            if let Some(f) = &mut self.fading {
                f.process(&mut self.pending[start..]);
            }
        }
    }

    fn gate(&self, idx: u64) -> bool {
        self.on.iter().any(|&(s, e)| idx >= s && idx < e)
    }

    fn add_into(&mut self, out: &mut [Complex32], first: u64, rate: f64) {
        let n = out.len();
        self.ensure(n);
        let t0 = first as f64 / rate;
        let t1 = (first + n as u64) as f64 / rate;
        let a0 = 10f64.powf((self.power_db + profile_db(&self.profile, t0)) / 20.0);
        let a1 = 10f64.powf((self.power_db + profile_db(&self.profile, t1)) / 20.0);
        let f_hz = self.offset_hz + self.cfo_hz + self.drift_hz_per_s * 0.5 * (t0 + t1);
        let rot = Complex64::from_polar(1.0, std::f64::consts::TAU * f_hz / rate);
        let all_on = self.gate(first) && self.gate(first + n as u64 - 1) && self.on.len() == 1;
        let src = &self.pending[self.pending_pos..self.pending_pos + n];
        let mut ph = self.phase;
        let da = (a1 - a0) / n as f64;
        for (k, (o, s)) in out.iter_mut().zip(src.iter()).enumerate() {
            let on = all_on || self.gate(first + k as u64);
            if on {
                let a = a0 + da * k as f64;
                let c = Complex32::new((ph.re * a) as f32, (ph.im * a) as f32);
                *o += s * c;
            }
            ph *= rot;
        }
        self.phase = ph / ph.norm();
        self.pending_pos += n;
    }
}

struct JammerChain {
    taps: Vec<Complex32>,
    hist: Vec<Complex32>,
    sigma: f64,
    start: u64,
    stop: u64,
    rng: Rng,
}

impl JammerChain {
    fn new(j: &Jammer, center_hz: f64, rate: f64, seed: u64) -> Option<JammerChain> {
        let lo = j.freq_lo_hz.max(center_hz - rate / 2.0);
        let hi = j.freq_hi_hz.min(center_hz + rate / 2.0);
        if hi <= lo {
            return None;
        }
        let frac = (hi - lo) / (j.freq_hi_hz - j.freq_lo_hz);
        let power = 10f64.powf(j.power_dbfs / 10.0) * frac;
        let taps = if hi - lo >= rate * 0.999 {
            Vec::new()
        } else {
            let n = 127;
            let h = windowed_sinc(n, 0.5 * (hi - lo) / rate, kaiser_beta(60.0), 1.0);
            let f0 = (0.5 * (lo + hi) - center_hz) / rate;
            let norm: f64 = h.iter().map(|x| x * x).sum::<f64>().sqrt();
            h.iter()
                .enumerate()
                .map(|(i, &x)| {
                    let c = Complex64::from_polar(x / norm, std::f64::consts::TAU * f0 * i as f64);
                    Complex32::new(c.re as f32, c.im as f32)
                })
                .collect()
        };
        Some(JammerChain {
            hist: vec![Complex32::new(0.0, 0.0); taps.len()],
            taps,
            sigma: power.sqrt(),
            start: (j.start_s.max(0.0) * rate).round() as u64,
            stop: j
                .stop_s
                .map(|s| (s * rate).round() as u64)
                .unwrap_or(u64::MAX),
            rng: Rng::new(seed),
        })
    }

    fn add_into(&mut self, out: &mut [Complex32], first: u64) {
        let n = out.len() as u64;
        if first + n <= self.start || first >= self.stop {
            return;
        }
        let l = self.taps.len();
        for (k, o) in out.iter_mut().enumerate() {
            let idx = first + k as u64;
            let w = self.rng.complex_gaussian(self.sigma);
            let y = if l == 0 {
                w
            } else {
                self.hist.rotate_right(1);
                self.hist[0] = w;
                let mut acc = Complex32::new(0.0, 0.0);
                for (h, x) in self.taps.iter().zip(self.hist.iter()) {
                    acc += h * x;
                }
                acc
            };
            if idx >= self.start && idx < self.stop {
                *o += y;
            }
        }
    }
}

/// Builds the chain of LTE cell `i`, or `None` when it is outside the band.
fn lte_chain(
    scenario: &Scenario,
    i: usize,
    center_hz: f64,
    start_sample: u64,
    seeder: &mut Rng,
) -> Result<Option<(CellChain, RenderedCell)>, SynthError> {
    let rate = scenario.sample_rate_hz;
    let spec = &scenario.cells[i];
    let cfg = spec
        .lte
        .as_ref()
        .ok_or_else(|| SynthError::Scenario(format!("cell {i}: LTE cell without `lte`")))?;
    let carrier_hz = scenario.cell_freq_hz(i)?;
    let offset_hz = carrier_hz - center_hz;
    let half_cell_hz = 0.5 * cfg.occupied_bw_hz();
    let imp = &spec.impairments;
    let cell_seed = seeder.next_u64();
    // In-grid placement at 1.92 Msps multiples; else native rate, resampled, whole cell in band.
    let (gen_rate, bin_shift, residual_hz) = match nfft_for_rate(rate) {
        Some(_) => {
            if offset_hz.abs() >= 0.5 * rate + half_cell_hz {
                return Ok(None);
            }
            let m = (offset_hz / SUBCARRIER_SPACING_HZ).round();
            (rate, m as i64, offset_hz - m * SUBCARRIER_SPACING_HZ)
        }
        None => {
            if offset_hz.abs() + half_cell_hz > 0.5 * rate {
                return Ok(None);
            }
            let nfft = cfg.native_nfft();
            (nfft as f64 * SUBCARRIER_SPACING_HZ, 0, offset_hz)
        }
    };
    let base_sfn = cfg.start_sfn.unwrap_or_else(|| {
        (scenario
            .seed
            .wrapping_mul(2_654_435_761)
            .wrapping_add(i as u64 * 1_000_003)
            % 1024) as u16
    });
    let mut gen =
        LteCellGenerator::new(cfg, gen_rate, bin_shift, base_sfn, scenario.seed ^ i as u64)?;
    // Start at the subframe holding stream sample `start_sample`; drop the part before it.
    let subframes = (start_sample as f64 / rate * 1000.0).floor() as u64;
    gen.skip_subframes(subframes);
    let skip = start_sample - (subframes as f64 * rate / 1000.0).round() as u64;
    let (sfn_now, sf_now) = gen.position();
    let start_sfn = sfn_now;
    let frame_start_offset = -((sf_now as f64 * rate / 1000.0).round() as i64) - skip as i64;
    let tx_rate = gen_rate * (1.0 + imp.clock_offset_ppm * 1e-6);
    let resampler = if (tx_rate - rate).abs() < 1e-6 {
        None
    } else {
        let lower_nyquist_hz = 0.5 * tx_rate.min(rate);
        let specr = ResamplerSpec {
            passband: (half_cell_hz / lower_nyquist_hz).clamp(0.1, 0.95),
            atten_db: 70.0,
        };
        Some(Resampler::new(tx_rate, rate, &specr).map_err(|e| SynthError::Dsp(e.to_string()))?)
    };
    let mut fading_rng = Rng::new(cell_seed);
    let fading = imp
        .multipath
        .as_ref()
        .map(|m| Fading::new(m, rate, &mut fading_rng));
    let lo = (offset_hz - half_cell_hz).max(-0.5 * rate);
    let hi = (offset_hz + half_cell_hz).min(0.5 * rate);
    let rc = RenderedCell {
        index: i,
        carrier_hz,
        offset_hz,
        si_blocks: Vec::new(),
        start_fn: 0,
        lte: Some(RenderedLte {
            config: cfg.clone(),
            start_sfn,
            frame_start_offset,
            mib_bits: cfg
                .mib_bits(start_sfn)
                .iter()
                .map(|&b| char::from(b'0' + b))
                .collect(),
            transport_blocks: gen.transport_blocks(),
            half_bw_hz: 0.5 * (hi - lo).max(0.0),
        }),
    };
    let mut chain = CellChain {
        gen: Source::Lte(Box::new(gen)),
        resampler,
        fading,
        frame: Vec::new(),
        pending: Vec::new(),
        pending_pos: 0,
        offset_hz: residual_hz,
        cfo_hz: imp.freq_offset_ppm * 1e-6 * carrier_hz,
        drift_hz_per_s: imp.freq_drift_hz_per_s,
        phase: Complex64::new(1.0, 0.0),
        power_db: spec.power_db,
        profile: spec.profile.clone(),
        on: on_ranges(spec, rate),
    };
    if skip > 0 {
        chain.ensure(skip as usize);
        chain.pending_pos = skip as usize;
    }
    Ok(Some((chain, rc)))
}

/// What the renderer placed where (for annotations and tests).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedCell {
    /// Index in `Scenario::cells`.
    pub index: usize,
    pub carrier_hz: f64,
    /// Carrier minus the tuned centre.
    pub offset_hz: f64,
    /// The L2 blocks it broadcasts: SI1, SI2, SI3, SI4 (+ SI2quater, SI13).
    pub si_blocks: Vec<(String, [u8; 23])>,
    /// TDMA frame number at stream sample 0 of this renderer (GSM).
    pub start_fn: u32,
    /// What an LTE cell broadcasts.
    pub lte: Option<RenderedLte>,
}

/// The LTE part of a [`RenderedCell`].
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedLte {
    pub config: LteCellConfig,
    /// SFN of the radio frame that starts at or just before stream sample 0 of this renderer.
    pub start_sfn: u16,
    /// Stream sample (scene rate) where that frame starts, relative to this renderer's first
    /// sample (zero or negative).
    pub frame_start_offset: i64,
    /// The 24 MIB bits of the frame `start_sfn` ("0"/"1").
    pub mib_bits: String,
    /// Transport blocks sent on the PDSCH: SIB1, then the SI messages, padded to their TBS.
    pub transport_blocks: Vec<Vec<u8>>,
    /// Half of the part of the carrier's occupied band inside the capture, for annotations.
    pub half_bw_hz: f64,
}

/// Renders a scenario around a centre frequency, block by block.
pub struct SceneRenderer {
    rate_sps: f64,
    center_hz: f64,
    cells: Vec<CellChain>,
    jammers: Vec<JammerChain>,
    noise_sigma: f64,
    rng: Rng,
    next_sample: u64,
    rendered: Vec<RenderedCell>,
}

impl SceneRenderer {
    /// A renderer for `scenario` tuned to `center_hz`, whose first sample is stream sample
    /// `start_sample` (used by the simulated radio after a retune). Cells whose 200 kHz channel
    /// does not fit in the band are left out.
    pub fn new(
        scenario: &Scenario,
        center_hz: f64,
        start_sample: u64,
    ) -> Result<SceneRenderer, SynthError> {
        scenario.validate()?;
        let rate = scenario.sample_rate_hz;
        let t_start = start_sample as f64 / rate;
        let mut cells = Vec::new();
        let mut rendered = Vec::new();
        let mut noise_power = scenario
            .noise_dbfs
            .map(|d| 10f64.powf(d / 10.0))
            .unwrap_or(0.0);
        let mut seeder = Rng::new(scenario.seed ^ start_sample.wrapping_mul(0x9e37_79b9));
        for (i, spec) in scenario.cells.iter().enumerate() {
            if spec.rat == Rat::Lte {
                if let Some((chain, rc)) =
                    lte_chain(scenario, i, center_hz, start_sample, &mut seeder)?
                {
                    if let Some(snr) = spec.impairments.snr_db {
                        noise_power += 10f64.powf((spec.power_db - snr) / 10.0);
                    }
                    cells.push(chain);
                    rendered.push(rc);
                }
                continue;
            }
            let carrier_hz = scenario.cell_freq_hz(i)?;
            let offset_hz = carrier_hz - center_hz;
            if offset_hz.abs() + GSM_HALF_BW_HZ > rate / 2.0 {
                continue;
            }
            let cfg = spec.gsm.clone().unwrap_or_default();
            let arfcn = spec.arfcn.unwrap_or(0);
            let pcs = spec.band == Some(cellsentry_dsp::GsmBand::Pcs1900);
            let base_fn = cfg.start_fn.unwrap_or_else(|| {
                (scenario
                    .seed
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(i as u64 * 1_000_003)
                    % u64::from(cellsentry_gsm::tables::HYPERFRAME)) as u32
            });
            let frames = (t_start * RATE_4SPS / crate::c0::FRAME_SAMPLES as f64).floor() as u64;
            let start_fn = ((u64::from(base_fn) + frames)
                % u64::from(cellsentry_gsm::tables::HYPERFRAME)) as u32;
            let gen = C0Generator::new(&cfg, arfcn, pcs, start_fn)?;
            let imp = &spec.impairments;
            let tx_rate = RATE_4SPS * (1.0 + imp.clock_offset_ppm * 1e-6);
            let resampler = if (tx_rate - rate).abs() < 1e-6 {
                None
            } else {
                // Pass band just wide enough for GMSK (+-110 kHz): the widest transition band,
                // hence the shortest filter, at any scene rate.
                let lower_nyquist_hz = 0.5 * tx_rate.min(rate);
                let specr = ResamplerSpec {
                    passband: (110e3 / lower_nyquist_hz).clamp(0.1, 0.9),
                    atten_db: 70.0,
                };
                Some(
                    Resampler::new(tx_rate, rate, &specr)
                        .map_err(|e| SynthError::Dsp(e.to_string()))?,
                )
            };
            let fading = imp
                .multipath
                .as_ref()
                .map(|m| Fading::new(m, rate, &mut seeder));
            if let Some(snr) = imp.snr_db {
                noise_power += 10f64.powf((spec.power_db - snr) / 10.0);
            }
            let b = gen.broadcast();
            let mut si_blocks = vec![
                ("SI1".to_string(), b.si1),
                ("SI2".to_string(), b.si2),
                ("SI3".to_string(), b.si3),
                ("SI4".to_string(), b.si4),
            ];
            if let Some(q) = b.si2quater {
                si_blocks.push(("SI2quater".into(), q));
            }
            if let Some(q) = b.si13 {
                si_blocks.push(("SI13".into(), q));
            }
            rendered.push(RenderedCell {
                index: i,
                carrier_hz,
                offset_hz,
                si_blocks,
                start_fn,
                lte: None,
            });
            cells.push(CellChain {
                gen: Source::Gsm(Box::new(gen)),
                resampler,
                fading,
                frame: Vec::with_capacity(crate::c0::FRAME_SAMPLES),
                pending: Vec::new(),
                pending_pos: 0,
                offset_hz,
                cfo_hz: imp.freq_offset_ppm * 1e-6 * carrier_hz,
                drift_hz_per_s: imp.freq_drift_hz_per_s,
                phase: Complex64::new(1.0, 0.0),
                power_db: spec.power_db,
                profile: spec.profile.clone(),
                on: on_ranges(spec, rate),
            });
        }
        let jammers = scenario
            .jammers
            .iter()
            .enumerate()
            .filter_map(|(k, j)| JammerChain::new(j, center_hz, rate, seeder.next_u64() ^ k as u64))
            .collect();
        Ok(SceneRenderer {
            rate_sps: rate,
            center_hz,
            cells,
            jammers,
            noise_sigma: noise_power.sqrt(),
            rng: Rng::new(seeder.next_u64()),
            next_sample: start_sample,
            rendered,
        })
    }

    pub fn center_hz(&self) -> f64 {
        self.center_hz
    }

    pub fn rate_sps(&self) -> f64 {
        self.rate_sps
    }

    /// Stream index of the next sample.
    pub fn next_sample(&self) -> u64 {
        self.next_sample
    }

    /// Cells inside the band, with their encoded System Information.
    pub fn rendered_cells(&self) -> &[RenderedCell] {
        &self.rendered
    }

    /// Renders the next `n` samples into `out` (cleared first).
    pub fn render(&mut self, n: usize, out: &mut Vec<Complex32>) {
        out.clear();
        out.resize(n, Complex32::new(0.0, 0.0));
        if n == 0 {
            return;
        }
        let first = self.next_sample;
        for c in &mut self.cells {
            c.add_into(out, first, self.rate_sps);
        }
        for j in &mut self.jammers {
            j.add_into(out, first);
        }
        if self.noise_sigma > 0.0 {
            for o in out.iter_mut() {
                *o += self.rng.complex_gaussian(self.noise_sigma);
            }
        }
        self.next_sample += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_is_piecewise_linear_and_held_at_the_ends() {
        let p = [[0.0, -40.0], [30.0, 0.0], [60.0, -40.0]];
        assert_eq!(profile_db(&p, -1.0), -40.0);
        assert!((profile_db(&p, 15.0) - -20.0).abs() < 1e-12);
        assert_eq!(profile_db(&p, 30.0), 0.0);
        assert!((profile_db(&p, 45.0) - -20.0).abs() < 1e-12);
        assert_eq!(profile_db(&p, 100.0), -40.0);
        assert_eq!(profile_db(&[], 5.0), 0.0);
    }
}
