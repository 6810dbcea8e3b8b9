//! `cellsentry locate`: where each cell's transmitter is, from the positioned measurements a
//! database holds (drives with `--track`, fixed sensors with `--lat/--lon` or SigMF
//! geolocation, or both), by `cellsentry-locate`'s robust path-loss fit, with the weighted
//! centroid of the strongest readings beside it for comparison.

use anyhow::{Context, Result};
use cellsentry_locate::{
    locate, locate_with_bearings, read_bearings_file, weighted_centroid, Bearing, Estimate,
    GeoPoint, LocateConfig, Measurement,
};
use cellsentry_store::{CellId, ObservationRow, RunId, Store, StoreOptions};
use serde::Serialize;
use serde_json::json;

use crate::cli::LocateArgs;
use crate::cmd::report::cell_label;
use crate::exit::{self, BadInput};
use crate::hunt::CellSelector;
use crate::map;
use crate::output::Table;

/// One cell's answer.
#[derive(Debug, Clone, Serialize)]
pub struct CellLocation {
    pub cell_id: i64,
    pub cell: String,
    /// Power scale of the fit: "dBm" when every positioned row was calibrated, else "dBFS".
    pub power_unit: &'static str,
    pub estimate: Option<Estimate>,
    /// Why there is no estimate.
    pub reason: Option<String>,
    /// Weighted centroid of the strongest tenth of the readings, (lat, lon).
    pub centroid: Option<(f64, f64)>,
    /// Bearings from a directional antenna fitted with the readings (`--bearings`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bearings: Vec<Bearing>,
    #[serde(skip)]
    pub rows: Vec<Measurement>,
}

/// One positioned reading, whatever database it came from.
struct Reading {
    lat_deg: f64,
    lon_deg: f64,
    power_dbfs: f64,
    power_dbm: Option<f64>,
    time_unix_ms: i64,
    sensor: String,
}

/// The fit's input: the readings with a finite power. Calibrated dBm is used only when every
/// reading has it (dBFS of different radios and gains do not mix).
fn measurements(readings: Vec<Reading>) -> (Vec<Measurement>, &'static str) {
    let good: Vec<Reading> = readings
        .into_iter()
        .filter(|r| r.power_dbfs.is_finite())
        .collect();
    let dbm = !good.is_empty() && good.iter().all(|r| r.power_dbm.is_some());
    let rows = good
        .into_iter()
        .map(|r| Measurement {
            point: GeoPoint::new(r.lat_deg, r.lon_deg),
            power_db: match r.power_dbm {
                Some(p) if dbm => p,
                _ => r.power_dbfs,
            },
            time_unix_ms: r.time_unix_ms,
            sensor: r.sensor,
        })
        .collect();
    (rows, if dbm { "dBm" } else { "dBFS" })
}

/// The fit's input from stored observations: those with a position and a power, one sensor
/// per run.
pub fn rows_from_observations(obs: &[ObservationRow]) -> (Vec<Measurement>, &'static str) {
    measurements(
        obs.iter()
            .filter_map(|o| {
                Some(Reading {
                    lat_deg: o.lat_deg?,
                    lon_deg: o.lon_deg?,
                    power_dbfs: o.power_dbfs,
                    power_dbm: o.power_dbm,
                    time_unix_ms: o.time_unix_ms,
                    sensor: format!("run {}", o.run_id.0),
                })
            })
            .collect(),
    )
}

/// Locates one cell from its measurements, with the centroid beside the fit.
fn fit(cell_id: i64, label: String, rows: Vec<Measurement>, unit: &'static str) -> CellLocation {
    let (estimate, reason) = match locate(&rows, &LocateConfig::default()) {
        Ok(e) => (Some(e), None),
        Err(e) => (None, Some(e.to_string())),
    };
    CellLocation {
        cell_id,
        cell: label,
        power_unit: unit,
        estimate,
        reason,
        centroid: weighted_centroid(&rows),
        bearings: Vec::new(),
        rows,
    }
}

/// Locates one cell from its observations.
pub fn locate_cell(cell_id: i64, label: String, obs: &[ObservationRow]) -> CellLocation {
    let (rows, unit) = rows_from_observations(obs);
    fit(cell_id, label, rows, unit)
}

/// A `--cell` argument: the store's cell id, or a description of the cell.
enum Wanted {
    Id(i64),
    Like(CellSelector, String),
}

