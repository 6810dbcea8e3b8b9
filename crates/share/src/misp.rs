//! MISP core format (the JSON `{"Event": {...}}` MISP imports and PyMISP loads): one event per
//! run or per suspected cell, tagged with the GSMA taxonomies MISP ships and TLP, each sighting
//! a `false-base-station-sighting` object whose template ships with this crate
//! (`misp-objects/false-base-station-sighting/definition.json`).
//!
//! Several events in one file are written as MISP's search response `{"response": [{"Event":
//! ...}, ...]}`; the reader takes a single event, that form, or a JSON array of events.

use cellsentry_capture::timefmt::{format_unix_ns, parse_iso8601};
use serde_json::{json, Map, Value};

use crate::sighting::{
    is_hex, uuid5, FiredRule, Position, RunSightings, SightedCell, Sighting, SightingSource,
    TimeBasis,
};
use crate::{ShareError, Tlp};

/// Name of the object template.
pub const OBJECT_NAME: &str = "false-base-station-sighting";
/// The template shipped with the crate (misp-objects `definition.json`).
pub const OBJECT_TEMPLATE: &str =
    include_str!("../misp-objects/false-base-station-sighting/definition.json");

/// The GSMA taxonomy tags (MISP/misp-taxonomies `gsma-fraud`, `gsma-attack-category`,
/// `gsma-network-technology`) every exported event carries.
pub const GSMA_TAGS: [&str; 3] = [
    "gsma-fraud:technical=\"false-base-station-attack\"",
    "gsma-attack-category=\"spoofing\"",
    "gsma-network-technology=\"radio-access-network\"",
];

/// How to group sightings into events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One event per run, one object per suspected cell.
    PerRun,
    /// One event per suspected cell.
    PerCell,
}

fn template() -> Result<Value, ShareError> {
    serde_json::from_str(OBJECT_TEMPLATE)
        .map_err(|e| ShareError::Invalid(format!("shipped MISP object template: {e}")))
}

/// ISO 8601 with microseconds and an explicit offset, as MISP writes `datetime` values.
fn iso(ms: i64) -> String {
    let full = format_unix_ns(i128::from(ms.div_euclid(1000)) * 1_000_000_000);
    format!("{}.{:03}000+00:00", &full[..19], ms.rem_euclid(1000))
}

fn date_of(ms: i64) -> String {
    iso(ms)[..10].to_string()
}

/// MISP's distribution level that matches a TLP: red/amber stay in the organisation, green
/// goes to the community, clear to everyone.
fn distribution(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Red | Tlp::Amber | Tlp::AmberStrict => "0",
        Tlp::Green => "1",
        Tlp::Clear => "3",
    }
}

struct ObjectBuilder<'a> {
    object_uuid: &'a str,
    attributes: Vec<Value>,
    template: &'a Value,
}

impl ObjectBuilder<'_> {
    fn add(&mut self, relation: &str, value: impl ToString) {
        let def = &self.template["attributes"][relation];
        let kind = def["misp-attribute"].as_str().unwrap_or("text");
        // Every attribute type our template uses is valid in MISP's "Other" category except
        // hashes, which live in "Artifacts dropped" (the evidence file).
        let category = def["categories"][0].as_str().unwrap_or("Other");
        let value = value.to_string();
        self.attributes.push(json!({
            "uuid": uuid5(&format!("attr|{}|{relation}|{value}", self.object_uuid)),
            "object_relation": relation,
            "type": kind,
            "category": category,
            "value": value,
            "to_ids": def["to_ids"].as_bool().unwrap_or(false),
            "disable_correlation": def["disable_correlation"].as_bool().unwrap_or(false),
            "distribution": "5",
        }));
    }

    fn opt(&mut self, relation: &str, value: Option<impl ToString>) {
        if let Some(v) = value {
            self.add(relation, v);
        }
    }
}

