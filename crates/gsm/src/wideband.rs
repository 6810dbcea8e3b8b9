//! Wideband GSM: one capture covering many 200 kHz channels (e.g. 10-20 Msps from a HackRF)
//! is channelised once and every active BCCH carrier in it is decoded by its own
//! [`GsmReceiver`].
//!
//! Why this design: a C0 (BCCH) carrier transmits in every timeslot (TS 45.002 5.2.6, dummy
//! bursts fill idle slots), so an averaged power spectrum finds them; a fast-convolution
//! (overlap-save FFT) channeliser then costs one forward FFT per input block plus one small
//! inverse FFT per active channel, whatever the number of channels. The block sizes are
//! chosen so each channel comes out at exactly 4 samples/symbol when the input rate allows
//! it (every integer rate in Hz whose ratio to 13/12 MHz is small), which lets the receivers
//! skip their own resampler. The spectrum of the last scan interval is kept, so a carrier
//! that appears mid-capture (a blaster switched on) is decoded from the start of the
//! interval in which it was first seen.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use crate::tables::INTERNAL_RATE_SPS;
use crate::{GsmCellMeasurement, GsmError, GsmEvent, GsmReceiver};

/// GSM bands whose downlink ARFCNs are searched: the project's one band plan (TS 45.005 2).
pub use cellsentry_dsp::GsmBand;

/// Settings of the wideband receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidebandConfig {
    /// Bands to search; empty means every band.
    pub bands: Vec<GsmBand>,
    /// A channel is active when its averaged power exceeds the noise floor (a low percentile
    /// of all candidate channels) by this much, dB.
    pub detect_threshold_db: f32,
    /// A channel this far below an active neighbour is taken as that neighbour's spectral
    /// skirt, not a carrier, dB.
    pub adjacent_reject_db: f32,
    /// How often the spectrum is re-scanned for new carriers, seconds.
    pub rescan_interval_s: f64,
    /// Upper bound on simultaneously decoded channels (strongest first).
    pub max_channels: usize,
    /// The capture's I and Q lines are swapped (a mirrored spectrum, which would put every
    /// carrier at the wrong ARFCN): undo it on input. See [`crate::detect_iq_swap`].
    pub iq_swapped: bool,
    /// Threads that decode the channels; 0 means one per core. The output does not depend
    /// on it.
    #[serde(default)]
    pub threads: usize,
}

impl Default for WidebandConfig {
    fn default() -> Self {
        WidebandConfig {
            bands: Vec::new(),
            detect_threshold_db: 8.0,
            adjacent_reject_db: 25.0,
            rescan_interval_s: 0.05,
            max_channels: 64,
            iq_swapped: false,
            threads: 0,
        }
    }
}

/// Power of one candidate channel in the last scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChannelPower {
    /// ARFCN.
    pub arfcn: u16,
    /// Downlink carrier frequency, Hz.
    pub freq_hz: f64,
    /// Mean power within +-90 kHz of the carrier, dB relative to a full-scale sine.
    pub power_dbfs: f32,
    /// Whether the channel is being decoded.
    pub active: bool,
}

/// A channel being decoded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ActiveChannel {
    /// ARFCN.
    pub arfcn: u16,
    /// Downlink carrier frequency, Hz.
    pub freq_hz: f64,
    /// Input sample index from which the channel is decoded (start of the scan interval in
    /// which it was first detected).
    pub start_sample: u64,
    /// Power when first detected, dBFS.
    pub power_dbfs: f32,
}

struct Candidate {
    arfcn: u16,
    freq_hz: f64,
    /// Signed FFT bin of the carrier.
    bin: i64,
}

struct Channel {
    info: ActiveChannel,
    /// Index into the candidates.
    cand: usize,
    /// Strongest scan power of the channel while decoded (linear, full-scale sine = 1).
    peak_power: f64,
    /// Times the channel had been given up before this try.
    tries: u32,
    rx: GsmReceiver,
    /// Output samples pushed into `rx`, and whether it ever synchronised.
    pushed: u64,
    ever_synced: bool,
    bin: i64,
    /// Phase step per output sample that removes what the bin shift leaves, cycles.
    resid_cycles_per_out: f64,
    pending: Vec<Complex32>,
}

