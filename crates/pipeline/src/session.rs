//! The session: one source read to its end (or until stopped) through the receivers, the
//! detector and the store. `replay`, `monitor` and `scan` all run a [`Session`]; they differ
//! only in the source (file, radio, simulated radio), whether the reader may drop samples
//! when decoding falls behind (live) or waits (file), and what the caller prints.
//!
//! Everything is streamed: receivers and detector live for the whole run; observations,
//! messages, paging, alerts, detections and verdicts are committed to the store at least every
//! [`SessionOptions::commit_interval_s`] of signal, so a run stopped by a signal is kept with
//! everything decoded so far and a killed one loses at most that last interval. Memory stays
//! flat whatever the recording's length: the reader's queue is bounded, messages leave for the
//! store as they come, and the summary kept for printing is capped.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cellsentry_capture::{IqBlock, IqSource, SourceInfo};
use cellsentry_detect::{Alert, CarrierObservation, CellObservation, CellVerdict, Engine};
use cellsentry_model::{CellKey, VerdictLevel};
use cellsentry_store::{
    Batch, CellId, IdentityKind, NewAlert, NewChannelPower, NewDetection, NewMessage,
    NewObservation, NewRun, NewSpectrum, NewVerdict, PagedIdentity, PagingEvent, Rat, RunId,
    RunKind, RunStatus, Store,
};
use serde::Serialize;
use serde_json::{json, Value};

use cellsentry_geo::PositionSource;

use crate::gsm_rx::GsmRx;
use crate::lte_rx::LteRx;
use crate::pool::ReceiverPool;
use crate::reader::{Reader, ReaderItem};
use crate::receiver::{CellRef, Receiver, RxEvent};
use crate::result::{ReceiverStatus, StreamResult};
use crate::spectrum_rx::SpectrumRx;
use crate::PipelineError;

/// How a session runs.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub kind: RunKind,
    /// FFT size of the spectrum every session records.
    pub fft_size: usize,
    /// Signal seconds between two commits to the store.
    pub commit_interval_s: f64,
    /// Samples per block handed over by the reader thread.
    pub block_samples: usize,
    /// Blocks the reader's queue holds.
    pub queue_blocks: usize,
    /// A live source: when decoding falls behind, what the queue cannot hold is dropped and
    /// counted (a radio cannot wait). A file source waits instead.
    pub live: bool,
    /// Stop after this much signal (seconds).
    pub max_signal_s: Option<f64>,
    /// Build GSMTAP frames for `--pcap`.
    pub pcap: bool,
    /// Power in dBm = dBFS + this, where the front end was calibrated.
    pub dbm_offset_db: Option<f64>,
    /// Settings stored with the run (the command line's options).
    pub settings: Value,
    /// Keep every observation for the caller (`--survey-out`).
    pub keep_observations: bool,
    /// The sensor's fixed position (latitude, longitude), stored with the run.
    pub host_position: Option<(f64, f64)>,
    /// Run each receiver on its own thread (all cores; the output is the same as on one).
    pub threads: bool,
    /// Centre frequencies to step through, with the signal seconds to stay on each (scan);
    /// empty: stay where the source is tuned.
    pub steps: Vec<f64>,
    pub dwell_s: f64,
    /// Decoded messages per cell kept in the stream's summary ([`MAX_MESSAGES_PER_CELL`] for
    /// a replay's report; a live run keeps few, its messages are in the store).
    pub messages_per_cell: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            kind: RunKind::Replay,
            fft_size: 2048,
            commit_interval_s: 1.0,
            block_samples: 1 << 14,
            queue_blocks: 8,
            live: false,
            max_signal_s: None,
            pcap: false,
            dbm_offset_db: None,
            settings: json!({}),
            keep_observations: false,
            host_position: None,
            threads: true,
            steps: Vec::new(),
            dwell_s: 2.4,
            messages_per_cell: crate::result::MAX_MESSAGES_PER_CELL,
        }
    }
}

/// Signal per block handed from the reader to the receivers. Every block costs a few thread
/// hand-overs (reader, session, one per receiver), and on a loaded machine each waits for a
/// core: 1 ms blocks at 15.36 Msps spent two thirds of a replay's wall clock waiting.
const BLOCK_S: f64 = 0.004;

/// Samples per block at `rate_sps`: about [`BLOCK_S`] of signal, a power of two between 16 Ki
/// and 64 Ki samples (the output does not depend on it; the hand-over cost does).
pub fn block_samples_for_rate(rate_sps: f64) -> usize {
    let wanted = (BLOCK_S * rate_sps.max(0.0)) as usize;
    wanted.next_power_of_two().clamp(1 << 14, 1 << 16)
}

