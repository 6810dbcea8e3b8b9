//! `cellsentry report`: what a database holds (runs, cells, verdicts, the rules that fired and
//! their evidence) as a table, JSON, a self-contained HTML page a regulator can attach to a case
//! (`report_html`), or GeoJSON where positions are known.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use cellsentry_store::{
    CellKey, CellRow, DetectionRow, ObservationRow, Rat, RunId, RunRow, Store, StoreError,
    StoreOptions, VerdictRow,
};
use serde::Serialize;
use serde_json::{json, Value};

use crate::cli::{ReportArgs, ReportFormat};
use crate::exit::{self, BadInput};
use crate::output::{num, Table};
use crate::plot;

/// Everything the report shows about one cell.
#[derive(Debug, Serialize)]
pub struct CellReport {
    pub cell: CellRow,
    pub verdict: Option<VerdictRow>,
    pub detections: Vec<DetectionRow>,
    pub observations: Vec<ObservationRow>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub runs: Vec<RunRow>,
    pub cells: Vec<CellReport>,
}

pub fn load(store: &Store, run: Option<RunId>) -> Result<Report> {
    let runs: Vec<RunRow> = match run {
        Some(id) => store.run(id)?.into_iter().collect(),
        None => store.runs()?,
    };
    if run.is_some() && runs.is_empty() {
        return Err(BadInput(format!(
            "no run {} in this database",
            run.map_or(0, |r| r.0)
        ))
        .into());
    }
    let verdicts = store.verdicts(run)?;
    let detections = store.detections(run)?;
    let mut cells = Vec::new();
    for cell in store.cells(run)? {
        // The newest verdict of the cell within the selected runs.
        let verdict = verdicts
            .iter()
            .filter(|v| v.cell_id == cell.id)
            .max_by_key(|v| (v.time_unix_ms, v.id.0))
            .cloned();
        let cell_detections: Vec<DetectionRow> = detections
            .iter()
            .filter(|d| d.cell_id == Some(cell.id))
            .filter(|d| verdict.as_ref().is_none_or(|v| v.run_id == d.run_id))
            .cloned()
            .collect();
        let mut observations = store.observations_for_cell(cell.id, run)?;
        observations.sort_by_key(|o| o.time_unix_ms);
        cells.push(CellReport {
            cell,
            verdict,
            detections: cell_detections,
            observations,
        });
    }
    // Worst first: a regulator reads the top of the page.
    cells.sort_by(|a, b| {
        let score = |c: &CellReport| c.verdict.as_ref().map_or(-1.0, |v| v.score);
        score(b).total_cmp(&score(a))
    });
    Ok(Report { runs, cells })
}

pub fn cell_label(key: &CellKey) -> String {
    let o = |v: Option<u32>| v.map_or("?".into(), |v| v.to_string());
    let plmn = key
        .plmn
        .as_ref()
        .map_or_else(|| "?-?".to_string(), |p| p.to_string());
    match key.rat {
        Rat::Gsm => format!(
            "GSM ARFCN {} {plmn} LAC {} CI {} BSIC {}",
            o(key.channel),
            o(key.lac_tac),
            o(key.cell_id),
            o(key.bsic_pci.map(u32::from)),
        ),
        Rat::Lte => format!(
            "LTE EARFCN {} {plmn} TAC {} ECI {} PCI {}",
            o(key.channel),
            o(key.lac_tac),
            key.cell_id.map_or("?".into(), |v| format!("{v:#x}")),
            o(key.bsic_pci.map(u32::from)),
        ),
    }
}

fn level_text(v: &Option<VerdictRow>) -> String {
    v.as_ref()
        .map_or("-".to_string(), |v| v.level.as_str().replace('_', " "))
}

pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let mut runs = Table::new(["run", "kind", "status", "source"]);
    for r in &report.runs {
        runs.row([
            r.id.0.to_string(),
            r.kind.as_str().to_string(),
            r.status.as_str().to_string(),
            r.source.clone(),
        ]);
    }
    out.push_str(&runs.render());
    out.push('\n');
    let mut cells = Table::new(["cell", "verdict", "score", "power dBFS", "rules fired"]);
    for c in &report.cells {
        let power = c.observations.last().map(|o| o.power_dbfs);
        let rules: Vec<&str> = c.detections.iter().map(|d| d.rule_id.as_str()).collect();
        cells.row([
            cell_label(&c.cell.key),
            level_text(&c.verdict),
            num(c.verdict.as_ref().map(|v| v.score), 1),
            num(power, 1),
            rules.join(", "),
        ]);
    }
    out.push_str(&cells.render());
    for c in report.cells.iter().filter(|c| !c.detections.is_empty()) {
        let _ = writeln!(out, "\n{}:", cell_label(&c.cell.key));
        for d in &c.detections {
            let _ = writeln!(
                out,
                "  [{}] {} — {}",
                d.severity.as_str(),
                d.rule_id,
                d.summary.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// Base64 (RFC 4648) for the data URI of the embedded plot; small enough not to need a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The power timeline of every cell as a PNG, base64-encoded for an `<img src="data:...">`.
pub fn timeline_data_uri(report: &Report) -> Option<String> {
    let t0 = report
        .cells
        .iter()
        .flat_map(|c| c.observations.iter().map(|o| o.time_unix_ms))
        .min()?;
    let series: Vec<plot::Series> = report
        .cells
        .iter()
        .filter(|c| !c.observations.is_empty())
        .map(|c| plot::Series {
            label: format!("{} ({})", cell_label(&c.cell.key), level_text(&c.verdict)),
            points: c
                .observations
                .iter()
                .map(|o| ((o.time_unix_ms - t0) as f64 / 1000.0, o.power_dbfs))
                .collect(),
        })
        .collect();
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("timeline.png");
    plot::timeline_png(&path, "Power per cell", &series).ok()?;
    let bytes = std::fs::read(&path).ok()?;
    Some(format!("data:image/png;base64,{}", base64(&bytes)))
}

pub fn render_geojson(report: &Report) -> Value {
    let mut features = Vec::new();
    for c in &report.cells {
        let positioned = c
            .observations
            .iter()
            .filter_map(|o| Some((o.lat_deg?, o.lon_deg?, o.power_dbfs)))
            .collect::<Vec<_>>();
        // With no per-observation position, fall back to the sensor's position of the run.
        let points: Vec<(f64, f64, f64)> = if positioned.is_empty() {
            c.observations
                .iter()
                .filter_map(|o| {
                    let run = report.runs.iter().find(|r| r.id == o.run_id)?;
                    Some((run.host_lat_deg?, run.host_lon_deg?, o.power_dbfs))
                })
                .take(1)
                .collect()
        } else {
            positioned
        };
        for (lat, lon, power) in points {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "cell": cell_label(&c.cell.key),
                    "key": c.cell.key,
                    "verdict": c.verdict.as_ref().map(|v| v.level.as_str()),
                    "score": c.verdict.as_ref().map(|v| v.score),
                    "power_dbfs": power,
                    "rules": c.detections.iter().map(|d| d.rule_id.clone()).collect::<Vec<_>>(),
                }
            }));
        }
    }
    // Estimates, 95 % ellipses, tracks and fixed sensors (crate::map).
    let located: Vec<_> = report
        .cells
        .iter()
        .map(|c| {
            crate::cmd::locate::locate_cell(c.cell.id.0, cell_label(&c.cell.key), &c.observations)
        })
        .filter(|l| l.estimate.is_some())
        .collect();
    for f in crate::map::features(&located) {
        if f.property("kind").and_then(|k| k.as_str()) != Some("measurement") {
            features.push(serde_json::to_value(f).unwrap_or_default());
        }
    }
    json!({"type": "FeatureCollection", "features": features})
}

pub fn run(args: &ReportArgs) -> Result<i32> {
    if let Some(db) = args
        .db
        .to_str()
        .filter(|d| cellsentry_fleet::Source::is_central(d))
    {
        return central(args, db);
    }
    let c = &args.central;
    if c.since.is_some()
        || c.until.is_some()
        || c.bbox.is_some()
        || c.near.is_some()
        || c.country.is_some()
    {
        return Err(BadInput(
            "--since/--until/--bbox/--near/--country filter the central report: give --db postgresql://..."
                .to_string(),
        )
        .into());
    }
    if !args.db.exists() {
        return Err(BadInput(format!("{}: no such database", args.db.display())).into());
    }
    // Read-only: a report never writes, so evidence on read-only media can be reported on.
    let options = StoreOptions {
        create_if_missing: false,
        read_only: true,
        ..StoreOptions::default()
    };
    let store = match Store::open(&args.db, &options) {
        // A store from an older cellsentry must be migrated first, which needs writing.
        Err(StoreError::Migration { .. }) => Store::open(
            &args.db,
            &StoreOptions {
                read_only: false,
                ..options
            },
        ),
        other => other,
    }
    .with_context(|| format!("cannot open {}", args.db.display()))?;
    let report = load(&store, args.run.map(RunId))?;
    let format = if args.json {
        ReportFormat::Json
    } else {
        args.format
    };
    let text = match format {
        ReportFormat::Table => render_table(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ReportFormat::Html => super::report_html::render(
            &store,
            &report,
            &format!("cellsentry report: {}", file_name(&args.db)),
            &file_name(&args.db),
        )?,
        ReportFormat::Geojson => serde_json::to_string_pretty(&render_geojson(&report))? + "\n",
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(exit::OK)
}

/// The fleet's picture from the central database (`--db postgresql://...`, `env:VAR`,
/// `file:PATH`): queries and rendering live in the `fleet` crate.
fn central(args: &ReportArgs, db: &str) -> Result<i32> {
    use cellsentry_fleet::{render, report, ReportFilter, Source, Target};
    if args.run.is_some() {
        return Err(
            BadInput("--run numbers a sensor's runs: not for the central report".into()).into(),
        );
    }
    let c = &args.central;
    let bbox = match &c.bbox {
        Some(text) => {
            let v: Vec<f64> = text
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect();
            let b: [f64; 4] = v.try_into().map_err(|_| {
                BadInput(format!(
                    "--bbox {text:?} is not MIN_LON,MIN_LAT,MAX_LON,MAX_LAT"
                ))
            })?;
            Some(b)
        }
        None => None,
    };
    let near = match &c.near {
        Some(text) => {
            let (lat, lon) = crate::cmd::fleet::lat_lon(text)?;
            Some((lat, lon, c.radius_km * 1000.0))
        }
        None => None,
    };
    let filter = ReportFilter {
        since: c.since.clone(),
        until: c.until.clone(),
        bbox,
        near,
        country: c.country.clone(),
    };
    let target = Target::resolve(&Source::parse(db))?;
    let mut client = target.connect()?;
    let r = report::load(&mut client, &filter)?;
    let format = if args.json {
        ReportFormat::Json
    } else {
        args.format
    };
    let text = match format {
        ReportFormat::Table => render::render_table(&r),
        ReportFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
        ReportFormat::Html => render::render_html(&r, "cellsentry fleet report"),
        ReportFormat::Geojson => serde_json::to_string_pretty(&render::render_geojson(&r))? + "\n",
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(exit::OK)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_examples() {
        // RFC 4648 section 10 test vectors.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
