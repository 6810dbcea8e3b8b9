//! Burst demodulation: frequency correction, channel filter, GMSK derotation, training-sequence
//! timing and least-squares channel estimation, and a 16-state MLSE equaliser with soft output.
//!
//! GMSK is treated through its linearised (Laurent) form, TS 45.004 clause 2: after rotating
//! sample m by exp(-j*pi*m/8) (a quarter turn per symbol at 4 samples/symbol), symbol-spaced
//! samples follow `y[n] = sum_k h[k] c[n-k]` with real `c[n] = 1 - 2 d[n]`, d the burst bits
//! (the differential encoding of TS 45.004 2.3 cancels against the integration of the phase).
//! The equaliser is a max-log-MAP (forward/backward Viterbi) detector over that 5-tap channel,
//! which gives per-bit log-likelihood ratios for the soft-decision channel decoder.

use num_complex::Complex32;

use crate::tables::{
    BURST_SYMBOLS, DUMMY_BURST, NB_TSC_START, SB_SYNC_START, SCH_SYNC, SPS, SYMBOL_RATE_HZ, TSC,
};

/// Channel taps at symbol spacing (ISI span of the equaliser).
pub const TAPS: usize = 5;
const STATES: usize = 1 << (TAPS - 1);
/// Trellis length: the burst plus the tail of the last symbol's ISI.
const TRELLIS: usize = BURST_SYMBOLS + TAPS - 1;
/// Half length of the channel filter in samples.
const LPF_HALF: usize = 8;
/// Largest timing search (samples either side) supported by the scratch buffers.
pub const MAX_SEARCH: usize = 160;
const NEG: f32 = -1.0e30;

/// A known bit sequence inside a burst, with its precomputed least-squares estimator.
#[derive(Debug, Clone)]
pub struct Training {
    /// Known bits as +1/-1 (c = 1 - 2d).
    seq: Vec<f32>,
    /// Burst bit index of `seq[0]`.
    start: usize,
    /// Part of `seq` used for the timing correlation (offset, length).
    corr: (usize, usize),
    /// Least-squares pseudo-inverse: `pinv[r][k]` for rows r = 0..seq.len()-TAPS+1.
    pinv: Vec<[f32; TAPS]>,
    /// Burst positions whose bit is known (tails and the training itself).
    known: [i8; BURST_SYMBOLS],
}

impl Training {
    fn new(bits: &[u8], start: usize, corr: (usize, usize), extra_known: &[(usize, u8)]) -> Self {
        let seq: Vec<f32> = bits.iter().map(|&b| 1.0 - 2.0 * f32::from(b)).collect();
        let rows = seq.len() + 1 - TAPS;
        // A[r][k] = seq[TAPS-1+r-k]; pinv = (A^T A)^-1 A^T, solved in f64 once.
        let mut ata = [[0f64; TAPS]; TAPS];
        for r in 0..rows {
            for i in 0..TAPS {
                for j in 0..TAPS {
                    ata[i][j] +=
                        f64::from(seq[TAPS - 1 + r - i]) * f64::from(seq[TAPS - 1 + r - j]);
                }
            }
        }
        let inv = invert(ata);
        let mut pinv = vec![[0f32; TAPS]; rows];
        for (r, row) in pinv.iter_mut().enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                let mut acc = 0f64;
                for (j, invrow) in inv[k].iter().enumerate() {
                    acc += invrow * f64::from(seq[TAPS - 1 + r - j]);
                }
                *v = acc as f32;
            }
        }
        let mut known = [-1i8; BURST_SYMBOLS];
        for (i, &b) in bits.iter().enumerate() {
            known[start + i] = b as i8;
        }
        for &(p, b) in extra_known {
            known[p] = b as i8;
        }
        Training {
            seq,
            start,
            corr,
            pinv,
            known,
        }
    }

    /// Normal burst with training sequence code `tsc` (TS 45.002 5.2.3).
    pub fn normal(tsc: u8) -> Self {
        let t = &TSC[usize::from(tsc & 7)];
        // The 16 central bits have an ideal periodic autocorrelation: use them for timing.
        Training::new(t, NB_TSC_START, (5, 16), &TAILS)
    }

    /// Synchronisation burst (TS 45.002 5.2.5).
    pub fn sch() -> Self {
        Training::new(&SCH_SYNC, SB_SYNC_START, (0, 64), &TAILS)
    }

    /// Dummy burst (TS 45.002 5.2.6): a long known stretch from its middle.
    pub fn dummy() -> Self {
        Training::new(&DUMMY_BURST[20..130], 20, (0, 110), &TAILS)
    }
}