/// A live queue holds this much signal, so that a pause of the decoding thread (a store
/// checkpoint waiting on a busy disk, a burst of new cells) is absorbed rather than dropped.
const LIVE_QUEUE_S: f64 = 1.0;
/// ... but never more than this (20 Msps: 0.4 s).
const LIVE_QUEUE_BYTES: usize = 64 << 20;

/// Blocks of `block_samples` the live queue holds at `rate_sps` (at least `min_blocks`).
fn live_queue_blocks(rate_sps: f64, block_samples: usize, min_blocks: usize) -> usize {
    let block = block_samples.max(1);
    let by_time = (LIVE_QUEUE_S * rate_sps.max(0.0) / block as f64).ceil() as usize;
    let by_bytes = LIVE_QUEUE_BYTES / (block * std::mem::size_of::<num_complex::Complex32>());
    by_time.min(by_bytes).max(min_blocks)
}

/// What a session tells its caller while it runs.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    /// The run was opened in the store.
    Started { run: Option<RunId> },
    /// A cell's verdict rose. `latency_s`: signal time from the cell's first burst to this
    /// alert.
    Alert {
        alert: Alert,
        signal_time_s: f64,
        latency_s: Option<f64>,
    },
    /// A cell was measured (for live displays: the hunt's power trend and transmitter
    /// estimate). `time_s` is signal time, `time_unix_ms` the observation's time; the sensor's
    /// position then, when a position source knows it.
    Cell {
        key: CellKey,
        time_s: f64,
        time_unix_ms: i64,
        power_dbfs: Option<f64>,
        lat_deg: Option<f64>,
        lon_deg: Option<f64>,
    },
    /// Progress: signal seconds read, samples dropped so far (live display).
    Progress {
        signal_s: f64,
        samples: u64,
        dropped: u64,
    },
    /// A scan moved to the next centre frequency.
    Retuned { center_freq_hz: f64 },
}

/// A cell of the session: where the store keeps it and which detector history it is.
struct SessionCell {
    key: CellKey,
    stored_key: Option<CellKey>,
    store_id: Option<CellId>,
    detect_index: Option<usize>,
    first_heard_s: f64,
}

/// Writes waiting for the next commit.
#[derive(Default)]
struct Pending {
    events: Vec<(f64, RxEvent)>,
    alerts: Vec<(CellRef, Alert, Option<f64>)>,
}

/// How a session ended.
#[derive(Debug, Serialize)]
pub struct SessionOutcome {
    pub run_id: Option<RunId>,
    pub status: RunStatus,
    /// Start of the stream, ms since the Unix epoch (recording time when the file has it).
    pub base_unix_ms: i64,
    pub result: StreamResult,
    /// Final verdict of every cell, in the detector's order.
    pub verdicts: Vec<CellVerdict>,
    /// Every live alert, with its signal time and latency.
    pub alerts: Vec<AlertRecord>,
    /// The error that ended the stream early (a truncated file, a radio that failed), after
    /// everything before it was decoded and stored.
    #[serde(skip)]
    pub error: Option<PipelineError>,
    /// Every observation, when asked for (`keep_observations`).
    #[serde(skip)]
    pub observations: Vec<CellObservation>,
    #[serde(skip)]
    pub carriers: Vec<CarrierObservation>,
    /// Which verdict (index into `verdicts`) is each cell's.
    #[serde(skip)]
    pub verdict_index: HashMap<CellRef, usize>,
}

impl SessionOutcome {
    /// The verdict of a cell of `result` (its `cell` handle).
    pub fn verdict_for(&self, cell: CellRef) -> Option<&CellVerdict> {
        self.verdict_index
            .get(&cell)
            .and_then(|i| self.verdicts.get(*i))
    }
}

/// An alert as stored and printed.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRecord {
    pub alert: Alert,
    pub signal_time_s: f64,
    pub latency_s: Option<f64>,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A session over one source.
pub struct Session<'a> {
    opts: SessionOptions,
    engine: &'a mut Engine,
    store: Option<&'a mut Store>,
    run: Option<RunId>,
    info: SourceInfo,
    base_unix_ms: i64,
    /// The run's wall-clock start, and the monotonic clock then: its end is the start plus
    /// the time elapsed, so a system clock stepped back mid-run cannot put the end before
    /// the start or before the evidence.
    started_unix_ms: i64,
    started_at: Instant,
    receivers: ReceiverPool,
    statuses: Vec<ReceiverStatus>,
    cells: HashMap<CellRef, SessionCell>,
    /// Detections already stored, by (cell, rule).
    stored_detections: HashMap<(CellId, String), i64>,
    pending: Pending,
    result: StreamResult,
    alerts: Vec<AlertRecord>,
    observations: Vec<CellObservation>,
    carriers: Vec<CarrierObservation>,
    samples: u64,
    dropped: u64,
    last_commit_s: f64,
    signal_s: f64,
    next_receiver_id: u16,
    pcap: Option<&'a mut dyn FrameSink>,
    pcap_error: Option<std::io::Error>,
    positions: Option<&'a dyn PositionSource>,
}