/// Every asked-for cell (all cells with positioned measurements when `cells` is empty).
pub fn locate_cells(
    store: &Store,
    run: Option<RunId>,
    cells: &[String],
) -> Result<Vec<CellLocation>> {
    let mut wanted = Vec::new();
    for c in cells {
        wanted.push(match c.trim().parse::<i64>() {
            Ok(id) => {
                if store.cell(CellId(id))?.is_none() {
                    return Err(BadInput(format!("no cell {id} in this database")).into());
                }
                Wanted::Id(id)
            }
            Err(_) => Wanted::Like(
                CellSelector::parse(c).map_err(|e| BadInput(e.replacen("--hunt", "--cell", 1)))?,
                c.clone(),
            ),
        });
    }
    let all = store.cells(run)?;
    for w in &wanted {
        if let Wanted::Like(sel, text) = w {
            if !all.iter().any(|c| sel.matches(&c.key)) {
                return Err(
                    BadInput(format!("--cell {text:?}: no such cell in this database")).into(),
                );
            }
        }
    }
    let mut out = Vec::new();
    for cell in all {
        let asked = wanted.iter().any(|w| match w {
            Wanted::Id(id) => *id == cell.id.0,
            Wanted::Like(sel, _) => sel.matches(&cell.key),
        });
        if !wanted.is_empty() && !asked {
            continue;
        }
        let obs = store.observations_for_cell(cell.id, run)?;
        let loc = locate_cell(cell.id.0, cell_label(&cell.key), &obs);
        if loc.rows.is_empty() && wanted.is_empty() {
            continue;
        }
        out.push(loc);
    }
    Ok(out)
}

/// The method in words: `drive`, `fixed_sensors` or `combined`, and the bearings fitted.
pub fn method_text(e: &Estimate) -> String {
    match e.bearings {
        0 => e.method.as_str().to_string(),
        1 => format!("{} + 1 bearing", e.method.as_str()),
        n => format!("{} + {n} bearings", e.method.as_str()),
    }
}

fn fmt_deg(v: f64) -> String {
    format!("{v:.6}")
}

/// Every asked-for cell of the fleet's central database: the positioned readings of every
/// sensor (fixed sensors and drives of every team) fitted together, one sensor per central run.
fn locate_central(db: &str, run: Option<i64>, cells: &[String]) -> Result<Vec<CellLocation>> {
    use cellsentry_fleet::{readings, Source, Target};
    if run.is_some() {
        return Err(
            BadInput("--run numbers a sensor's runs: not for the central database".into()).into(),
        );
    }
    let target = Target::resolve(&Source::parse(db))?;
    let mut client = target.connect()?;
    let mut ids = Vec::new();
    let mut selectors = Vec::new();
    for c in cells {
        match c.trim().parse::<i64>() {
            Ok(id) => {
                if !readings::cell_exists(&mut client, id)? {
                    return Err(BadInput(format!("no cell {id} in the central database")).into());
                }
                ids.push(id);
            }
            Err(_) => selectors.push((
                CellSelector::parse(c).map_err(|e| BadInput(e.replacen("--hunt", "--cell", 1)))?,
                c.clone(),
            )),
        }
    }
    // Selectors are matched here against every cell with readings; ids go to the query.
    let fetch: &[i64] = if selectors.is_empty() { &ids } else { &[] };
    // Each cell's key, parsed once for the selectors and the label.
    let all: Vec<_> = readings::positioned_readings(&mut client, fetch)?
        .into_iter()
        .map(|c| {
            (
                cellsentry_model::CellKey::from_natural_key(&c.natural_key),
                c,
            )
        })
        .collect();
    let selected = |key: &Option<cellsentry_model::CellKey>, sel: &CellSelector| {
        key.as_ref().is_some_and(|k| sel.matches(k))
    };
    for (sel, text) in &selectors {
        if !all.iter().any(|(key, _)| selected(key, sel)) {
            return Err(BadInput(format!(
                "--cell {text:?}: no cell with positioned readings in the central database"
            ))
            .into());
        }
    }
    let mut out = Vec::new();
    for (key, cell) in all {
        let asked = (ids.is_empty() && selectors.is_empty())
            || ids.contains(&cell.cell_id)
            || selectors.iter().any(|(sel, _)| selected(&key, sel));
        if !asked {
            continue;
        }
        let (rows, unit) = measurements(
            cell.readings
                .iter()
                .filter_map(|r| {
                    Some(Reading {
                        lat_deg: r.lat_deg,
                        lon_deg: r.lon_deg,
                        power_dbfs: r.power_dbfs?,
                        power_dbm: r.power_dbm,
                        time_unix_ms: r.time_unix_ms,
                        // One sensor per central run: a fixed sensor or one drive.
                        sensor: format!("sensor {} run {}", r.sensor_id, r.run_id),
                    })
                })
                .collect(),
        );
        let label = key.as_ref().map_or(cell.natural_key.clone(), cell_label);
        out.push(fit(cell.cell_id, label, rows, unit));
    }
    Ok(out)
}

