//! `cellsentry replay`: decode recordings (files or folders), store the cells, messages and
//! verdicts, print a cell table (or JSON lines), optionally write GSMTAP for Wireshark.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use cellsentry_capture::{spawn_reader, CaptureError};
use cellsentry_detect::{CellVerdict, VerdictLevel};
use cellsentry_store::{NewRun, RunKind, RunStatus, Store, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::assess;
use crate::chain::{Chain, StreamResult};
use crate::cli::{LevelArg, ReplayArgs};
use crate::exit::{self, BadInput};
use crate::input;
use crate::output::{num, opt, Table};

use crate::pcap;
use crate::persist;
use crate::positions;

/// FFT size of the spectrum every replay records.
const REPLAY_FFT: usize = 2048;
/// Samples per block handed from the reader thread (about 10 ms at 4 sps GSM).
const BLOCK_SAMPLES: usize = 1 << 14;

pub fn now_unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Decodes one recording from start to end. A recording cut short (a stray partial sample at
/// the end) still yields everything before the cut, with the error beside it.
pub fn decode_file(
    path: &Path,
    args: &ReplayArgs,
    progress: bool,
) -> Result<(StreamResult, Option<anyhow::Error>)> {
    let source = input::open_file(path, &args.raw)?;
    let info = source.info().clone();
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
    let mut chain = Chain::new(&info, REPLAY_FFT);
    let (rx, handle) = spawn_reader(source, BLOCK_SAMPLES, 16);
    let mut cut_short = None;
    for block in rx.iter() {
        match block {
            Ok(block) => {
                chain.push(&block);
                bar.inc(block.samples.len() as u64);
            }
            Err(e @ CaptureError::Truncated { .. }) => {
                cut_short = Some(anyhow::Error::from(e));
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    drop(rx);
    let _ = handle.join();
    bar.finish_and_clear();
    Ok((chain.finish(), cut_short))
}

fn print_table(
    result: &StreamResult,
    verdicts: &[CellVerdict],
    base_unix_ms: i64,
    dbm_offset_db: Option<f64>,
) {
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
    print_lte(result, verdicts, base_unix_ms);
    if result.gsm.is_empty() {
        println!("  no GSM cell decoded");
    } else {
        print_gsm(result, verdicts, base_unix_ms, dbm_offset_db);
    }
    print_verdicts(verdicts);
}

fn print_lte(result: &StreamResult, verdicts: &[CellVerdict], base_unix_ms: i64) {
    // The carrier timeline: the first measurement, then every change of state or a power
    // step of 10 dB (what a jammer does).
    let mut shown: Option<&crate::chain::LteCarrierResult> = None;
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
        let obs = assess::lte_observation(cell, base_unix_ms);
        let key = cellsentry_detect::CellKey::of(&obs);
        let verdict = verdicts.iter().find(|v| v.key == key);
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
                format!("{} ({:.1})", level_name(v.verdict.level), v.verdict.score)
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

fn print_gsm(
    result: &StreamResult,
    verdicts: &[CellVerdict],
    base_unix_ms: i64,
    dbm_offset_db: Option<f64>,
) {
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
        let id = cell.sysinfo.cell_id();
        let neighbours = if cell.sysinfo.seen(cellsentry_gsm_l3::SiType::Si2) {
            let n = cell.sysinfo.neighbour_arfcns();
            if n.is_empty() {
                "none".to_string()
            } else {
                n.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
            }
        } else {
            "-".to_string()
        };
        let verdict = persist::verdict_for(cell, base_unix_ms, verdicts);
        table.row([
            "GSM".to_string(),
            opt(cell.arfcn),
            id.as_ref()
                .map_or("-".into(), |c| format!("{}-{}", c.plmn.mcc, c.plmn.mnc)),
            opt(id.as_ref().map(|c| c.lac)),
            opt(id.as_ref().and_then(|c| c.cell_identity)),
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
                format!("{} ({:.1})", level_name(v.verdict.level), v.verdict.score)
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
            level_name(v.verdict.level).to_uppercase(),
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

pub fn level_name(level: VerdictLevel) -> &'static str {
    match level {
        VerdictLevel::Clean => "clean",
        VerdictLevel::Suspicious => "suspicious",
        VerdictLevel::LikelyFake => "likely fake",
    }
}

fn reaches(level: VerdictLevel, threshold: LevelArg) -> bool {
    match threshold {
        LevelArg::Suspicious => level != VerdictLevel::Clean,
        LevelArg::LikelyFake => level == VerdictLevel::LikelyFake,
    }
}

pub fn run(args: &ReplayArgs) -> Result<i32> {
    let (files, skipped) = input::expand_inputs(&args.inputs)?;
    for s in &skipped {
        eprintln!("cellsentry: skipping {s}");
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
        Some(path) => Some(pcap::GsmtapPcap::create(path)?),
        None => None,
    };
    let mut engine = assess::engine(&args.detect)?;
    // Issue #13: shared fake cells (imported into the db, or --watchlist files).
    crate::watch::load(&mut engine, &args.detect, store.as_ref())?;
    let run_positions = positions::RunPositions::load(&args.position)?;
    let mut all_observations = Vec::new();
    let mut all_carriers = Vec::new();
    let progress =
        !args.quiet && !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut worst_hit = false;
    let mut failures = 0usize;
    let mut last_error = None;
    for path in &files {
        let started = now_unix_ms();
        let run_id = match &store {
            Some(store) => {
                let mut new_run = NewRun::new(RunKind::Replay, path.display().to_string(), started);
                new_run.settings = json!({
                    "rate": args.raw.rate, "freq": args.raw.freq,
                    "format": args.raw.format.map(|f| format!("{f:?}")),
                    "country": args.detect.country,
                    "baseline": args.detect.baseline,
                    "cell_db": args.detect.cell_db,
                    "track": args.position.track, "start": args.position.start,
                });
                if let Some(f) = run_positions.fixed_position(path) {
                    new_run.host_lat_deg = Some(f.lat_deg);
                    new_run.host_lon_deg = Some(f.lon_deg);
                }
                Some(store.begin_run(&new_run)?)
            }
            None => None,
        };
        let clock = Instant::now();
        let (result, cut_short) = match decode_file(path, args, progress) {
            Ok(r) => r,
            Err(err) => {
                if let (Some(store), Some(run)) = (&store, run_id) {
                    let _ = store.finish_run(run, RunStatus::Failed, now_unix_ms());
                }
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
        let base_unix_ms = run_positions.base_unix_ms(result.source.start_unix_ns, started);
        let timed = result.source.start_unix_ns.is_some() || run_positions.start_unix_ms.is_some();
        let sensor_positions = run_positions.for_recording(
            path,
            base_unix_ms,
            base_unix_ms + (result.seconds * 1000.0) as i64,
            timed,
        );
        let mut observations = assess::observations(&result, base_unix_ms);
        if let Some(src) = &sensor_positions {
            positions::attach(&mut observations, src.as_ref());
        }
        let carriers = assess::carrier_observations(&result, base_unix_ms);
        let (_scene, verdicts) = assess::verdicts(&engine, &observations, &carriers);
        if args.detect.survey_out.is_some() {
            all_observations.extend(observations.iter().cloned());
            all_carriers.extend(carriers.iter().cloned());
        }
        if let (Some(store), Some(run)) = (&mut store, run_id) {
            // Chain of custody (issue #13): the recording's hashes and the command line.
            let written = crate::custody::record(store, run, path, &result.source, engine.rules())
                .and_then(|_| {
                    persist::write_stream(
                        store,
                        run,
                        &result,
                        base_unix_ms,
                        &verdicts,
                        args.store.dbm_offset,
                        sensor_positions.as_deref(),
                    )
                });
            if let Err(err) = written {
                // The batch rolled back (disk full, lock, ...); earlier runs stay as they were
                // and this one is closed as failed rather than left `running`.
                let _ = store.finish_run(run, RunStatus::Failed, now_unix_ms());
                return Err(err);
            }
            let status = if cut_short.is_some() {
                RunStatus::Failed
            } else {
                RunStatus::Completed
            };
            store.finish_run(run, status, now_unix_ms())?;
        }
        if let Some(pcap) = &mut pcap {
            for cell in &result.gsm {
                pcap.write_cell(cell, base_unix_ms, result.source.sample_rate_hz)?;
            }
            for cell in &result.lte {
                pcap.write_lte_cell(cell, base_unix_ms)?;
            }
        }
        if let Some(threshold) = args.fail_on {
            worst_hit |= verdicts.iter().any(|v| reaches(v.verdict.level, threshold));
        }
        if args.json {
            let line = json!({
                "file": path.display().to_string(),
                "run_id": run_id.map(|r| r.0),
                "decode_seconds": cpu_s,
                "dbm_offset_db": args.store.dbm_offset,
                "positions": sensor_positions.as_ref().map(|p| p.describe()),
                "result": &result,
                "verdicts": verdicts,
            });
            println!("{line}");
        } else {
            print_table(&result, &verdicts, base_unix_ms, args.store.dbm_offset);
        }
        if let Some(err) = cut_short {
            // Everything before the cut was decoded and stored above.
            eprintln!("cellsentry: error: {}", exit::one_line(&err));
            failures += 1;
            last_error = Some(err);
        }
    }
    if let Some(pcap) = pcap {
        pcap.finish()?;
    }
    if let Some(path) = &args.detect.survey_out {
        assess::save_survey(path, &all_observations, &all_carriers)?;
        eprintln!(
            "cellsentry: baseline of this survey written to {}",
            path.display()
        );
    }
    if let Some(err) = last_error {
        // Each failure was already printed, one line each.
        eprintln!(
            "cellsentry: {failures} of {} recording(s) failed",
            files.len()
        );
        return Ok(exit::code_for(&err));
    }
    if files.is_empty() {
        return Err(BadInput("no recordings given".into()).into());
    }
    Ok(if worst_hit { exit::DETECTION } else { exit::OK })
}