/// Where GSMTAP frames go (`--pcap`), at their signal time (seconds since the Unix epoch).
pub trait FrameSink {
    fn write_frame(&mut self, time_unix_s: f64, packet: &[u8]) -> std::io::Result<()>;
}

impl<'a> Session<'a> {
    /// A session for a source described by `info`; opens its run in `store`.
    pub fn new(
        info: &SourceInfo,
        opts: SessionOptions,
        engine: &'a mut Engine,
        store: Option<&'a mut Store>,
    ) -> Result<Self, PipelineError> {
        let started = now_unix_ms();
        // Evidence times are capture times where the recording has them.
        let base_unix_ms = info
            .start_unix_ns
            .map_or(started, |ns| (ns / 1_000_000) as i64);
        engine.reset_live();
        let mut session = Session {
            opts,
            engine,
            store,
            run: None,
            info: info.clone(),
            base_unix_ms,
            started_unix_ms: started,
            started_at: Instant::now(),
            receivers: ReceiverPool::Inline(Vec::new()),
            statuses: Vec::new(),
            cells: HashMap::new(),
            stored_detections: HashMap::new(),
            pending: Pending::default(),
            result: StreamResult::empty(info.clone()),
            alerts: Vec::new(),
            observations: Vec::new(),
            carriers: Vec::new(),
            samples: 0,
            dropped: 0,
            last_commit_s: 0.0,
            signal_s: 0.0,
            next_receiver_id: 0,
            pcap: None,
            pcap_error: None,
            positions: None,
        };
        if let Some(store) = session.store.as_deref_mut() {
            let mut run = NewRun::new(session.opts.kind, info.description.clone(), started);
            run.device = info.device.clone();
            if let Some((lat, lon)) = session.opts.host_position {
                run.host_lat_deg = Some(lat);
                run.host_lon_deg = Some(lon);
            }
            run.sample_rate_hz = Some(info.sample_rate_hz);
            run.center_freq_hz = Some(info.center_freq_hz);
            // Chain of custody: the command line (given by the caller) and the ids and versions of
            // the rules that judge the run.
            let mut settings = session.opts.settings.clone();
            if let Some(map) = settings.as_object_mut() {
                let rules: Vec<Value> = session
                    .engine
                    .rules()
                    .iter()
                    .map(|r| json!({"id": r.id(), "version": r.version()}))
                    .collect();
                map.insert("rules".into(), Value::Array(rules));
            }
            run.settings = settings;
            session.run = Some(store.begin_run(&run)?);
        }
        session.build_receivers(info.center_freq_hz, 0);
        Ok(session)
    }

    /// Writes every GSMTAP frame to `sink` as it is decoded.
    pub fn with_frames(mut self, sink: &'a mut dyn FrameSink) -> Self {
        self.opts.pcap = true;
        self.pcap = Some(sink);
        self.build_receivers_again();
        self
    }

    fn build_receivers_again(&mut self) {
        self.receivers = ReceiverPool::Inline(Vec::new());
        self.statuses.clear();
        self.result.lte_error = None;
        let center = self.info.center_freq_hz;
        self.build_receivers(center, 0);
    }

    /// Gives every observation the sensor's position at its time (a track, a fixed sensor,
    /// gpsd).
    pub fn with_positions(mut self, source: Option<&'a dyn PositionSource>) -> Self {
        self.positions = source;
        self
    }

    /// The store the session writes (to add what the caller knows of the run, such as the
    /// recording's chain of custody).
    pub fn store_mut(&mut self) -> Option<&mut Store> {
        self.store.as_deref_mut()
    }

    /// The run this session writes, if it has a store.
    pub fn run_id(&self) -> Option<RunId> {
        self.run
    }