const TAILS: [(usize, u8); 6] = [(0, 0), (1, 0), (2, 0), (145, 0), (146, 0), (147, 0)];

fn invert(mut a: [[f64; TAPS]; TAPS]) -> [[f64; TAPS]; TAPS] {
    let mut inv = [[0f64; TAPS]; TAPS];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for c in 0..TAPS {
        let mut p = c;
        for r in c + 1..TAPS {
            if a[r][c].abs() > a[p][c].abs() {
                p = r;
            }
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-12 {
            continue;
        }
        for j in 0..TAPS {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..TAPS {
            if r != c {
                let f = a[r][c];
                for j in 0..TAPS {
                    a[r][j] -= f * a[c][j];
                    inv[r][j] -= f * inv[c][j];
                }
            }
        }
    }
    inv
}

/// Channel estimate of one burst.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    /// Best timing offset in samples relative to the nominal burst start.
    pub delta: i32,
    /// Sub-sample refinement of `delta` (parabolic fit of the energy window), in samples.
    pub delta_frac: f32,
    /// Symbol-spaced channel taps.
    pub h: [Complex32; TAPS],
    /// Residual noise variance on the training sequence.
    pub noise_var: f32,
    /// Channel energy over noise, linear.
    pub snr: f32,
}

/// Output of a demodulated burst.
#[derive(Debug, Clone, Copy)]
pub struct BurstOut {
    /// LLR per burst bit (positive = 0).
    pub soft: [f32; BURST_SYMBOLS],
    /// The channel estimate used.
    pub est: Estimate,
    /// Residual frequency error measured from the decisions across the burst, in Hz.
    pub freq_err_hz: f32,
    /// Mean power of the raw samples over the burst (input scale).
    pub power: f32,
}

/// Reusable scratch state of the burst demodulator (no allocation per burst).
pub struct Demodulator {
    lpf: [f32; 2 * LPF_HALF + 1],
    derot: [Complex32; 16],
    mixed: Vec<Complex32>,
    w: Vec<Complex32>,
    corr: Vec<Complex32>,
    y: [Complex32; TRELLIS],
    alpha: Vec<[f32; STATES]>,
    gamma: Vec<[f32; 2 * STATES]>,
    /// Current window: nominal burst start at `w[search]`.
    search: usize,
    rate_sps: f64,
}

impl Demodulator {
    /// New demodulator for internal rate `rate_sps` (4 samples/symbol).
    pub fn new(rate_sps: f64) -> Self {
        // Channel filter: windowed sinc, cut-off 0.12 * fs (~130 kHz at 4 sps), which keeps the
        // GMSK main lobe and removes 3/4 of the noise band before symbol-rate sampling.
        let fc = 0.12f64;
        let mut lpf = [0f32; 2 * LPF_HALF + 1];
        let mut sum = 0f64;
        let mut tmp = [0f64; 2 * LPF_HALF + 1];
        for (i, t) in tmp.iter_mut().enumerate() {
            let x = i as f64 - LPF_HALF as f64;
            let sinc = if x == 0.0 {
                2.0 * fc
            } else {
                (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x)
            };
            let win = 0.54 + 0.46 * (std::f64::consts::PI * x / (LPF_HALF as f64 + 1.0)).cos();
            *t = sinc * win;
            sum += *t;
        }
        for (l, t) in lpf.iter_mut().zip(tmp.iter()) {
            *l = (*t / sum) as f32;
        }
        let mut derot = [Complex32::new(0.0, 0.0); 16];
        for (m, d) in derot.iter_mut().enumerate() {
            let ph = -std::f32::consts::PI * m as f32 / 8.0;
            *d = Complex32::new(ph.cos(), ph.sin());
        }
        let maxw = 2 * MAX_SEARCH + SPS * (TRELLIS + TAPS) + 2 * LPF_HALF + 8;
        Demodulator {
            lpf,
            derot,
            mixed: vec![Complex32::new(0.0, 0.0); maxw],
            w: vec![Complex32::new(0.0, 0.0); maxw],
            corr: vec![Complex32::new(0.0, 0.0); 2 * MAX_SEARCH + SPS * TAPS + 1],
            y: [Complex32::new(0.0, 0.0); TRELLIS],
            alpha: vec![[0f32; STATES]; TRELLIS + 1],
            gamma: vec![[0f32; 2 * STATES]; TRELLIS],
            search: 0,
            rate_sps,
        }
    }

    /// Samples needed after the nominal burst start for a window with search `search`.
    pub fn span_after(search: usize) -> usize {
        search + SPS * (TRELLIS + TAPS) + LPF_HALF + 2
    }

    /// Samples needed before the nominal burst start.
    pub fn span_before(search: usize) -> usize {
        search + LPF_HALF
    }

    /// Prepare the window around burst start `p` (index into `x`): frequency correction by
    /// `freq_hz`, channel filter, derotation. Returns false when `x` is too short.
    pub fn prepare(&mut self, x: &[Complex32], p: usize, search: usize, freq_hz: f64) -> bool {
        let search = search.min(MAX_SEARCH);
        let before = Self::span_before(search);
        let after = Self::span_after(search);
        if p < before || p + after > x.len() {
            return false;
        }
        let ws = p - before;
        let n = before + after;
        let w_len = n - 2 * LPF_HALF;
        let Some(src) = x.get(ws..ws + n) else {
            return false;
        };
        // Mix with a phasor recurrence, renormalised every 64 samples.
        let dw = -2.0 * std::f64::consts::PI * freq_hz / self.rate_sps;
        let step = Complex32::new(dw.cos() as f32, dw.sin() as f32);
        let mut ph = Complex32::new(1.0, 0.0);
        for (i, (m, &s)) in self.mixed[..n].iter_mut().zip(src.iter()).enumerate() {
            *m = s * ph;
            ph *= step;
            if i & 63 == 63 {
                ph /= ph.norm();
            }
        }
        // Filter then derotate; index i of w is sample p - search + i.
        for i in 0..w_len {
            let seg = &self.mixed[i..i + 2 * LPF_HALF + 1];
            let mut acc = Complex32::new(0.0, 0.0);
            for (s, &t) in seg.iter().zip(self.lpf.iter()) {
                acc += s * t;
            }
            self.w[i] = acc * self.derot[i & 15];
        }
        self.search = search;
        true
    }

    /// Estimate timing and channel from `tr`, searching `search` samples either side.
    pub fn estimate(&mut self, tr: &Training) -> Estimate {
        let s = self.search as i32;
        let nlags = (2 * s) as usize + SPS * (TAPS - 1) + 1;
        let (co, cl) = tr.corr;
        let corr_seq = &tr.seq[co..co + cl];
        let base = SPS * (tr.start + co);
        for (li, c) in self.corr[..nlags].iter_mut().enumerate() {
            // lag delta = li - s; w index = s + delta + 4*(start+co+i) = li + base + 4i
            let mut acc = Complex32::new(0.0, 0.0);
            let w = &self.w[li + base..];
            for (i, &b) in corr_seq.iter().enumerate() {
                acc += w[SPS * i] * b;
            }
            *c = acc;
        }
        let energy = |d0: usize, corr: &[Complex32]| -> f32 {
            (0..TAPS).map(|k| corr[d0 + SPS * k].norm_sqr()).sum()
        };
        let mut best = 0usize;
        let mut best_e = -1.0f32;
        for d0 in 0..=(2 * s) as usize {
            let e = energy(d0, &self.corr);
            if e > best_e {
                best_e = e;
                best = d0;
            }
        }
        let delta_frac = if best > 0 && best < (2 * s) as usize {
            let em = energy(best - 1, &self.corr);
            let ep = energy(best + 1, &self.corr);
            let den = em - 2.0 * best_e + ep;
            if den < 0.0 {
                (0.5 * (em - ep) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            }
        } else {
            0.0
        };
        let delta = best as i32 - s;
        self.load_y(best);
        let h = self.ls(tr);
        let noise_var = self.residual(tr, &h);
        let hp: f32 = h.iter().map(|c| c.norm_sqr()).sum();
        Estimate {
            delta,
            delta_frac,
            h,
            noise_var,
            snr: hp / noise_var.max(1e-30),
        }
    }

    fn load_y(&mut self, d0: usize) {
        for (n, y) in self.y.iter_mut().enumerate() {
            *y = self.w[d0 + SPS * n];
        }
    }

    fn ls(&self, tr: &Training) -> [Complex32; TAPS] {
        let mut h = [Complex32::new(0.0, 0.0); TAPS];
        let y0 = tr.start + TAPS - 1;
        for (r, row) in tr.pinv.iter().enumerate() {
            let y = self.y[y0 + r];
            for (hk, &p) in h.iter_mut().zip(row.iter()) {
                *hk += y * p;
            }
        }
        h
    }

    fn residual(&self, tr: &Training, h: &[Complex32; TAPS]) -> f32 {
        let rows = tr.pinv.len();
        let mut e = 0f32;
        for r in 0..rows {
            let n = tr.start + TAPS - 1 + r;
            let mut pred = Complex32::new(0.0, 0.0);
            for (k, hk) in h.iter().enumerate() {
                pred += hk * tr.seq[TAPS - 1 + r - k];
            }
            e += (self.y[n] - pred).norm_sqr();
        }
        let dof = (rows as f32 - TAPS as f32).max(1.0);
        (e / dof).max(1e-30)
    }

    /// Run the MLSE over the burst with the estimate `est` (whose timing must be the one loaded
    /// by the last `estimate` call on the same window) and the known bits of `tr`.
    pub fn equalize(&mut self, tr: &Training, est: &Estimate, raw_power: f32) -> BurstOut {
        let h = est.h;
        let inv_var = 1.0 / est.noise_var.max(1e-30);
        // Expected outputs per (state, input): index s*2+b.
        let mut pred = [Complex32::new(0.0, 0.0); 2 * STATES];
        for s in 0..STATES {
            for b in 0..2 {
                let mut acc = h[0] * (1.0 - 2.0 * b as f32);
                for (k, hk) in h.iter().enumerate().skip(1) {
                    let bit = (s >> (k - 1)) & 1;
                    acc += hk * (1.0 - 2.0 * bit as f32);
                }
                pred[s * 2 + b] = acc;
            }
        }
        for (n, g) in self.gamma.iter_mut().enumerate() {
            let y = self.y[n];
            let known = if n < BURST_SYMBOLS { tr.known[n] } else { -1 };
            for (i, gi) in g.iter_mut().enumerate() {
                let b = (i & 1) as i8;
                *gi = if known >= 0 && known != b {
                    NEG
                } else {
                    -(y - pred[i]).norm_sqr() * inv_var
                };
            }
        }
        // Forward pass.
        self.alpha[0] = [0f32; STATES];
        for n in 0..TRELLIS {
            let a = self.alpha[n];
            let g = &self.gamma[n];
            let mut next = [NEG; STATES];
            for (ns, nx) in next.iter_mut().enumerate() {
                let b = ns & 1;
                let p0 = ns >> 1;
                let p1 = p0 | (STATES >> 1);
                let m0 = a[p0] + g[p0 * 2 + b];
                let m1 = a[p1] + g[p1 * 2 + b];
                *nx = m0.max(m1);
            }
            // Keep metrics bounded.
            let mx = next.iter().copied().fold(NEG, f32::max);
            for v in next.iter_mut() {
                *v -= mx;
            }
            self.alpha[n + 1] = next;
        }
        // Backward pass with LLR output.
        let mut soft = [0f32; BURST_SYMBOLS];
        let mut beta = [0f32; STATES];
        for n in (0..TRELLIS).rev() {
            let a = &self.alpha[n];
            let g = &self.gamma[n];
            let mut best = [NEG; 2];
            let mut nb = [NEG; STATES];
            for s in 0..STATES {
                for b in 0..2 {
                    let ns = ((s << 1) | b) & (STATES - 1);
                    let t = g[s * 2 + b] + beta[ns];
                    if t > nb[s] {
                        nb[s] = t;
                    }
                    let m = a[s] + t;
                    if m > best[b] {
                        best[b] = m;
                    }
                }
            }
            if n < BURST_SYMBOLS {
                soft[n] = (best[0] - best[1]).clamp(-1.0e4, 1.0e4);
            }
            let mx = nb.iter().copied().fold(NEG, f32::max);
            for (bv, v) in beta.iter_mut().zip(nb.iter()) {
                *bv = v - mx;
            }
        }
        let freq_err_hz = self.phase_slope(&h, &soft);
        BurstOut {
            soft,
            est: *est,
            freq_err_hz,
            power: raw_power,
        }
    }

    /// Residual frequency from the phase of the data halves against the reconstructed signal.
    fn phase_slope(&self, h: &[Complex32; TAPS], soft: &[f32; BURST_SYMBOLS]) -> f32 {
        let c = |n: isize| -> f32 {
            if n < 0 || n >= BURST_SYMBOLS as isize {
                0.0
            } else if soft[n as usize] >= 0.0 {
                1.0
            } else {
                -1.0
            }
        };
        let half = |from: usize, to: usize| -> Complex32 {
            let mut acc = Complex32::new(0.0, 0.0);
            for n in from..to {
                let mut p = Complex32::new(0.0, 0.0);
                for (k, hk) in h.iter().enumerate() {
                    p += hk * c(n as isize - k as isize);
                }
                acc += self.y[n] * p.conj();
            }
            acc
        };
        let e1 = half(7, 61);
        let e2 = half(91, 145);
        let dphi = (e2 * e1.conj()).arg();
        (f64::from(dphi) / (2.0 * std::f64::consts::PI * 84.0) * SYMBOL_RATE_HZ) as f32
    }
}

/// Mean power of `x[p..p+len]` (input scale); 0 when out of range.
pub fn mean_power(x: &[Complex32], p: usize, len: usize) -> f32 {
    match x.get(p..p + len) {
        Some(s) if !s.is_empty() => s.iter().map(|c| c.norm_sqr()).sum::<f32>() / s.len() as f32,
        _ => 0.0,
    }
}

/// Tone frequency (Hz) and coherence (0..1) of the samples `x[p..p+len]`, from the lag-4
/// (one symbol) differential phase. Used on FCCH bursts while tracking.
pub fn tone_freq(x: &[Complex32], p: usize, len: usize, rate_sps: f64) -> Option<(f64, f32)> {
    let s = x.get(p.checked_sub(SPS)?..p + len)?;
    let mut acc = num_complex::Complex64::new(0.0, 0.0);
    let mut pw = 0f64;
    for i in SPS..s.len() {
        let d = s[i] * s[i - SPS].conj();
        acc += num_complex::Complex64::new(f64::from(d.re), f64::from(d.im));
        pw += f64::from(s[i].norm_sqr());
    }
    if pw <= 0.0 {
        return None;
    }
    let coarse = acc.arg() / (2.0 * std::f64::consts::PI * SPS as f64) * rate_sps;
    let coherence = (acc.norm() / pw) as f32;
    // The one-symbol lag only turns the phase by pi/2, so noise over the whole sampled band
    // dominates. Refine: mix the tone to DC, average 16 samples (noise -12 dB), then measure
    // the phase over lags of 32 and then 128 samples, each resolving the previous ambiguity.
    let body = &s[SPS..];
    let dw = -2.0 * std::f64::consts::PI * coarse / rate_sps;
    let mut acc16 = num_complex::Complex64::new(0.0, 0.0);
    let mut hist = [num_complex::Complex64::new(0.0, 0.0); 16];
    let mut f = coarse;
    let mut lagged = [num_complex::Complex64::new(0.0, 0.0); 2];
    // Filtered samples are produced on the fly; keep a ring of the last 129 of them.
    let mut ring = [num_complex::Complex64::new(0.0, 0.0); 129];
    let mut count = 0usize;
    for (m, v) in body.iter().enumerate() {
        let ph = dw * m as f64;
        let z = num_complex::Complex64::new(f64::from(v.re), f64::from(v.im))
            * num_complex::Complex64::new(ph.cos(), ph.sin());
        acc16 += z - hist[m & 15];
        hist[m & 15] = z;
        if m < 15 {
            continue;
        }
        let cur = acc16;
        if count >= 32 {
            lagged[0] += cur * ring[(count - 32) % 129].conj();
        }
        if count >= 128 {
            lagged[1] += cur * ring[(count - 128) % 129].conj();
        }
        ring[count % 129] = cur;
        count += 1;
    }
    // Coherence on the filtered signal at a lag of 8 symbols: ~1 for the FCCH tone even near
    // 0 dB per-sample SNR, low for GMSK data whose phase wanders over 8 symbols.
    let fpow: f64 = ring.iter().map(|z| z.norm_sqr()).sum::<f64>() / ring.len() as f64;
    let coherence = if count > 40 && fpow > 0.0 {
        (lagged[0].norm() / ((count - 32) as f64 * fpow)) as f32
    } else {
        coherence
    };
    if count > 40 {
        let r32 = lagged[0].arg() / (2.0 * std::f64::consts::PI * 32.0) * rate_sps;
        f = coarse + r32;
        if count > 200 {
            // Resolve the lag-128 phase around the lag-32 estimate.
            let span = rate_sps / 128.0;
            let r128 = lagged[1].arg() / (2.0 * std::f64::consts::PI * 128.0) * rate_sps;
            let k = ((r32 - r128) / span).round();
            f = coarse + r128 + k * span;
        }
    }
    Some((f, coherence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::INTERNAL_RATE_SPS;

    /// Linearised GMSK (TS 45.004 2, Laurent main pulse approximated by a Gaussian of ~1 symbol
    /// width) through a two-ray channel: the equaliser must return the burst bits exactly and
    /// the timing found must follow a known shift.
    #[test]
    fn mlse_recovers_bits_through_two_ray_isi() {
        let tsc = 3u8;
        let mut bits = [0u8; BURST_SYMBOLS];
        let mut r = 0x9e37_79b9u32;
        for b in bits.iter_mut() {
            r ^= r << 13;
            r ^= r >> 17;
            r ^= r << 5;
            *b = (r & 1) as u8;
        }
        bits[..3].fill(0);
        bits[145..].fill(0);
        bits[NB_TSC_START..NB_TSC_START + 26].copy_from_slice(&TSC[tsc as usize]);
        for shift in [0usize, 3, 6] {
            let start = 400 + shift;
            let n = 2000;
            let mut x = vec![Complex32::new(0.0, 0.0); n];
            let echo = Complex32::from_polar(0.6, 2.0);
            for (k, &b) in bits.iter().enumerate() {
                let sym = (1.0 - 2.0 * f32::from(b)) * Complex32::new(0.0, 1.0).powu(k as u32);
                for (m, xm) in x.iter_mut().enumerate() {
                    let t = (m as f32 - (start + SPS * k) as f32) / SPS as f32;
                    let p = (-t * t / 0.45).exp();
                    let t2 = t - 1.5; // echo 1.5 symbols late
                    let p2 = (-t2 * t2 / 0.45).exp();
                    *xm += sym * (p + echo * p2);
                }
            }
            let mut d = Demodulator::new(INTERNAL_RATE_SPS);
            assert!(d.prepare(&x, 400, 8, 0.0));
            let tr = Training::normal(tsc);
            let est = d.estimate(&tr);
            assert!(est.snr > 100.0, "snr {}", est.snr);
            let out = d.equalize(&tr, &est, 1.0);
            let hard: Vec<u8> = out.soft.iter().map(|&l| u8::from(l < 0.0)).collect();
            assert_eq!(hard[..], bits[..], "shift {shift}");
            // Timing follows the shift: the 5-tap window starts 1-2 symbols before the main
            // pulse, whose centre sits at the nominal symbol instant.
            let lead = est.delta - shift as i32;
            assert!(
                (-8..=-4).contains(&lead),
                "delta {} shift {shift}",
                est.delta
            );
        }
    }
}
