//! The GSM receiver of a session: one narrowband receiver on the carrier at 0 Hz (a one-ARFCN
//! recording or radio), or the wideband receiver that channelises once and decodes every active
//! carrier of a wide capture; layer 3 parsing; a measurement of each cell every
//! [`OBSERVATION_INTERVAL_S`].
//!
//! A cell is heard (FCCH/SCH) about a second before its SI3 names it. Its events are held
//! until then (at most [`HOLD_MAX_S`]) and released with the identity, so the store and the
//! detector meet each cell under one key, and a wideband echo (a strong carrier decoded again
//! 200 kHz off) is recognised by its identity and never reported.

use std::collections::BTreeMap;

use cellsentry_capture::IqBlock;
use cellsentry_detect::scene::thin_series;
use cellsentry_detect::{
    CellObservation, FreqPriority, GsmSystemInfo, PagingCounters, Rat, SiFingerprint,
};
use cellsentry_dsp::bandplan::{gsm_bands_for_arfcn, gsm_channels_for_dl_freq};
use cellsentry_gsm::gsmtap::{gsmtap_payload, GsmtapRadio};
use cellsentry_gsm::{
    l3_channel, GsmCellMeasurement, GsmEvent, GsmReceiver, WidebandConfig, WidebandGsm,
};
use cellsentry_gsm_l3::{
    parse_l2_block, CellSystemInfo, GsmSiType, L3Message, MobileIdentity, RachControl,
};
use num_complex::Complex32;
use serde_json::json;

use crate::receiver::{CellMeasurement, CellMessage, CellPaging, CellRef, Receiver, RxEvent};
use crate::result::{
    DecodedMessage, GsmCellResult, GsmIdentity, PowerSample, MAX_MESSAGES_PER_CELL,
};

/// How often a cell's power is sampled into its timeline (and stored as an observation).
pub const OBSERVATION_INTERVAL_S: f64 = 0.5;
/// Longest time a new cell's events wait for its SI3/SI4 identity before they are released
/// with what is known (SI3 comes about every second; a weak cell may never show it).
pub const HOLD_MAX_S: f64 = 3.0;
/// Above this rate a capture holds more than one GSM channel worth decoding.
pub const NARROWBAND_MAX_SPS: f64 = 1.5e6;

/// The decoder in use: one carrier, or every carrier of a wide capture.
enum Front {
    Narrow(Box<GsmReceiver>),
    Wide(Box<WidebandGsm>),
}

/// Power of the narrowband signal over one observation interval.
#[derive(Default)]
struct PowerInterval {
    sum: f64,
    n: u64,
    start_s: f64,
}

/// Everything learnt of one GSM carrier while its blocks come in.
struct Track {
    cell: CellRef,
    arfcn: Option<u16>,
    band: Option<String>,
    carrier_freq_hz: Option<f64>,
    sysinfo: CellSystemInfo,
    /// Latest measurement of the current front plus the counters of earlier fronts (a gap in
    /// the stream rebuilds the front).
    measurement: GsmCellMeasurement,
    carried: GsmCellMeasurement,
    /// Counters at the previous measurement event (for per-interval deltas).
    reported_ok: u32,
    reported_failed: u32,
    paging_delta: PagingCounters,
    paging_total: PagingCounters,
    fill_frames: u32,
    messages: Vec<DecodedMessage>,
    messages_omitted: u64,
    power: Vec<PowerSample>,
    /// Events waiting for the cell's identity; `None` once released.
    held: Option<Vec<RxEvent>>,
    /// Signal time of the first event held.
    held_since_s: Option<f64>,
    /// A wideband echo of another track: never reported.
    echo: bool,
    /// Signal time of the first block decoded.
    first_heard_s: Option<f64>,
    last_summary: Option<serde_json::Value>,
}

