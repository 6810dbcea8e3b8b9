//! `cellsentry replay`: decode recordings (files or folders) through the pipeline's session,
//! store the cells, messages and verdicts as they come, print a cell table (or JSON lines),
//! optionally write GSMTAP for Wireshark.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result};
use cellsentry_detect::{CellVerdict, VerdictLevel};
use cellsentry_pipeline::pcap::GsmtapPcap;
use cellsentry_pipeline::{
    now_unix_ms, LteCarrierResult, Session, SessionEvent, SessionOptions, SessionOutcome,
};
use cellsentry_store::{RunKind, RunStatus, Store, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::cli::{LevelArg, ReplayArgs};
use crate::detector;
use crate::exit::{self, BadInput};
use crate::input;
use crate::output::{num, opt, Table};
use crate::positions;
use crate::signals;

/// FFT size of the spectrum every replay records.
const REPLAY_FFT: usize = 2048;

fn print_table(outcome: &SessionOutcome, dbm_offset_db: Option<f64>) {
    let result = &outcome.result;
    let verdicts = &outcome.verdicts;
    let info = &result.source;
    println!(
        "{}: {:.3} s at {:.4} Msps, {:.4} MHz{}",
        info.description,
        result.seconds,
        info.sample_rate_hz / 1e6,
        info.center_freq_hz / 1e6,
        if result.dropped > 0 {
            format!(", {} samples dropped", result.dropped)
        } else {
            String::new()
        }
    );
    if let Some(s) = &result.spectrum {
        println!(
            "  spectrum: total {:.1} dBFS, noise floor {} dBFS/bin, {} GSM-raster channel(s) with energy above the floor",
            s.total_power_dbfs,
            num(s.noise_floor_dbfs_per_bin, 1),
            s.gsm_channels.len()
        );
    }
    for r in result.receivers.iter().filter(|r| !r.running) {
        println!(
            "  {} receiver not run: {}",
            r.receiver,
            r.note.as_deref().unwrap_or("no reason given")
        );
    }
    print_lte(outcome);
    if result.gsm.is_empty() {
        println!("  no GSM cell decoded");
    } else {
        print_gsm(outcome, dbm_offset_db);
    }
    print_verdicts(verdicts);
}

fn print_lte(outcome: &SessionOutcome) {
    let result = &outcome.result;
    // The carrier timeline: the first measurement, then every change of state or a power
    // step of 10 dB (what a jammer does).
    let mut shown: Option<&LteCarrierResult> = None;
    for c in &result.lte_carriers {
        if shown.is_some_and(|p| {
            p.pss_found == c.pss_found && (p.carrier_power_dbfs - c.carrier_power_dbfs).abs() < 10.0
        }) {
            continue;
        }
        shown = Some(c);
        println!(
            "  LTE carrier{} at {:.1} s: {:.1} dBFS, {:.1} dB above the noise floor, {}",
            c.earfcn.map_or(String::new(), |e| format!(" EARFCN {e}")),
            c.time_s,
            c.carrier_power_dbfs,
            c.excess_power_db,
            if c.pss_found {
                "PSS found"
            } else {
                "no PSS/SSS"
            }
        );
    }
    if result.lte.is_empty() {
        return;
    }
    let mut table = Table::new([
        "RAT",
        "EARFCN",
        "PCI",
        "duplex",
        "CP",
        "PRB",
        "ports",
        "PHICH Ng",
        "SFN",
        "RSRP dBFS",
        "RSRQ dB",
        "SINR dB",
        "offset Hz",
        "offset ppm",
        "seen s",
        "MIB ok/fail",
        "verdict",
    ]);
    for cell in &result.lte {
        let d = &cell.detection;
        let verdict = outcome.verdict_for(cell.cell);
        table.row([
            "LTE".to_string(),
            opt(cell.earfcn),
            d.pci.to_string(),
            format!("{:?}", d.duplex),
            format!("{:?}", d.cp),
            opt(d.mib.as_ref().map(|m| m.n_prb)),
            opt(d.mib.as_ref().map(|m| m.ports)),
            d.mib
                .as_ref()
                .map_or("-".into(), |m| format!("{:?}", m.phich_ng)),
            opt(d.mib.as_ref().map(|m| m.sfn)),
            num(d.rsrp_dbfs, 1),
            num(d.rsrq_db, 1),
            num(d.sinr_db, 1),
            num(Some(d.freq_offset_hz), 0),
            num(d.freq_offset_ppm, 2),
            format!("{:.1}-{:.1}", cell.time_s, cell.last_seen_s),
            format!("{}/{}", cell.mib_decoded, cell.mib_failed),
            verdict.map_or("-".into(), |v| {
                format!("{} ({:.1})", v.verdict.level.label(), v.verdict.score)
            }),
        ]);
    }
    for line in table.render().lines() {
        println!("  {line}");
    }
    for cell in &result.lte {
        let Some(si) = &cell.si else { continue };
        let pci = cell.detection.pci;
        if let Some(e) = &si.error {
            println!("  PCI {pci}: no SIBs: {e}");
            continue;
        }
        let info = &si.system_info;
        let mut parts = Vec::new();
        if let Some(s1) = &info.sib1 {
            parts.push(format!(
                "PLMN {} TAC {} CI {} (eNB {} cell {}) band {}{}",
                s1.primary_plmn().unwrap_or_else(|| "-".into()),
                s1.tracking_area_code,
                s1.cell_identity,
                s1.enb_id,
                s1.local_cell_id,
                s1.freq_band_indicator,
                if s1.cell_barred { " BARRED" } else { "" }
            ));
            parts.push(format!(
                "schedules {}",
                info.scheduled_sib_types().join(",")
            ));
        }
        if let Some(p) = info.serving_priority() {
            parts.push(format!("serving priority {p}"));
        }
        if let Some(p) = info.max_geran_priority() {
            parts.push(format!("GERAN priority {p}"));
        }
        let got: Vec<&str> = si
            .messages
            .iter()
            .map(|m| m.message_type.as_str())
            .collect();
        println!(
            "  PCI {pci}: {}; received {} ({} DCI, {} CRC failed)",
            if parts.is_empty() {
                "no SIB1".to_string()
            } else {
                parts.join(", ")
            },
            if got.is_empty() {
                "nothing".to_string()
            } else {
                got.join(" ")
            },
            si.dci_found,
            si.crc_failed
        );
    }
}

fn print_gsm(outcome: &SessionOutcome, dbm_offset_db: Option<f64>) {
    let result = &outcome.result;
    let mut table = Table::new([
        "RAT",
        "ARFCN",
        "MCC-MNC",
        "LAC",
        "CI",
        "BSIC",
        "power dBFS",
        "SNR dB",
        "offset Hz",
        "offset ppm",
        "blocks ok/fail",
        "neighbours",
        "verdict",
    ]);
    for cell in &result.gsm {
        let m = &cell.measurement;
        let id = cell.identity.as_ref();
        let neighbours = match &cell.neighbours {
            Some(n) if n.is_empty() => "none".to_string(),
            Some(n) => n.iter().map(u16::to_string).collect::<Vec<_>>().join(","),
            None => "-".to_string(),
        };
        let verdict = outcome.verdict_for(cell.cell);
        table.row([
            "GSM".to_string(),
            opt(cell.arfcn),
            id.map_or("-".into(), |c| c.plmn.to_string()),
            opt(id.map(|c| c.lac)),
            opt(id.and_then(|c| c.cell_identity)),
            opt(m.bsic),
            match (m.power_dbfs, dbm_offset_db) {
                (Some(p), Some(o)) => format!("{p:.1} ({:.1} dBm)", f64::from(p) + o),
                (p, _) => num(p.map(f64::from), 1),
            },
            num(m.snr_db.map(f64::from), 1),
            num(m.freq_offset_hz, 0),
            num(m.freq_offset_ppm, 2),
            format!("{}/{}", m.blocks_ok, m.blocks_failed),
            neighbours,
            verdict.map_or("-".into(), |v| {
                format!("{} ({:.1})", v.verdict.level.label(), v.verdict.score)
            }),
        ]);
    }
    for line in table.render().lines() {
        println!("  {line}");
    }
}

fn print_verdicts(verdicts: &[CellVerdict]) {
    for v in verdicts
        .iter()
        .filter(|v| v.verdict.level != VerdictLevel::Clean)
    {
        println!(
            "  {} cell {}: {} (score {:.1})",
            v.verdict.level.label().to_uppercase(),
            describe_key(v),
            v.verdict.rule_ids().join(", "),
            v.verdict.score
        );
        for d in &v.verdict.detections {
            println!("    [{}] {}: {}", d.severity, d.rule_id, d.summary);
        }
    }
}

fn describe_key(v: &CellVerdict) -> String {
    let k = &v.key;
    format!(
        "{}{}{}",
        k.channel.map_or(String::new(), |c| format!("ARFCN {c}")),
        k.plmn.as_ref().map_or(String::new(), |p| format!(" {p}")),
        k.cell_id.map_or(String::new(), |c| format!(" CI {c}")),
    )
}

fn reaches(level: VerdictLevel, threshold: LevelArg) -> bool {
    match threshold {
        LevelArg::Suspicious => level != VerdictLevel::Clean,
        LevelArg::LikelyFake => level == VerdictLevel::LikelyFake,
    }
}

/// Decodes one recording through a session; `Err` when it could not start (unreadable file,
/// database). A recording cut short still yields everything before the cut, with the error in
/// the outcome.
fn replay_file(
    path: &std::path::Path,
    args: &ReplayArgs,
    engine: &mut cellsentry_detect::Engine,
    mut store: Option<&mut Store>,
    pcap: Option<&mut GsmtapPcap>,
    run_positions: &positions::RunPositions,
    progress: bool,
) -> Result<(SessionOutcome, Option<String>)> {
    let source = input::open_file(path, &args.raw)?;
    let mut info = source.info().clone();
    // The recording's time base: SigMF core:datetime, else --start, else the wall clock.
    if info.start_unix_ns.is_none() {
        info.start_unix_ns = run_positions
            .start_unix_ms
            .map(|ms| i128::from(ms) * 1_000_000);
    }
    let timed = info.start_unix_ns.is_some();
    let base_unix_ms = run_positions.base_unix_ms(info.start_unix_ns, now_unix_ms());
    let seconds = info.total_samples.unwrap_or(0) as f64 / info.sample_rate_hz.max(1.0);
    let sensor_positions = run_positions.for_recording(
        path,
        base_unix_ms,
        base_unix_ms + (seconds * 1000.0) as i64,
        timed,
    );
    let opts = SessionOptions {
        kind: RunKind::Replay,
        fft_size: REPLAY_FFT,
        block_samples: cellsentry_pipeline::block_samples_for_rate(info.sample_rate_hz),
        dbm_offset_db: args.store.dbm_offset,
        keep_observations: args.detect.survey_out.is_some(),
        settings: json!({
            "rate": args.raw.rate, "freq": args.raw.freq,
            "format": args.raw.format.map(|f| f.short_name()),
            "country": args.detect.country,
            "baseline": args.detect.baseline,
            "cell_db": args.detect.cell_db,
            "track": args.position.track, "start": args.position.start,
            "command_line": crate::custody::command_line(),
        }),
        host_position: run_positions
            .fixed_position(path)
            .map(|f| (f.lat_deg, f.lon_deg)),
        threads: super::all_cores(),
        ..SessionOptions::default()
    };
    let mut session = Session::new(&info, opts, engine, store.as_deref_mut())?
        .with_positions(sensor_positions.as_deref());
    // Chain of custody (issue #13): the recording's hashes, taken on a thread of their own
    // while the recording is decoded (a serial pass cost a tenth of a replay's wall clock) and
    // stored when the run ends, however it ends (an interrupted run keeps them too).
    let run_id = session.run_id();
    let custody = run_id.map(|_| {
        let (path, info) = (path.to_path_buf(), info.clone());
        std::thread::spawn(move || crate::custody::describe(&path, &info))
    });
    if let Some(p) = pcap {
        session = session.with_frames(p);
    }
    let bar = if progress {
        let bar = ProgressBar::new(info.total_samples.unwrap_or(0)).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {percent}% {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().to_string()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let stop: &AtomicBool = signals::stop_flag();
    let outcome = session.run(source, stop, &mut |ev| {
        if let SessionEvent::Progress { samples, .. } = ev {
            bar.set_position(*samples);
        }
    });
    bar.finish_and_clear();
    if let (Some(run), Some(store), Some(hashing)) = (run_id, store, custody) {
        let stored = hashing
            .join()
            .map_err(|_| anyhow::anyhow!("hashing the recording failed"))
            .and_then(|ev| ev)
            .and_then(|ev| crate::custody::store_evidence(store, run, ev));
        // A session that failed (its store, say) reports its own error, not this one's.
        if outcome.is_ok() {
            stored?;
        }
    }
    let outcome = outcome?;
    Ok((outcome, sensor_positions.as_ref().map(|p| p.describe())))
}

pub fn run(args: &ReplayArgs) -> Result<i32> {
    let (files, skipped) = input::expand_inputs(&args.inputs)?;
    for s in &skipped {
        eprintln!("cellsentry: skipping {s}");
    }
    if files.is_empty() {
        return Err(BadInput("no recordings given".into()).into());
    }
    let mut store = if args.no_db {
        None
    } else {
        let options = StoreOptions {
            store_identities_clear: args.store.store_identities,
            ..StoreOptions::default()
        };
        Some(
            Store::open(&args.store.db, &options)
                .with_context(|| format!("cannot open {}", args.store.db.display()))?,
        )
    };
    let mut pcap = match &args.pcap {
        Some(path) => Some(GsmtapPcap::create(path)?),
        None => None,
    };
    let mut engine = detector::engine(&args.detect)?;
    // Issue #13: shared fake cells (imported into the db, or --watchlist files).
    crate::watch::load(&mut engine, &args.detect, store.as_ref())?;
    let run_positions = positions::RunPositions::load(&args.position)?;
    signals::install();
    let mut all_observations = Vec::new();
    let mut all_carriers = Vec::new();
    let progress =
        !args.quiet && !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut worst_hit = false;
    let mut failures = 0usize;
    let mut last_error = None;
    let mut interrupted = false;
    for path in &files {
        let clock = Instant::now();
        let (outcome, positions) = match replay_file(
            path,
            args,
            &mut engine,
            store.as_mut(),
            pcap.as_mut(),
            &run_positions,
            progress,
        ) {
            Ok(o) => o,
            Err(err) => {
                // One recording: its error is the command's error. Several: say it and go on.
                if files.len() == 1 {
                    return Err(err);
                }
                eprintln!("cellsentry: error: {}", exit::one_line(&err));
                failures += 1;
                last_error = Some(err);
                continue;
            }
        };
        let cpu_s = clock.elapsed().as_secs_f64();
        if args.detect.survey_out.is_some() {
            all_observations.extend(outcome.observations.iter().cloned());
            all_carriers.extend(outcome.carriers.iter().cloned());
        }
        if let Some(threshold) = args.fail_on {
            worst_hit |= outcome
                .verdicts
                .iter()
                .any(|v| reaches(v.verdict.level, threshold));
        }
        if args.json {
            let line = json!({
                "file": path.display().to_string(),
                "run_id": outcome.run_id.map(|r| r.0),
                "status": outcome.status,
                "decode_seconds": cpu_s,
                "dbm_offset_db": args.store.dbm_offset,
                "positions": positions,
                "result": &outcome.result,
                "verdicts": &outcome.verdicts,
                "alerts": &outcome.alerts,
            });
            println!("{line}");
        } else {
            print_table(&outcome, args.store.dbm_offset);
        }
        if outcome.status == RunStatus::Interrupted {
            interrupted = true;
            eprintln!(
                "cellsentry: interrupted: {} kept with everything decoded so far ({:.1} s of signal)",
                outcome
                    .run_id
                    .map_or_else(|| "the run".to_string(), |r| format!("run {r}")),
                outcome.result.seconds
            );
            break;
        }
        if let Some(err) = outcome.error {
            // Everything before the cut was decoded and stored above.
            let err = anyhow::Error::from(err);
            eprintln!("cellsentry: error: {}", exit::one_line(&err));
            failures += 1;
            last_error = Some(err);
        }
    }
    if let Some(pcap) = pcap {
        pcap.finish()?;
    }
    if let Some(path) = &args.detect.survey_out {
        detector::save_survey(path, &all_observations, &all_carriers)?;
        eprintln!(
            "cellsentry: baseline of this survey written to {}",
            path.display()
        );
    }
    if interrupted {
        return Ok(exit::INTERRUPTED);
    }
    if let Some(err) = last_error {
        // Each failure was already printed, one line each.
        eprintln!(
            "cellsentry: {failures} of {} recording(s) failed",
            files.len()
        );
        return Ok(exit::code_for(&err));
    }
    Ok(if worst_hit { exit::DETECTION } else { exit::OK })
}
