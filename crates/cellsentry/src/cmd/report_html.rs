//! The HTML report a regulator files: one self-contained page (inline CSS, the plot as a data
//! URI, no script) that prints cleanly to PDF. Rendered with a minijinja template
//! (`templates/report.html`, HTML auto-escaping) from a plain context built here:
//! chain of custody per run, findings in words (the rule texts live with the rules in the
//! detect crate) with the decoded messages that prove them, and the suspect side by side with
//! the operator's real cells, differences first.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use cellsentry_capture::timefmt::format_unix_ns;
use cellsentry_detect::rule_text;
use cellsentry_store::{CellKey, MessageRow, RecordingRow, RunId, RunRow, Store, VerdictLevel};
use serde_json::{json, Value};

use super::report::{cell_label, timeline_data_uri, CellReport, Report};

const TEMPLATE: &str = include_str!("../../templates/report.html");

fn iso(ms: i64) -> String {
    let full = format_unix_ns(i128::from(ms.div_euclid(1000)) * 1_000_000_000);
    format!("{} UTC", full.trim_end_matches('Z').replace('T', " "))
}

fn level_word(l: VerdictLevel) -> &'static str {
    match l {
        VerdictLevel::Clean => "clean",
        VerdictLevel::Suspicious => "suspicious",
        VerdictLevel::LikelyFake => "likely fake",
    }
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".into(), |r| format!("{:.6} Msps", r / 1e6))
}

fn freq(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".into(), |f| format!("{:.4} MHz", f / 1e6))
}

fn position(lat: Option<f64>, lon: Option<f64>) -> String {
    match (lat, lon) {
        (Some(a), Some(b)) => format!("{a:.5}, {b:.5} (WGS84)"),
        _ => "unknown".into(),
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!(
            "{:.1} MiB ({bytes} bytes)",
            bytes as f64 / f64::from(1u32 << 20)
        )
    } else {
        format!("{bytes} bytes")
    }
}

/// Whether every recording of the run states its own time (then the run's times are capture
/// times); live runs are stamped by the radio's clock.
fn capture_times(run: &RunRow, recordings: &[&RecordingRow]) -> bool {
    match run.kind {
        cellsentry_store::RunKind::Replay | cellsentry_store::RunKind::Synth => {
            !recordings.is_empty()
                && recordings
                    .iter()
                    .all(|r| r.recording.recorded_unix_ms.is_some())
        }
        _ => true,
    }
}

fn run_context(run: &RunRow, recordings: &[&RecordingRow], sensor_name: Option<&str>) -> Value {
    let settings = &run.settings;
    let command_line = settings["command_line"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "not recorded".into());
    let rules = settings["rules"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| format!("{} v{}", r["id"].as_str().unwrap_or("?"), r["version"]))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "not recorded".into());
    let sensor = recordings
        .iter()
        .find_map(|r| r.recording.sensor_id.clone())
        .or_else(|| sensor_name.map(str::to_string))
        .or_else(|| run.device.clone())
        .unwrap_or_else(|| "unknown".into());
    let recs: Vec<Value> = recordings
        .iter()
        .map(|r| {
            let r = &r.recording;
            json!({
                "path": r.path, "sha256": r.sha256, "meta_path": r.meta_path,
                "meta_sha256": r.meta_sha256, "size": size(r.size_bytes), "format": r.format,
                "rate": rate(r.sample_rate_hz), "freq": freq(r.center_freq_hz),
                "recorded": r.recorded_unix_ms.map_or_else(
                    || "unknown (not stated by the recording)".to_string(),
                    |t| format!("{} (from the recording)", iso(t))),
                "sensor": r.sensor_id.clone().unwrap_or_else(|| "unknown".into()),
                "position": position(r.sensor_lat_deg, r.sensor_lon_deg),
            })
        })
        .collect();
    json!({
        "id": run.id.0,
        "kind": run.kind.as_str(),
        "status": run.status.as_str(),
        "source": run.source,
        "started": iso(run.started_unix_ms),
        "ended": run.ended_unix_ms.map_or_else(|| "not finished".into(), iso),
        "capture_times": capture_times(run, recordings),
        "time_source": if recordings.is_empty() { "the radio's clock" } else { "SigMF core:datetime" },
        "rate": rate(run.sample_rate_hz.or_else(|| recordings.first().and_then(|r| r.recording.sample_rate_hz))),
        "freq": freq(run.center_freq_hz.or_else(|| recordings.first().and_then(|r| r.recording.center_freq_hz))),
        "device": run.device.clone().unwrap_or_else(|| "none (recording)".into()),
        "sensor": sensor,
        "position": position(run.host_lat_deg, run.host_lon_deg),
        "version": run.cellsentry_version,
        "command_line": command_line,
        "rules": rules,
        "recordings": recs,
    })
}