impl Track {
    fn new(cell: CellRef, arfcn: Option<u16>, band: Option<String>, freq: Option<f64>) -> Self {
        Track {
            cell,
            arfcn,
            band,
            carrier_freq_hz: freq,
            sysinfo: CellSystemInfo::new(),
            measurement: GsmCellMeasurement::default(),
            carried: GsmCellMeasurement::default(),
            reported_ok: 0,
            reported_failed: 0,
            paging_delta: PagingCounters::default(),
            paging_total: PagingCounters::default(),
            fill_frames: 0,
            messages: Vec::new(),
            messages_omitted: 0,
            power: Vec::new(),
            held: Some(Vec::new()),
            held_since_s: None,
            echo: false,
            first_heard_s: None,
            last_summary: None,
        }
    }

    /// Synchronised at least once: worth reporting.
    fn found(&self) -> bool {
        self.measurement.bsic.is_some() || self.measurement.blocks_ok > 0
    }

    fn identity_known(&self) -> bool {
        self.sysinfo
            .cell_id()
            .is_some_and(|c| c.cell_identity.is_some())
    }

    fn emit(&mut self, event: RxEvent, now_s: f64, out: &mut Vec<RxEvent>) {
        match &mut self.held {
            Some(held) => {
                self.held_since_s.get_or_insert(now_s);
                held.push(event);
            }
            None if !self.echo => out.push(event),
            None => {}
        }
    }
}

/// Adds the counters of `b` to `a` (measurements of two consecutive fronts of one cell).
fn add_counts(a: &mut GsmCellMeasurement, b: &GsmCellMeasurement) {
    a.blocks_ok += b.blocks_ok;
    a.blocks_failed += b.blocks_failed;
    a.blocks_idle += b.blocks_idle;
    a.sch_ok += b.sch_ok;
    a.sch_failed += b.sch_failed;
}

/// The GSM receiver of a session.
pub struct GsmRx {
    /// Decoded messages kept per cell for the stream's summary (all go to the store).
    max_messages: usize,
    id: u16,
    rate_sps: f64,
    center_freq_hz: f64,
    /// `None` once finished.
    front: Option<Front>,
    wideband: bool,
    /// Threads of the wideband receiver's channel decoding (0: one per core).
    threads: usize,
    tracks: BTreeMap<u16, Track>,
    narrow_power: Option<PowerInterval>,
    /// Stream sample index of the front's sample 0.
    base_sample: u64,
    /// Next stream sample expected.
    next_sample: u64,
    /// Next wideband measurement time.
    next_wide_s: f64,
    pcap: bool,
    next_index: u32,
}

/// Key of the narrowband receiver's single track when the carrier's ARFCN is unknown.
const NARROW_UNKNOWN: u16 = u16::MAX;

impl GsmRx {
    /// A GSM receiver for a stream at `rate_sps` centred on `center_freq_hz` (0: unknown);
    /// `Err` says why none can run (rate not supported, a wide capture of unknown frequency).
    /// `start_sample`: the stream sample index the receiver starts at (a scan's later step).
    /// Keeps at most `n` decoded messages per cell in the summary (a live run keeps few:
    /// they are all stored, and a long run must not grow).
    pub fn with_message_cap(mut self, n: usize) -> Self {
        self.max_messages = n;
        self
    }

    pub fn new(
        id: u16,
        rate_sps: f64,
        center_freq_hz: f64,
        start_sample: u64,
        pcap: bool,
        threads: usize,
    ) -> Result<Self, String> {
        let front = Self::build_front(rate_sps, center_freq_hz, threads)?;
        let mut rx = GsmRx {
            max_messages: MAX_MESSAGES_PER_CELL,
            id,
            rate_sps,
            center_freq_hz,
            threads,
            wideband: matches!(front, Front::Wide(_)),
            front: Some(front),
            tracks: BTreeMap::new(),
            narrow_power: None,
            base_sample: start_sample,
            next_sample: start_sample,
            next_wide_s: start_sample as f64 / rate_sps + OBSERVATION_INTERVAL_S,
            pcap,
            next_index: 0,
        };
        if matches!(rx.front, Some(Front::Narrow(_))) {
            let carrier = (center_freq_hz > 0.0).then_some(center_freq_hz);
            let channel =
                carrier.and_then(|f| gsm_channels_for_dl_freq(f, None).into_iter().next());
            let key = channel.as_ref().map_or(NARROW_UNKNOWN, |c| c.arfcn);
            let track = Track::new(
                rx.cell_ref(),
                channel.as_ref().map(|c| c.arfcn),
                channel.as_ref().map(|c| c.band.name().to_string()),
                carrier,
            );
            rx.tracks.insert(key, track);
            rx.narrow_power = Some(PowerInterval {
                start_s: start_sample as f64 / rate_sps,
                ..PowerInterval::default()
            });
        }
        Ok(rx)
    }

