//! The streaming receiver: FCCH search, SCH acquisition, then frame-by-frame tracking of
//! timeslot 0 with per-burst timing and frequency updates, block assembly and decoding.

use num_complex::Complex32;

use crate::coding::{sch_decode, xcch_decode};
use crate::demod::{mean_power, tone_freq, BurstOut, Demodulator, Training};
use crate::fcch::{FcchDetector, WINDOW as FCCH_WINDOW};
use crate::mapping::{frame_role, FrameRole, LogicalChannel};
use crate::resample::Resampler;
use crate::tables::{
    BURST_SYMBOLS, FCCH_TONE_HZ, FRAME_SAMPLES, HYPERFRAME, INTERNAL_RATE_SPS, SPS,
};
use crate::{
    arfcn_from_downlink_hz, GsmCellMeasurement, GsmError, GsmEvent, GsmTiming, L2Block, SchInfo,
};

/// Timing search (samples either side) for the SCH after an FCCH hit.
const ACQ_SEARCH: usize = 100;
/// Timing search while tracking.
const TRACK_SEARCH: usize = 8;
/// Training fit (linear SNR) an SCH candidate needs during acquisition.
const ACQ_MIN_SNR: f32 = 2.0;
/// Consecutive SCH failures that end tracking (a little over one 51-multiframe).
const MAX_SCH_FAIL: u32 = 6;
/// Training SNR (linear) above which a burst steers timing and frequency.
const STEER_SNR: f32 = 4.0;
/// Drop consumed samples once this many are behind the read position. Small, because a
/// wideband receiver runs one of these per candidate channel (tens at 15-20 Msps): the move
/// of what is kept costs little next to demodulating it.
const TRIM_AT: usize = 1 << 14;

#[derive(Debug, Clone, Copy)]
enum State {
    Search,
    SchWait { start: f64, freq_hz: f64 },
    Track,
}

#[derive(Debug, Clone, Copy, Default)]
struct Track {
    fn_: u32,
    pos: f64,
    freq_hz: f64,
    drift: f64,
    bsic: u8,
    sch_fail: u32,
    first_pos: f64,
    frames: u32,
    /// Least-squares fit of measured burst positions against frames since sync, for the
    /// sample-clock offset: sums of n, y, n*n, n*y and the count.
    fit: [f64; 5],
}

struct BlockAcc {
    active: bool,
    first_fn: u32,
    channel: LogicalChannel,
    have: u8,
    dummy: u8,
    soft: [[f32; BURST_SYMBOLS]; 4],
    snr_db_sum: f32,
    first_sample: u64,
}

#[derive(Debug, Default)]
struct Stats {
    bsic: Option<u8>,
    power_sum: f64,
    power_n: u64,
    snr_sum: f64,
    snr_n: u64,
    blocks_ok: u32,
    blocks_failed: u32,
    blocks_idle: u32,
    sch_ok: u32,
    sch_failed: u32,
    first_sample: Option<u64>,
    last_sample: Option<u64>,
    timing: Option<GsmTiming>,
    freq_hz: Option<f64>,
}

/// Streaming GSM downlink receiver for timeslot 0 of a BCCH carrier.
pub struct GsmReceiver {
    carrier_freq_hz: Option<f64>,
    resampler: Resampler,
    step: f64,
    buf: Vec<Complex32>,
    buf_base: u64,
    demod: Demodulator,
    tr_sch: Training,
    tr_dummy: Training,
    tr_nb: Vec<Training>,
    state: State,
    fcch: FcchDetector,
    track: Track,
    acc: BlockAcc,
    combined: Option<bool>,
    iq_swapped: bool,
    stats: Stats,
}

impl GsmReceiver {
    /// New receiver for complex baseband at `sample_rate_hz` with the carrier near 0 Hz.
    /// `carrier_freq_hz` (RF frequency of the carrier) only feeds the ARFCN and ppm figures.
    pub fn new(sample_rate_hz: f64, carrier_freq_hz: Option<f64>) -> Result<Self, GsmError> {
        if !sample_rate_hz.is_finite() || !(270_000.0..=100e6).contains(&sample_rate_hz) {
            return Err(GsmError::InvalidSampleRate {
                rate_sps: sample_rate_hz,
            });
        }
        if let Some(f) = carrier_freq_hz {
            if !f.is_finite() || f <= 0.0 {
                return Err(GsmError::InvalidCarrier { freq_hz: f });
            }
        }
        let resampler = Resampler::new(sample_rate_hz, INTERNAL_RATE_SPS);
        let step = resampler.step();
        Ok(GsmReceiver {
            carrier_freq_hz,
            resampler,
            step,
            buf: Vec::new(),
            buf_base: 0,
            demod: Demodulator::new(INTERNAL_RATE_SPS),
            tr_sch: Training::sch(),
            tr_dummy: Training::dummy(),
            tr_nb: (0..8).map(Training::normal).collect(),
            state: State::Search,
            fcch: FcchDetector::new(0, INTERNAL_RATE_SPS),
            track: Track::default(),
            acc: BlockAcc {
                active: false,
                first_fn: 0,
                channel: LogicalChannel::Ccch { block: 0 },
                have: 0,
                dummy: 0,
                soft: [[0.0; BURST_SYMBOLS]; 4],
                snr_db_sum: 0.0,
                first_sample: 0,
            },
            combined: None,
            iq_swapped: false,
            stats: Stats::default(),
        })
    }

