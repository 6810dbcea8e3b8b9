//! Live radios through SoapySDR (HackRF, LimeSDR, RTL-SDR, and anything else with a module).
//!
//! Receive only: this module opens RX streams and nothing else; there is no transmit path.
//!
//! * Samples are read in the radio's native format (cs16, cs8, cu8) and scaled by its full
//!   scale, the same conversion as the file readers, so a recording of a live stream is
//!   lossless and dBFS means the same on every radio; other formats are read as cf32.
//! * Overflows, timeouts and transient stream errors are counted (see [`LiveStats`]) and never
//!   end the stream, because a field sensor must keep listening through a USB hiccup. Lost
//!   samples advance [`IqBlock::first_sample`], so time stays true: exactly, from the
//!   driver's hardware timestamps where it gives them (LimeSDR, USRP, ...); estimated from the
//!   wall clock where it does not (HackRF).
//! * A radio that delivers nothing but errors for [`DEAD_AFTER_ERRORS`], or nothing at all for
//!   [`DEAD_AFTER_SILENCE`], is gone (unplugged, crashed): the stream ends with one
//!   [`CaptureError::Device`] line.
//! * Driver log messages go through our handler: errors are kept for that line, warnings are
//!   printed as one line each, the chatter (info, debug, the "O" overflow marks) is dropped
//!   since the counters above carry it.

use std::ffi::{c_char, CStr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use num_complex::{Complex, Complex32};
use soapysdr::{Args, Device, Direction, ErrorCode, Format, RxStream, StreamSample};

use crate::radio::{DeviceInfo, GainControl, LiveStats, RadioProfile, RadioSettings};
use crate::timefmt::now_unix_ns;
use crate::{CaptureError, IqBlock, IqSource, SampleFormat, SourceInfo};

/// Whether this build can talk to radios.
pub const AVAILABLE: bool = true;

/// Debian packages that provide the hardware modules we have profiles for.
pub const MODULE_PACKAGES: &str =
    "soapysdr-module-hackrf, soapysdr-module-lms7, soapysdr-module-rtlsdr";

/// Largest block one `read_block` returns from a radio.
const MAX_LIVE_BLOCK: usize = 1 << 20;
/// One `readStream` call waits at most this long.
const READ_TIMEOUT_US: i64 = 100_000;
/// A `read_block` that got nothing for this long returns an empty block, so the caller can
/// check for shutdown instead of hanging on a dead radio.
const IDLE_RETURN: Duration = Duration::from_secs(1);
/// Nothing but stream errors for this long: the radio is gone.
pub const DEAD_AFTER_ERRORS: Duration = Duration::from_secs(1);
/// Not one sample for this long (only timeouts): the radio is gone. Longer than
/// [`DEAD_AFTER_ERRORS`] because a USB bus can stall for a moment and recover.
pub const DEAD_AFTER_SILENCE: Duration = Duration::from_secs(3);
/// Pause after a stream error, so a radio failing in a tight loop does not spin a core.
const ERROR_BACKOFF: Duration = Duration::from_millis(10);
/// Without hardware time, a read that waited this long for its samples shows that the
/// driver's buffer was empty, i.e. the samples just read are the newest.
const CAUGHT_UP_WAIT: Duration = Duration::from_millis(1);
/// ... and after this many such reads the gap is sized (one could be a read that was merely
/// preempted, not one that waited for the radio).
const CAUGHT_UP_READS: u32 = 3;
/// Without hardware time, samples held back after an overflow until the driver's buffer is
/// drained (to place the gap before them); beyond this they are placed by the wall clock.
const MAX_HELD_S: f64 = 2.0;

fn soapy_err(context: &str, e: soapysdr::Error) -> CaptureError {
    let mut text = format!("{context}: {}", describe(&e));
    if let Some(said) = take_driver_error() {
        text.push_str(&format!(" (driver: {said})"));
    }
    CaptureError::Device(text)
}

/// A SoapySDR error in words: its message, or its code when the library gave none.
fn describe(e: &soapysdr::Error) -> String {
    let message = e.message.trim();
    if !message.is_empty() {
        return message.to_string();
    }
    match e.code {
        ErrorCode::Timeout => "timeout",
        ErrorCode::StreamError => "stream error",
        ErrorCode::Corruption => "data corruption",
        ErrorCode::Overflow => "overflow",
        ErrorCode::NotSupported => "not supported",
        ErrorCode::TimeError => "time error",
        ErrorCode::Underflow => "underflow",
        _ => "unknown error",
    }
    .to_string()
}

/// The last error a driver logged, kept for the error line of the failure it explains.
static DRIVER_ERROR: Mutex<Option<String>> = Mutex::new(None);

fn take_driver_error() -> Option<String> {
    DRIVER_ERROR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
}

/// SoapySDR log handler (called from driver threads too).
extern "C" fn on_soapy_log(level: soapysdr_sys::SoapySDRLogLevel, message: *const c_char) {
    if message.is_null() {
        return;
    }
    // SAFETY: SoapySDR passes a NUL-terminated string valid for the duration of the call.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if level <= soapysdr_sys::SoapySDRLogLevel_SOAPY_SDR_ERROR {
        *DRIVER_ERROR.lock().unwrap_or_else(|p| p.into_inner()) = Some(text.to_string());
    } else if level == soapysdr_sys::SoapySDRLogLevel_SOAPY_SDR_WARNING {
        eprintln!("warning: SoapySDR: {}", text.replace('\n', " "));
    }
}

