//! Frequency correction channel search: a sliding lag-one-symbol differential-phase detector.
//!
//! The FCCH burst is 148 zero bits (TS 45.002 5.2.4), i.e. a pure tone a quarter of the symbol
//! rate above the carrier. For a tone, `x[n] x*[n-4]` has a constant phase; for GMSK data it does
//! not. The detector keeps running sums over a window shorter than the burst, so the cost is
//! one complex multiply per sample, and reports the centre and frequency of each tone found.

use num_complex::{Complex32, Complex64};

use crate::tables::SPS;

/// Window length in samples (128 symbols, shorter than the 148-symbol burst).
pub const WINDOW: usize = 128 * SPS;
/// Coherence needed to call a window a tone.
const THRESHOLD: f64 = 0.6;
/// Longest stretch a single FCCH can keep the metric high.
const MAX_EPISODE: usize = 1200;

/// One FCCH found.
#[derive(Debug, Clone, Copy)]
pub struct FcchHit {
    /// Estimated start of the FCCH burst (bit 0), absolute internal sample index.
    pub burst_start: f64,
    /// Offset of the tone from its nominal +67.7 kHz, in Hz (= carrier offset).
    pub freq_offset_hz: f64,
    /// Peak coherence (0..1).
    pub coherence: f64,
}

/// Boxcar length of the pre-filter (samples): first null at fs/8 = 135 kHz around the tone.
const BOXCAR: usize = 8;
const RING: usize = 1024;

/// Streaming detector state.
///
/// Samples are first mixed down by the nominal tone frequency (exp(-j*pi*n/8)) and averaged
/// over 8 samples: the tone moves to DC and keeps its power while the noise of the whole
/// sampled band drops by ~9 dB, which lets the coherence test work near 0 dB per-sample SNR.
pub struct FcchDetector {
    /// Next absolute index to process.
    pub next: u64,
    sum_d: Complex64,
    sum_p: f64,
    filled: usize,
    zcount: usize,
    acc: Complex32,
    ring: Vec<Complex32>,
    rot: [Complex32; 16],
    episode: Vec<(u64, f64, Complex64)>,
    rate_sps: f64,
}

impl FcchDetector {
    /// New detector starting at absolute internal index `start`.
    pub fn new(start: u64, rate_sps: f64) -> Self {
        let mut rot = [Complex32::new(0.0, 0.0); 16];
        for (m, r) in rot.iter_mut().enumerate() {
            let ph = -std::f32::consts::PI * m as f32 / 8.0;
            *r = Complex32::new(ph.cos(), ph.sin());
        }
        FcchDetector {
            next: start,
            sum_d: Complex64::new(0.0, 0.0),
            sum_p: 0.0,
            filled: 0,
            zcount: 0,
            acc: Complex32::new(0.0, 0.0),
            ring: vec![Complex32::new(0.0, 0.0); RING],
            rot,
            episode: Vec::with_capacity(MAX_EPISODE + 8),
            rate_sps,
        }
    }

    /// Restart at `start` (forgetting the window).
    pub fn reset(&mut self, start: u64) {
        self.next = start;
        self.clear();
    }

    fn clear(&mut self) {
        self.sum_d = Complex64::new(0.0, 0.0);
        self.sum_p = 0.0;
        self.filled = 0;
        self.zcount = 0;
        self.acc = Complex32::new(0.0, 0.0);
        self.episode.clear();
    }