/// The `false-base-station-sighting` object of one sighting.
pub fn sighting_object(s: &Sighting) -> Result<Value, ShareError> {
    let template = template()?;
    let gsm = s.cell.rat == "gsm";
    let mut b = ObjectBuilder {
        object_uuid: &s.id,
        attributes: Vec::new(),
        template: &template,
    };
    b.add("first-seen", iso(s.first_seen_unix_ms));
    b.add("last-seen", iso(s.last_seen_unix_ms));
    b.add("time-basis", s.time_basis.as_str());
    if let Some(p) = s.position {
        b.add("latitude", p.lat_deg);
        b.add("longitude", p.lon_deg);
        b.opt("accuracy-radius", p.accuracy_m);
    }
    b.add("rat", if gsm { "GSM" } else { "LTE" });
    b.opt("band", s.cell.band.as_ref());
    b.opt(if gsm { "arfcn" } else { "earfcn" }, s.cell.channel);
    b.opt("mcc", s.cell.mcc.as_ref());
    b.opt("mnc", s.cell.mnc.as_ref());
    b.opt(if gsm { "lac" } else { "tac" }, s.cell.area_code);
    b.opt("cell-id", s.cell.cell_identity);
    b.opt(if gsm { "bsic" } else { "pci" }, s.cell.phys_id);
    b.opt("received-power", s.power_dbfs.map(|p| format!("{p:.1}")));
    b.opt("received-power-dbm", s.power_dbm.map(|p| format!("{p:.1}")));
    b.opt(
        "frequency-offset",
        s.freq_offset_hz.map(|v| format!("{v:.1}")),
    );
    b.opt(
        "frequency-offset-ppm",
        s.freq_offset_ppm.map(|v| format!("{v:.3}")),
    );
    b.opt("si-fingerprint", s.si_fingerprint.as_ref());
    b.opt("si-configuration", s.si_configuration.as_ref());
    for r in &s.rules {
        b.add("rule-fired", r.text());
    }
    b.add("verdict", &s.verdict);
    b.add("score", format!("{:.2}", s.score));
    b.add("sensor-id", &s.source.sensor_id);
    for h in &s.evidence_sha256 {
        b.add("evidence-sha256", h);
    }
    b.add(
        "text",
        format!(
            "{} judged {} (score {:.1}) by {}",
            s.cell.label(),
            s.verdict.replace('_', " "),
            s.score,
            s.source.describe()
        ),
    );
    Ok(json!({
        "name": OBJECT_NAME,
        "meta-category": template["meta-category"],
        "description": template["description"],
        "template_uuid": template["uuid"],
        "template_version": template["version"].to_string(),
        "uuid": s.id,
        "timestamp": (s.last_seen_unix_ms.div_euclid(1000)).to_string(),
        "distribution": "5",
        "sharing_group_id": "0",
        "comment": s.cell.label(),
        "first_seen": iso(s.first_seen_unix_ms),
        "last_seen": iso(s.last_seen_unix_ms),
        "Attribute": b.attributes,
    }))
}

fn event(
    uuid: String,
    info: String,
    sightings: &[&Sighting],
    organisation: Option<&str>,
    tlp: Tlp,
) -> Result<Value, ShareError> {
    let first = sightings
        .iter()
        .map(|s| s.first_seen_unix_ms)
        .min()
        .unwrap_or(0);
    let last = sightings
        .iter()
        .map(|s| s.last_seen_unix_ms)
        .max()
        .unwrap_or(0);
    let worst_fake = sightings.iter().any(|s| s.verdict == "likely_fake");
    let mut tags = vec![json!({"name": tlp.misp_tag()})];
    tags.extend(GSMA_TAGS.iter().map(|t| json!({ "name": t })));
    let objects: Result<Vec<Value>, ShareError> =
        sightings.iter().map(|s| sighting_object(s)).collect();
    let mut e = Map::new();
    e.insert("uuid".into(), json!(uuid));
    e.insert("info".into(), json!(info));
    e.insert("date".into(), json!(date_of(first)));
    e.insert("timestamp".into(), json!(last.div_euclid(1000).to_string()));
    e.insert("published".into(), json!(false));
    // 1 high / 2 medium (MISP threat levels); analysis 2 = completed.
    e.insert(
        "threat_level_id".into(),
        json!(if worst_fake { "1" } else { "2" }),
    );
    e.insert("analysis".into(), json!("2"));
    e.insert("distribution".into(), json!(distribution(tlp)));
    if let Some(org) = organisation {
        e.insert(
            "Orgc".into(),
            json!({"name": org, "uuid": uuid5(&format!("org|{org}"))}),
        );
    }
    e.insert("Tag".into(), json!(tags));
    e.insert("Attribute".into(), json!([]));
    e.insert("Object".into(), json!(objects?));
    Ok(json!({ "Event": e }))
}