fn install_log_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: registering a plain extern "C" function that lives for the whole program.
    ONCE.call_once(|| unsafe { soapysdr_sys::SoapySDR_registerLogHandler(Some(on_soapy_log)) });
}

/// Hardware modules SoapySDR can load (file paths), without loading them.
pub fn list_modules() -> Result<Vec<String>, CaptureError> {
    let mut len: usize = 0;
    install_log_handler();
    let _guard = soapy_lock();
    // SAFETY: SoapySDR_listModules returns `len` NUL-terminated strings (or NULL) owned by
    // the caller, released below with SoapySDRStrings_clear as the C API requires.
    unsafe {
        let mut ptr = soapysdr_sys::SoapySDR_listModules(&mut len);
        if ptr.is_null() {
            return Ok(Vec::new());
        }
        let names = (0..len)
            .filter_map(|i| {
                let p = *ptr.add(i);
                (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
            })
            .collect();
        soapysdr_sys::SoapySDRStrings_clear(&mut ptr, len);
        Ok(names)
    }
}

fn device_info(args: &Args) -> DeviceInfo {
    let map: std::collections::BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let driver = map.get("driver").cloned().unwrap_or_default();
    DeviceInfo {
        label: map
            .get("label")
            .or_else(|| map.get("product"))
            .cloned()
            .unwrap_or_else(|| driver.clone()),
        serial: map.get("serial").cloned(),
        driver,
        args: map,
    }
}

fn check_args_text(device_args: &str) -> Result<(), CaptureError> {
    if device_args.contains('\0') {
        return Err(CaptureError::Device(
            "device string contains a NUL character".to_string(),
        ));
    }
    Ok(())
}

/// SoapySDR loads its modules on first use and some modules' discovery code (audio, network
/// radios) is not thread-safe, so enumeration and device creation are serialised.
static SOAPY_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn soapy_lock() -> std::sync::MutexGuard<'static, ()> {
    // A panic while holding the lock cannot leave SoapySDR in a state we track: ignore poison.
    SOAPY_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn enumerate(device_args: &str) -> Result<Vec<Args>, CaptureError> {
    check_args_text(device_args)?;
    install_log_handler();
    let _guard = soapy_lock();
    soapysdr::enumerate(device_args).map_err(|e| soapy_err("SoapySDR device enumeration failed", e))
}

/// The radios attached now. No radio (or no hardware module) is `Ok(vec![])`.
pub fn list_devices() -> Result<Vec<DeviceInfo>, CaptureError> {
    Ok(enumerate("")?.iter().map(device_info).collect())
}

/// The one-line error for a device string that matched nothing.
fn no_match_error(device_args: &str) -> CaptureError {
    let attached = list_devices().unwrap_or_default();
    if !attached.is_empty() {
        let list: Vec<String> = attached.iter().map(DeviceInfo::summary).collect();
        return CaptureError::Device(format!(
            "no SoapySDR device matches \"{device_args}\"; attached: {}",
            list.join("; ")
        ));
    }
    let modules = list_modules().unwrap_or_default();
    if modules.is_empty() {
        CaptureError::Device(format!(
            "no SoapySDR device found: SoapySDR has no hardware modules installed (Debian: apt install {MODULE_PACKAGES})"
        ))
    } else {
        CaptureError::Device(format!(
            "no SoapySDR device found ({} SoapySDR modules installed): is the radio plugged in and readable (udev rules)? Modules for our radios: {MODULE_PACKAGES}",
            modules.len()
        ))
    }
}

/// How a crystal correction is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PpmMode {
    None,
    /// The driver's `CORR` tuning component (RTL-SDR) takes ppm directly.
    Component,
    /// Tune to f / (1 + ppm), which corrects the LO (not the sample clock).
    TuneOffset(f64),
}