/// Wideband GSM receiver: channelise once, decode all active BCCH carriers.
pub struct WidebandGsm {
    rate_sps: f64,
    center_freq_hz: f64,
    cfg: WidebandConfig,
    n: usize,
    m: usize,
    /// Kept input samples per block (hop).
    hop: usize,
    /// Filter half length = samples dropped at each block edge, input samples.
    half: usize,
    out_rate_sps: f64,
    fwd: Arc<dyn Fft<f32>>,
    inv: Arc<dyn Fft<f32>>,
    /// Channel filter over the output bins in inverse-FFT order (bin 0 first, then the
    /// positive bins, then the negative), scaled by 1/n.
    h_rot: Vec<f32>,
    inbuf: Vec<Complex32>,
    /// Input samples consumed into blocks so far (block b starts at b*hop - half).
    blocks_done: u64,
    input_total: u64,
    scratch: Vec<Complex32>,
    inv_scratch: Vec<Complex32>,
    ybuf: Vec<Complex32>,
    history: Vec<Vec<Complex32>>,
    history_len: usize,
    history_first_block: u64,
    power_acc: Vec<f64>,
    power_blocks: u64,
    blocks_per_scan: u64,
    candidates: Vec<Candidate>,
    channels: Vec<Channel>,
    last_scan: Vec<ChannelPower>,
    /// Channels given up on (energy but no GSM sync: an LTE or UMTS carrier, a jammer).
    held_off: Vec<HeldOff>,
    /// Output samples produced per channel so far (the wideband receiver's clock).
    out_clock: u64,
}

/// A channel given up on, and when it is tried again.
struct HeldOff {
    /// Index into the candidates.
    cand: usize,
    /// Output sample count (the wideband clock) until which it stays off.
    until: u64,
    /// Its strongest scan power while it was tried (linear).
    peak_power: f64,
    /// Times it has been given up.
    tries: u32,
}

/// Output samples batched before they are handed to a receiver.
const PUSH_AT: usize = 1 << 15;
/// A channel that has not synchronised after this much signal is given up: FCCH comes every
/// 46 ms, so a GSM C0 decodable at all shows it many times over.
const GIVE_UP_S: f64 = 1.0;
/// How long a given-up channel is left alone before it is tried again (a cell may start
/// there), doubling with each further give-up up to [`HOLD_OFF_MAX_S`]: an LTE carrier covers
/// some fifty GSM-raster channels, and trying them all for a second every five seconds cost a
/// quarter of the whole sensor's CPU on a mixed LTE + DCS1800 band.
const HOLD_OFF_S: f64 = 5.0;
/// Longest hold-off, seconds.
const HOLD_OFF_MAX_S: f64 = 30.0;
/// A held-off channel whose power rises this far above the strongest seen while it was tried
/// is tried again at once (a carrier switched on there: a blaster out-shouts what it sits on).
const RETRY_JUMP_DB: f64 = 6.0;
/// Filter half length, seconds: sets the transition band (~5.5 / (2 * half) of the rate).
const HALF_S: f64 = 25e-6;
/// Channel filter: flat to here, Hz ...
const PASS_HZ: f64 = 170e3;
/// ... zero from here (outside lies the next-but-one channel and the output's Nyquist band).
const STOP_HZ: f64 = 330e3;
/// Channel power is measured within this distance of the carrier, Hz.
const MEASURE_HZ: f64 = 90e3;

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// What the per-channel extraction of one scan interval reads (shared by the threads).
struct Extract<'a> {
    history: &'a [Vec<Complex32>],
    first_block: u64,
    /// The channel filter rotated to inverse-FFT order (bin 0 first).
    h_rot: &'a [f32],
    inv: &'a dyn Fft<f32>,
    n: usize,
    m: usize,
    keep_out: usize,
    skip_out: usize,
    in_per_out: f64,
    hop: usize,
    half: usize,
}