    /// Whether this is the wideband receiver (several carriers).
    pub fn is_wideband(&self) -> bool {
        self.wideband
    }

    /// The receiver for the capture: narrowband, or wideband decoding its channels on
    /// `threads` threads (0: one per core).
    fn build_front(rate_sps: f64, center_freq_hz: f64, threads: usize) -> Result<Front, String> {
        let carrier = (center_freq_hz > 0.0).then_some(center_freq_hz);
        if rate_sps <= NARROWBAND_MAX_SPS {
            GsmReceiver::new(rate_sps, carrier)
                .map(|rx| Front::Narrow(Box::new(rx)))
                .map_err(|e| e.to_string())
        } else {
            let f = carrier.ok_or_else(|| {
                "a wide capture needs its centre frequency to find the GSM channels".to_string()
            })?;
            let cfg = WidebandConfig {
                threads,
                ..WidebandConfig::default()
            };
            WidebandGsm::new(rate_sps, f, &cfg)
                .map(|rx| Front::Wide(Box::new(rx)))
                .map_err(|e| e.to_string())
        }
    }

    fn cell_ref(&mut self) -> CellRef {
        let r = CellRef {
            receiver: self.id,
            index: self.next_index,
        };
        self.next_index += 1;
        r
    }

    /// The track of a wideband channel, created on first sight.
    fn wide_track(&mut self, arfcn: u16) -> &mut Track {
        let next = CellRef {
            receiver: self.id,
            index: self.next_index,
        };
        let center = self.center_freq_hz;
        let mut created = false;
        let track = self.tracks.entry(arfcn).or_insert_with(|| {
            created = true;
            // ARFCN numbers repeat across bands (DCS/PCS): the one near the capture is meant.
            let channel = gsm_bands_for_arfcn(arfcn)
                .into_iter()
                .filter_map(|b| b.channel(arfcn))
                .min_by(|a, b| {
                    (a.dl_freq_hz - center)
                        .abs()
                        .total_cmp(&(b.dl_freq_hz - center).abs())
                });
            Track::new(
                next,
                Some(arfcn),
                channel.as_ref().map(|c| c.band.name().to_string()),
                channel.as_ref().map(|c| c.dl_freq_hz),
            )
        });
        if created {
            self.next_index += 1;
        }
        track
    }

    fn handle(&mut self, key: u16, event: GsmEvent, out: &mut Vec<RxEvent>) {
        let rate = self.rate_sps;
        let base = self.base_sample;
        let pcap = self.pcap;
        let Some(track) = self.tracks.get_mut(&key) else {
            return;
        };
        let GsmEvent::Block(mut block) = event else {
            return;
        };
        block.first_sample += base;
        let time_s = block.first_sample as f64 / rate;
        track.first_heard_s.get_or_insert(time_s);
        if pcap {
            let radio = GsmtapRadio {
                arfcn: track.arfcn.unwrap_or(0),
                pcs: track.band.as_deref() == Some("PCS1900"),
                // dBFS, not dBm: the radio's gain calibration is not known here.
                signal_dbm: track.measurement.power_dbfs.unwrap_or(0.0),
                antenna: 0,
            };
            let packet = gsmtap_payload(&block, &radio);
            track.emit(RxEvent::Frame { time_s, packet }, time_s, out);
        }
        let message = parse_l2_block(l3_channel(block.channel), &block.bytes);
        if matches!(message, L3Message::Fill { .. }) {
            track.fill_frames += 1;
            return;
        }
        track.sysinfo.update(&message);
        paging(track, &message, time_s, out);
        let (decoded, error) = match &message {
            L3Message::Unparsed { reason, .. } => (None, Some(reason.to_string())),
            m => (serde_json::to_value(redact(m)).ok(), None),
        };
        let message_type = message.message_type_name().to_string();
        if track.messages.len() < self.max_messages {
            track.messages.push(DecodedMessage {
                time_s,
                frame_number: block.fn_,
                channel: block.channel,
                message_type: message_type.clone(),
                raw: block.bytes.to_vec(),
                decoded: decoded.clone(),
                error: error.clone(),
                snr_db: block.snr_db,
            });
        } else {
            track.messages_omitted += 1;
        }
        let msg = CellMessage {
            time_s,
            frame_number: Some(block.fn_),
            channel: format!("{:?}", block.channel),
            message_type,
            raw: block.bytes.to_vec(),
            decoded,
            error,
        };
        track.emit(RxEvent::Message(track.cell, Box::new(msg)), time_s, out);
    }