    /// Receivers for a stream centred on `center_freq_hz`; each one that cannot run is
    /// reported with the reason.
    fn build_receivers(&mut self, center_freq_hz: f64, start: u64) {
        let info = &self.info;
        let rate = info.sample_rate_hz;
        let seconds = info.total_samples.map(|n| n as f64 / rate.max(1.0));
        let carrier = (center_freq_hz > 0.0).then_some(center_freq_hz);
        // Receiver ids stay unique over a scan's steps, so each step's cells are its own.
        let base = self.next_receiver_id;
        self.next_receiver_id = self.next_receiver_id.wrapping_add(3);
        let mut receivers: Vec<Box<dyn Receiver>> = Vec::new();
        let mut statuses = Vec::new();
        match SpectrumRx::new(rate, center_freq_hz, self.opts.fft_size) {
            Ok(rx) => receivers.push(Box::new(rx)),
            Err(e) => statuses.push(ReceiverStatus {
                receiver: "spectrum".into(),
                running: false,
                note: Some(e),
            }),
        }
        // One thread means one thread: the wideband receiver's channels too.
        let gsm_threads = if self.opts.threads { 0 } else { 1 };
        match GsmRx::new(
            base + 1,
            rate,
            center_freq_hz,
            start,
            self.opts.pcap,
            gsm_threads,
        )
        .map(|rx| rx.with_message_cap(self.opts.messages_per_cell))
        {
            Ok(rx) => {
                statuses.push(ReceiverStatus {
                    receiver: rx.name().into(),
                    running: true,
                    note: None,
                });
                receivers.push(Box::new(rx));
            }
            Err(e) => statuses.push(ReceiverStatus {
                receiver: "gsm".into(),
                running: false,
                note: Some(e),
            }),
        }
        match LteRx::new(base + 2, rate, carrier, seconds, start, self.opts.pcap) {
            Ok(rx) => {
                statuses.push(ReceiverStatus {
                    receiver: "lte".into(),
                    running: true,
                    note: None,
                });
                receivers.push(Box::new(rx));
            }
            Err(e) => {
                self.result.lte_error = Some(e.clone());
                statuses.push(ReceiverStatus {
                    receiver: "lte".into(),
                    running: false,
                    note: Some(e),
                });
            }
        }
        self.receivers = ReceiverPool::new(receivers, self.opts.threads, 4);
        self.statuses.extend(statuses);
    }

    /// Reads `source` to its end (or until `stop` is set, or `max_signal_s`), decoding,
    /// judging and storing as it goes; `observer` hears alerts and progress.
    pub fn run(
        mut self,
        source: Box<dyn IqSource>,
        stop: &AtomicBool,
        observer: &mut dyn FnMut(&SessionEvent),
    ) -> Result<SessionOutcome, PipelineError> {
        let run = self.run;
        let outcome = self.run_stream(source, stop, observer);
        if let (Err(_), Some(run)) = (&outcome, run) {
            // A store that failed mid-run (disk full, I/O error) may still take the status
            // update, which needs no new page: what was committed stays, marked as failed.
            // If even that fails the run stays `running`, which is what it truly is.
            let ended = self.end_unix_ms();
            if let Some(store) = self.store.as_deref_mut() {
                let _ = store.finish_run(run, RunStatus::Failed, ended);
            }
        }
        outcome
    }

    fn run_stream(
        &mut self,
        source: Box<dyn IqSource>,
        stop: &AtomicBool,
        observer: &mut dyn FnMut(&SessionEvent),
    ) -> Result<SessionOutcome, PipelineError> {
        observer(&SessionEvent::Started { run: self.run });
        let queue_blocks = if self.opts.live {
            live_queue_blocks(
                self.info.sample_rate_hz,
                self.opts.block_samples,
                self.opts.queue_blocks,
            )
        } else {
            self.opts.queue_blocks
        };
        let reader = Reader::spawn(
            source,
            self.opts.block_samples,
            queue_blocks,
            self.opts.live,
            self.opts.steps.clone(),
            self.opts.dwell_s,
        );
        let mut stream_error = None;
        let mut stopped = false;
        let mut last_progress = Instant::now();
        let mut center = self.info.center_freq_hz;
        loop {
            if stop.load(Ordering::Relaxed) {
                stopped = true;
                break;
            }
            if self
                .opts
                .max_signal_s
                .is_some_and(|max| self.signal_s >= max)
            {
                break;
            }
            let item = match reader.next(Duration::from_millis(200)) {
                Some(item) => item,
                None => continue,
            };
            match item {
                ReaderItem::Block(block) => {
                    if block.center_freq_hz != center && block.center_freq_hz > 0.0 {
                        // A scan step: the receivers of the old frequency finish, new ones
                        // start; the session's cells stay.
                        self.finish_receivers(observer)?;
                        center = block.center_freq_hz;
                        self.info.center_freq_hz = center;
                        self.build_receivers(center, block.first_sample);
                        observer(&SessionEvent::Retuned {
                            center_freq_hz: center,
                        });
                    }
                    self.push_block(block, observer)?;
                    if last_progress.elapsed() >= Duration::from_millis(500) {
                        last_progress = Instant::now();
                        observer(&SessionEvent::Progress {
                            signal_s: self.signal_s,
                            samples: self.samples,
                            dropped: self.dropped,
                        });
                    }
                }
                ReaderItem::End => break,
                ReaderItem::Error(e) => {
                    stream_error = Some(e);
                    break;
                }
            }
        }
        // Dropping the reader stops its thread (and releases the radio).
        let dropped_in_queue = reader.shutdown();
        self.dropped = self.dropped.max(dropped_in_queue);
        self.finish_receivers(observer)?;
        let pcap_error = self.pcap_error.take().map(|e| PipelineError::Io {
            what: "cannot write the pcap".into(),
            source: e,
        });
        let error = stream_error.map(PipelineError::from).or(pcap_error);
        let status = match (&error, stopped) {
            (Some(_), _) => RunStatus::Failed,
            (None, true) => RunStatus::Interrupted,
            (None, false) => RunStatus::Completed,
        };
        self.finish(status, error)
    }