/// MISP events for the sightings of some runs.
pub fn export(
    runs: &[RunSightings],
    grouping: Grouping,
    organisation: Option<&str>,
    tlp: Tlp,
) -> Result<Vec<Value>, ShareError> {
    let mut events = Vec::new();
    for run in runs {
        match grouping {
            Grouping::PerRun => {
                let all: Vec<&Sighting> = run.sightings.iter().collect();
                events.push(event(
                    uuid5(&format!(
                        "event|{}|{}|{}",
                        run.sensor_id, run.started_unix_ms, run.run_id
                    )),
                    format!(
                        "False base station sighting(s) by sensor {}: {} suspected cell(s) in {} run {} ({})",
                        run.sensor_id,
                        all.len(),
                        run.kind,
                        run.run_id,
                        run.source
                    ),
                    &all,
                    organisation,
                    tlp,
                )?);
            }
            Grouping::PerCell => {
                for s in &run.sightings {
                    events.push(event(
                        uuid5(&format!("event|{}", s.id)),
                        format!(
                            "False base station sighting: {} ({}) by sensor {}",
                            s.cell.label(),
                            s.verdict.replace('_', " "),
                            run.sensor_id
                        ),
                        &[s],
                        organisation,
                        tlp,
                    )?);
                }
            }
        }
    }
    Ok(events)
}

/// One event as a document, or several as MISP's `{"response": [...]}`.
pub fn document(events: Vec<Value>) -> Value {
    if events.len() == 1 {
        events.into_iter().next().unwrap_or(Value::Null)
    } else {
        json!({ "response": events })
    }
}

fn bad(msg: impl Into<String>) -> ShareError {
    ShareError::Invalid(msg.into())
}

/// The events of a MISP document (one event, a search response, or an array of events).
fn events_of(doc: &Value) -> Result<Vec<&Map<String, Value>>, ShareError> {
    let list: Vec<&Value> = match doc {
        Value::Object(m) if m.contains_key("Event") => vec![doc],
        Value::Object(m) => match m.get("response") {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => {
                return Err(bad(
                    "not a MISP event: no \"Event\" or \"response\" at the top",
                ))
            }
        },
        Value::Array(a) => a.iter().collect(),
        _ => return Err(bad("not a MISP event: the top level is not a JSON object")),
    };
    if list.is_empty() {
        return Err(bad("the MISP document holds no event"));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.get("Event")
                .and_then(Value::as_object)
                .ok_or_else(|| bad(format!("MISP event {}: no \"Event\" object", i + 1)))
        })
        .collect()
}

fn attr_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sightings read from a MISP document: every `false-base-station-sighting` object of every
/// event. Refuses the whole document on the first malformed object.
pub fn import(doc: &Value) -> Result<Vec<Sighting>, ShareError> {
    let mut out = Vec::new();
    for (i, event) in events_of(doc)?.into_iter().enumerate() {
        let event_name = event
            .get("uuid")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{}", i + 1), str::to_string);
        let org = event
            .get("Orgc")
            .and_then(|o| o.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let objects = match event.get("Object") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(bad(format!(
                    "MISP event {event_name}: \"Object\" is not a list"
                )))
            }
        };
        for obj in objects {
            if obj.get("name").and_then(Value::as_str) != Some(OBJECT_NAME) {
                continue;
            }
            let s = object_sighting(obj, org.clone())
                .map_err(|e| bad(format!("MISP event {event_name}: {e}")))?;
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err(bad(format!(
            "no {OBJECT_NAME} object in this MISP document: nothing to import"
        )));
    }
    Ok(out)
}