    /// Updates each track's measurement from the front.
    fn refresh_measurements(&mut self) {
        match &self.front {
            None => {}
            Some(Front::Narrow(rx)) => {
                let m = rx.measurement();
                if let Some(t) = self.tracks.values_mut().next() {
                    t.measurement = with_carried(m, &t.carried);
                }
            }
            Some(Front::Wide(rx)) => {
                for m in rx.measurements() {
                    let Some(arfcn) = m.arfcn else { continue };
                    if let Some(t) = self.tracks.get_mut(&arfcn) {
                        t.measurement = with_carried(m, &t.carried);
                    }
                }
            }
        }
    }

    /// One measurement event per reportable track at `time_s` (`power_dbfs`: the interval's
    /// power, narrowband only; the wideband receiver reports its TS0 burst power).
    fn measure(&mut self, time_s: f64, power_dbfs: Option<f64>, out: &mut Vec<RxEvent>) {
        self.refresh_measurements();
        for track in self.tracks.values_mut() {
            if power_dbfs.is_none() && !track.found() {
                continue;
            }
            let power = power_dbfs.or(track.measurement.power_dbfs.map(f64::from));
            if let Some(p) = power {
                track.power.push(PowerSample {
                    time_s,
                    power_dbfs: p,
                });
                // A live run of any length keeps a bounded power series, the newest half
                // whole (the detector's histories do the same).
                thin_series(&mut track.power, |s| (s.time_s * 1000.0) as i64);
            }
            let ev = measurement(track, time_s, power);
            track.emit(ev, time_s, out);
        }
        self.release(time_s, out);
    }

    /// Releases every held track whose identity is known or that waited long enough.
    fn release(&mut self, now_s: f64, out: &mut Vec<RxEvent>) {
        let keys: Vec<u16> = self.tracks.keys().copied().collect();
        for k in keys {
            let ready = self.tracks.get(&k).is_some_and(|t| {
                t.held.is_some()
                    && t.found()
                    && (t.identity_known()
                        || t.held_since_s.is_some_and(|s| now_s - s >= HOLD_MAX_S))
            });
            if ready {
                self.release_track(k, out);
            }
        }
    }

    fn release_track(&mut self, key: u16, out: &mut Vec<RxEvent>) {
        let echo = self.is_echo(key);
        let Some(track) = self.tracks.get_mut(&key) else {
            return;
        };
        let Some(held) = track.held.take() else {
            return;
        };
        track.echo = echo;
        if echo {
            return;
        }
        // Held measurements get the identity and system information known now: a replayed
        // carrier is one cell throughout.
        let key = identity_obs(track);
        let si = gsm_system_info(&track.sysinfo);
        for mut ev in held {
            if let RxEvent::Measurement(_, m) = &mut ev {
                m.detect.plmn.clone_from(&key.plmn);
                m.detect.lac_tac = key.lac_tac;
                m.detect.cell_id = key.cell_id;
                m.detect.bsic_pci = m.detect.bsic_pci.or(key.bsic_pci);
                m.detect.gsm = Some(si.clone());
            }
            out.push(ev);
        }
    }