    fn push_block(
        &mut self,
        block: IqBlock,
        observer: &mut dyn FnMut(&SessionEvent),
    ) -> Result<(), PipelineError> {
        let rate = self.info.sample_rate_hz;
        self.samples += block.samples.len() as u64;
        self.dropped = self.dropped.max(block.dropped_total);
        let end = block.first_sample + block.samples.len() as u64;
        self.signal_s = end as f64 / rate;
        let mut events = Vec::new();
        self.receivers.push(block, &mut events);
        self.handle_events(events, observer);
        if self.signal_s - self.last_commit_s >= self.opts.commit_interval_s {
            self.commit()?;
        }
        Ok(())
    }

    fn finish_receivers(
        &mut self,
        observer: &mut dyn FnMut(&SessionEvent),
    ) -> Result<(), PipelineError> {
        let mut events = Vec::new();
        self.receivers.finish(&mut events);
        self.handle_events(events, observer);
        self.commit()
    }

    /// Feeds the detector and queues the writes.
    fn handle_events(&mut self, events: Vec<RxEvent>, observer: &mut dyn FnMut(&SessionEvent)) {
        let base = self.base_unix_ms;
        for ev in events {
            match ev {
                RxEvent::Measurement(cell, mut m) => {
                    m.detect.time_unix_ms += base;
                    if let Some(p) = self
                        .positions
                        .and_then(|src| src.position_at(m.detect.time_unix_ms))
                    {
                        m.detect.lat_deg = Some(p.point.lat_deg);
                        m.detect.lon_deg = Some(p.point.lon_deg);
                    }
                    let time_s = (m.detect.time_unix_ms - base) as f64 / 1000.0;
                    let key = m.detect.key();
                    let heard = m.first_heard_s.unwrap_or(time_s);
                    let entry = self.cells.entry(cell).or_insert_with(|| SessionCell {
                        key: key.clone(),
                        stored_key: None,
                        store_id: None,
                        detect_index: None,
                        first_heard_s: heard,
                    });
                    entry.key.fill_from(&key);
                    if key.specificity() >= entry.key.specificity() {
                        entry.key = key.clone();
                    }
                    entry.first_heard_s =
                        entry.first_heard_s.min(m.first_heard_s.unwrap_or(time_s));
                    let (index, alerts) = self.engine.observe_indexed(&m.detect);
                    let first_heard = entry.first_heard_s;
                    entry.detect_index = Some(index);
                    if self.opts.keep_observations {
                        self.observations.push(m.detect.clone());
                    }
                    observer(&SessionEvent::Cell {
                        key: key.clone(),
                        time_s,
                        time_unix_ms: m.detect.time_unix_ms,
                        power_dbfs: m.detect.power_dbfs,
                        lat_deg: m.detect.lat_deg,
                        lon_deg: m.detect.lon_deg,
                    });
                    // An alert is raised now, at the signal time decoding has reached (a held
                    // measurement may be older): that is what the latency is measured to.
                    let now_s = self.signal_s;
                    for a in alerts {
                        self.raise(cell, a, Some(now_s - first_heard), observer);
                    }
                    self.pending
                        .events
                        .push((time_s, RxEvent::Measurement(cell, m)));
                }
                RxEvent::Carrier(mut obs, result) => {
                    obs.time_unix_ms += base;
                    let alerts = self.engine.observe_carrier(&obs);
                    if self.opts.keep_observations {
                        self.carriers.push(obs.clone());
                    }
                    self.result.lte_carriers.push(result);
                    for a in alerts {
                        // The alert is about a GSM cell that appeared near the jamming.
                        let cell = self
                            .cells
                            .iter()
                            .find(|(_, c)| c.key.compatible(&a.key) && c.key.rat == a.key.rat)
                            .map(|(r, _)| *r);
                        let now_s = self.signal_s;
                        let latency = cell
                            .and_then(|r| self.cells.get(&r))
                            .map(|c| now_s - c.first_heard_s);
                        if let Some(cell) = cell {
                            self.raise(cell, a, latency, observer);
                        }
                    }
                }
                RxEvent::Frame { time_s, packet } => {
                    if let Some(sink) = self.pcap.as_deref_mut() {
                        let t = base as f64 / 1000.0 + time_s;
                        if let Err(e) = sink.write_frame(t, &packet) {
                            self.pcap_error.get_or_insert(e);
                        }
                    }
                }
                RxEvent::Spectrum(s) => self.result.spectrum = Some(*s),
                RxEvent::GsmDone(c) => self.result.gsm.push(*c),
                RxEvent::LteDone(c) => self.result.lte.push(*c),
                RxEvent::LteError(e) => {
                    if let Some(s) = self.statuses.iter_mut().find(|s| s.receiver == "lte") {
                        s.note = Some(e.clone());
                    }
                    self.result.lte_error = Some(e);
                }
                ev @ (RxEvent::Message(..) | RxEvent::Paging(..)) => {
                    let t = match &ev {
                        RxEvent::Message(_, m) => m.time_s,
                        RxEvent::Paging(_, p) => p.time_s,
                        _ => self.signal_s,
                    };
                    self.pending.events.push((t, ev));
                }
            }
        }
    }