/// The RX stream, in the radio's native sample format where we convert it ourselves.
enum NativeRx {
    Cf32(RxStream<Complex32>),
    Cs16(RxStream<Complex<i16>>, Vec<Complex<i16>>),
    Cs8(RxStream<Complex<i8>>, Vec<Complex<i8>>),
    Cu8(RxStream<Complex<u8>>, Vec<Complex<u8>>),
}

/// Reads up to `n` samples of type `E` and appends them, converted, to `out`.
fn read_converted<E: StreamSample + Copy + Default>(
    stream: &mut RxStream<E>,
    scratch: &mut Vec<E>,
    n: usize,
    timeout_us: i64,
    out: &mut Vec<Complex32>,
    convert: impl Fn(E) -> Complex32,
) -> Result<usize, soapysdr::Error> {
    scratch.resize(n, E::default());
    let got = stream.read(&mut [&mut scratch[..n]], timeout_us)?.min(n);
    out.extend(scratch[..got].iter().map(|&s| convert(s)));
    Ok(got)
}

impl NativeRx {
    /// Opens the stream in the native format when it is one we convert and its full scale is
    /// sane; cf32 (the driver converts) otherwise. Returns the stream, the format the samples
    /// arrive in and 1 / full scale.
    fn open(device: &Device, ch: usize) -> Result<(NativeRx, SampleFormat, f32), soapysdr::Error> {
        let native = device.native_stream_format(Direction::Rx, ch).ok();
        let usable = native.filter(|(_, full)| full.is_finite() && *full >= 1.0);
        Ok(match usable {
            Some((Format::CS16, full)) => (
                NativeRx::Cs16(device.rx_stream(&[ch])?, Vec::new()),
                SampleFormat::Ci16Le,
                (1.0 / full) as f32,
            ),
            Some((Format::CS8, full)) => (
                NativeRx::Cs8(device.rx_stream(&[ch])?, Vec::new()),
                SampleFormat::Ci8,
                (1.0 / full) as f32,
            ),
            Some((Format::CU8, full)) => (
                NativeRx::Cu8(device.rx_stream(&[ch])?, Vec::new()),
                SampleFormat::Cu8,
                (1.0 / full) as f32,
            ),
            _ => (
                NativeRx::Cf32(device.rx_stream(&[ch])?),
                SampleFormat::Cf32Le,
                1.0,
            ),
        })
    }

    fn activate(&mut self) -> Result<(), soapysdr::Error> {
        match self {
            NativeRx::Cf32(s) => s.activate(None),
            NativeRx::Cs16(s, _) => s.activate(None),
            NativeRx::Cs8(s, _) => s.activate(None),
            NativeRx::Cu8(s, _) => s.activate(None),
        }
    }

    fn deactivate(&mut self) -> Result<(), soapysdr::Error> {
        match self {
            NativeRx::Cf32(s) => s.deactivate(None),
            NativeRx::Cs16(s, _) => s.deactivate(None),
            NativeRx::Cs8(s, _) => s.deactivate(None),
            NativeRx::Cu8(s, _) => s.deactivate(None),
        }
    }

    /// Hardware time of the first sample of the last successful read (meaningful only for
    /// drivers that stamp their reads).
    fn time_ns(&self) -> i64 {
        match self {
            NativeRx::Cf32(s) => s.time_ns(),
            NativeRx::Cs16(s, _) => s.time_ns(),
            NativeRx::Cs8(s, _) => s.time_ns(),
            NativeRx::Cu8(s, _) => s.time_ns(),
        }
    }