    /// A strong carrier leaks into the next channel's filter, and that channel's receiver
    /// locks onto it about 200 kHz off. The same cell (same BSIC and identity) decoded on a
    /// neighbouring ARFCN is one cell: the decode closest to its channel centre is kept.
    fn is_echo(&self, key: u16) -> bool {
        let Some(t) = self.tracks.get(&key) else {
            return false;
        };
        if !self.is_wideband() {
            return false;
        }
        let offset = |t: &Track| t.measurement.freq_offset_hz.map_or(f64::MAX, f64::abs);
        let id = t.sysinfo.cell_id();
        self.tracks.iter().any(|(k, o)| {
            *k != key
                && !o.echo
                && k.abs_diff(key) <= 2
                && o.found()
                && o.measurement.bsic == t.measurement.bsic
                && o.sysinfo.cell_id() == id
                && (offset(o), *k) < (offset(t), key)
        })
    }

    fn push_samples(&mut self, samples: &[Complex32], first_sample: u64, out: &mut Vec<RxEvent>) {
        match &mut self.front {
            None => {}
            Some(Front::Narrow(rx)) => {
                let events = rx.push(samples);
                let key = *self.tracks.keys().next().unwrap_or(&NARROW_UNKNOWN);
                for e in events {
                    self.handle(key, e, out);
                }
                self.narrow_power_intervals(samples, first_sample, out);
            }
            Some(Front::Wide(rx)) => {
                let events = rx.push(samples);
                for (arfcn, e) in events {
                    self.wide_track(arfcn);
                    self.handle(arfcn, e, out);
                }
                let end_s = (first_sample + samples.len() as u64) as f64 / self.rate_sps;
                while end_s >= self.next_wide_s {
                    let t = self.next_wide_s - OBSERVATION_INTERVAL_S;
                    self.next_wide_s += OBSERVATION_INTERVAL_S;
                    self.measure(t, None, out);
                }
            }
        }
    }

    fn narrow_power_intervals(
        &mut self,
        samples: &[Complex32],
        first: u64,
        out: &mut Vec<RxEvent>,
    ) {
        let per_interval = OBSERVATION_INTERVAL_S * self.rate_sps;
        let mut done = Vec::new();
        if let Some(p) = &mut self.narrow_power {
            for (i, s) in samples.iter().enumerate() {
                p.sum += f64::from(s.norm_sqr());
                p.n += 1;
                if p.n as f64 >= per_interval {
                    if p.sum > 0.0 {
                        done.push((p.start_s, 10.0 * (p.sum / p.n as f64).log10()));
                    }
                    p.sum = 0.0;
                    p.n = 0;
                    p.start_s = (first + i as u64 + 1) as f64 / self.rate_sps;
                }
            }
        }
        for (t, power) in done {
            self.measure(t, Some(power), out);
        }
    }

    /// A gap in the stream (samples dropped): the front restarts at the next sample and
    /// re-acquires sync; what was learnt of each cell stays.
    fn bridge_gap(&mut self, first_sample: u64) {
        self.refresh_measurements();
        for t in self.tracks.values_mut() {
            t.carried = t.measurement.clone();
        }
        if let Ok(front) = Self::build_front(self.rate_sps, self.center_freq_hz, self.threads) {
            self.front = Some(front);
        }
        self.base_sample = first_sample;
        if let Some(p) = &mut self.narrow_power {
            *p = PowerInterval {
                start_s: first_sample as f64 / self.rate_sps,
                ..PowerInterval::default()
            };
        }
    }

    /// The summaries of the cells found, echoes left out, by ARFCN.
    fn summaries(&mut self) -> Vec<GsmCellResult> {
        let mut out = Vec::new();
        for t in self.tracks.values_mut() {
            if !t.found() || t.echo {
                continue;
            }
            let id = t.sysinfo.cell_id();
            out.push(GsmCellResult {
                cell: t.cell,
                arfcn: t.arfcn,
                band: t.band.clone(),
                carrier_freq_hz: t.carrier_freq_hz,
                measurement: t.measurement.clone(),
                sysinfo: t.sysinfo.clone(),
                messages: std::mem::take(&mut t.messages),
                messages_omitted: t.messages_omitted,
                fill_frames: t.fill_frames,
                paging: t.paging_total,
                power: std::mem::take(&mut t.power),
                identity: id.map(|c| GsmIdentity {
                    plmn: c.plmn,
                    lac: c.lac,
                    cell_identity: c.cell_identity,
                }),
                neighbours: t
                    .sysinfo
                    .seen(GsmSiType::Si2)
                    .then(|| t.sysinfo.neighbour_arfcns()),
            });
        }
        out
    }
}