    /// Fix the CCCH configuration instead of learning it from SI3 (TS 44.018 10.5.2.11:
    /// CCCH_CONF 1 = combined CCCH + SDCCH/4). Until SI3 is seen the default is non-combined.
    pub fn with_ccch_combined(mut self, combined: bool) -> Self {
        self.combined = Some(combined);
        self
    }

    /// Undo swapped I and Q lines (a common SDR wiring/driver fault): `Q + jI = j conj(I + jQ)`,
    /// i.e. a mirrored spectrum, which puts the FCCH tone at -67.7 kHz where it is never found.
    /// Use [`crate::detect_iq_swap`] to find out.
    pub fn with_iq_swapped(mut self, swapped: bool) -> Self {
        self.iq_swapped = swapped;
        self
    }

    /// True while the receiver follows a cell (between `SyncAcquired` and `SyncLost`).
    pub fn is_synced(&self) -> bool {
        matches!(self.state, State::Track)
    }

    /// Feed samples (any block size); returns what was decoded from them.
    pub fn push(&mut self, samples: &[Complex32]) -> Vec<GsmEvent> {
        let before = self.buf.len();
        self.resampler.process(samples, &mut self.buf);
        // Non-finite input would poison every running sum: treat it as silence.
        for s in &mut self.buf[before..] {
            if !(s.re.is_finite() && s.im.is_finite()) {
                *s = Complex32::new(0.0, 0.0);
            } else if self.iq_swapped {
                // The resampler's taps are real, so conjugating after it is the same as before.
                *s = s.conj();
            }
        }
        let mut events = Vec::new();
        self.run(&mut events);
        self.trim();
        events
    }

    /// End of input: the cell summary.
    pub fn finish(self) -> GsmCellMeasurement {
        self.measurement()
    }

    /// The cell summary so far (for live use while samples keep arriving).
    pub fn measurement(&self) -> GsmCellMeasurement {
        let s = &self.stats;
        let power_dbfs =
            (s.power_n > 0).then(|| (10.0 * (s.power_sum / s.power_n as f64).log10()) as f32);
        let snr_db = (s.snr_n > 0).then(|| (s.snr_sum / s.snr_n as f64) as f32);
        let freq_offset_ppm = match (s.freq_hz, self.carrier_freq_hz) {
            (Some(f), Some(c)) => Some(f / c * 1e6),
            _ => None,
        };
        GsmCellMeasurement {
            arfcn: self.carrier_freq_hz.and_then(arfcn_from_downlink_hz),
            carrier_freq_hz: self.carrier_freq_hz,
            bsic: s.bsic,
            power_dbfs,
            snr_db,
            freq_offset_hz: s.freq_hz,
            freq_offset_ppm,
            timing: s.timing,
            blocks_ok: s.blocks_ok,
            blocks_failed: s.blocks_failed,
            blocks_idle: s.blocks_idle,
            sch_ok: s.sch_ok,
            sch_failed: s.sch_failed,
            first_sample: s.first_sample,
            last_sample: s.last_sample,
        }
    }

    fn to_input_index(&self, internal: f64) -> u64 {
        (internal * self.step).max(0.0).round() as u64
    }

    fn buf_end(&self) -> u64 {
        self.buf_base + self.buf.len() as u64
    }

    fn trim(&mut self) {
        let keep_from = match self.state {
            State::Search => self
                .fcch
                .next
                .saturating_sub((FCCH_WINDOW + 4 * SPS) as u64),
            // Keep the FCCH too: a failed SCH resumes the search right after it.
            State::SchWait { start, .. } => (start - FRAME_SAMPLES as f64 - 1000.0).max(0.0) as u64,
            State::Track => (self.track.pos - 1000.0).max(0.0) as u64,
        };
        if keep_from > self.buf_base + TRIM_AT as u64 {
            let n = ((keep_from - self.buf_base) as usize).min(self.buf.len());
            self.buf.drain(..n);
            self.buf_base += n as u64;
        }
    }