/// `out[i] = spec[(start + i) mod n] * h[i]`: a circular run of bins through the filter.
fn gather(spec: &[Complex32], start: usize, h: &[f32], out: &mut [Complex32]) {
    let first = (spec.len() - start).min(out.len());
    let (o1, o2) = out.split_at_mut(first);
    let (h1, h2) = h.split_at(first);
    for ((y, x), g) in o1.iter_mut().zip(&spec[start..start + first]).zip(h1) {
        *y = x * g;
    }
    for ((y, x), g) in o2.iter_mut().zip(spec.iter()).zip(h2) {
        *y = x * g;
    }
}

impl Extract<'_> {
    /// Runs one channel over the interval's blocks: its bins, the inverse FFT, the phase
    /// correction, and its receiver.
    fn channel(
        &self,
        ch: &mut Channel,
        ybuf: &mut [Complex32],
        scratch: &mut [Complex32],
        events: &mut Vec<(u16, GsmEvent)>,
    ) {
        let (n, m) = (self.n, self.m);
        // The inverse FFT wants bin 0 first: output bins 0..m/2 are the carrier's bin and
        // above, m/2..m the bins below it (m is even).
        let up = ch.bin.rem_euclid(n as i64) as usize;
        let down = (ch.bin - (m / 2) as i64).rem_euclid(n as i64) as usize;
        let (h_up, h_down) = self.h_rot.split_at(m / 2);
        for (bi, spec) in self.history.iter().enumerate() {
            let b = self.first_block + bi as u64;
            let (y_up, y_down) = ybuf.split_at_mut(m / 2);
            gather(spec, up, h_up, y_up);
            gather(spec, down, h_down, y_down);
            self.inv.process_with_scratch(ybuf, scratch);
            // Output sample j sits at input sample j * n / m. The bin shift leaves
            // exp(-2 pi i bin (b * hop - half) / n) per block (block start in global
            // samples) and the off-bin part of the carrier offset per sample.
            let j0 = b * self.keep_out as u64;
            let blk = (i128::from(ch.bin) * (i128::from(b) * self.hop as i128 - self.half as i128))
                .rem_euclid(n as i128) as f64
                / n as f64;
            let cycles =
                (-blk + (ch.resid_cycles_per_out * j0 as f64).rem_euclid(1.0)).rem_euclid(1.0);
            let tau = 2.0 * std::f64::consts::PI;
            let mut ph = Complex32::from_polar(1.0, (tau * cycles) as f32);
            let rot = Complex32::from_polar(1.0, (tau * ch.resid_cycles_per_out) as f32);
            for y in &ybuf[self.skip_out..self.skip_out + self.keep_out] {
                ch.pending.push(y * ph);
                ph *= rot;
            }
            if ch.pending.len() >= PUSH_AT {
                WidebandGsm::flush(ch, self.in_per_out, events);
            }
        }
    }
}