    /// Reads up to `n` samples, appended to `out` as +-1.0 full scale (the file readers'
    /// conversion: x / full scale; cu8 centred on full scale - 0.5, rtl_sdr's 127.5).
    fn read(
        &mut self,
        out: &mut Vec<Complex32>,
        n: usize,
        scale: f32,
        timeout_us: i64,
    ) -> Result<usize, soapysdr::Error> {
        match self {
            NativeRx::Cf32(s) => {
                let start = out.len();
                out.resize(start + n, Complex32::new(0.0, 0.0));
                let got = s
                    .read(&mut [&mut out[start..]], timeout_us)
                    .map(|g| g.min(n));
                out.truncate(start + *got.as_ref().unwrap_or(&0));
                got
            }
            NativeRx::Cs16(s, scratch) => read_converted(s, scratch, n, timeout_us, out, |v| {
                Complex32::new(f32::from(v.re) * scale, f32::from(v.im) * scale)
            }),
            NativeRx::Cs8(s, scratch) => read_converted(s, scratch, n, timeout_us, out, |v| {
                Complex32::new(f32::from(v.re) * scale, f32::from(v.im) * scale)
            }),
            NativeRx::Cu8(s, scratch) => {
                let mid = 1.0 / scale - 0.5;
                read_converted(s, scratch, n, timeout_us, out, |v| {
                    Complex32::new(
                        (f32::from(v.re) - mid) * scale,
                        (f32::from(v.im) - mid) * scale,
                    )
                })
            }
        }
    }
}

/// How stream indices (and so lost samples) are worked out.
enum Timing {
    /// The driver stamps its reads with hardware time: index = ticks since the first read.
    Hardware { first_tick: Option<i64> },
    /// No usable hardware time: indices follow the samples delivered, and gaps after an
    /// overflow or a restart are estimated from the wall clock.
    WallClock {
        /// When stream index 0 would have been sampled.
        epoch: Instant,
        /// Smallest observed lag (wall-clock index minus delivered index) before the first
        /// gap: the driver's normal buffering, which must not be counted as loss. Frozen at
        /// the first gap: later indices carry that gap's estimate error, and measuring the
        /// lag against them would add each error to the next.
        min_lag: Option<i64>,
        lag_frozen: bool,
        /// After an overflow or a restart: samples held until the driver's buffer is drained,
        /// when the gap before them can be sized.
        held: Option<Held>,
    },
}

/// Samples read after an overflow, without hardware time, while the gap before them is sized.
///
/// Each read gives an estimate of the first held sample's index: the wall-clock index now,
/// less the usual lag, less the samples held. While the driver still has buffered samples
/// the estimate is too high by what it still holds; once caught up it is too high only by
/// how late the reader woke. So the smallest estimate is the best one.
#[derive(Default)]
struct Held {
    samples: Vec<Complex32>,
    first_estimate: Option<i64>,
    caught_up_reads: u32,
}

/// A live SoapySDR receive stream.
pub struct SoapySource {
    device: Device,
    rx: NativeRx,
    /// 1 / the native format's full scale.
    scale: f32,
    info: SourceInfo,
    profile: &'static RadioProfile,
    /// The radio's name in messages ("HackRF One", "SoapySDR device cellsentry_test").
    name: String,
    channel: usize,
    ppm_mode: PpmMode,
    warnings: Vec<String>,
    stats: LiveStats,
    timing: Timing,
    /// Stream index of the next sample to deliver (dropped samples included).
    next_sample: u64,
    /// Samples placed in the stream but not yet handed out; the first is `next_sample`.
    ready: Vec<Complex32>,
    /// Samples still to discard while the synthesiser settles after a retune.
    discard_left: u64,
    /// When the radio last delivered a sample (or the stream was (re)started).
    last_sample_at: Instant,
    /// Whether every read since `last_sample_at` failed with a stream error.
    only_errors: bool,
    last_error: Option<String>,
}