impl Receiver for GsmRx {
    fn name(&self) -> &'static str {
        if self.is_wideband() {
            "gsm-wideband"
        } else {
            "gsm"
        }
    }

    fn push(&mut self, block: &IqBlock, out: &mut Vec<RxEvent>) {
        if block.first_sample > self.next_sample {
            self.bridge_gap(block.first_sample);
        }
        self.next_sample = block.first_sample + block.samples.len() as u64;
        self.push_samples(&block.samples, block.first_sample, out);
    }

    fn finish(&mut self, out: &mut Vec<RxEvent>) {
        let end_s = self.next_sample as f64 / self.rate_sps;
        // The front ends: the last blocks of a wide capture are decoded now.
        match self.front.take() {
            None => return,
            Some(Front::Narrow(rx)) => {
                let m = rx.finish();
                if let Some(t) = self.tracks.values_mut().next() {
                    t.measurement = with_carried(m, &t.carried);
                }
                // The last, partial power interval.
                let last = self.narrow_power.take().filter(|p| p.n > 0 && p.sum > 0.0);
                self.narrow_power = None;
                if let Some(p) = last {
                    let power = 10.0 * (p.sum / p.n as f64).log10();
                    self.measure_final(p.start_s, Some(power), out);
                } else if self.tracks.values().all(|t| t.power.is_empty()) {
                    // A stream shorter than one interval: one measurement at its start.
                    self.measure_final(0.0, None, out);
                }
            }
            Some(Front::Wide(rx)) => {
                let (events, measurements) = rx.finish();
                for (arfcn, e) in events {
                    self.wide_track(arfcn);
                    self.handle(arfcn, e, out);
                }
                for m in measurements {
                    let Some(arfcn) = m.arfcn else { continue };
                    let t = self.wide_track(arfcn);
                    t.measurement = with_carried(m, &t.carried);
                }
                let t = (self.next_wide_s - OBSERVATION_INTERVAL_S).min(end_s);
                self.measure_final(t, None, out);
            }
        }
        // Everything still held goes out now, with what is known.
        let keys: Vec<u16> = self.tracks.keys().copied().collect();
        for k in keys {
            if self.tracks.get(&k).is_some_and(Track::found) {
                self.release_track(k, out);
            }
        }
        for s in self.summaries() {
            out.push(RxEvent::GsmDone(Box::new(s)));
        }
    }
}

impl GsmRx {
    /// The last measurement of every found track, with the counters that are left.
    fn measure_final(&mut self, time_s: f64, power_dbfs: Option<f64>, out: &mut Vec<RxEvent>) {
        for track in self.tracks.values_mut() {
            if !track.found() {
                continue;
            }
            let power = power_dbfs.or(track.measurement.power_dbfs.map(f64::from));
            if let Some(p) = power {
                track.power.push(PowerSample {
                    time_s,
                    power_dbfs: p,
                });
            }
            let mut ev = measurement(track, time_s, power);
            if let RxEvent::Measurement(_, m) = &mut ev {
                // The last measurement carries the cell's summary whatever changed.
                if m.summary.is_none() {
                    m.summary = track.last_summary.clone();
                }
            }
            track.emit(ev, time_s, out);
        }
    }
}

fn with_carried(mut m: GsmCellMeasurement, carried: &GsmCellMeasurement) -> GsmCellMeasurement {
    add_counts(&mut m, carried);
    if m.bsic.is_none() {
        m.bsic = carried.bsic;
    }
    if m.power_dbfs.is_none() {
        m.power_dbfs = carried.power_dbfs;
    }
    m
}

