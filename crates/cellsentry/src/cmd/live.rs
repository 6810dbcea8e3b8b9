//! `cellsentry scan` and `monitor`: live radios, or a simulated radio backed by a scenario,
//! through one continuous session.
//!
//! `monitor` stays on one frequency: receivers and detector live for the whole run, the
//! radio is read on its own thread (what decoding cannot keep up with is dropped and counted,
//! never queued without bound), and an alert line is printed the moment a cell's verdict
//! rises, with its latency (signal time from the cell's first burst). `scan` steps the radio
//! across a GSM band, a dwell per step, and lists every cell with its verdict. Both commit to
//! the store every second of signal; SIGINT/SIGTERM end the run as `interrupted` with all it
//! decoded.

use anyhow::{Context, Result};
use cellsentry_capture::{IqSource, PacedSource};
use cellsentry_detect::VerdictLevel;
use cellsentry_geo::{PositionSource, Track};
use cellsentry_model::CellKey;
use cellsentry_pipeline::{scan_steps, Session, SessionEvent, SessionOptions};
use cellsentry_store::{RunKind, RunStatus, Store, StoreOptions};
use cellsentry_synth::{Scenario, SimulatedRadio};
use serde_json::json;

use crate::cli::LiveArgs;
use crate::detector;
use crate::exit::{self, BadInput};
use crate::hunt::{CellSelector, Hunt};
use crate::input;
use crate::signals;

pub enum Mode {
    Scan,
    Monitor,
}

/// How long a scan stays on each step: long enough for a whole BCCH cycle (8 x 51 frames =
/// 1.88 s) and the SI3 that names a cell.
const DWELL_S: f64 = 2.4;
const FFT_SIZE: usize = 2048;
/// Status line every this many seconds of signal (monitor).
const STATUS_EVERY_S: f64 = 5.0;

/// Opens the radio, or the simulated one (paced at its sample rate unless `--fast`). A
/// scenario normally ends after its duration; a scan needs `min_sim_s` of signal to visit
/// every step, so the simulated scene runs at least that long.
fn open(
    args: &LiveArgs,
    freq_hz: Option<f64>,
    min_sim_s: f64,
) -> Result<(Box<dyn IqSource>, f64, bool)> {
    if let Some(path) = &args.sim {
        let mut scenario =
            Scenario::load(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        scenario.duration_s = scenario.duration_s.max(min_sim_s);
        let center = freq_hz.unwrap_or(scenario.center_freq_hz);
        let mut radio = SimulatedRadio::new(scenario)
            .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        radio.retune(center)?;
        let source: Box<dyn IqSource> = if args.fast {
            Box::new(radio)
        } else {
            Box::new(PacedSource::new(radio))
        };
        // Paced, the simulated radio is as live as a real one: the queue may drop.
        return Ok((source, center, !args.fast));
    }
    let freq = freq_hz.ok_or_else(|| BadInput("--freq (or --band for scan) is needed".into()))?;
    Ok((input::open_radio(&args.radio, freq, args.rate)?, freq, true))
}

/// `--track` for the simulated radio: the track and the Unix ms of the scene's first sample
/// (`--start`, else the track's first fix). A track that cannot be read, or that does not
/// cover the scene, is one warning line; the scene plays without positions.
fn sim_track(args: &LiveArgs) -> Result<Option<(Track, i64)>> {
    let Some(path) = &args.track else {
        return Ok(None);
    };
    let start = crate::positions::parse_start(args.start.as_deref())?;
    let track = match Track::load(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cellsentry: warning: {e}; no positions");
            return Ok(None);
        }
    };
    let Some(start_ms) = start.or(track.start_unix_ms()) else {
        return Ok(None);
    };
    if let Some(s) = &args.sim {
        let duration_s = args
            .seconds
            .or_else(|| Scenario::load(s).ok().map(|sc| sc.duration_s))
            .unwrap_or(0.0);
        let end_ms = start_ms + (duration_s * 1000.0) as i64;
        match track.check_overlap(start_ms, end_ms) {
            Ok(o) if o.fraction < 0.999 => eprintln!(
                "cellsentry: warning: track {} covers {:.0} % of the scene",
                track.name,
                o.fraction * 100.0
            ),
            Ok(_) => {}
            Err(e) => {
                eprintln!("cellsentry: warning: {e}; no positions");
                return Ok(None);
            }
        }
    }
    Ok(Some((track, start_ms)))
}