impl SoapySource {
    /// Opens the first radio matching `device_args` (e.g. `driver=hackrf`,
    /// `driver=rtlsdr,serial=00000001`, or `""` for whatever is attached), configures it from
    /// `settings` and the radio's [`RadioProfile`], and starts receiving.
    pub fn open(device_args: &str, settings: &RadioSettings) -> Result<SoapySource, CaptureError> {
        let matches = enumerate(device_args)?;
        let Some(chosen) = matches.first() else {
            return Err(no_match_error(device_args));
        };
        let chosen = device_info(chosen);
        // As SoapySDR's own Device::make does: the enumeration result, plus the caller's keys
        // it does not name (drivers report what identifies a radio, not every setting).
        let mut open_args = Args::new();
        for (k, v) in &chosen.args {
            // Values came out of C strings, so they hold no NUL.
            open_args.set(k.as_str(), v.as_str());
        }
        for (k, v) in Args::from(device_args).iter() {
            if !chosen.args.contains_key(k) {
                open_args.set(k, v);
            }
        }
        let device = {
            let _guard = soapy_lock();
            Device::new(open_args)
        }
        .map_err(|e| soapy_err(&format!("cannot open {}", chosen.summary()), e))?;
        // The enumeration key (`hackrf`, `lime`, `rtlsdr`) is the stable lower-case name; the
        // driver key (`HackRF`, `RTLSDR`) is only a fallback.
        let driver = if chosen.driver.is_empty() {
            device.driver_key().unwrap_or_default()
        } else {
            chosen.driver.clone()
        };
        let profile = RadioProfile::for_driver(&driver);
        let name = if profile.driver.is_empty() {
            format!("{} {driver}", profile.name)
        } else {
            profile.name.to_string()
        };
        let name = name.as_str();
        let ch = settings.channel;
        let rx = Direction::Rx;
        let mut warnings = Vec::new();
        if matches.len() > 1 {
            warnings.push(format!(
                "{} radios match \"{device_args}\"; using {}",
                matches.len(),
                chosen.summary()
            ));
        }

        let channels = device
            .num_channels(rx)
            .map_err(|e| soapy_err(&format!("{name}: cannot count RX channels"), e))?;
        if ch >= channels {
            return Err(CaptureError::Device(format!(
                "{name}: RX channel {ch} does not exist (the radio has {channels})"
            )));
        }

        let (rate, rate_warning) = profile.resolve_rate(settings.sample_rate_hz)?;
        warnings.extend(rate_warning);
        device
            .set_sample_rate(rx, ch, rate)
            .map_err(|e| soapy_err(&format!("{name}: cannot set sample rate {rate}"), e))?;
        let actual_rate = device.sample_rate(rx, ch).unwrap_or(rate);

        if let Some(bw) = settings.bandwidth_hz {
            device
                .set_bandwidth(rx, ch, bw)
                .map_err(|e| soapy_err(&format!("{name}: cannot set bandwidth {bw} Hz"), e))?;
        }
        if let Some(ant) = &settings.antenna {
            check_args_text(ant)?;
            device
                .set_antenna(rx, ch, ant.as_str())
                .map_err(|e| soapy_err(&format!("{name}: cannot select antenna {ant}"), e))?;
        }

        apply_gains(&device, profile, name, settings)?;
        let gain_db = device.gain(rx, ch).ok();

        let (ppm_mode, tune_hz) = ppm_plan(&device, ch, settings);
        if ppm_mode == PpmMode::Component {
            device
                .set_component_frequency(rx, ch, "CORR", settings.ppm, ())
                .map_err(|e| soapy_err(&format!("{name}: cannot set {} ppm", settings.ppm), e))?;
        }
        check_freq(profile, name, settings.center_freq_hz)?;
        device.set_frequency(rx, ch, tune_hz, ()).map_err(|e| {
            soapy_err(
                &format!("{name}: cannot tune to {} Hz", settings.center_freq_hz),
                e,
            )
        })?;

        let (mut stream, format, scale) = NativeRx::open(&device, ch)
            .map_err(|e| soapy_err(&format!("{name}: cannot open the RX stream"), e))?;
        let hardware_time = device.has_hardware_time(None).unwrap_or(false);
        stream
            .activate()
            .map_err(|e| soapy_err(&format!("{name}: cannot start the RX stream"), e))?;
        let started = Instant::now();
        let timing = if hardware_time {
            Timing::Hardware { first_tick: None }
        } else {
            Timing::WallClock {
                epoch: started,
                min_lag: None,
                lag_frozen: false,
                held: None,
            }
        };
        let info = SourceInfo {
            sample_rate_hz: actual_rate,
            center_freq_hz: settings.center_freq_hz,
            format,
            description: format!("soapy:{device_args}"),
            device: Some(driver.clone()),
            gain_db,
            total_samples: None,
            start_unix_ns: Some(now_unix_ns()),
        };
        Ok(SoapySource {
            device,
            rx: stream,
            scale,
            info,
            profile,
            name: name.to_string(),
            channel: ch,
            ppm_mode,
            warnings,
            stats: LiveStats::default(),
            timing,
            next_sample: 0,
            ready: Vec::new(),
            discard_left: 0,
            last_sample_at: started,
            only_errors: false,
            last_error: None,
        })
    }