impl WidebandGsm {
    /// New wideband receiver for complex baseband at `rate_sps` centred on `center_freq_hz`.
    pub fn new(rate_sps: f64, center_freq_hz: f64, cfg: &WidebandConfig) -> Result<Self, GsmError> {
        if !rate_sps.is_finite() || !(1.2e6..=100e6).contains(&rate_sps) {
            return Err(GsmError::InvalidSampleRate { rate_sps });
        }
        if !center_freq_hz.is_finite() || center_freq_hz <= 0.0 {
            return Err(GsmError::InvalidCarrier {
                freq_hz: center_freq_hz,
            });
        }
        let (n, m, half) = Self::sizes(rate_sps);
        let hop = n - 2 * half;
        let out_rate_sps = rate_sps * m as f64 / n as f64;
        let mut planner = FftPlanner::<f32>::new();
        let fwd = planner.plan_fft_forward(n);
        let inv = planner.plan_fft_inverse(m);
        let mut h_rot = Self::design_filter(rate_sps, n, m, half);
        h_rot.rotate_left(m / 2);
        let bin_hz = rate_sps / n as f64;
        let usable_hz = rate_sps / 2.0 - STOP_HZ;
        let bands: &[GsmBand] = if cfg.bands.is_empty() {
            &GsmBand::ALL
        } else {
            &cfg.bands
        };
        let mut candidates = Vec::new();
        for band in bands {
            for (arfcn, freq_hz) in band
                .arfcns()
                .into_iter()
                .filter_map(|a| Some((a, band.dl_freq_hz(a)?)))
            {
                let off = freq_hz - center_freq_hz;
                if off.abs() <= usable_hz {
                    candidates.push(Candidate {
                        arfcn,
                        freq_hz,
                        bin: (off / bin_hz).round() as i64,
                    });
                }
            }
        }
        candidates.sort_by(|a, b| a.freq_hz.total_cmp(&b.freq_hz));
        candidates.dedup_by(|a, b| (a.freq_hz - b.freq_hz).abs() < 1.0);
        let blocks_per_scan = ((cfg.rescan_interval_s.max(0.01) * rate_sps) / hop as f64)
            .ceil()
            .max(1.0) as u64;
        let scratch_len = fwd
            .get_inplace_scratch_len()
            .max(inv.get_inplace_scratch_len());
        Ok(WidebandGsm {
            rate_sps,
            center_freq_hz,
            cfg: cfg.clone(),
            n,
            m,
            hop,
            half,
            out_rate_sps,
            fwd,
            inv,
            h_rot,
            // The first block starts `half` samples before the input so that output sample j
            // of every channel lies at input sample j * n / m.
            inbuf: vec![Complex32::new(0.0, 0.0); half],
            blocks_done: 0,
            input_total: 0,
            scratch: vec![Complex32::new(0.0, 0.0); scratch_len],
            inv_scratch: vec![Complex32::new(0.0, 0.0); m],
            ybuf: vec![Complex32::new(0.0, 0.0); m],
            history: Vec::new(),
            history_len: 0,
            history_first_block: 0,
            power_acc: vec![0.0; n],
            power_blocks: 0,
            blocks_per_scan,
            candidates,
            channels: Vec::new(),
            held_off: Vec::new(),
            out_clock: 0,
            last_scan: Vec::new(),
        })
    }

    /// FFT size, output FFT size and filter half length for an input rate. Exact 4 sps
    /// output when the rate is an integer number of Hz with a small ratio to 13/12 MHz.
    fn sizes(rate_sps: f64) -> (usize, usize, usize) {
        let half_target = (HALF_S * rate_sps).ceil() as usize;
        let min_n = (8 * half_target).max(1024);
        if rate_sps.fract() == 0.0 {
            // out = rate * m / n = 13e6 / 12  <=>  n * 13e6 = m * 12 * rate.
            let r12 = 12 * rate_sps as u64;
            let g = gcd(r12, 13_000_000);
            let base_n = r12 / g;
            let base_m = 13_000_000 / g;
            if base_n <= 9216 && base_m <= base_n {
                let mut k = 1;
                while (base_n * k) < min_n as u64 || (base_m * k) % 2 == 1 {
                    k *= 2;
                }
                // Larger blocks until the overlap fits; exact 4 sps output spares every
                // receiver its resampler. The overlap is what the FFTs, the per-channel work
                // and the kept spectra pay for twice, so blocks grow (up to 40,000 points)
                // until it is at most an eighth of the block, else a quarter, else the first
                // that fits (15.36 Msps: 36,864 points with 75 % kept, not 18,432 with 50 %;
                // 20 Msps: 15,360 with 91 %, not 7,680 with 81 %).
                let mut fits: [Option<(usize, usize, usize)>; 3] = [None; 3];
                while base_n * k <= 40_000 {
                    let n = (base_n * k) as usize;
                    let m = (base_m * k) as usize;
                    // Block edges must fall on output samples: multiples of n / gcd(n, m).
                    let unit = n / gcd(n as u64, m as u64) as usize;
                    let half = half_target.div_ceil(unit) * unit;
                    for (slot, parts) in fits.iter_mut().zip([16, 8, 4]) {
                        if parts * half <= n && slot.is_none() {
                            *slot = Some((n, m, half));
                        }
                    }
                    k *= 2;
                }
                if let Some(sizes) = fits.into_iter().flatten().next() {
                    return sizes;
                }
            }
        }
        let n = min_n.next_power_of_two();
        let mut m = 16;
        while (m as f64) * rate_sps / (n as f64) < INTERNAL_RATE_SPS && m < n {
            m *= 2;
        }
        let unit = n / m;
        let half = half_target.div_ceil(unit) * unit;
        (n, m, half)
    }