fn key_text(k: &CellKey) -> String {
    crate::cmd::report::cell_label(k)
}

pub fn run(args: &LiveArgs, mode: Mode) -> Result<i32> {
    // Checked before anything is opened: a bad selection leaves no run behind.
    let selector = args
        .hunt
        .as_deref()
        .map(|h| CellSelector::parse(h).map(|s| (s, h.to_string())))
        .transpose()
        .map_err(BadInput)?;
    let mut store = Store::open(
        &args.store.db,
        &StoreOptions {
            store_identities_clear: args.store.store_identities,
            ..StoreOptions::default()
        },
    )
    .with_context(|| format!("cannot open {}", args.store.db.display()))?;
    let mut engine = detector::engine(&args.detect)?;
    // Issue #13: shared fake cells (imported into the db, or --watchlist files).
    crate::watch::load(&mut engine, &args.detect, Some(&store))?;
    let (kind, steps) = match mode {
        Mode::Monitor => (RunKind::Monitor, Vec::new()),
        Mode::Scan => {
            let rate = args.rate.unwrap_or(2.0e6);
            let steps = scan_steps(args.band.as_deref().unwrap_or("gsm900"), rate)?;
            (RunKind::Scan, steps)
        }
    };
    let min_sim_s = steps.len() as f64 * DWELL_S + 1.0;
    let first = steps.first().copied().or(args.freq);
    let (source, first_freq, live) = open(args, first, min_sim_s)?;
    let mut info = source.info().clone();
    info.center_freq_hz = first_freq;
    signals::install();
    let opts = SessionOptions {
        kind,
        fft_size: FFT_SIZE,
        live,
        max_signal_s: args.seconds,
        dbm_offset_db: args.store.dbm_offset,
        settings: json!({
            "sim": args.sim, "band": args.band, "freq": args.freq, "fast": args.fast,
            "command_line": std::env::args().collect::<Vec<_>>(),
        }),
        steps: steps.clone(),
        dwell_s: DWELL_S,
        block_samples: cellsentry_pipeline::block_samples_for_rate(info.sample_rate_hz),
        // Every message goes to the store; the run's summary keeps a few per cell, so memory
        // stays flat over hours.
        messages_per_cell: 64,
        threads: super::all_cores(),
        ..SessionOptions::default()
    };
    // Positions from gpsd (a background thread; its state is reported when it changes), or
    // a track the simulated sensor drives along (the scene then plays at the track's time).
    let gpsd = args.gpsd.as_deref().map(cellsentry_geo::GpsdFeed::start);
    let mut gpsd_said = String::new();
    let sim_track = sim_track(args)?;
    if let Some((_, start_ms)) = &sim_track {
        info.start_unix_ns = Some(i128::from(*start_ms) * 1_000_000);
    }
    let positions = gpsd
        .as_ref()
        .map(|f| f as &dyn PositionSource)
        .or(sim_track.as_ref().map(|(t, _)| t as &dyn PositionSource));
    let session =
        Session::new(&info, opts, &mut engine, Some(&mut store))?.with_positions(positions);
    let json_out = args.json;
    let mut hunt = match (&mode, args.no_hunt) {
        (Mode::Monitor, false) => Some(Hunt::start(selector, args.bearings.clone(), json_out)),
        _ => None,
    };
    let mut alerted = false;
    let mut next_status_s = STATUS_EVERY_S;
    let mut seen: Vec<CellKey> = Vec::new();
    let outcome = session.run(source, signals::stop_flag(), &mut |ev| {
        if let Some(h) = hunt.as_mut() {
            h.observe(ev);
        }
        match ev {
        SessionEvent::Alert {
            alert,
            signal_time_s,
            latency_s,
        } => {
            alerted |= alert.verdict.level != VerdictLevel::Clean;
            if json_out {
                println!(
                    "{}",
                    json!({"alert": alert, "signal_time_s": signal_time_s, "latency_s": latency_s})
                );
            } else {
                println!(
                    "ALERT {}: {} (score {:.1}; rules {}) at {:.1} s{}",
                    alert.verdict.level.label().to_uppercase(),
                    key_text(&alert.key),
                    alert.verdict.score,
                    alert.verdict.rule_ids().join(", "),
                    signal_time_s,
                    latency_s.map_or(String::new(), |l| format!(
                        ", {l:.1} s after its first burst"
                    )),
                );
            }
        }
        // A cell line when a cell is first heard with its identity.
        SessionEvent::Cell {
            key, power_dbfs, ..
        } if !json_out && key.has_global_id() && !seen.iter().any(|k| k.compatible(key)) => {
            seen.push(key.clone());
            println!(
                "{}  {}",
                key_text(key),
                power_dbfs.map_or("-".into(), |p| format!("{p:.1} dBFS"))
            );
        }
        SessionEvent::Progress {
            signal_s, dropped, ..
        } => {
            if let Some(feed) = &gpsd {
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
            if json_out || *signal_s < next_status_s {
                return;
            }
            next_status_s = signal_s + STATUS_EVERY_S;
            eprintln!(
                "cellsentry: {:.0} s of signal, {} cell(s), {} sample(s) dropped",
                signal_s,
                seen.len(),
                dropped
            );
        }
        SessionEvent::Retuned { center_freq_hz } if !json_out => {
            eprintln!("cellsentry: scanning {:.1} MHz", center_freq_hz / 1e6);
        }
        _ => {}
    }
    })?;
    if let Some(h) = hunt.take() {
        let stats = h.finish(outcome.result.seconds);
        // A run that failed ends with its one error line and nothing else on stderr.
        if !json_out && stats.updates > 0 && outcome.error.is_none() {
            eprintln!(
                "cellsentry: hunt: {} update(s), fit {:.1} ms on average ({:.1} ms at most){}",
                stats.updates,
                stats.fit_ms_total / stats.updates as f64,
                stats.fit_ms_max,
                if stats.skipped > 0 {
                    format!(", {} skipped while a fit was running", stats.skipped)
                } else {
                    String::new()
                }
            );
        }
    }
    if !json_out {
        for v in outcome
            .verdicts
            .iter()
            .filter(|v| v.verdict.level != VerdictLevel::Clean)
        {
            println!(
                "{} {}: {} (score {:.1})",
                v.verdict.level.label().to_uppercase(),
                key_text(&v.key),
                v.verdict.rule_ids().join(", "),
                v.verdict.score
            );
        }
        if outcome.result.dropped > 0 {
            eprintln!(
                "cellsentry: {} samples dropped ({:.2} % of the signal): decoding fell behind",
                outcome.result.dropped,
                100.0 * outcome.result.dropped as f64
                    / (outcome.result.samples + outcome.result.dropped).max(1) as f64
            );
        }
    } else {
        println!(
            "{}",
            json!({
                "run_id": outcome.run_id.map(|r| r.0),
                "status": outcome.status,
                "seconds": outcome.result.seconds,
                "samples": outcome.result.samples,
                "dropped": outcome.result.dropped,
                "verdicts": outcome.verdicts,
                "alerts": outcome.alerts,
                "receivers": outcome.result.receivers,
            })
        );
    }
    if let Some(err) = outcome.error {
        // The run is kept (failed) with everything decoded before the error.
        return Err(anyhow::Error::from(err));
    }
    if outcome.status == RunStatus::Interrupted {
        // The same line as replay's: what was kept, so the user knows the stop was clean.
        eprintln!(
            "cellsentry: interrupted: {} kept with everything decoded so far ({:.1} s of signal)",
            outcome
                .run_id
                .map_or_else(|| "the run".to_string(), |r| format!("run {r}")),
            outcome.result.seconds
        );
        return Ok(exit::INTERRUPTED);
    }
    Ok(if alerted { exit::DETECTION } else { exit::OK })
}
