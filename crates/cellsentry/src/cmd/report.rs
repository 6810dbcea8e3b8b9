//! `cellsentry report`: what a database holds (runs, cells, verdicts, the rules that fired and
//! their evidence) as a table, JSON, a self-contained HTML page a regulator can attach to a case,
//! or GeoJSON where positions are known.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use cellsentry_store::{
    CellKey, CellRow, DetectionRow, ObservationRow, RunId, RunRow, Store, StoreOptions, VerdictRow,
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
    match key {
        CellKey::Gsm(k) => format!(
            "GSM ARFCN {} {}-{} LAC {} CI {} BSIC {}",
            k.arfcn,
            k.mcc.as_deref().unwrap_or("?"),
            k.mnc.as_deref().unwrap_or("?"),
            k.lac.map_or("?".into(), |v| v.to_string()),
            k.ci.map_or("?".into(), |v| v.to_string()),
            k.bsic.map_or("?".into(), |v| v.to_string()),
        ),
        CellKey::Lte(k) => format!(
            "LTE EARFCN {} {}-{} TAC {} ECI {} PCI {}",
            k.earfcn,
            k.mcc.as_deref().unwrap_or("?"),
            k.mnc.as_deref().unwrap_or("?"),
            k.tac.map_or("?".into(), |v| v.to_string()),
            k.cell_identity.map_or("?".into(), |v| format!("{v:#x}")),
            k.pci.map_or("?".into(), |v| v.to_string()),
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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
fn timeline_data_uri(report: &Report) -> Option<String> {
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

/// Flattens an observation's summary JSON into `key -> text` for the side-by-side table.
fn parameters(c: &CellReport) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(obs) = c.observations.last() else {
        return out;
    };
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Value::Null => {}
            Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    walk("", &obs.summary, &mut out);
    out.insert("power_dbfs".into(), format!("{:.1}", obs.power_dbfs));
    if let Some(v) = obs.freq_offset_hz {
        out.insert("freq_offset_hz".into(), format!("{v:.0}"));
    }
    out
}

pub fn render_html(report: &Report, title: &str) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}}th{{background:#eee}}\
         .likely_fake{{background:#f8d0d0}}.suspicious{{background:#fbecc4}}.clean{{background:#d9f0d9}}\
         .high{{color:#a00;font-weight:bold}}.medium{{color:#a60}}code{{font-size:90%}}</style></head><body>",
        escape(title)
    );
    let _ = write!(h, "<h1>{}</h1>", escape(title));
    let _ = write!(
        h,
        "<p>Generated by cellsentry {} (receive-only sensor). Verdict levels: clean, suspicious, \
         likely fake; each verdict lists every rule that fired with its evidence.</p>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("<h2>Runs</h2><table><tr><th>run</th><th>kind</th><th>status</th><th>source</th><th>device</th><th>sample rate</th><th>centre frequency</th></tr>");
    for r in &report.runs {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.id.0,
            r.kind.as_str(),
            r.status.as_str(),
            escape(&r.source),
            escape(r.device.as_deref().unwrap_or("-")),
            num(r.sample_rate_hz.map(|v| v / 1e6), 4) + " Msps",
            num(r.center_freq_hz.map(|v| v / 1e6), 4) + " MHz",
        );
    }
    h.push_str("</table><h2>Cells and verdicts</h2><table><tr><th>cell</th><th>verdict</th><th>score</th><th>rules fired</th></tr>");
    for c in &report.cells {
        let class = c.verdict.as_ref().map_or("", |v| v.level.as_str());
        let rules: Vec<String> = c
            .detections
            .iter()
            .map(|d| {
                format!(
                    "<span class=\"{}\">{}</span>",
                    d.severity.as_str(),
                    escape(&d.rule_id)
                )
            })
            .collect();
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&cell_label(&c.cell.key)),
            level_text(&c.verdict),
            num(c.verdict.as_ref().map(|v| v.score), 1),
            rules.join(", ")
        );
    }
    h.push_str("</table>");
    if let Some(uri) = timeline_data_uri(report) {
        let _ = write!(
            h,
            "<h2>Power timeline</h2><img alt=\"power per cell over time\" src=\"{uri}\">"
        );
    }
    // Side by side: every parameter of every cell, so a fake cell's oddities stand out against
    // the legitimate cells' values in the same row.
    let params: Vec<BTreeMap<String, String>> = report.cells.iter().map(parameters).collect();
    let mut keys: Vec<&String> = params.iter().flat_map(|p| p.keys()).collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        h.push_str("<h2>Parameters side by side</h2><table><tr><th>parameter</th>");
        for c in &report.cells {
            let class = c.verdict.as_ref().map_or("", |v| v.level.as_str());
            let _ = write!(
                h,
                "<th class=\"{class}\">{}</th>",
                escape(&cell_label(&c.cell.key))
            );
        }
        h.push_str("</tr>");
        for key in keys {
            let _ = write!(h, "<tr><td><code>{}</code></td>", escape(key));
            for p in &params {
                let _ = write!(
                    h,
                    "<td>{}</td>",
                    escape(p.get(key).map_or("", String::as_str))
                );
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Evidence</h2>");
    for c in report.cells.iter().filter(|c| !c.detections.is_empty()) {
        let _ = write!(h, "<h3>{}</h3><table><tr><th>rule</th><th>severity</th><th>score</th><th>finding</th><th>evidence</th></tr>", escape(&cell_label(&c.cell.key)));
        for d in &c.detections {
            let evidence = serde_json::to_string_pretty(&d.evidence).unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{} v{}</td><td class=\"{}\">{}</td><td>{:.1}</td><td>{}</td><td><pre>{}</pre></td></tr>",
                escape(&d.rule_id),
                d.rule_version,
                d.severity.as_str(),
                d.severity.as_str(),
                d.score,
                escape(d.summary.as_deref().unwrap_or("")),
                escape(&evidence)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
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
    json!({"type": "FeatureCollection", "features": features})
}

pub fn run(args: &ReportArgs) -> Result<i32> {
    if !args.db.exists() {
        return Err(BadInput(format!("{}: no such database", args.db.display())).into());
    }
    let options = StoreOptions {
        create_if_missing: false,
        ..StoreOptions::default()
    };
    let store = Store::open(&args.db, &options)
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
        ReportFormat::Html => render_html(
            &report,
            &format!("cellsentry report: {}", file_name(&args.db)),
        ),
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

    #[test]
    fn html_escapes_markup() {
        assert_eq!(escape("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
    }
}
