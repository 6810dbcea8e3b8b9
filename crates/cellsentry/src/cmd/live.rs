//! `cellsentry scan` and `monitor`: live radios, or a simulated radio backed by a scenario.
//!
//! `monitor` stays on one frequency and decodes it window by window; the detector runs live and
//! an alert line is printed the moment a cell's verdict rises. `scan` steps the radio across a
//! GSM band (each step decoded by the wideband receiver) and lists every cell with its verdict.
//! Both store each window as it completes, so stopping the program loses at most one window.

use std::time::Instant;

use anyhow::{Context, Result};
use cellsentry_capture::IqSource;
use cellsentry_detect::VerdictLevel;
use cellsentry_dsp::GsmBand;
use cellsentry_store::{NewRun, RunKind, RunStatus, Store, StoreOptions};
use cellsentry_synth::{Scenario, SimulatedRadio};
use serde_json::json;

use crate::assess;
use crate::chain::{Chain, StreamResult};
use crate::cli::LiveArgs;
use crate::cmd::replay::{level_name, now_unix_ms};
use crate::exit::{self, BadInput};
use crate::input;
use crate::persist;

pub enum Mode {
    Scan,
    Monitor,
}

/// One decoding window: long enough for a whole BCCH cycle (8 x 51 frames = 1.88 s).
const WINDOW_S: f64 = 2.4;
const FFT_SIZE: usize = 2048;

/// Opens the radio, or the simulated one. A scenario normally ends after its duration; a scan
/// needs `min_sim_s` of signal to visit every step, so the simulated scene runs at least that
/// long (cells keep their power profile; the last value holds).
fn open(args: &LiveArgs, freq_hz: Option<f64>, min_sim_s: f64) -> Result<(Box<dyn IqSource>, f64)> {
    if let Some(path) = &args.sim {
        let mut scenario =
            Scenario::load(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        scenario.duration_s = scenario.duration_s.max(min_sim_s);
        let center = freq_hz.unwrap_or(scenario.center_freq_hz);
        let mut radio = SimulatedRadio::new(scenario)
            .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        radio.retune(center)?;
        return Ok((Box::new(radio), center));
    }
    let freq = freq_hz.ok_or_else(|| BadInput("--freq (or --band for scan) is needed".into()))?;
    Ok((input::open_radio(&args.radio, freq, args.rate)?, freq))
}

/// Reads one window from the source into a fresh receive chain. `None` at the end of the
/// stream.
fn decode_window(source: &mut dyn IqSource, seconds: f64) -> Result<Option<StreamResult>> {
    let info = source.info().clone();
    let wanted = (seconds * info.sample_rate_hz) as u64;
    let mut chain = Chain::new(&info, FFT_SIZE);
    let mut got = 0u64;
    while got < wanted {
        let want = ((wanted - got) as usize).min(1 << 16);
        match source.read_block(want)? {
            Some(block) => {
                got += block.samples.len() as u64;
                chain.push(&block);
            }
            None => break,
        }
    }
    Ok((got > 0).then(|| chain.finish()))
}

fn band_by_name(name: &str) -> Result<GsmBand> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "gsm850" => GsmBand::Gsm850,
        "gsm900" | "egsm900" => GsmBand::EGsm900,
        "pgsm900" => GsmBand::PGsm900,
        "dcs1800" | "gsm1800" => GsmBand::Dcs1800,
        "pcs1900" | "gsm1900" => GsmBand::Pcs1900,
        other => {
            return Err(BadInput(format!(
                "unknown band {other}: use gsm850, gsm900, pgsm900, dcs1800 or pcs1900"
            ))
            .into())
        }
    })
}

/// Centre frequencies that cover a band with captures `rate_sps` wide, 80 % used per step so
/// that the channeliser's band edges overlap.
fn scan_steps(band: GsmBand, rate_sps: f64) -> Vec<f64> {
    let freqs: Vec<f64> = band
        .arfcns()
        .iter()
        .filter_map(|a| band.dl_freq_hz(*a))
        .collect();
    let lo = freqs.iter().copied().fold(f64::MAX, f64::min) - 100e3;
    let hi = freqs.iter().copied().fold(f64::MIN, f64::max) + 100e3;
    let step = 0.8 * rate_sps;
    let mut out = Vec::new();
    let mut f = lo + step / 2.0;
    while f - step / 2.0 < hi {
        out.push(f);
        f += step;
    }
    out
}

