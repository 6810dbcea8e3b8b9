//! `cellsentry import`: reads MISP events and STIX bundles other sensors shared and stores their
//! sightings as the watch-list. Each file is checked whole first and stored in one transaction:
//! a malformed file is refused with one line and leaves the database as it was.

use anyhow::{Context, Result};
use cellsentry_store::{Store, StoreOptions};
use serde_json::json;

use crate::cli::ImportArgs;
use crate::exit::{self, BadInput};
use cellsentry_pipeline::now_unix_ms;

pub fn run(args: &ImportArgs) -> Result<i32> {
    // Every file is read and checked before anything is written.
    let mut parsed = Vec::new();
    for path in &args.files {
        let (format, rows) =
            cellsentry_share::read_file(path).map_err(|e| BadInput(e.to_string()))?;
        parsed.push((path, format, rows));
    }
    let mut store = Store::open(&args.db, &StoreOptions::default())
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    let now = now_unix_ms();
    for (path, format, rows) in parsed {
        let counts = store.import_sightings(&rows, now)?;
        if args.json {
            println!(
                "{}",
                json!({"file": path.display().to_string(), "format": format.as_str(),
                       "sightings": rows.len(), "added": counts.added,
                       "already_known": counts.already_known})
            );
        } else {
            let sources: std::collections::BTreeSet<&str> =
                rows.iter().map(|r| r.source.as_str()).collect();
            println!(
                "{}: {} {} sighting(s) from {}: {} added, {} already known",
                path.display(),
                rows.len(),
                format.as_str().to_uppercase(),
                sources.into_iter().collect::<Vec<_>>().join(", "),
                counts.added,
                counts.already_known
            );
        }
    }
    Ok(exit::OK)
}