    fn raise(
        &mut self,
        cell: CellRef,
        mut alert: Alert,
        latency_s: Option<f64>,
        observer: &mut dyn FnMut(&SessionEvent),
    ) {
        // The alert's time is when it was raised: the signal time decoding had reached.
        let signal_time_s = self.signal_s;
        alert.time_unix_ms = self.base_unix_ms + (signal_time_s * 1000.0).round() as i64;
        let latency_s = latency_s.map(|l| l.max(0.0));
        observer(&SessionEvent::Alert {
            alert: alert.clone(),
            signal_time_s,
            latency_s,
        });
        self.alerts.push(AlertRecord {
            alert: alert.clone(),
            signal_time_s,
            latency_s,
        });
        self.pending.alerts.push((cell, alert, latency_s));
    }

    /// The run's end: its start plus the monotonic time elapsed (not the system clock, which
    /// may have been stepped). Evidence times of an untimed source are the start plus signal
    /// time; a radio's clock may run a little ahead of the host's, so the end is never before
    /// the last of them.
    fn end_unix_ms(&self) -> i64 {
        let elapsed_ms = i64::try_from(self.started_at.elapsed().as_millis()).unwrap_or(i64::MAX);
        let end = self.started_unix_ms.saturating_add(elapsed_ms);
        if self.base_unix_ms == self.started_unix_ms {
            end.max(self.base_unix_ms + (self.signal_s * 1000.0).ceil() as i64)
        } else {
            end
        }
    }

    /// Writes everything pending in one transaction.
    fn commit(&mut self) -> Result<(), PipelineError> {
        self.last_commit_s = self.signal_s;
        let (Some(store), Some(run)) = (self.store.as_deref_mut(), self.run) else {
            self.pending = Pending::default();
            return Ok(());
        };
        let pending = std::mem::take(&mut self.pending);
        let base = self.base_unix_ms;
        let at = |time_s: f64| base + (time_s * 1000.0) as i64;
        let dbm_offset = self.opts.dbm_offset_db;
        let dbm = |dbfs: f64| dbm_offset.filter(|_| dbfs.is_finite()).map(|o| dbfs + o);
        let cells = &mut self.cells;
        let stored = &mut self.stored_detections;
        let (samples, dropped, signal_s) = (self.samples, self.dropped, self.signal_s);
        store.write_batch(|tx| {
            // The newest evidence time of each cell in this batch: its `last_seen` moves on
            // with it (a cell row is only written when first stored or renamed).
            let mut seen: HashMap<CellRef, i64> = HashMap::new();
            let mut saw = |cell: CellRef, t: i64| {
                let e = seen.entry(cell).or_insert(t);
                *e = (*e).max(t);
            };
            for (time_s, ev) in &pending.events {
                match ev {
                    RxEvent::Measurement(cell, m) => {
                        let Some(id) = store_cell(tx, cells, *cell, m.detect.time_unix_ms)? else {
                            continue;
                        };
                        saw(*cell, m.detect.time_unix_ms);
                        let power = m.detect.power_dbfs.unwrap_or(f64::NAN);
                        tx.observation(&NewObservation {
                            run_id: run,
                            cell_id: id,
                            time_unix_ms: m.detect.time_unix_ms,
                            freq_hz: m.freq_hz,
                            channel_number: m.detect.channel,
                            power_dbfs: power,
                            power_dbm: m.detect.power_dbfs.and_then(dbm),
                            snr_db: m.detect.snr_db,
                            freq_offset_hz: m.detect.freq_offset_hz,
                            freq_offset_ppm: m.detect.freq_offset_ppm,
                            blocks_ok: m.blocks_ok,
                            blocks_failed: m.blocks_failed,
                            lat_deg: m.detect.lat_deg,
                            lon_deg: m.detect.lon_deg,
                            summary: m.summary.clone().unwrap_or_else(|| json!({})),
                        })?;
                    }
                    RxEvent::Message(cell, msg) => {
                        let Some(id) = store_cell(tx, cells, *cell, at(*time_s))? else {
                            continue;
                        };
                        saw(*cell, at(msg.time_s));
                        tx.message(&NewMessage {
                            run_id: run,
                            cell_id: id,
                            observation_id: None,
                            time_unix_ms: at(msg.time_s),
                            frame_number: msg.frame_number,
                            channel: msg.channel.clone(),
                            message_type: msg.message_type.clone(),
                            raw: msg.raw.clone(),
                            decoded: msg.decoded.clone(),
                            error: msg.error.clone(),
                        })?;
                    }
                    RxEvent::Paging(cell, p) => {
                        let Some(id) = store_cell(tx, cells, *cell, at(*time_s))? else {
                            continue;
                        };
                        saw(*cell, at(p.time_s));
                        tx.paging(&PagingEvent {
                            run_id: run,
                            cell_id: id,
                            time_unix_ms: at(p.time_s),
                            identities: p
                                .identities
                                .iter()
                                .map(|(kind, value)| PagedIdentity {
                                    kind: match *kind {
                                        "imsi" => IdentityKind::Imsi,
                                        "tmsi" => IdentityKind::Tmsi,
                                        _ => IdentityKind::Imei,
                                    },
                                    value: value.clone(),
                                })
                                .collect(),
                        })?;
                    }
                    _ => {}
                }
            }
            for (cell, t) in seen {
                if let Some(key) = cells.get(&cell).and_then(|c| c.stored_key.as_ref()) {
                    tx.upsert_cell(key, t)?;
                }
            }
            for (cell, alert, latency_s) in &pending.alerts {
                let Some(id) = store_cell(tx, cells, *cell, alert.time_unix_ms)? else {
                    continue;
                };
                let fired = write_detections(tx, run, id, &alert.verdict.detections, stored)?;
                tx.alert(&NewAlert {
                    run_id: run,
                    cell_id: id,
                    time_unix_ms: alert.time_unix_ms,
                    previous_level: alert.previous,
                    level: alert.verdict.level,
                    score: alert.verdict.score,
                    rules: json!(fired),
                    latency_ms: latency_s.map(|l| (l * 1000.0).round() as i64),
                })?;
                tx.verdict(&NewVerdict {
                    run_id: run,
                    cell_id: id,
                    level: alert.verdict.level,
                    score: alert.verdict.score,
                    time_unix_ms: alert.time_unix_ms,
                    rules_fired: json!(fired),
                })?;
            }
            tx.run_progress(run, samples, dropped, signal_s)?;
            Ok(())
        })?;
        Ok(())
    }

