//! Sightings shared by others: MISP events and STIX 2.1 bundles, read whole, turned into the
//! detector's watch-list, and written back out (what we accept we must be able to pass on).

use cellsentry_share::misp::{self, Grouping};
use cellsentry_share::{read_document, stix, watchlist, RunSightings, Tlp};
use serde_json::Value;

/// A shared MISP or STIX JSON document (the whole input).
pub fn import(data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok((_, sightings)) = read_document(&doc) else {
        return;
    };
    let _ = watchlist(&[], &sightings);
    for s in &sightings {
        let _ = s.validate();
        let _ = s.cell.label();
        let _ = s.to_watched();
    }
    let runs = [RunSightings {
        run_id: 1,
        started_unix_ms: sightings.first().map_or(0, |s| s.first_seen_unix_ms),
        kind: "replay".to_string(),
        source: "fuzz".to_string(),
        sensor_id: "fuzz".to_string(),
        sightings: sightings.clone(),
    }];
    if let Ok(events) = misp::export(&runs, Grouping::PerCell, Some("fuzz"), Tlp::Amber) {
        let doc = misp::document(events);
        if let Err(e) = read_document(&doc) {
            panic!("a MISP export of imported sightings does not read back: {e}");
        }
    }
    if let Ok(bundle) = stix::export(&runs, Some("fuzz"), Tlp::Amber) {
        if let Err(e) = read_document(&bundle) {
            panic!("a STIX export of imported sightings does not read back: {e}");
        }
    }
}