/// Values of `keys` found at any depth of a decoded message, compact JSON, in key order.
fn fields_of(decoded: &Value, keys: &[&str]) -> Vec<Value> {
    fn walk(v: &Value, keys: &[&str], out: &mut Vec<(usize, String, String)>, depth: usize) {
        if depth > 6 {
            return;
        }
        match v {
            Value::Object(m) => {
                for (k, val) in m {
                    if let Some(i) = keys.iter().position(|x| x == k) {
                        let mut text = val.to_string();
                        if text.len() > 240 {
                            text.truncate(240);
                            text.push_str("...");
                        }
                        out.push((i, k.clone(), text));
                    } else {
                        walk(val, keys, out, depth + 1);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, keys, out, depth + 1)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(decoded, keys, &mut found, 0);
    found.sort_by_key(|f| f.0);
    found
        .into_iter()
        .map(|(_, k, v)| json!({"key": k, "value": v}))
        .collect()
}

fn message_context(m: &MessageRow, keys: &[&str]) -> Value {
    json!({
        "type": m.message_type,
        "channel": m.channel,
        "frame_number": m.frame_number.map_or_else(|| "-".into(), |f| f.to_string()),
        "time": iso(m.time_unix_ms),
        "hex": cellsentry_store::types::hex_bytes::encode(&m.raw),
        "fields": m.decoded.as_ref().map(|d| fields_of(d, keys)).unwrap_or_default(),
    })
}

fn unit_of(key: &str) -> &'static str {
    let last = key.rsplit('.').next().unwrap_or(key);
    for (suffix, unit) in [
        ("_dbfs", "dBFS"),
        ("_dbm", "dBm"),
        ("_db", "dB"),
        ("_hz", "Hz"),
        ("_ppm", "ppm"),
        ("_decihours", "x 6 min"),
        ("_ms", "ms"),
        ("_s", "s"),
        ("_slots", "slots"),
        ("_multiframes", "multiframes"),
        ("_sacch_blocks", "SACCH blocks"),
    ] {
        if last.ends_with(suffix) {
            return unit;
        }
    }
    ""
}

/// Parameters of a cell for the comparison: its decoded system information and measurements,
/// flattened to `key -> text`, without bookkeeping that says nothing about the cell.
fn parameters(c: &CellReport) -> BTreeMap<String, String> {
    const SKIP: &[&str] = &[
        "paging",
        "fill_frames",
        "blocks_idle",
        "sch_ok",
        "frame_start_sample",
        "first_seen_s",
        "last_seen_s",
        "windows_seen",
        "si_fingerprint",
        "paging_blocks",
        "si_error",
        "raw_hex",
        "rest_octets_hex",
    ];
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if SKIP.contains(&k.as_str()) {
                        continue;
                    }
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
    let mut out = BTreeMap::new();
    // The newest observation that carries the cell's parameters: a streaming session stores
    // them whenever they grew, so the last is the most complete.
    if let Some(obs) = c
        .observations
        .iter()
        .rev()
        .find(|o| o.summary.as_object().is_some_and(|m| !m.is_empty()))
    {
        walk("", &obs.summary, &mut out);
    }
    let powers: Vec<f64> = c
        .observations
        .iter()
        .map(|o| o.power_dbfs)
        .filter(|p| p.is_finite())
        .collect();
    if let Some(p) = powers.iter().copied().max_by(f64::total_cmp) {
        out.insert("measured.power_max_dbfs".into(), format!("{p:.1}"));
    }
    if let Some(o) = c.observations.iter().rev().find_map(|o| o.freq_offset_ppm) {
        out.insert("measured.freq_offset_ppm".into(), format!("{o:.2}"));
    }
    if let Some(o) = c.observations.iter().rev().find_map(|o| o.snr_db) {
        out.insert("measured.snr_db".into(), format!("{o:.1}"));
    }
    out
}

fn plmn_of(key: &CellKey) -> Option<(String, u32)> {
    let p = key.plmn.as_ref()?;
    Some((p.mcc.clone(), p.mnc.parse().ok()?))
}

fn comparison(suspect: &CellReport, all: &[CellReport]) -> Value {
    let run = suspect.verdict.as_ref().map(|v| v.run_id);
    let clean_same_run = |c: &&CellReport| {
        c.cell.key.rat == suspect.cell.key.rat
            && c.verdict
                .as_ref()
                .is_some_and(|v| v.level == VerdictLevel::Clean && Some(v.run_id) == run)
    };
    let plmn = plmn_of(&suspect.cell.key);
    let mut reals: Vec<&CellReport> = all
        .iter()
        .filter(clean_same_run)
        .filter(|c| plmn.is_some() && plmn_of(&c.cell.key) == plmn)
        .collect();
    let mut basis = "of the operator whose network code it broadcasts, heard in the same run";
    if reals.is_empty() {
        reals = all.iter().filter(clean_same_run).collect();
        basis = "of the same technology heard in the same run (none of its operator was heard)";
    }
    reals.truncate(4);
    let mine = parameters(suspect);
    let theirs: Vec<BTreeMap<String, String>> = reals.iter().map(|c| parameters(c)).collect();
    let keys: BTreeSet<&String> = mine
        .keys()
        .chain(theirs.iter().flat_map(|t| t.keys()))
        .collect();
    let mut norm_rows = Vec::new();
    let mut other_rows = Vec::new();
    let mut identity_rows = Vec::new();
    let mut same = Vec::new();
    let dash = "-".to_string();
    for key in keys {
        let s = mine.get(key).unwrap_or(&dash);
        let values: Vec<&String> = theirs.iter().map(|t| t.get(key).unwrap_or(&dash)).collect();
        // An operator norm needs at least two real cells agreeing.
        let norm = values.len() >= 2 && values.windows(2).all(|w| w[0] == w[1]);
        let row = json!({
            "name": key, "unit": unit_of(key), "suspect": s,
            "reals": values,
            "norm": norm,
        });
        // Channel and identity differ between any two cells: they come after the settings.
        let identity = [
            "arfcn",
            "bsic",
            "earfcn",
            "pci",
            "band",
            "cell_channel_arfcns",
        ]
        .contains(&key.as_str());
        if values.contains(&s) {
            same.push(row);
        } else if norm {
            norm_rows.push(row);
        } else if identity {
            identity_rows.push(row);
        } else {
            other_rows.push(row);
        }
    }
    norm_rows.extend(other_rows);
    norm_rows.extend(identity_rows);
    json!({
        "suspect": cell_label(&suspect.cell.key),
        "level_class": suspect.verdict.as_ref().map_or("", |v| v.level.as_str()),
        "reals": reals.iter().map(|c| cell_label(&c.cell.key)).collect::<Vec<_>>(),
        "basis": basis,
        "differs": norm_rows,
        "same": same,
    })
}

fn finding(store: &Store, c: &CellReport, time_basis: &str) -> Result<Value> {
    let run = c.verdict.as_ref().map(|v| v.run_id);
    let messages = store.messages_for_cell(c.cell.id, run)?;
    let mut rules = Vec::new();
    let mut seen_rules = BTreeSet::new();
    for d in &c.detections {
        if !seen_rules.insert(d.rule_id.clone()) {
            continue;
        }
        let text = rule_text(&d.rule_id);
        let mut proving = Vec::new();
        if let Some(t) = text {
            for kind in t.messages {
                // The first reception of each message type that carries the evidence.
                if let Some(m) = messages.iter().find(|m| m.message_type == *kind) {
                    proving.push(message_context(m, t.fields));
                }
            }
        }
        let measured = d
            .evidence
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| !v.is_object() && !v.is_array())
                    .map(|(k, v)| {
                        let unit = unit_of(k);
                        format!(
                            "{k} = {v}{}",
                            if unit.is_empty() {
                                String::new()
                            } else {
                                format!(" {unit}")
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        rules.push(json!({
            "id": d.rule_id,
            "version": d.rule_version,
            "severity": d.severity.as_str(),
            "seen": d.summary.clone().unwrap_or_default(),
            "norm": text.map(|t| t.norm),
            "why": text.map(|t| t.why),
            "source": text.map(|t| t.source),
            "messages": proving,
            "measured": measured,
            "evidence_json": serde_json::to_string_pretty(&d.evidence).unwrap_or_default(),
        }));
    }
    let first = c.observations.iter().map(|o| o.time_unix_ms).min();
    let last = c.observations.iter().map(|o| o.time_unix_ms).max();
    let power = c
        .observations
        .iter()
        .map(|o| o.power_dbfs)
        .filter(|p| p.is_finite())
        .max_by(f64::total_cmp);
    let offset = c.observations.iter().rev().find_map(|o| o.freq_offset_hz);
    Ok(json!({
        "label": cell_label(&c.cell.key),
        "level": c.verdict.as_ref().map_or("-", |v| level_word(v.level)),
        "level_class": c.verdict.as_ref().map_or("", |v| v.level.as_str()),
        "score": c.verdict.as_ref().map_or("-".into(), |v| format!("{:.1}", v.score)),
        "first_seen": first.map_or_else(|| "-".into(), iso),
        "last_seen": last.map_or_else(|| "-".into(), iso),
        "time_basis": time_basis,
        "power": power.map(|p| format!("{p:.1} dBFS")),
        "offset": offset.map(|o| format!("{o:.0} Hz")),
        "rules": rules,
    }))
}

/// The whole page.
pub fn render(store: &Store, report: &Report, title: &str, database: &str) -> Result<String> {
    let recordings = store.recordings(None)?;
    // The database's sensor identity (name, else its UUID), when the recordings do not say.
    let sensor_name = store.sensor_identity().ok().map(|i| i.name.unwrap_or(i.id));
    let runs_of = |id: RunId| recordings.iter().filter(move |r| r.recording.run_id == id);
    let runs: Vec<Value> = report
        .runs
        .iter()
        .map(|r| {
            run_context(
                r,
                &runs_of(r.id).collect::<Vec<_>>(),
                sensor_name.as_deref(),
            )
        })
        .collect();
    let time_basis_of = |run: Option<RunId>| {
        let Some(run) = run.and_then(|id| report.runs.iter().find(|r| r.id == id)) else {
            return "time basis unknown";
        };
        if capture_times(run, &runs_of(run.id).collect::<Vec<_>>()) {
            "capture time"
        } else {
            "processing time: the recording does not state when it was made"
        }
    };
    let cells: Vec<Value> = report
        .cells
        .iter()
        .map(|c| {
            let first = c.observations.iter().map(|o| o.time_unix_ms).min();
            let last = c.observations.iter().map(|o| o.time_unix_ms).max();
            let mut rules: Vec<Value> = Vec::new();
            for d in &c.detections {
                if !rules.iter().any(|r| r["id"] == json!(d.rule_id)) {
                    rules.push(json!({"id": d.rule_id, "severity": d.severity.as_str()}));
                }
            }
            json!({
                "label": cell_label(&c.cell.key),
                "level": c.verdict.as_ref().map_or("-", |v| level_word(v.level)),
                "level_class": c.verdict.as_ref().map_or("", |v| v.level.as_str()),
                "score": c.verdict.as_ref().map_or("-".into(), |v| format!("{:.1}", v.score)),
                "first_seen": first.map_or_else(|| "-".into(), iso),
                "last_seen": last.map_or_else(|| "-".into(), iso),
                "rules": rules,
            })
        })
        .collect();
    let suspects: Vec<&CellReport> = report
        .cells
        .iter()
        .filter(|c| {
            c.verdict
                .as_ref()
                .is_some_and(|v| v.level != VerdictLevel::Clean)
        })
        .collect();
    let mut findings = Vec::new();
    for c in &suspects {
        findings.push(finding(
            store,
            c,
            time_basis_of(c.verdict.as_ref().map(|v| v.run_id)),
        )?);
    }
    let comparisons: Vec<Value> = suspects
        .iter()
        .map(|c| comparison(c, &report.cells))
        .collect();
    let count = |l: VerdictLevel| {
        report
            .cells
            .iter()
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.level == l))
            .count()
    };
    let context = json!({
        "title": title,
        "version": env!("CARGO_PKG_VERSION"),
        "generated_at": iso(cellsentry_pipeline::now_unix_ms()),
        "database": database,
        "runs": runs,
        "cells": cells,
        "n_likely_fake": count(VerdictLevel::LikelyFake),
        "n_suspicious": count(VerdictLevel::Suspicious),
        "findings": findings,
        "comparisons": comparisons,
        // Trusted: a fixed prefix and base64 (rendered unescaped by the template).
        "timeline": timeline_data_uri(report),
        // Trusted: SVG and text built by crate::map with every label escaped.
        "map": crate::map::html_section(report),
    });
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    Ok(env.get_template("report.html")?.render(context)?)
}