    /// The defaults and limits used for this radio.
    pub fn profile(&self) -> &'static RadioProfile {
        self.profile
    }

    /// Non-fatal remarks from opening (several matches, a rate that tends to overflow) and
    /// from streaming (unusable hardware timestamps).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Loss and error counters so far.
    pub fn stats(&self) -> LiveStats {
        self.stats
    }

    /// A sensor of the radio (`lo_locked`, `temperature`, ... as its driver names them), or
    /// `None` when it has no such sensor.
    pub fn sensor(&self, key: &str) -> Option<String> {
        if key.contains('\0') {
            return None;
        }
        self.device.read_sensor(key).ok()
    }

    /// Whether stream indices come from the driver's hardware timestamps (exact) rather than
    /// the wall clock (an estimate after each overflow).
    pub fn has_hardware_timing(&self) -> bool {
        matches!(self.timing, Timing::Hardware { .. })
    }

    /// Counts `missing` samples as lost before the next delivered one.
    fn skip(&mut self, missing: u64) {
        self.next_sample += missing;
        self.stats.dropped_total += missing;
    }

    /// Places `samples`, just read with hardware time `time_ns`, in the stream: fills
    /// `ready` (the first sample is then `next_sample`), unless they are held back.
    fn place(&mut self, samples: Vec<Complex32>, time_ns: i64, waited: Duration) {
        let rate = self.info.sample_rate_hz;
        if let Timing::Hardware { first_tick } = &mut self.timing {
            // SAFETY: a pure arithmetic function of the library.
            let tick = unsafe { soapysdr_sys::SoapySDR_timeNsToTicks(time_ns, rate) };
            let index = tick - *first_tick.get_or_insert(tick);
            self.ready = samples;
            if index >= self.next_sample as i64 {
                self.skip(index as u64 - self.next_sample);
                return;
            }
            // Time went backwards: the driver does not really stamp its reads.
            self.warnings.push(format!(
                "{}: hardware timestamps are not usable; lost samples are estimated from the wall clock",
                self.name
            ));
            self.timing = Timing::WallClock {
                epoch: Instant::now() - Duration::from_secs_f64(self.next_sample as f64 / rate),
                min_lag: None,
                lag_frozen: false,
                held: None,
            };
            return;
        }
        match &mut self.timing {
            Timing::Hardware { .. } => {}
            Timing::WallClock {
                epoch,
                min_lag,
                lag_frozen,
                held,
            } => {
                let wall_index = (epoch.elapsed().as_secs_f64() * rate) as i64;
                let Some(mut hold) = held.take() else {
                    if !*lag_frozen {
                        let lag = wall_index - (self.next_sample + samples.len() as u64) as i64;
                        *min_lag = Some(min_lag.map_or(lag, |m| m.min(lag)));
                    }
                    self.ready = samples;
                    return;
                };
                hold.samples.extend_from_slice(&samples);
                let estimate = wall_index - min_lag.unwrap_or(0) - hold.samples.len() as i64;
                let first = hold.first_estimate.map_or(estimate, |e| e.min(estimate));
                hold.first_estimate = Some(first);
                if waited >= CAUGHT_UP_WAIT {
                    hold.caught_up_reads += 1;
                }
                if hold.caught_up_reads < CAUGHT_UP_READS
                    && (hold.samples.len() as f64) < MAX_HELD_S * rate
                {
                    // Still draining what the driver buffered during the gap.
                    *held = Some(hold);
                    return;
                }
                // The gap comes before the held samples.
                *lag_frozen = true;
                let missing = (first - self.next_sample as i64).max(0) as u64;
                self.skip(missing);
                self.ready = hold.samples;
            }
        }
    }

    /// After an overflow or a restart, without hardware time: hold what comes next until
    /// the gap can be sized.
    fn expect_gap(&mut self) {
        if let Timing::WallClock { held, .. } = &mut self.timing {
            held.get_or_insert_with(Held::default);
        }
    }

    /// Hands out up to `n` ready samples, dropping the ones still to discard after a retune.
    fn take_ready(&mut self, n: usize) -> Option<IqBlock> {
        let skip = (self.discard_left.min(self.ready.len() as u64)) as usize;
        if skip > 0 {
            // Settling after a retune: these samples are on no frequency at all.
            self.ready.drain(..skip);
            self.discard_left -= skip as u64;
            self.skip(skip as u64);
        }
        if self.ready.is_empty() {
            return None;
        }
        let samples = if self.ready.len() <= n {
            std::mem::take(&mut self.ready)
        } else {
            let rest = self.ready.split_off(n);
            std::mem::replace(&mut self.ready, rest)
        };
        let first_sample = self.next_sample;
        self.next_sample += samples.len() as u64;
        Some(IqBlock {
            samples,
            first_sample,
            center_freq_hz: self.info.center_freq_hz,
            dropped_total: self.stats.dropped_total,
        })
    }

    /// The error that ends the stream when the radio has stopped delivering.
    fn check_alive(&self) -> Result<(), CaptureError> {
        let quiet = self.last_sample_at.elapsed();
        let limit = if self.only_errors {
            DEAD_AFTER_ERRORS
        } else {
            DEAD_AFTER_SILENCE
        };
        if quiet < limit {
            return Ok(());
        }
        let quiet_s = quiet.as_secs_f64();
        let what = match (&self.last_error, self.only_errors) {
            (Some(e), true) => format!("nothing but errors for {quiet_s:.1} s ({e})"),
            (Some(e), false) => format!("no samples for {quiet_s:.1} s (last error: {e})"),
            (None, _) => format!("no samples for {quiet_s:.1} s"),
        };
        let driver =
            take_driver_error().map_or(String::new(), |d| format!("; the driver said: {d}"));
        Err(CaptureError::Device(format!(
            "{} stopped streaming: {what}{driver}; unplugged or crashed?",
            self.name
        )))
    }
}

