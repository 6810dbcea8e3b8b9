//! The watch-list a replay or monitor matches against: sightings imported into the database
//! (`cellsentry import`) plus any `--watchlist FILE` given on the command line.

use anyhow::Result;
use cellsentry_detect::Engine;
use cellsentry_store::Store;

use crate::cli::DetectOpts;
use crate::exit::BadInput;

/// Loads the watch-list into `engine`; says on stderr how many shared cells are watched.
pub fn load(engine: &mut Engine, opts: &DetectOpts, store: Option<&Store>) -> Result<()> {
    let rows = match store {
        Some(s) => s.shared_sightings()?,
        None => Vec::new(),
    };
    let mut extra = Vec::new();
    for path in &opts.watchlist {
        extra.extend(cellsentry_share::read_sightings(path).map_err(|e| BadInput(e.to_string()))?);
    }
    let watchlist =
        cellsentry_share::watchlist(&rows, &extra).map_err(|e| BadInput(e.to_string()))?;
    if !watchlist.is_empty() {
        eprintln!(
            "cellsentry: watching for {} shared fake cell sighting(s)",
            watchlist.cells.len()
        );
        engine.set_watchlist(watchlist);
    }
    Ok(())
}