    /// Final verdicts, the spectrum, the summary; closes the run with `status`.
    fn finish(
        &mut self,
        status: RunStatus,
        error: Option<PipelineError>,
    ) -> Result<SessionOutcome, PipelineError> {
        let verdicts = self.engine.live_verdicts();
        let rate = self.info.sample_rate_hz;
        self.result.seconds = self.samples as f64 / rate;
        self.result.samples = self.samples;
        self.result.dropped = self.dropped;
        self.result.receivers = self.statuses.clone();
        self.result.gsm.sort_by_key(|c| c.arfcn);
        if let (Some(store), Some(run)) = (self.store.as_deref_mut(), self.run) {
            let base = self.base_unix_ms;
            let dbm_offset = self.opts.dbm_offset_db;
            let dbm = |dbfs: f64| dbm_offset.filter(|_| dbfs.is_finite()).map(|o| dbfs + o);
            let cells = &mut self.cells;
            let stored = &mut self.stored_detections;
            let spectrum = self.result.spectrum.as_ref();
            store.write_batch(|tx| {
                if let Some(spec) = spectrum {
                    for c in &spec.gsm_channels {
                        tx.channel_power(&NewChannelPower {
                            run_id: run,
                            time_unix_ms: base,
                            rat: Rat::Gsm,
                            band: Some(c.band.clone()),
                            channel_number: u32::from(c.arfcn),
                            freq_hz: c.dl_freq_hz,
                            bandwidth_hz: 200e3,
                            power_dbfs: c.power_dbfs,
                            power_dbm: dbm(c.power_dbfs),
                        })?;
                    }
                    if let Some(bins) = &spec.bins {
                        tx.spectrum(&NewSpectrum {
                            run_id: run,
                            time_unix_ms: base,
                            center_freq_hz: spec.center_freq_hz,
                            bin_spacing_hz: spec.rate_sps / spec.fft_size as f64,
                            power_dbfs: bins.clone(),
                        })?;
                    }
                }
                // Each cell paired with its verdict once: the history the detector put its
                // observations in.
                let mut by_index: BTreeMap<usize, CellRef> = BTreeMap::new();
                for (r, c) in cells.iter() {
                    if let Some(i) = c.detect_index {
                        by_index.entry(i).or_insert(*r);
                    }
                }
                for v in &verdicts {
                    let Some(cell) = by_index.get(&v.cell_index).copied() else {
                        continue;
                    };
                    let Some(id) = store_cell(tx, cells, cell, v.last_seen_unix_ms)? else {
                        continue;
                    };
                    let fired = write_detections(tx, run, id, &v.verdict.detections, stored)?;
                    tx.verdict(&NewVerdict {
                        run_id: run,
                        cell_id: id,
                        level: v.verdict.level,
                        score: v.verdict.score,
                        time_unix_ms: v.last_seen_unix_ms,
                        rules_fired: json!(fired),
                    })?;
                }
                Ok(())
            })?;
            let ended = self.end_unix_ms();
            if let Some(store) = self.store.as_deref_mut() {
                store.finish_run(run, status, ended)?;
            }
        }
        let verdict_index = self
            .cells
            .iter()
            .filter_map(|(r, c)| {
                let i = c.detect_index?;
                let v = verdicts.iter().position(|v| v.cell_index == i)?;
                Some((*r, v))
            })
            .collect();
        Ok(SessionOutcome {
            verdict_index,
            run_id: self.run,
            status,
            base_unix_ms: self.base_unix_ms,
            result: std::mem::replace(&mut self.result, StreamResult::empty(self.info.clone())),
            verdicts,
            alerts: std::mem::take(&mut self.alerts),
            error,
            observations: std::mem::take(&mut self.observations),
            carriers: std::mem::take(&mut self.carriers),
        })
    }
}

