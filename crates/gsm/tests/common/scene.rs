//! A wideband scene composed from real narrowband recordings: each source is resampled to the
//! wideband rate, delayed, scaled, shifted to its carrier offset and summed, plus AWGN. It is
//! generated chunk by chunk so a multi-second 10-20 Msps scene never sits in memory.
#![allow(dead_code)]

use cellsentry_gsm::resample::Resampler;
use num_complex::Complex32;

/// One narrowband recording placed in the scene.
pub struct Source {
    x: Vec<Complex32>,
    pos: usize,
    rs: Resampler,
    queue: Vec<Complex32>,
    gain: f32,
    /// Carrier offset in cycles per wideband sample.
    cycles_per_sample: f64,
    phase_cycles: f64,
}

impl Source {
    /// `x` at `rate_sps`, appearing after `delay_s`, at `offset_hz` from the scene centre,
    /// `gain_db` relative to the recording.
    pub fn new(
        x: Vec<Complex32>,
        rate_sps: f64,
        wide_rate_sps: f64,
        delay_s: f64,
        offset_hz: f64,
        gain_db: f32,
    ) -> Self {
        let mut v = vec![Complex32::new(0.0, 0.0); (delay_s * rate_sps).round() as usize];
        v.extend_from_slice(&x);
        Source {
            x: v,
            pos: 0,
            rs: Resampler::new(rate_sps, wide_rate_sps),
            queue: Vec::new(),
            gain: 10f32.powf(gain_db / 20.0),
            cycles_per_sample: offset_hz / wide_rate_sps,
            phase_cycles: 0.0,
        }
    }

    fn fill(&mut self, want: usize) {
        while self.queue.len() < want {
            if self.pos >= self.x.len() {
                self.queue.resize(want, Complex32::new(0.0, 0.0));
                break;
            }
            let end = (self.pos + 8192).min(self.x.len());
            self.rs.process(&self.x[self.pos..end], &mut self.queue);
            self.pos = end;
        }
    }

    /// Add the next `out.len()` samples of this source into `out`.
    fn add_into(&mut self, out: &mut [Complex32]) {
        self.fill(out.len());
        let tau = 2.0 * std::f64::consts::PI;
        let rot = Complex32::from_polar(1.0, (tau * self.cycles_per_sample) as f32);
        let mut at = 0;
        // The phasor is re-derived from the f64 phase every 1024 samples so f32 rounding
        // cannot accumulate.
        for chunk in out.chunks_mut(1024) {
            let mut ph = Complex32::from_polar(self.gain, (tau * self.phase_cycles) as f32);
            let n = chunk.len();
            for (o, s) in chunk.iter_mut().zip(&self.queue[at..at + n]) {
                *o += s * ph;
                ph *= rot;
            }
            at += n;
            self.phase_cycles =
                (self.phase_cycles + self.cycles_per_sample * n as f64).rem_euclid(1.0);
        }
        self.queue.drain(..at);
    }
}

/// The scene: sources plus complex white Gaussian noise of total power `noise_power`.
pub struct Scene {
    pub sources: Vec<Source>,
    noise_sigma: f32,
    rng: u64,
    pub total: usize,
    done: usize,
}

impl Scene {
    pub fn new(sources: Vec<Source>, noise_power: f32, seed: u64, total: usize) -> Self {
        Scene {
            sources,
            noise_sigma: (noise_power / 2.0).sqrt(),
            rng: seed | 1,
            total,
            done: 0,
        }
    }

    fn uniform(&mut self) -> f32 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let v = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((v >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    /// Next chunk (at most `max` samples), or None at the end.
    pub fn next_chunk(&mut self, max: usize) -> Option<Vec<Complex32>> {
        let n = max.min(self.total - self.done);
        if n == 0 {
            return None;
        }
        let mut out = vec![Complex32::new(0.0, 0.0); n];
        if self.noise_sigma > 0.0 {
            for o in out.iter_mut() {
                // Box-Muller.
                let r = (-2.0 * self.uniform().ln()).sqrt() * self.noise_sigma;
                let (s, c) = (2.0 * std::f32::consts::PI * self.uniform()).sin_cos();
                *o = Complex32::new(r * c, r * s);
            }
        }
        for s in &mut self.sources {
            s.add_into(&mut out);
        }
        self.done += n;
        Some(out)
    }
}