pub fn run(args: &LiveArgs, mode: Mode) -> Result<i32> {
    let mut store = Store::open(
        &args.store.db,
        &StoreOptions {
            store_identities_clear: args.store.store_identities,
            ..StoreOptions::default()
        },
    )
    .with_context(|| format!("cannot open {}", args.store.db.display()))?;
    let mut engine = assess::engine(&args.detect)?;
    // Issue #13: shared fake cells (imported into the db, or --watchlist files).
    crate::watch::load(&mut engine, &args.detect, Some(&store))?;
    let (kind, steps) = match mode {
        Mode::Monitor => (RunKind::Monitor, vec![args.freq]),
        Mode::Scan => {
            let band = band_by_name(args.band.as_deref().unwrap_or("gsm900"))?;
            let rate = args.rate.unwrap_or(2.0e6);
            (
                RunKind::Scan,
                scan_steps(band, rate).into_iter().map(Some).collect(),
            )
        }
    };
    let min_sim_s = match mode {
        Mode::Scan => steps.len() as f64 * WINDOW_S + 1.0,
        Mode::Monitor => 0.0,
    };
    let (mut source, first_freq) = open(args, steps.first().copied().flatten(), min_sim_s)?;
    let mut new_run = NewRun::new(kind, source.info().description.clone(), now_unix_ms());
    new_run.device = source.info().device.clone();
    new_run.sample_rate_hz = Some(source.info().sample_rate_hz);
    new_run.center_freq_hz = Some(first_freq);
    new_run.settings = json!({"sim": args.sim, "band": args.band, "freq": args.freq});
    let run = store.begin_run(&new_run)?;
    // Chain of custody (issue #13): command line and rule versions of the run.
    crate::custody::record_settings(&store, run, engine.rules())?;
    // Positions from gpsd (a background thread; its state is reported when it changes).
    let gpsd = args.gpsd.as_deref().map(cellsentry_geo::GpsdFeed::start);
    let mut gpsd_said = String::new();
    let started = Instant::now();
    let mut alerted = false;
    let mut outcome = Ok(());
    'steps: for (i, freq) in steps.iter().enumerate() {
        if i > 0 {
            if let Some(f) = freq {
                source.retune(*f)?;
            }
        }
        loop {
            if args
                .seconds
                .is_some_and(|s| started.elapsed().as_secs_f64() >= s)
            {
                break 'steps;
            }
            let window_start_ms = now_unix_ms();
            let result = match decode_window(source.as_mut(), WINDOW_S) {
                Ok(Some(r)) => r,
                Ok(None) => break 'steps,
                Err(e) => {
                    outcome = Err(e);
                    break 'steps;
                }
            };
            let mut observations = assess::observations(&result, window_start_ms);
            if let Some(feed) = &gpsd {
                crate::positions::attach(&mut observations, feed);
                let state = match feed.status() {
                    cellsentry_geo::GpsdStatus::Fix(_) => "gpsd: fix".to_string(),
                    cellsentry_geo::GpsdStatus::NoFix => {
                        "gpsd: no fix yet; observations without positions".to_string()
                    }
                    cellsentry_geo::GpsdStatus::Unavailable(e) => {
                        format!("{e}; observations without positions")
                    }
                    cellsentry_geo::GpsdStatus::Connecting => String::new(),
                };
                if !state.is_empty() && state != gpsd_said {
                    eprintln!("cellsentry: {state}");
                    gpsd_said = state;
                }
            }
            let carriers = assess::carrier_observations(&result, window_start_ms);
            let mut alerts = Vec::new();
            for c in &carriers {
                alerts.extend(engine.observe_carrier(c));
            }
            for o in &observations {
                alerts.extend(engine.observe(o));
            }
            let verdicts = engine.live_verdicts();
            persist::write_stream(
                &mut store,
                run,
                &result,
                window_start_ms,
                &verdicts,
                args.store.dbm_offset,
                gpsd.as_ref()
                    .map(|f| f as &dyn cellsentry_geo::PositionSource),
            )?;
            for a in &alerts {
                alerted |= a.verdict.level != VerdictLevel::Clean;
                if args.json {
                    println!("{}", json!({"alert": a}));
                } else {
                    let k = &a.key;
                    println!(
                        "ALERT {}: {} channel {} {} LAC/TAC {} cell {} BSIC/PCI {} (score {:.1}; rules {})",
                        level_name(a.verdict.level).to_uppercase(),
                        format!("{:?}", k.rat).to_uppercase(),
                        k.channel.map_or("-".into(), |v| v.to_string()),
                        k.plmn.as_ref().map_or("-".into(), |p| p.to_string()),
                        k.lac_tac.map_or("-".into(), |v| v.to_string()),
                        k.cell_id.map_or("-".into(), |v| v.to_string()),
                        k.bsic_pci.map_or("-".into(), |v| v.to_string()),
                        a.verdict.score,
                        a.verdict.rule_ids().join(", ")
                    );
                }
            }
            if !args.json {
                for c in &result.gsm {
                    let id = c.sysinfo.cell_id();
                    println!(
                        "{:.4} MHz  GSM ARFCN {}  {}  BSIC {}  {:.1} dBFS  blocks {}",
                        c.carrier_freq_hz.unwrap_or(0.0) / 1e6,
                        c.arfcn.map_or("-".into(), |a| a.to_string()),
                        id.as_ref()
                            .map_or("identity not yet decoded".into(), |c| format!(
                                "{}-{} LAC {} CI {}",
                                c.plmn.mcc,
                                c.plmn.mnc,
                                c.lac,
                                c.cell_identity.map_or("-".into(), |v| v.to_string())
                            )),
                        c.measurement.bsic.map_or("-".into(), |b| b.to_string()),
                        c.measurement.power_dbfs.unwrap_or(f32::NAN),
                        c.measurement.blocks_ok
                    );
                }
            }
            if matches!(mode, Mode::Scan) {
                // One window per step is enough for a whole SI cycle.
                continue 'steps;
            }
        }
    }
    let status = if outcome.is_ok() {
        RunStatus::Completed
    } else {
        RunStatus::Failed
    };
    store.finish_run(run, status, now_unix_ms())?;
    outcome?;
    Ok(if alerted { exit::DETECTION } else { exit::OK })
}