    /// Process buffer `x` (whose element 0 is absolute index `base`) up to its end.
    /// Returns the first FCCH completed, leaving `next` just after it.
    pub fn run(&mut self, x: &[Complex32], base: u64) -> Option<FcchHit> {
        let end = base + x.len() as u64;
        let first_ok = base + BOXCAR as u64;
        if self.next < first_ok {
            self.next = first_ok;
            self.clear();
        }
        let mask = (RING - 1) as u64;
        while self.next < end {
            let idx = self.next;
            let i = (idx - base) as usize;
            self.next += 1;
            self.acc += x[i] * self.rot[(idx & 15) as usize];
            if self.zcount >= BOXCAR {
                let o = idx - BOXCAR as u64;
                self.acc -= x[i - BOXCAR] * self.rot[(o & 15) as usize];
            }
            if idx & 8191 == 0 {
                // Re-sum the boxcar exactly so float error cannot build up.
                let mut a = Complex32::new(0.0, 0.0);
                for k in 0..BOXCAR.min(self.zcount + 1) {
                    a += x[i - k] * self.rot[((idx - k as u64) & 15) as usize];
                }
                self.acc = a;
            }
            let z = self.acc;
            self.ring[(idx & mask) as usize] = z;
            self.zcount += 1;
            if self.zcount < BOXCAR + SPS {
                continue;
            }
            let zl = self.ring[((idx - SPS as u64) & mask) as usize];
            let d = z * zl.conj();
            self.sum_d += Complex64::new(f64::from(d.re), f64::from(d.im));
            self.sum_p += f64::from(z.norm_sqr());
            if self.filled >= WINDOW {
                let o = idx - WINDOW as u64;
                let zo = self.ring[(o & mask) as usize];
                let zol = self.ring[((o - SPS as u64) & mask) as usize];
                let od = zo * zol.conj();
                self.sum_d -= Complex64::new(f64::from(od.re), f64::from(od.im));
                self.sum_p -= f64::from(zo.norm_sqr());
            } else {
                self.filled += 1;
                continue;
            }
            if idx & 4095 == 0 {
                self.resum(idx);
            }
            // |sum_d| / sum_p >= THRESHOLD, compared squared: the square root (hypot) is only
            // taken for the few samples inside an FCCH burst.
            let above = self.sum_p > 1e-20
                && self.sum_d.norm_sqr() >= THRESHOLD * THRESHOLD * self.sum_p * self.sum_p;
            if above {
                let metric = self.sum_d.norm() / self.sum_p;
                self.episode.push((idx, metric, self.sum_d));
                if self.episode.len() >= MAX_EPISODE {
                    let hit = self.finish_episode();
                    if hit.is_some() {
                        return hit;
                    }
                }
            } else if !self.episode.is_empty() {
                let hit = self.finish_episode();
                if hit.is_some() {
                    return hit;
                }
            }
        }
        None
    }

    fn resum(&mut self, idx: u64) {
        let mask = (RING - 1) as u64;
        let mut sd = Complex64::new(0.0, 0.0);
        let mut sp = 0f64;
        for j in idx + 1 - WINDOW as u64..=idx {
            let z = self.ring[(j & mask) as usize];
            let zl = self.ring[((j - SPS as u64) & mask) as usize];
            let d = z * zl.conj();
            sd += Complex64::new(f64::from(d.re), f64::from(d.im));
            sp += f64::from(z.norm_sqr());
        }
        self.sum_d = sd;
        self.sum_p = sp;
    }

    fn finish_episode(&mut self) -> Option<FcchHit> {
        let hit = self.evaluate_episode();
        self.episode.clear();
        hit
    }

    fn evaluate_episode(&self) -> Option<FcchHit> {
        let ep = &self.episode;
        // A real FCCH keeps the window coherent for ~20 symbols; shorter blips are data.
        if ep.len() < 40 {
            return None;
        }
        let peak = ep.iter().map(|e| e.1).fold(0.0, f64::max);
        let lim = peak - 0.3 * (peak - THRESHOLD);
        let first = ep.iter().position(|e| e.1 >= lim)?;
        let last = ep.iter().rposition(|e| e.1 >= lim)?;
        let centre_end = (ep[first].0 as f64 + ep[last].0 as f64) / 2.0;
        let mut sd = Complex64::new(0.0, 0.0);
        for e in &ep[first..=last] {
            sd += e.2;
        }
        let offset_hz = sd.arg() / (2.0 * std::f64::consts::PI * SPS as f64) * self.rate_sps;
        // Window ending at centre_end is centred on the burst centre (bit 74); the boxcar
        // delays the filtered stream by (BOXCAR - 1) / 2 samples.
        let burst_centre = centre_end - (WINDOW as f64) / 2.0 - (BOXCAR as f64 - 1.0) / 2.0;
        Some(FcchHit {
            burst_start: burst_centre - 74.0 * SPS as f64,
            freq_offset_hz: offset_hz,
            coherence: peak,
        })
    }
}
