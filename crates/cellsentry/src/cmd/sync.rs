//! `cellsentry sync`: push this sensor's database to the fleet's central PostgreSQL + PostGIS
//! database (the work is in the `fleet` crate; this is arguments, progress and output).

use std::time::Duration;

use anyhow::Result;
use cellsentry_fleet::{Source, SyncOptions, Target, DEFAULT_ENV};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{CentralOpts, SyncArgs};
use crate::exit::{self, BadInput};
use crate::output::Table;
use crate::signals;

/// The central database named by `--to`/`--to-file`, else `$CELLSENTRY_PG_URL`.
pub fn central_target(opts: &CentralOpts) -> Result<Target> {
    let source = match (&opts.to_file, &opts.to) {
        (Some(path), _) => Source::File(path.clone()),
        (None, Some(to)) => Source::parse(to),
        (None, None) => Source::Env(DEFAULT_ENV.to_string()),
    };
    Ok(Target::resolve(&source)?)
}

pub fn run(args: &SyncArgs) -> Result<i32> {
    if !args.db.exists() {
        return Err(BadInput(format!("{}: no such database", args.db.display())).into());
    }
    let target = central_target(&args.central)?;
    let options = SyncOptions {
        batch_rows: usize::try_from(args.batch_rows).unwrap_or(usize::MAX),
        include_identities: args.include_identities,
        retry_for: Duration::from_secs(args.retry_seconds),
        full: args.full,
        name: args.name.clone(),
        organisation: args.organisation.clone(),
        country: args.country.clone(),
        // SIGINT/SIGTERM: stop between batches (the one in flight commits).
        stop: Some(signals::stop_handle()),
    };
    signals::install();
    let show = !args.quiet && !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = show.then(|| {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} rows {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    });
    let mut progress = |p: cellsentry_fleet::Progress<'_>| {
        if let Some(b) = &bar {
            if b.message() != p.table {
                b.set_message(p.table.to_string());
                b.set_length(p.total);
                b.reset();
            }
            b.set_position(p.done);
        }
    };
    let report = cellsentry_fleet::sync(&args.db, &target, &options, &mut progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let interrupted = || {
        eprintln!(
            "cellsentry: interrupted: sync stopped between batches, {} row(s) sent and committed whole; run sync again to send the rest",
            report.sent()
        );
        exit::INTERRUPTED
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(if report.interrupted {
            interrupted()
        } else {
            exit::OK
        });
    }
    let name = report.sensor.name.as_deref().unwrap_or("(unnamed)");
    println!(
        "sensor {} {name} -> {} in {:.1} s{}",
        report.sensor.id,
        target,
        report.seconds,
        if report.reconnects > 0 {
            format!(", {} reconnection(s)", report.reconnects)
        } else {
            String::new()
        }
    );
    let mut t = Table::new(["table", "on sensor", "sent", "written", "central"]);
    for (name, r) in &report.tables {
        t.row([
            name.clone(),
            r.local_rows.to_string(),
            r.sent.to_string(),
            r.written.to_string(),
            r.central_rows.map_or("-".to_string(), |c| c.to_string()),
        ]);
    }
    print!("{}", t.render());
    if report.interrupted {
        return Ok(interrupted());
    }
    if report.sent() == 0 {
        println!("nothing new: the central database already had everything");
    }
    Ok(exit::OK)
}