/// The store's id of a session cell, creating the row (or moving it to a more specific key
/// once the cell's system information named it). `None` for a cell never measured.
fn store_cell(
    tx: &mut Batch<'_>,
    cells: &mut HashMap<CellRef, SessionCell>,
    cell: CellRef,
    time_unix_ms: i64,
) -> Result<Option<CellId>, cellsentry_store::StoreError> {
    let Some(c) = cells.get_mut(&cell) else {
        return Ok(None);
    };
    if c.stored_key.as_ref() == Some(&c.key) {
        return Ok(c.store_id);
    }
    let id = tx.upsert_cell(&c.key, time_unix_ms)?;
    if let Some(old) = c.store_id.filter(|old| *old != id) {
        tx.merge_cells(old, id)?;
    }
    c.store_id = Some(id);
    c.stored_key = Some(c.key.clone());
    Ok(Some(id))
}

/// Stores the detections of a cell not stored yet (by rule); returns every rule fired with
/// its detection id.
fn write_detections(
    tx: &mut Batch<'_>,
    run: RunId,
    cell: CellId,
    detections: &[cellsentry_detect::Detection],
    stored: &mut HashMap<(CellId, String), i64>,
) -> Result<Vec<Value>, cellsentry_store::StoreError> {
    let mut fired = Vec::new();
    for d in detections {
        let key = (cell, d.rule_id.clone());
        let id = match stored.get(&key) {
            Some(id) => *id,
            None => {
                let id = tx
                    .detection(&NewDetection {
                        run_id: run,
                        cell_id: Some(cell),
                        rule_id: d.rule_id.clone(),
                        rule_version: d.rule_version,
                        severity: d.severity,
                        score: d.score,
                        time_unix_ms: d.time_unix_ms,
                        summary: Some(d.summary.clone()),
                        evidence: d.evidence.clone(),
                    })?
                    .0;
                stored.insert(key, id);
                id
            }
        };
        fired.push(
            json!({"rule_id": d.rule_id, "rule_version": d.rule_version, "detection_id": id}),
        );
    }
    Ok(fired)
}

/// Whether a verdict level reaches a threshold.
pub fn reaches(level: VerdictLevel, threshold: VerdictLevel) -> bool {
    level >= threshold && level != VerdictLevel::Clean
}

#[cfg(test)]
mod tests {
    use super::live_queue_blocks;

    #[test]
    fn live_queue_holds_a_second_up_to_64_mib() {
        // 2 Msps: 1 s is 123 blocks of 16 Ki samples (16 MB of cf32).
        assert_eq!(live_queue_blocks(2e6, 1 << 14, 16), 123);
        // 20 Msps: capped at 64 MiB = 512 blocks (0.42 s).
        assert_eq!(live_queue_blocks(20e6, 1 << 14, 16), 512);
        // Never fewer than asked for.
        assert_eq!(live_queue_blocks(1e3, 1 << 14, 16), 16);
    }

    #[test]
    fn blocks_are_about_4_ms() {
        use super::block_samples_for_rate;
        assert_eq!(block_samples_for_rate(1_083_333.0), 1 << 14);
        assert_eq!(block_samples_for_rate(15.36e6), 1 << 16);
        assert_eq!(block_samples_for_rate(20e6), 1 << 16);
        assert_eq!(block_samples_for_rate(0.0), 1 << 14);
    }
}