/// The partial cell key a track carries now (the detector's observation fields).
fn identity_obs(track: &Track) -> CellObservation {
    let mut o = CellObservation::new(Rat::Gsm, 0);
    o.channel = track.arfcn.map(u32::from);
    o.bsic_pci = track.measurement.bsic.map(u16::from);
    if let Some(id) = track.sysinfo.cell_id() {
        // As broadcast: a PLMN with non-decimal digits is kept (the detector flags it).
        o.plmn = Some(id.plmn);
        o.lac_tac = Some(u32::from(id.lac));
        o.cell_id = id.cell_identity.map(u32::from);
    }
    o
}

/// A measurement event of a track at `time_s`.
fn measurement(track: &mut Track, time_s: f64, power_dbfs: Option<f64>) -> RxEvent {
    let m = &track.measurement;
    let mut o = identity_obs(track);
    o.time_unix_ms = (time_s * 1000.0) as i64;
    o.dl_freq_hz = track.carrier_freq_hz;
    o.power_dbfs = power_dbfs;
    o.snr_db = m.snr_db.map(f64::from);
    o.freq_offset_hz = m.freq_offset_hz;
    o.freq_offset_ppm = m.freq_offset_ppm;
    if !track.sysinfo.si_types_seen().is_empty() {
        o.gsm = Some(gsm_system_info(&track.sysinfo));
    }
    // Paging counters are deltas: the detector sums them.
    o.paging = Some(std::mem::take(&mut track.paging_delta));
    // Issue #13: the SI fingerprint shared in exports and matched by the watch-list.
    let si_fingerprint = o
        .gsm
        .as_ref()
        .and_then(|g| SiFingerprint::gsm(g, track.arfcn.map(u32::from)));
    let summary = json!({
        "si_fingerprint": si_fingerprint,
        "arfcn": track.arfcn,
        "band": track.band,
        "bsic": m.bsic,
        "system_information": o.gsm,
        "paging": track.paging_total,
        "blocks_idle": m.blocks_idle,
        "sch_ok": m.sch_ok,
        "fill_frames": track.fill_frames,
    });
    let changed = track.last_summary.as_ref() != Some(&summary);
    if changed {
        track.last_summary = Some(summary.clone());
    }
    let ev = CellMeasurement {
        first_heard_s: track.first_heard_s,
        detect: o,
        freq_hz: track.carrier_freq_hz.unwrap_or(0.0),
        blocks_ok: m.blocks_ok.saturating_sub(track.reported_ok),
        blocks_failed: m.blocks_failed.saturating_sub(track.reported_failed),
        summary: changed.then_some(summary),
    };
    track.reported_ok = m.blocks_ok;
    track.reported_failed = m.blocks_failed;
    RxEvent::Measurement(track.cell, Box::new(ev))
}

/// Counts the identities of a paging message and hands them to the store (which hashes them).
fn paging(track: &mut Track, message: &L3Message, time_s: f64, out: &mut Vec<RxEvent>) {
    let is_paging = matches!(
        message,
        L3Message::PagingRequest1(_) | L3Message::PagingRequest2(_) | L3Message::PagingRequest3(_)
    );
    if !is_paging {
        return;
    }
    let mut identities = Vec::new();
    for id in message.paged_identities() {
        let (kind, value) = match id {
            MobileIdentity::Imsi(v) => ("imsi", v.clone()),
            MobileIdentity::Tmsi(v) => ("tmsi", v.clone()),
            MobileIdentity::Imei(v) | MobileIdentity::ImeiSv(v) => ("imei", v.clone()),
            _ => continue,
        };
        for p in [&mut track.paging_delta, &mut track.paging_total] {
            match kind {
                "imsi" => p.imsi_pages += 1,
                "tmsi" => p.tmsi_pages += 1,
                _ => {}
            }
        }
        identities.push((kind, value));
    }
    if identities.is_empty() {
        track.paging_delta.empty_pages += 1;
        track.paging_total.empty_pages += 1;
    }
    let ev = RxEvent::Paging(track.cell, CellPaging { time_s, identities });
    track.emit(ev, time_s, out);
}

