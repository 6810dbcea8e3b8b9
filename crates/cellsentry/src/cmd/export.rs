//! `cellsentry export`: the suspected cells of a database as MISP events or a STIX 2.1 bundle,
//! filtered by run, time window and minimum verdict. Never exports subscriber identities.

use anyhow::{Context, Result};
use cellsentry_capture::timefmt::parse_iso8601;
use cellsentry_share::{misp, stix, Filter, Producer, Tlp};
use cellsentry_store::{RunId, Store, StoreOptions, VerdictLevel};

use crate::cli::{ExportArgs, GroupArg, LevelArg, ShareFormatArg};
use crate::exit::{self, BadInput};

fn time_arg(name: &str, text: &Option<String>) -> Result<Option<i64>> {
    text.as_ref()
        .map(|t| {
            parse_iso8601(t)
                .map(|ns| ns.div_euclid(1_000_000) as i64)
                .ok_or_else(|| {
                    BadInput(format!(
                        "--{name} {t}: expected ISO 8601 UTC, e.g. 2025-03-14T09:00:00Z"
                    ))
                    .into()
                })
        })
        .transpose()
}

pub fn run(args: &ExportArgs) -> Result<i32> {
    let tlp = Tlp::parse(&args.tlp).ok_or_else(|| {
        BadInput(format!(
            "--tlp {}: expected clear, green, amber, amber+strict or red",
            args.tlp
        ))
    })?;
    if !args.db.exists() {
        return Err(BadInput(format!("{}: no such database", args.db.display())).into());
    }
    let options = StoreOptions {
        create_if_missing: false,
        ..StoreOptions::default()
    };
    let store = Store::open(&args.db, &options)
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    let filter = Filter {
        run: args.run.map(RunId),
        since_unix_ms: time_arg("since", &args.since)?,
        until_unix_ms: time_arg("until", &args.until)?,
        min_level: Some(match args.min_verdict {
            LevelArg::Suspicious => VerdictLevel::Suspicious,
            LevelArg::LikelyFake => VerdictLevel::LikelyFake,
        }),
    };
    // The organisation defaults to the one the sensor identity names (`fleet` sets it).
    let org = args
        .org
        .clone()
        .or_else(|| store.sensor_identity().ok().and_then(|i| i.organisation));
    let producer = Producer {
        organisation: org.clone(),
        sensor_id: args.sensor_id.clone(),
    };
    let runs = cellsentry_share::collect(&store, &filter, &producer).map_err(|e| match e {
        cellsentry_share::ShareError::Store(s) => anyhow::Error::from(s),
        other => BadInput(other.to_string()).into(),
    })?;
    let n: usize = runs.iter().map(|r| r.sightings.len()).sum();
    if n == 0 {
        return Err(BadInput(format!(
            "{}: no cell at or above the chosen verdict in the selection: nothing to export",
            args.db.display()
        ))
        .into());
    }
    let doc = match args.format {
        ShareFormatArg::Misp => misp::document(misp::export(
            &runs,
            match args.per {
                GroupArg::Run => misp::Grouping::PerRun,
                GroupArg::Cell => misp::Grouping::PerCell,
            },
            org.as_deref(),
            tlp,
        )?),
        ShareFormatArg::Stix => stix::export(&runs, org.as_deref(), tlp)?,
    };
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "cellsentry: {n} sighting(s) from {} run(s) written to {}",
                runs.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(exit::OK)
}