    fn run(&mut self, events: &mut Vec<GsmEvent>) {
        loop {
            match self.state {
                State::Search => {
                    if self.fcch.next < self.buf_base {
                        self.fcch.reset(self.buf_base);
                    }
                    match self.fcch.run(&self.buf, self.buf_base) {
                        Some(hit) => {
                            // The detector's window straddles the burst edges; measure the tone
                            // again on the burst's central 100 symbols for an unbiased offset.
                            let centre = hit.burst_start.round() as i64 + 24 * SPS as i64
                                - self.buf_base as i64;
                            let refined = usize::try_from(centre).ok().and_then(|c| {
                                tone_freq(&self.buf, c, 100 * SPS, INTERNAL_RATE_SPS)
                            });
                            match refined {
                                Some((f, coh)) if coh > 0.5 => {
                                    self.state = State::SchWait {
                                        start: hit.burst_start + FRAME_SAMPLES as f64,
                                        freq_hz: f - FCCH_TONE_HZ,
                                    };
                                }
                                _ => {}
                            }
                        }
                        None => return,
                    }
                }
                State::SchWait { start, freq_hz } => {
                    let need = start + Demodulator::span_after(ACQ_SEARCH) as f64;
                    if need >= self.buf_end() as f64 {
                        return;
                    }
                    self.try_sch_acquire(start, freq_hz, events);
                }
                State::Track => {
                    let need = self.track.pos + Demodulator::span_after(TRACK_SEARCH) as f64 + 2.0;
                    if need >= self.buf_end() as f64 {
                        return;
                    }
                    self.track_frame(events);
                }
            }
        }
    }

    fn back_to_search(&mut self, from: f64) {
        self.state = State::Search;
        self.acc.active = false;
        let from = (from.max(0.0) as u64).max(self.buf_base);
        self.fcch.reset(from);
    }

    fn try_sch_acquire(&mut self, start: f64, freq_hz: f64, events: &mut Vec<GsmEvent>) {
        let p_abs = start.round();
        let p_rel = p_abs - self.buf_base as f64;
        if p_rel < Demodulator::span_before(ACQ_SEARCH) as f64
            || !self
                .demod
                .prepare(&self.buf, p_rel as usize, ACQ_SEARCH, freq_hz)
        {
            self.back_to_search(start + 700.0);
            return;
        }
        let est = self.demod.estimate(&self.tr_sch);
        // Re-centre on the found timing so the equaliser sees the whole burst.
        let p2 = p_rel as i64 + i64::from(est.delta);
        if p2 < 0
            || !self
                .demod
                .prepare(&self.buf, p2 as usize, TRACK_SEARCH, freq_hz)
        {
            self.back_to_search(start + 700.0);
            return;
        }
        let est = self.demod.estimate(&self.tr_sch);
        let power = mean_power(&self.buf, p2 as usize, BURST_SYMBOLS * SPS);
        let out = self.demod.equalize(&self.tr_sch, &est, power);
        // The 10-bit CRC alone passes one random burst in 1024: also demand that the 64-bit
        // extended training sequence actually fits (3 dB channel energy over residual).
        let decoded = if est.snr >= ACQ_MIN_SNR {
            sch_decode(&out.soft)
        } else {
            None
        };
        let Some(f) = decoded else {
            // Not an SCH after all (or too noisy): keep searching after this FCCH.
            self.back_to_search(start - FRAME_SAMPLES as f64 + 1200.0);
            return;
        };
        let pos =
            self.buf_base as f64 + p2 as f64 + f64::from(est.delta) + f64::from(est.delta_frac);
        let fn_ = f.frame_number() % HYPERFRAME;
        self.track = Track {
            fn_,
            pos,
            freq_hz: freq_hz + f64::from(out.freq_err_hz) * 0.5,
            drift: 0.0,
            bsic: f.bsic,
            sch_fail: 0,
            first_pos: pos,
            frames: 0,
            fit: [0.0; 5],
        };
        let sample = self.to_input_index(pos);
        events.push(GsmEvent::SyncAcquired {
            sample,
            freq_offset_hz: freq_hz,
        });
        self.emit_sch(f, fn_, sample, events);
        self.stats.freq_hz = Some(self.track.freq_hz);
        self.acc.active = false;
        self.state = State::Track;
        self.advance();
    }