    /// Frequency response over the m output bins (signed, centred), of a zero-phase
    /// Blackman-windowed low-pass with 2*half+1 taps, scaled so the round trip has unit gain.
    fn design_filter(rate_sps: f64, n: usize, m: usize, half: usize) -> Vec<f32> {
        let fc = (PASS_HZ + STOP_HZ) / 2.0 / rate_sps;
        let mut taps = Vec::with_capacity(2 * half + 1);
        let mut sum = 0.0;
        for i in 0..=2 * half {
            let t = i as f64 - half as f64;
            let x = 2.0 * fc * t;
            let sinc = if t == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
            };
            let u = t / (half as f64 + 1.0);
            let w = 0.42
                + 0.5 * (std::f64::consts::PI * u).cos()
                + 0.08 * (2.0 * std::f64::consts::PI * u).cos();
            taps.push(2.0 * fc * sinc * w);
            sum += 2.0 * fc * sinc * w;
        }
        let mut h = vec![0f32; m];
        for (idx, hv) in h.iter_mut().enumerate() {
            let f = idx as f64 - (m / 2) as f64;
            // DTFT of the symmetric taps at bin f of the n-point FFT: t_0 + 2 sum t_j cos(w j),
            // the cosines by the Chebyshev recurrence (a 15.36 Msps capture has 1300 bins x
            // 4608 taps: libm cos there cost 0.1 s per receiver start).
            let w = 2.0 * std::f64::consts::PI * f / n as f64;
            let two_cos = 2.0 * w.cos();
            let (mut c_prev, mut c) = (1.0, w.cos());
            let mut acc = taps[half];
            for j in 1..=half {
                acc += 2.0 * taps[half + j] * c;
                let next = two_cos * c - c_prev;
                c_prev = c;
                c = next;
            }
            *hv = (acc / sum / n as f64) as f32;
        }
        h
    }

    /// Output rate of each channel, samples per second (4 sps when the input rate allows).
    pub fn channel_rate_sps(&self) -> f64 {
        self.out_rate_sps
    }

    /// Channels being decoded.
    pub fn active_channels(&self) -> Vec<ActiveChannel> {
        self.channels.iter().map(|c| c.info).collect()
    }

    /// The current measurement of every channel being decoded (what `finish` would report now).
    pub fn measurements(&self) -> Vec<GsmCellMeasurement> {
        self.channels.iter().map(|c| c.rx.measurement()).collect()
    }

    /// Per-channel powers of the last completed scan.
    pub fn last_scan(&self) -> &[ChannelPower] {
        &self.last_scan
    }

    /// Feed wideband samples; returns (ARFCN, event) for what every channel decoded. Event
    /// sample indices are wideband input sample indices.
    pub fn push(&mut self, samples: &[Complex32]) -> Vec<(u16, GsmEvent)> {
        self.input_total += samples.len() as u64;
        let swap = self.cfg.iq_swapped;
        self.inbuf.extend(samples.iter().map(|s| {
            if s.re.is_finite() && s.im.is_finite() {
                // Q + jI = j conj(I + jQ); the constant j does not matter.
                if swap {
                    s.conj()
                } else {
                    *s
                }
            } else {
                Complex32::new(0.0, 0.0)
            }
        }));
        let mut events = Vec::new();
        let mut start = 0;
        while self.inbuf.len() - start >= self.n {
            start += self.blocks(start, usize::MAX, &mut events);
        }
        self.inbuf.drain(..start);
        events
    }

    /// End of input: decode what is buffered and return one measurement per decoded channel.
    pub fn finish(mut self) -> (Vec<(u16, GsmEvent)>, Vec<GsmCellMeasurement>) {
        let mut events = Vec::new();
        // Pad so every input sample falls in the kept part of some block.
        let covered = self.blocks_done * self.hop as u64;
        if self.input_total > covered {
            let want = (self.input_total - covered) as usize + 2 * self.half;
            let pad = (want.div_ceil(self.hop) * self.hop + 2 * self.half)
                .saturating_sub(self.inbuf.len());
            self.inbuf
                .extend(std::iter::repeat_n(Complex32::new(0.0, 0.0), pad));
            let mut start = 0;
            while self.inbuf.len() - start >= self.n
                && self.blocks_done * (self.hop as u64) < self.input_total
            {
                let left = (self.input_total - self.blocks_done * self.hop as u64)
                    .div_ceil(self.hop as u64) as usize;
                start += self.blocks(start, left, &mut events);
            }
        }
        if self.history_len > 0 {
            self.scan_and_extract(&mut events);
        }
        for ch in &mut self.channels {
            Self::flush(ch, self.rate_sps / self.out_rate_sps, &mut events);
        }
        let meas = self.channels.into_iter().map(|c| c.rx.finish()).collect();
        (events, meas)
    }

    /// Transforms the complete blocks of `inbuf` from `start` on, at most up to the end of
    /// the scan interval and at most `limit`, and scans and extracts when the interval is
    /// full. Returns how far `start` moved.
    fn blocks(&mut self, start: usize, limit: usize, events: &mut Vec<(u16, GsmEvent)>) -> usize {
        let (n, hop) = (self.n, self.hop);
        let avail = (self.inbuf.len() - start - n) / hop + 1;
        let room = (self.blocks_per_scan as usize).saturating_sub(self.history_len);
        let count = avail.min(room.max(1)).min(limit.max(1));
        let first = self.history_len;
        while self.history.len() < first + count {
            self.history.push(vec![Complex32::new(0.0, 0.0); n]);
        }
        for (i, spec) in self.history[first..first + count].iter_mut().enumerate() {
            spec.copy_from_slice(&self.inbuf[start + i * hop..start + i * hop + n]);
            self.fwd.process_with_scratch(spec, &mut self.scratch);
            for (p, x) in self.power_acc.iter_mut().zip(spec.iter()) {
                *p += f64::from(x.norm_sqr());
            }
        }
        if self.history_len == 0 {
            self.history_first_block = self.blocks_done;
        }
        self.history_len += count;
        self.power_blocks += count as u64;
        self.blocks_done += count as u64;
        if self.history_len as u64 >= self.blocks_per_scan {
            self.scan_and_extract(events);
        }
        count * hop
    }

    /// Threads for the channel work.
    fn threads(&self) -> usize {
        match self.cfg.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// Update the active set from the interval's spectrum, then run every active channel over
    /// the interval's blocks.
    fn scan_and_extract(&mut self, events: &mut Vec<(u16, GsmEvent)>) {
        self.scan();
        let n = self.n;
        let m = self.m;
        let keep_out = self.hop * m / n;
        let skip_out = self.half * m / n;
        let in_per_out = self.rate_sps / self.out_rate_sps;
        let (hop, half) = (self.hop, self.half);
        let ctx = Extract {
            history: &self.history[..self.history_len],
            first_block: self.history_first_block,
            h_rot: &self.h_rot,
            inv: &*self.inv,
            n,
            m,
            keep_out,
            skip_out,
            in_per_out,
            hop,
            half,
        };
        // Channels are independent after the forward FFT: with several cores, threads take
        // channels one at a time from a shared queue (a synced channel costs many times an
        // idle one, so fixed shares left one core waiting on the other), and the events are
        // put back in channel order, exactly as one thread would have produced them.
        let threads = self.threads().min(self.channels.len());
        if threads <= 1 {
            for ch in &mut self.channels {
                ctx.channel(ch, &mut self.ybuf, &mut self.inv_scratch, events);
            }
        } else {
            let queue = std::sync::Mutex::new(self.channels.iter_mut().enumerate());
            let work = |ybuf: &mut Vec<Complex32>, scratch: &mut Vec<Complex32>| {
                let mut done: Vec<(usize, Vec<(u16, GsmEvent)>)> = Vec::new();
                loop {
                    // A poisoned lock only means another thread panicked: stop taking work.
                    let next = match queue.lock() {
                        Ok(mut q) => q.next(),
                        Err(_) => None,
                    };
                    let Some((i, ch)) = next else {
                        break;
                    };
                    let mut out = Vec::new();
                    ctx.channel(ch, ybuf, scratch, &mut out);
                    done.push((i, out));
                }
                done
            };
            let mut parts = std::thread::scope(|scope| {
                let helpers: Vec<_> = (1..threads)
                    .map(|_| {
                        let work = &work;
                        scope.spawn(move || {
                            let mut ybuf = vec![Complex32::new(0.0, 0.0); m];
                            let mut scratch =
                                vec![Complex32::new(0.0, 0.0); ctx.inv.get_inplace_scratch_len()];
                            work(&mut ybuf, &mut scratch)
                        })
                    })
                    .collect();
                // This thread takes channels too.
                let mut mine = work(&mut self.ybuf, &mut self.inv_scratch);
                for h in helpers {
                    mine.extend(h.join().unwrap_or_default());
                }
                mine
            });
            parts.sort_by_key(|(i, _)| *i);
            for (_, mut p) in parts {
                events.append(&mut p);
            }
        }
        self.out_clock += (self.history_len * keep_out) as u64;
        self.history_len = 0;
        // Carriers with energy but no GSM on them (LTE occupies dozens of GSM-raster channels)
        // would otherwise cost a receiver each for ever.
        let give_up = (GIVE_UP_S * self.out_rate_sps) as u64;
        let (now, rate) = (self.out_clock, self.out_rate_sps);
        let held = &mut self.held_off;
        self.channels.retain(|ch| {
            let keep = ch.ever_synced || ch.pushed < give_up;
            if !keep {
                let hold_s = (HOLD_OFF_S * 2f64.powi(ch.tries.min(8) as i32)).min(HOLD_OFF_MAX_S);
                held.push(HeldOff {
                    cand: ch.cand,
                    until: now + (hold_s * rate) as u64,
                    peak_power: ch.peak_power,
                    tries: ch.tries + 1,
                });
            }
            keep
        });
    }

    fn flush(ch: &mut Channel, in_per_out: f64, events: &mut Vec<(u16, GsmEvent)>) {
        if ch.pending.is_empty() {
            return;
        }
        let evs = ch.rx.push(&ch.pending);
        ch.pushed += ch.pending.len() as u64;
        ch.ever_synced |= ch.rx.is_synced()
            || evs
                .iter()
                .any(|e| matches!(e, GsmEvent::SyncAcquired { .. }));
        ch.pending.clear();
        let base = ch.info.start_sample;
        let map = |s: u64| base + (s as f64 * in_per_out).round() as u64;
        for mut e in evs {
            match &mut e {
                GsmEvent::SyncAcquired { sample, .. } | GsmEvent::SyncLost { sample } => {
                    *sample = map(*sample)
                }
                GsmEvent::Sch(s) => s.sample = map(s.sample),
                GsmEvent::Block(b) => b.first_sample = map(b.first_sample),
                GsmEvent::BlockFailed { first_sample, .. } => *first_sample = map(*first_sample),
            }
            events.push((ch.info.arfcn, e));
        }
    }

    fn scan(&mut self) {
        if self.power_blocks == 0 || self.candidates.is_empty() {
            return;
        }
        let n = self.n as i64;
        let bin_hz = self.rate_sps / self.n as f64;
        let span = (MEASURE_HZ / bin_hz).round().max(1.0) as i64;
        // |X|^2 / n^2 summed over bins is the mean power of the block; a full-scale sine is 1.
        let norm = 1.0 / (self.power_blocks as f64 * (self.n as f64).powi(2));
        let powers: Vec<f64> = self
            .candidates
            .iter()
            .map(|c| {
                let mut s = 0.0;
                for d in -span..=span {
                    s += self.power_acc[(c.bin + d).rem_euclid(n) as usize];
                }
                s * norm
            })
            .collect();
        self.power_acc.iter_mut().for_each(|p| *p = 0.0);
        self.power_blocks = 0;
        let mut sorted = powers.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let floor = sorted[sorted.len() / 5].max(1e-30);
        let thr = floor * 10f64.powf(f64::from(self.cfg.detect_threshold_db) / 10.0);
        let adj = 10f64.powf(-f64::from(self.cfg.adjacent_reject_db) / 10.0);
        for ch in &mut self.channels {
            ch.peak_power = ch.peak_power.max(powers[ch.cand]);
        }
        let jump = 10f64.powf(RETRY_JUMP_DB / 10.0);
        let now = self.out_clock;
        let mut fresh: Vec<(usize, f64, u32)> = Vec::new();
        for (i, &p) in powers.iter().enumerate() {
            let neighbour = |j: Option<usize>| {
                j.and_then(|j| {
                    let c = self.candidates.get(j)?;
                    ((c.freq_hz - self.candidates[i].freq_hz).abs() < 250e3).then(|| powers[j])
                })
                .unwrap_or(0.0)
            };
            let nb = neighbour(i.checked_sub(1)).max(neighbour(Some(i + 1)));
            if p > thr && p > nb * adj {
                if self.channels.iter().any(|c| c.cand == i) {
                    continue;
                }
                let mut tries = 0;
                if let Some(h) = self.held_off.iter().position(|h| h.cand == i) {
                    let held = &self.held_off[h];
                    if held.until > now && p <= held.peak_power * jump {
                        continue;
                    }
                    tries = held.tries;
                    self.held_off.swap_remove(h);
                }
                fresh.push((i, p, tries));
            }
        }
        fresh.sort_by(|a, b| b.1.total_cmp(&a.1));
        let start_sample = self.history_first_block * self.hop as u64;
        for (i, p, tries) in fresh {
            if self.channels.len() >= self.cfg.max_channels {
                break;
            }
            let c = &self.candidates[i];
            let Ok(rx) = GsmReceiver::new(self.out_rate_sps, Some(c.freq_hz)) else {
                continue;
            };
            let off = c.freq_hz - self.center_freq_hz;
            let resid_hz = off - c.bin as f64 * bin_hz;
            self.channels.push(Channel {
                info: ActiveChannel {
                    arfcn: c.arfcn,
                    freq_hz: c.freq_hz,
                    start_sample,
                    power_dbfs: (10.0 * p.log10()) as f32,
                },
                cand: i,
                peak_power: p,
                tries,
                rx,
                pushed: 0,
                ever_synced: false,
                bin: c.bin,
                resid_cycles_per_out: -resid_hz / self.out_rate_sps,
                pending: Vec::with_capacity(PUSH_AT + 4096),
            });
        }
        self.last_scan = self
            .candidates
            .iter()
            .zip(powers.iter())
            .enumerate()
            .map(|(i, (c, &p))| ChannelPower {
                arfcn: c.arfcn,
                freq_hz: c.freq_hz,
                power_dbfs: (10.0 * p.max(1e-30).log10()) as f32,
                active: self.channels.iter().any(|ch| ch.cand == i),
            })
            .collect();
    }
}