pub fn run(args: &LocateArgs) -> Result<i32> {
    let central = args
        .db
        .to_str()
        .filter(|d| cellsentry_fleet::Source::is_central(d));
    // The bearings file first: a bad one is reported before any database work.
    let bearings = match &args.bearings {
        Some(path) => read_bearings_file(path).map_err(|e| BadInput(e.to_string()))?,
        None => Vec::new(),
    };
    let mut locations = match central {
        Some(db) => locate_central(db, args.run, &args.cell)?,
        None => locate_local(args)?,
    };
    if !bearings.is_empty() {
        add_bearings(&mut locations, bearings)?;
    }
    render(args, &locations)
}

/// Refits the one selected cell with the bearings (they were taken on one transmitter, so
/// they cannot go with several cells).
fn add_bearings(locations: &mut [CellLocation], bearings: Vec<Bearing>) -> Result<()> {
    let [l] = locations else {
        return Err(BadInput(format!(
            "--bearings are of one transmitter, and {} cells have positioned measurements: \
             name its cell with --cell",
            locations.len()
        ))
        .into());
    };
    (l.estimate, l.reason) =
        match locate_with_bearings(&l.rows, &bearings, &LocateConfig::default()) {
            Ok(e) => (Some(e), None),
            Err(e) => (None, Some(e.to_string())),
        };
    l.bearings = bearings;
    Ok(())
}

fn locate_local(args: &LocateArgs) -> Result<Vec<CellLocation>> {
    if !args.db.exists() {
        return Err(BadInput(format!("{}: no such database", args.db.display())).into());
    }
    let options = StoreOptions {
        create_if_missing: false,
        ..StoreOptions::default()
    };
    let store = Store::open(&args.db, &options)
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    locate_cells(&store, args.run.map(RunId), &args.cell)
}

fn render(args: &LocateArgs, locations: &[CellLocation]) -> Result<i32> {
    if let Some(path) = &args.geojson {
        let fc = map::geojson(locations);
        std::fs::write(path, fc.to_string() + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.kml {
        std::fs::write(path, map::kml(locations))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "cells": locations }))?
        );
    } else if locations.is_empty() {
        println!("no cell has positioned measurements (replay with --track, --lat/--lon, or SigMF geolocation)");
    } else {
        let mut t = Table::new([
            "id",
            "cell",
            "method",
            "lat",
            "lon",
            "95% radius m",
            "95% ellipse m",
            "exponent",
            "residual dB",
            "bins",
            "centroid",
        ]);
        for l in locations {
            let c = l.centroid.map_or("-".into(), |(a, b)| {
                format!("{},{}", fmt_deg(a), fmt_deg(b))
            });
            match &l.estimate {
                Some(e) => t.row([
                    l.cell_id.to_string(),
                    l.cell.clone(),
                    format!(
                        "{}{}",
                        method_text(e),
                        if e.ambiguous { " (ambiguous)" } else { "" }
                    ),
                    fmt_deg(e.point.lat_deg),
                    fmt_deg(e.point.lon_deg),
                    format!("{:.0}", e.radius95_m),
                    format!(
                        "{:.0} x {:.0} @ {:.0} deg",
                        e.ellipse.semi_major_m, e.ellipse.semi_minor_m, e.ellipse.orientation_deg
                    ),
                    format!("{:.2}", e.exponent),
                    format!("{:.1}", e.residual_sd_db),
                    e.bins.to_string(),
                    c,
                ]),
                None => t.row([
                    l.cell_id.to_string(),
                    l.cell.clone(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    l.reason.clone().unwrap_or_default(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    c,
                ]),
            }
        }
        print!("{}", t.render());
        // A table cell is too narrow for the other side of the road: a line each.
        for l in locations {
            if let Some((lat, lon)) = l.estimate.as_ref().and_then(|e| e.alternative) {
                println!(
                    "cell {}: ambiguous, {},{} fits nearly as well (drive near both to tell)",
                    l.cell_id,
                    fmt_deg(lat),
                    fmt_deg(lon)
                );
            }
        }
    }
    Ok(if locations.iter().any(|l| l.estimate.is_some()) {
        exit::OK
    } else {
        exit::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearings_need_exactly_one_cell() {
        let b = Bearing {
            point: GeoPoint::new(51.5, -0.12),
            bearing_deg: 10.0,
            sd_deg: 10.0,
        };
        let cell = |id| fit(id, format!("cell {id}"), Vec::new(), "dBFS");
        for mut cells in [vec![], vec![cell(1), cell(2)]] {
            let e = add_bearings(&mut cells, vec![b]).unwrap_err().to_string();
            assert!(e.contains("--cell") && !e.contains('\n'), "{e}");
        }
        // One cell: refitted (here without readings, so with the fit's reason).
        let mut one = vec![cell(1)];
        add_bearings(&mut one, vec![b]).unwrap();
        assert_eq!(one[0].bearings, vec![b]);
        assert!(one[0].estimate.is_none() && one[0].reason.is_some());
    }
}