/// The detector's view of what a GSM cell broadcast.
pub fn gsm_system_info(si: &CellSystemInfo) -> GsmSystemInfo {
    // SI3's control channel and selection parameters and SI2's NCC permitted: part of the SI
    // fingerprint (issue #13) and of the paging-configuration rule.
    let si3 = match si.latest.get(&GsmSiType::Si3) {
        Some(L3Message::Si3(s)) => Some(s),
        _ => None,
    };
    let si2 = match si.latest.get(&GsmSiType::Si2) {
        Some(L3Message::Si2(s)) => Some(s),
        _ => None,
    };
    GsmSystemInfo {
        si_types: si.si_types_seen(),
        t3212_decihours: si.t3212_decihours(),
        rach: si.rach_control().map(rach),
        cell_reselect_hysteresis_db: si.cell_reselect_hysteresis_db(),
        // RXLEV_ACCESS_MIN is coded 0..63 from -110 dBm in 1 dB steps (TS 45.008 8.1.4).
        rxlev_access_min: si
            .rxlev_access_min_dbm()
            .map(|dbm| (dbm + 110).clamp(0, 63) as u8),
        ms_txpwr_max_cch: si3.map(|s| s.cell_selection.ms_txpwr_max_cch),
        si3_rest_octets_decoded: si
            .seen(GsmSiType::Si3)
            .then(|| si.gprs_indicator_present().is_some()),
        cell_bar_qualify: si3
            .and_then(|s| s.rest_octets.decoded.as_ref())
            .and_then(|r| r.selection_parameters.as_ref())
            .map(|p| p.cbq),
        cell_reselect_offset_db: si.cell_reselect_offset_db(),
        temporary_offset_db: si.temporary_offset_db(),
        penalty_time_s: si.penalty_time_s(),
        gprs_indicator: si.gprs_indicator_present(),
        si2quater_announced: si.si2quater_announced(),
        si13_announced: si.si13_announced(),
        si2ter_announced: si.si2ter_announced(),
        neighbour_arfcns: si.seen(GsmSiType::Si2).then(|| si.neighbour_arfcns()),
        cell_channel_arfcns: si.cell_allocation_arfcns(),
        ncc_permitted: si2.map(|s| s.ncc_permitted),
        bs_ag_blks_res: si3.map(|s| s.control_channel.bs_ag_blks_res),
        bs_pa_mfrms: si3.map(|s| s.control_channel.bs_pa_mfrms_multiframes),
        // CCCH_CONF 1: one basic physical channel combined with SDCCH/4 (TS 44.018 10.5.2.11).
        ccch_combined: si3.map(|s| s.control_channel.ccch_conf == 1),
        eutran_neighbours: si
            .eutran_neighbours()
            .into_iter()
            .map(|n| FreqPriority {
                channel: u32::from(n.earfcn),
                priority: n.priority,
            })
            .collect(),
        geran_priority: si.geran_priority(),
    }
}

fn rach(r: &RachControl) -> cellsentry_detect::RachControl {
    cellsentry_detect::RachControl {
        emergency_call_barred: r.emergency_call_barred,
        cell_barred: r.cell_bar_access,
        access_class_barred_mask: r.acc_raw,
        re_not_allowed: r.re_not_allowed,
        max_retrans: Some(r.max_retrans),
        tx_integer_slots: Some(r.tx_integer_slots),
    }
}

/// Bystanders' identities must not reach the decoded JSON: they are counted, and stored only
/// hashed by the store. The raw bytes stay (they are the evidence), so paging messages keep
/// `decoded` without the identity values.
fn redact(message: &L3Message) -> serde_json::Value {
    let mut value = serde_json::to_value(message).unwrap_or(serde_json::Value::Null);
    if message.paged_identities().is_empty() {
        return value;
    }
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                // MobileIdentity serialises as {"type": "Imsi", "value": "..."}.
                let personal = map
                    .get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| matches!(t, "Imsi" | "Tmsi" | "Imei" | "ImeiSv"));
                if personal {
                    map.insert(
                        "value".into(),
                        serde_json::Value::String("<redacted>".into()),
                    );
                    return;
                }
                map.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut value);
    value
}