fn apply_gains(
    device: &Device,
    profile: &RadioProfile,
    name: &str,
    settings: &RadioSettings,
) -> Result<(), CaptureError> {
    let rx = Direction::Rx;
    let ch = settings.channel;
    // Fixed gain: automatic gain control would make power readings incomparable over time.
    if device.has_gain_mode(rx, ch).unwrap_or(false) {
        device
            .set_gain_mode(rx, ch, false)
            .map_err(|e| soapy_err(&format!("{name}: cannot switch AGC off"), e))?;
    }
    let elements = device.list_gains(rx, ch).unwrap_or_default();
    match profile.gain_control {
        GainControl::Stages => {
            for (stage, db) in profile.stage_gains(settings.gain_db) {
                if elements.iter().any(|e| e == stage) {
                    device
                        .set_gain_element(rx, ch, stage, db)
                        .map_err(|e| soapy_err(&format!("{name}: cannot set {stage} gain"), e))?;
                }
            }
        }
        GainControl::Driver => {
            if let Some(total) = settings.gain_db.or(profile.default_total_gain_db) {
                device
                    .set_gain(rx, ch, total)
                    .map_err(|e| soapy_err(&format!("{name}: cannot set gain {total} dB"), e))?;
            }
        }
    }
    for (element, db) in &settings.gain_elements {
        check_args_text(element)?;
        if !elements.iter().any(|e| e == element) {
            return Err(CaptureError::Device(format!(
                "{name}: no gain element \"{element}\" (available: {})",
                elements.join(", ")
            )));
        }
        device
            .set_gain_element(rx, ch, element.as_str(), *db)
            .map_err(|e| soapy_err(&format!("{name}: cannot set {element} gain"), e))?;
    }
    Ok(())
}

fn ppm_plan(device: &Device, ch: usize, settings: &RadioSettings) -> (PpmMode, f64) {
    let f = settings.center_freq_hz;
    if settings.ppm == 0.0 {
        return (PpmMode::None, f);
    }
    let has_corr = device
        .list_frequencies(Direction::Rx, ch)
        .map(|c| c.iter().any(|n| n == "CORR"))
        .unwrap_or(false);
    if has_corr {
        (PpmMode::Component, f)
    } else {
        let factor = 1.0 + settings.ppm * 1e-6;
        (PpmMode::TuneOffset(factor), f / factor)
    }
}

fn check_freq(profile: &RadioProfile, name: &str, freq_hz: f64) -> Result<(), CaptureError> {
    let (lo, hi) = profile.freq_range_hz;
    if !(freq_hz.is_finite() && freq_hz >= lo && freq_hz <= hi) {
        return Err(CaptureError::Device(format!(
            "{name}: cannot tune to {:.6} MHz (range {:.3}..{:.3} MHz)",
            freq_hz / 1e6,
            lo / 1e6,
            hi / 1e6
        )));
    }
    Ok(())
}