    fn emit_sch(
        &mut self,
        f: crate::coding::SchFields,
        fn_: u32,
        sample: u64,
        events: &mut Vec<GsmEvent>,
    ) {
        self.stats.sch_ok += 1;
        self.stats.bsic = Some(f.bsic);
        events.push(GsmEvent::Sch(SchInfo {
            bsic: f.bsic,
            ncc: f.bsic >> 3,
            bcc: f.bsic & 7,
            fn_,
            t1: f.t1,
            t2: f.t2,
            t3: f.t3(),
            sample,
        }));
    }

    /// Move to the next frame.
    fn advance(&mut self) {
        self.track.fn_ = (self.track.fn_ + 1) % HYPERFRAME;
        self.track.pos += FRAME_SAMPLES as f64 + self.track.drift;
        self.track.frames += 1;
    }

    fn steer(&mut self, out: &BurstOut, p_rel: usize) {
        if out.est.snr < STEER_SNR {
            return;
        }
        let err = (p_rel as f64
            + self.buf_base as f64
            + f64::from(out.est.delta)
            + f64::from(out.est.delta_frac))
            - self.track.pos;
        let n = f64::from(self.track.frames);
        let y = self.track.pos + err - self.track.first_pos;
        let f = &mut self.track.fit;
        f[0] += n;
        f[1] += y;
        f[2] += n * n;
        f[3] += n * y;
        f[4] += 1.0;
        self.track.pos += 0.3 * err;
        self.track.drift += 0.01 * err;
        self.track.freq_hz += 0.05 * f64::from(out.freq_err_hz);
    }

    fn track_frame(&mut self, events: &mut Vec<GsmEvent>) {
        let fn_ = self.track.fn_;
        let p_abs = self.track.pos.round();
        let p_rel_f = p_abs - self.buf_base as f64;
        if p_rel_f < Demodulator::span_before(TRACK_SEARCH) as f64 {
            // Samples already dropped (cannot happen with the trim margin): resynchronise.
            self.back_to_search(self.buf_base as f64);
            return;
        }
        let p_rel = p_rel_f as usize;
        let combined = self.combined.unwrap_or(false);
        match frame_role(fn_, combined) {
            FrameRole::Idle => {}
            FrameRole::Fcch => {
                if let Some((f, coh)) =
                    tone_freq(&self.buf, p_rel + 12 * SPS, 124 * SPS, INTERNAL_RATE_SPS)
                {
                    if coh > 0.5 {
                        let resid = (f - FCCH_TONE_HZ) - self.track.freq_hz;
                        if resid.abs() < 5_000.0 {
                            self.track.freq_hz += 0.3 * resid;
                        }
                    }
                }
            }
            FrameRole::Sch => {
                let freq = self.track.freq_hz;
                if self.demod.prepare(&self.buf, p_rel, TRACK_SEARCH, freq) {
                    let est = self.demod.estimate(&self.tr_sch);
                    let power = mean_power(&self.buf, p_rel, BURST_SYMBOLS * SPS);
                    let out = self.demod.equalize(&self.tr_sch, &est, power);
                    match sch_decode(&out.soft) {
                        Some(f) => {
                            self.steer(&out, p_rel);
                            self.track.sch_fail = 0;
                            let got = f.frame_number() % HYPERFRAME;
                            if got != fn_ {
                                // Trust the SCH: the frame counter slipped (or the cell jumped).
                                self.track.fn_ = got;
                                self.acc.active = false;
                            }
                            self.track.bsic = f.bsic;
                            let sample = self.to_input_index(p_abs);
                            self.emit_sch(f, got, sample, events);
                        }
                        None => {
                            self.stats.sch_failed += 1;
                            self.track.sch_fail += 1;
                        }
                    }
                }
                if self.track.sch_fail >= MAX_SCH_FAIL {
                    events.push(GsmEvent::SyncLost {
                        sample: self.to_input_index(p_abs),
                    });
                    self.back_to_search(p_abs);
                    return;
                }
            }
            FrameRole::Data { channel, index } => {
                self.data_burst(fn_, p_rel, p_abs, channel, index, events);
            }
        }
        self.stats.freq_hz = Some(self.track.freq_hz);
        let [sn, sy, snn, sny, cnt] = self.track.fit;
        let den = cnt * snn - sn * sn;
        let clock_offset_ppm = if cnt >= 10.0 && den > 0.0 {
            let slope = (cnt * sny - sn * sy) / den;
            (slope / FRAME_SAMPLES as f64 - 1.0) * 1e6
        } else {
            0.0
        };
        self.stats.timing = Some(GsmTiming {
            first_ts0_sample: self.track.first_pos * self.step,
            clock_offset_ppm,
            frames_tracked: self.track.frames,
        });
        self.advance();
    }