fn object_sighting(obj: &Value, organisation: Option<String>) -> Result<Sighting, ShareError> {
    let uuid = obj
        .get("uuid")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("object without uuid"))?
        .to_string();
    let attrs = obj
        .get("Attribute")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(format!("object {uuid}: no \"Attribute\" list")))?;
    let mut values: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for a in attrs {
        let rel = a
            .get("object_relation")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("object {uuid}: attribute without object_relation")))?;
        let v = a
            .get("value")
            .and_then(attr_text)
            .ok_or_else(|| bad(format!("object {uuid}: attribute {rel} without a value")))?;
        values.entry(rel).or_default().push(v);
    }
    let one = |rel: &str| values.get(rel).and_then(|v| v.first()).cloned();
    let need = |rel: &str| one(rel).ok_or_else(|| bad(format!("object {uuid}: no {rel}")));
    let time = |rel: &str| -> Result<i64, ShareError> {
        let t = need(rel)?;
        parse_time(&t).ok_or_else(|| bad(format!("object {uuid}: {rel} {t:?} is not a time")))
    };
    let num = |rel: &str| -> Result<Option<f64>, ShareError> {
        one(rel)
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(format!("object {uuid}: {rel} {v:?} is not a number")))
            })
            .transpose()
    };
    let int = |rel: &str| -> Result<Option<u32>, ShareError> {
        one(rel)
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| bad(format!("object {uuid}: {rel} {v:?} is not a whole number")))
            })
            .transpose()
    };
    let rat = match need("rat")?.to_ascii_lowercase().as_str() {
        "gsm" => "gsm",
        "lte" => "lte",
        other => return Err(bad(format!("object {uuid}: unknown rat {other:?}"))),
    };
    let gsm = rat == "gsm";
    let first = time("first-seen")?;
    let last = if values.contains_key("last-seen") {
        time("last-seen")?
    } else {
        first
    };
    let position = match (num("latitude")?, num("longitude")?) {
        (Some(lat_deg), Some(lon_deg)) => Some(Position {
            lat_deg,
            lon_deg,
            accuracy_m: num("accuracy-radius")?,
        }),
        _ => None,
    };
    let phys = int(if gsm { "bsic" } else { "pci" })?
        .map(|v| {
            u16::try_from(v).map_err(|_| bad(format!("object {uuid}: BSIC/PCI {v} too large")))
        })
        .transpose()?;
    let rules = values
        .get("rule-fired")
        .map(|v| {
            v.iter()
                .map(|t| {
                    FiredRule::parse(t)
                        .ok_or_else(|| bad(format!("object {uuid}: rule-fired {t:?} unreadable")))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let s = Sighting {
        id: uuid.clone(),
        source: SightingSource {
            organisation,
            sensor_id: one("sensor-id").unwrap_or_else(|| "unknown sensor".into()),
        },
        first_seen_unix_ms: first,
        last_seen_unix_ms: last,
        time_basis: match one("time-basis").as_deref() {
            Some("processing") => TimeBasis::Processing,
            _ => TimeBasis::Capture,
        },
        position,
        cell: SightedCell {
            rat: rat.into(),
            band: one("band"),
            channel: int(if gsm { "arfcn" } else { "earfcn" })?,
            mcc: one("mcc"),
            mnc: one("mnc"),
            area_code: int(if gsm { "lac" } else { "tac" })?,
            cell_identity: int("cell-id")?,
            phys_id: phys,
        },
        power_dbfs: num("received-power")?,
        power_dbm: num("received-power-dbm")?,
        freq_offset_hz: num("frequency-offset")?,
        freq_offset_ppm: num("frequency-offset-ppm")?,
        si_fingerprint: one("si-fingerprint"),
        si_configuration: one("si-configuration"),
        verdict: need("verdict")?,
        score: num("score")?.unwrap_or(0.0),
        rules,
        evidence_sha256: values
            .get("evidence-sha256")
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
    };
    s.validate()?;
    if s.evidence_sha256.iter().any(|h| !is_hex(h)) {
        return Err(bad(format!("object {uuid}: evidence hash is not hex")));
    }
    Ok(s)
}

/// ISO 8601 (MISP `datetime`) or Unix seconds to ms since the Unix epoch.
pub(crate) fn parse_time(t: &str) -> Option<i64> {
    let t = t.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return secs.checked_mul(1000);
    }
    // MISP writes "+00:00"; our parser wants "Z".
    let z = t
        .strip_suffix("+00:00")
        .map_or_else(|| t.to_string(), |s| format!("{s}Z"));
    parse_iso8601(&z).map(|ns| ns.div_euclid(1_000_000) as i64)
}