impl IqSource for SoapySource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        let n = max_samples.clamp(1, MAX_LIVE_BLOCK);
        let started = Instant::now();
        loop {
            if let Some(block) = self.take_ready(n) {
                return Ok(Some(block));
            }
            let mut samples = Vec::with_capacity(n);
            let read_at = Instant::now();
            match self.rx.read(&mut samples, n, self.scale, READ_TIMEOUT_US) {
                Ok(0) => {}
                Ok(_) => {
                    self.last_sample_at = Instant::now();
                    self.only_errors = false;
                    self.last_error = None;
                    let time_ns = self.rx.time_ns();
                    self.place(samples, time_ns, read_at.elapsed());
                    continue;
                }
                Err(e) => match e.code {
                    // The radio is streaming, we were late: the gap shows in the next
                    // timestamp, or is sized from the wall clock once the buffer is drained.
                    ErrorCode::Overflow => {
                        self.stats.overflows += 1;
                        self.last_sample_at = Instant::now();
                        self.expect_gap();
                    }
                    ErrorCode::Timeout => {
                        self.stats.timeouts += 1;
                        self.only_errors = false;
                    }
                    ErrorCode::Corruption
                    | ErrorCode::StreamError
                    | ErrorCode::TimeError
                    | ErrorCode::Underflow => {
                        self.stats.stream_errors += 1;
                        if self.last_error.is_none() {
                            self.only_errors = true;
                        }
                        self.last_error = Some(describe(&e));
                        std::thread::sleep(ERROR_BACKOFF);
                    }
                    _ => {
                        return Err(soapy_err(
                            &format!("{}: reading the RX stream failed", self.name),
                            e,
                        ))
                    }
                },
            }
            self.check_alive()?;
            if started.elapsed() >= IDLE_RETURN {
                return Ok(Some(IqBlock {
                    samples: Vec::new(),
                    first_sample: self.next_sample,
                    center_freq_hz: self.info.center_freq_hz,
                    dropped_total: self.stats.dropped_total,
                }));
            }
        }
    }

    /// Retunes with the stream stopped, so no buffered sample from the old frequency is
    /// delivered as the new one; the pause and the settling time count as dropped samples.
    fn retune(&mut self, center_freq_hz: f64) -> Result<(), CaptureError> {
        check_freq(self.profile, &self.name, center_freq_hz)?;
        let tune_hz = match self.ppm_mode {
            PpmMode::TuneOffset(factor) => center_freq_hz / factor,
            PpmMode::None | PpmMode::Component => center_freq_hz,
        };
        // Samples of the old frequency not yet handed out are dropped with the rest.
        let stale = std::mem::take(&mut self.ready);
        self.skip(stale.len() as u64);
        let _ = self.rx.deactivate();
        self.device
            .set_frequency(Direction::Rx, self.channel, tune_hz, ())
            .map_err(|e| {
                soapy_err(
                    &format!("{}: cannot tune to {center_freq_hz} Hz", self.name),
                    e,
                )
            })?;
        self.rx
            .activate()
            .map_err(|e| soapy_err(&format!("{}: cannot restart the RX stream", self.name), e))?;
        self.info.center_freq_hz = center_freq_hz;
        self.last_sample_at = Instant::now();
        if let Timing::WallClock { held, .. } = &mut self.timing {
            // Whatever was held came from the old frequency: it becomes part of the gap.
            *held = Some(Held::default());
        }
        self.discard_left = (self.profile.retune_settle_s * self.info.sample_rate_hz) as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No radio is attached on CI: enumeration must succeed and find nothing, not fail.
    #[test]
    fn list_devices_without_radio_is_ok() {
        let devices = list_devices().unwrap();
        println!("attached: {devices:?}");
        if std::env::var_os("CELLSENTRY_RADIO_ATTACHED").is_none() {
            assert!(devices.is_empty(), "{devices:?}");
        }
    }

    #[test]
    fn unmatched_device_string_is_a_clear_error() {
        let e = SoapySource::open("driver=no_such_radio_xyz", &RadioSettings::default())
            .err()
            .unwrap()
            .to_string();
        println!("{e}");
        assert!(e.starts_with("no SoapySDR device"), "{e}");
        assert!(!e.contains('\n'));
        if list_modules().unwrap().is_empty() {
            assert!(e.contains("soapysdr-module-hackrf"), "{e}");
        }
        let e = SoapySource::open("driver=a\0b", &RadioSettings::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("NUL"), "{e}");
    }
}