    #[allow(clippy::too_many_arguments)]
    fn data_burst(
        &mut self,
        fn_: u32,
        p_rel: usize,
        p_abs: f64,
        channel: LogicalChannel,
        index: u8,
        events: &mut Vec<GsmEvent>,
    ) {
        if index == 0 {
            self.acc.active = true;
            self.acc.first_fn = fn_;
            self.acc.channel = channel;
            self.acc.have = 0;
            self.acc.dummy = 0;
            self.acc.snr_db_sum = 0.0;
            self.acc.first_sample = self.to_input_index(p_abs);
        }
        if !self.acc.active || self.acc.channel != channel {
            return;
        }
        let freq = self.track.freq_hz;
        if !self.demod.prepare(&self.buf, p_rel, TRACK_SEARCH, freq) {
            return;
        }
        let power = mean_power(&self.buf, p_rel, BURST_SYMBOLS * SPS);
        let tsc = usize::from(self.track.bsic & 7);
        let mut est = self.demod.estimate(&self.tr_nb[tsc]);
        // A clean training-sequence fit rules out a dummy burst; otherwise compare with a fit
        // of the dummy burst's known bits (TS 45.002 5.2.6), then reload the TSC timing.
        let mut is_dummy = false;
        if est.snr < 8.0 {
            let est_dummy = self.demod.estimate(&self.tr_dummy);
            is_dummy = est_dummy.snr > 2.0 * est.snr && est_dummy.snr > 1.0;
            if !is_dummy {
                est = self.demod.estimate(&self.tr_nb[tsc]);
            }
        }
        let i = usize::from(index & 3);
        if is_dummy {
            self.acc.dummy += 1;
            self.acc.soft[i] = [0.0; BURST_SYMBOLS];
            self.acc.have |= 1 << i;
        } else {
            let out = self.demod.equalize(&self.tr_nb[tsc], &est, power);
            self.steer(&out, p_rel);
            self.acc.soft[i] = out.soft;
            self.acc.have |= 1 << i;
            self.acc.snr_db_sum += 10.0 * est.snr.max(1e-6).log10();
        }
        self.stats.power_sum += f64::from(power);
        self.stats.power_n += 1;
        if i == 3 {
            self.acc.active = false;
            if self.acc.have != 0x0f {
                return;
            }
            let first_fn = self.acc.first_fn;
            let fn_mod51 = (first_fn % 51) as u8;
            let first_sample = self.acc.first_sample;
            if self.acc.dummy >= 2 {
                self.stats.blocks_idle += 1;
                return;
            }
            let dec = xcch_decode(&self.acc.soft);
            let last = self.to_input_index(p_abs);
            if dec.fire_ok {
                let live = 4 - u32::from(self.acc.dummy);
                let snr_db = self.acc.snr_db_sum / live as f32;
                self.stats.blocks_ok += 1;
                self.stats.snr_sum += f64::from(snr_db);
                self.stats.snr_n += 1;
                self.stats.first_sample.get_or_insert(first_sample);
                self.stats.last_sample = Some(last);
                self.learn_ccch_conf(channel, &dec.bytes);
                events.push(GsmEvent::Block(L2Block {
                    fn_: first_fn,
                    fn_mod51,
                    channel,
                    timeslot: 0,
                    bytes: dec.bytes,
                    coded_bit_errors: dec.coded_bit_errors,
                    snr_db,
                    freq_offset_hz: self.track.freq_hz,
                    first_sample,
                }));
            } else {
                self.stats.blocks_failed += 1;
                events.push(GsmEvent::BlockFailed {
                    fn_: first_fn,
                    fn_mod51,
                    channel,
                    first_sample,
                });
            }
        }
    }

    /// SI3 (TS 44.018 9.1.35) carries the Control Channel Description, whose CCCH_CONF
    /// (TS 44.018 10.5.2.11) says whether SDCCH/4 shares TS0. Only this one field is read here.
    fn learn_ccch_conf(&mut self, channel: LogicalChannel, b: &[u8; 23]) {
        if self.combined.is_some() || !matches!(channel, LogicalChannel::Bcch { .. }) {
            return;
        }
        // L2 pseudo length, then skip indicator + RR protocol discriminator 0x06, type 0x1b.
        if b[1] == 0x06 && b[2] == 0x1b {
            self.combined = Some(b[10] & 0x07 == 1);
        }
    }
}
