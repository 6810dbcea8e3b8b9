//! STIX 2.1 bundles: the sensor as an `identity`, each sighting as `observed-data` (the cell,
//! as a `cellsentry-cell` observable defined by an `extension-definition`, and the evidence
//! recordings as `file` observables with their SHA-256) and a `sighting` of an `indicator`
//! whose pattern matches the cell by SI fingerprint and/or identity, sighted where a `location`
//! says; every object marked with the TLP marking definition chosen.
//!
//! The reader takes any bundle holding sightings whose observed data include a
//! `cellsentry-cell`; the verdict, rules and measurements ride in this crate's property
//! extension on the sighting and are optional for other producers.

use std::collections::HashMap;

use cellsentry_capture::timefmt::format_unix_ns;
use serde_json::{json, Map, Value};

use crate::misp::parse_time;
use crate::sighting::{
    uuid5, FiredRule, Position, RunSightings, SightedCell, Sighting, SightingSource, TimeBasis,
};
use crate::{ShareError, Tlp};

/// The observable type of a cell, defined by [`EXTENSION_ID`].
pub const CELL_TYPE: &str = "cellsentry-cell";
/// The extension definition (new SCO `cellsentry-cell` and the sighting property extension).
pub const EXTENSION_ID: &str = "extension-definition--3f5b2c61-8a44-4e0f-9d9c-6b1e7d2a4c58";
/// The identity that defines the extension (the cellsentry project).
const PROJECT_IDENTITY: &str = "identity--b0a8e7f2-45c1-4d3a-a6a9-9f3c2e1d7b64";
/// Namespace of STIX deterministic SCO ids (STIX 2.1 section 2.9).
const STIX_SCO_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x00ab_edb4_aa42_466c_9c01_fed2_3315_a9b7);
/// When the project identity and the extension definition were written.
const DEFINED: &str = "2026-01-01T00:00:00.000Z";

fn stamp(ms: i64) -> String {
    // STIX wants UTC with millisecond precision for created/modified.
    let full = format_unix_ns(i128::from(ms.div_euclid(1000)) * 1_000_000_000);
    format!("{}.{:03}Z", &full[..19], ms.rem_euclid(1000))
}

fn sco_id(kind: &str, contributing: &Value) -> String {
    // Canonical JSON: serde_json's maps are sorted (BTreeMap), no whitespace.
    let text = contributing.to_string();
    format!(
        "{kind}--{}",
        uuid::Uuid::new_v5(&STIX_SCO_NAMESPACE, text.as_bytes())
    )
}

fn sdo_id(kind: &str, name: &str) -> String {
    format!("{kind}--{}", uuid5(&format!("stix|{kind}|{name}")))
}

fn tlp_marking(tlp: Tlp) -> Value {
    // The TLP 1.0 marking definitions STIX 2.1 predefines (section 7.2.1.4); "clear" is the
    // TLP 2.0 name of white, and STIX 2.1 has no amber+strict, so it is marked amber.
    let (id, name) = match tlp {
        Tlp::Clear => ("613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"),
        Tlp::Green => ("34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"),
        Tlp::Amber | Tlp::AmberStrict => ("f88d31f6-486f-44da-b317-01333bde0b82", "amber"),
        Tlp::Red => ("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"),
    };
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": format!("marking-definition--{id}"),
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": format!("TLP:{}", name.to_ascii_uppercase()),
        "definition": {"tlp": name},
    })
}

fn extension_definition(tlp_id: &str) -> Value {
    json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": PROJECT_IDENTITY,
        "created": DEFINED,
        "modified": DEFINED,
        "name": "cellsentry cell and false base station sighting",
        "description": "A new cyber observable, cellsentry-cell: a GSM or LTE cell as it broadcast itself (rat, band, channel_number = ARFCN/EARFCN, mcc, mnc, area_code = LAC/TAC, cell_identity = CI/ECI, phys_id = BSIC/PCI, si_fingerprint, si_configuration). A property extension on sighting: verdict, score, rules_fired, time_basis, sensor_id, power_dbfs, power_dbm, freq_offset_hz, freq_offset_ppm. Never carries subscriber identities.",
        "schema": "cellsentry-cell: rat (string: gsm|lte), band (string), channel_number (integer), mcc (string, 3 digits), mnc (string, 2-3 digits), area_code (integer), cell_identity (integer), phys_id (integer), si_fingerprint (string 'gsm-si1:' or 'lte-si1:' + 32 hex digits of SHA-256 of si_configuration), si_configuration (string). Sighting property extension: verdict (string: suspicious|likely_fake), score (number), rules_fired (list of strings 'rule_id vN severity: summary'), time_basis (string: capture|processing), sensor_id (string), power_dbfs, power_dbm, freq_offset_hz, freq_offset_ppm (numbers).",
        "version": "1.0.0",
        "extension_types": ["new-sco", "property-extension"],
        "object_marking_refs": [tlp_id],
    })
}

fn pattern_of(cell: &SightedCell, fingerprint: Option<&str>) -> String {
    let mut alternatives = Vec::new();
    if let Some(f) = fingerprint {
        alternatives.push(format!("[{CELL_TYPE}:si_fingerprint = '{f}']"));
    }
    let mut identity = vec![format!("{CELL_TYPE}:rat = '{}'", cell.rat)];
    if let (Some(mcc), Some(mnc)) = (&cell.mcc, &cell.mnc) {
        identity.push(format!("{CELL_TYPE}:mcc = '{mcc}'"));
        identity.push(format!("{CELL_TYPE}:mnc = '{mnc}'"));
    }
    if let Some(a) = cell.area_code {
        identity.push(format!("{CELL_TYPE}:area_code = {a}"));
    }
    if let Some(c) = cell.cell_identity {
        identity.push(format!("{CELL_TYPE}:cell_identity = {c}"));
    }
    if let Some(c) = cell.channel {
        identity.push(format!("{CELL_TYPE}:channel_number = {c}"));
    }
    if let Some(p) = cell.phys_id {
        identity.push(format!("{CELL_TYPE}:phys_id = {p}"));
    }
    alternatives.push(format!("[{}]", identity.join(" AND ")));
    alternatives.join(" OR ")
}

/// One STIX 2.1 bundle with every sighting of the given runs.
pub fn export(
    runs: &[RunSightings],
    organisation: Option<&str>,
    tlp: Tlp,
) -> Result<Value, ShareError> {
    let marking = tlp_marking(tlp);
    let tlp_id = marking["id"].as_str().unwrap_or_default().to_string();
    let marks = json!([tlp_id]);
    let mut objects = vec![
        marking.clone(),
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": PROJECT_IDENTITY,
            "created": DEFINED,
            "modified": DEFINED,
            "name": "cellsentry project",
            "identity_class": "organization",
            "description": "Defines the cellsentry-cell observable and the sighting extension.",
        }),
        extension_definition(&tlp_id),
    ];
    let org_id = organisation.map(|o| sdo_id("identity", &format!("org|{o}")));
    if let (Some(o), Some(id)) = (organisation, &org_id) {
        objects.push(json!({
            "type": "identity", "spec_version": "2.1", "id": id,
            "created": DEFINED, "modified": DEFINED,
            "name": o, "identity_class": "organization",
            "object_marking_refs": marks,
        }));
    }
    let mut sensors_done = std::collections::BTreeSet::new();
    for run in runs {
        let sensor = sdo_id("identity", &format!("sensor|{}", run.sensor_id));
        if sensors_done.insert(sensor.clone()) {
            let mut ident = json!({
                "type": "identity", "spec_version": "2.1", "id": sensor,
                "created": DEFINED, "modified": DEFINED,
                "name": format!("cellsentry sensor {}", run.sensor_id),
                "identity_class": "system",
                "description": "Receive-only fake base station sensor (cellsentry).",
                "object_marking_refs": marks,
            });
            if let Some(id) = &org_id {
                ident["created_by_ref"] = json!(id);
            }
            objects.push(ident);
        }
        let creator = org_id.clone().unwrap_or_else(|| sensor.clone());
        for s in &run.sightings {
            let at = stamp(s.last_seen_unix_ms);
            fn put(map: &mut Map<String, Value>, k: &str, v: Value) {
                if !v.is_null() {
                    map.insert(k.into(), v);
                }
            }
            let mut cell = Map::new();
            cell.insert("rat".into(), json!(s.cell.rat));
            put(&mut cell, "channel_number", json!(s.cell.channel));
            put(&mut cell, "mcc", json!(s.cell.mcc));
            put(&mut cell, "mnc", json!(s.cell.mnc));
            put(&mut cell, "area_code", json!(s.cell.area_code));
            put(&mut cell, "cell_identity", json!(s.cell.cell_identity));
            put(&mut cell, "phys_id", json!(s.cell.phys_id));
            put(&mut cell, "si_fingerprint", json!(s.si_fingerprint));
            // The id is derived from the identity and fingerprint only (STIX 2.1 2.9).
            let cell_id = sco_id(CELL_TYPE, &Value::Object(cell.clone()));
            put(&mut cell, "band", json!(s.cell.band));
            put(&mut cell, "si_configuration", json!(s.si_configuration));
            cell.insert("type".into(), json!(CELL_TYPE));
            cell.insert("spec_version".into(), json!("2.1"));
            cell.insert("id".into(), json!(cell_id));
            cell.insert(
                "extensions".into(),
                json!({ EXTENSION_ID: {"extension_type": "new-sco"} }),
            );
            objects.push(Value::Object(cell));
            let mut refs = vec![json!(cell_id)];
            for h in &s.evidence_sha256 {
                let hashes = json!({"hashes": {"SHA-256": h}});
                let id = sco_id("file", &hashes);
                if !objects.iter().any(|o| o["id"] == json!(id)) {
                    objects.push(json!({
                        "type": "file", "spec_version": "2.1", "id": id,
                        "hashes": {"SHA-256": h},
                    }));
                }
                refs.push(json!(id));
            }
            let observed = sdo_id("observed-data", &s.id);
            objects.push(json!({
                "type": "observed-data", "spec_version": "2.1", "id": observed,
                "created_by_ref": creator, "created": at, "modified": at,
                "first_observed": stamp(s.first_seen_unix_ms),
                "last_observed": stamp(s.last_seen_unix_ms),
                "number_observed": 1,
                "object_refs": refs,
                "object_marking_refs": marks,
            }));
            let indicator = sdo_id("indicator", &s.id);
            objects.push(json!({
                "type": "indicator", "spec_version": "2.1", "id": indicator,
                "created_by_ref": creator, "created": at, "modified": at,
                "name": format!("False base station {}", s.cell.label()),
                "description": format!(
                    "A cell judged {} by {}; matches the same cell or the same system-information configuration under another identity.",
                    s.verdict.replace('_', " "), s.source.describe()),
                "indicator_types": ["malicious-activity"],
                "pattern": pattern_of(&s.cell, s.si_fingerprint.as_deref()),
                "pattern_type": "stix",
                "valid_from": stamp(s.first_seen_unix_ms),
                "object_marking_refs": marks,
            }));
            let mut where_sighted = vec![json!(sensor)];
            if let Some(p) = s.position {
                let loc = sdo_id("location", &format!("{}|{}|{}", s.id, p.lat_deg, p.lon_deg));
                let mut l = json!({
                    "type": "location", "spec_version": "2.1", "id": loc,
                    "created_by_ref": creator, "created": at, "modified": at,
                    "name": format!("position of sensor {}", s.source.sensor_id),
                    "latitude": p.lat_deg, "longitude": p.lon_deg,
                    "object_marking_refs": marks,
                });
                if let Some(a) = p.accuracy_m {
                    l["precision"] = json!(a);
                }
                objects.push(l);
                where_sighted.push(json!(loc));
            }
            let mut ext = json!({
                "extension_type": "property-extension",
                "verdict": s.verdict,
                "score": s.score,
                "rules_fired": s.rules.iter().map(FiredRule::text).collect::<Vec<_>>(),
                "time_basis": s.time_basis.as_str(),
                "sensor_id": s.source.sensor_id,
            });
            for (k, v) in [
                ("power_dbfs", s.power_dbfs),
                ("power_dbm", s.power_dbm),
                ("freq_offset_hz", s.freq_offset_hz),
                ("freq_offset_ppm", s.freq_offset_ppm),
            ] {
                if let Some(v) = v {
                    ext[k] = json!(v);
                }
            }
            objects.push(json!({
                "type": "sighting", "spec_version": "2.1",
                "id": format!("sighting--{}", s.id),
                "created_by_ref": creator, "created": at, "modified": at,
                "first_seen": stamp(s.first_seen_unix_ms),
                "last_seen": stamp(s.last_seen_unix_ms),
                "count": 1,
                "sighting_of_ref": indicator,
                "observed_data_refs": [observed],
                "where_sighted_refs": where_sighted,
                "description": format!("{} seen by {}", s.cell.label(), s.source.describe()),
                "object_marking_refs": marks,
                "extensions": { EXTENSION_ID: ext },
            }));
        }
    }
    let names: Vec<String> = runs
        .iter()
        .flat_map(|r| r.sightings.iter().map(|s| s.id.clone()))
        .collect();
    Ok(json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid5(&format!("bundle|{}", names.join("|")))),
        "objects": objects,
    }))
}

fn bad(msg: impl Into<String>) -> ShareError {
    ShareError::Invalid(msg.into())
}

/// Sightings read from a STIX 2.1 bundle. Refuses the whole bundle on the first malformed
/// sighting of a cell (dangling reference, bad value).
pub fn import(doc: &Value) -> Result<Vec<Sighting>, ShareError> {
    if doc.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(bad(
            "not a STIX bundle: top-level \"type\" is not \"bundle\"",
        ));
    }
    let objects = doc
        .get("objects")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("STIX bundle without an \"objects\" list"))?;
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for o in objects {
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("STIX object without an id"))?;
        let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
        if !id.starts_with(&format!("{kind}--")) {
            return Err(bad(format!(
                "STIX object {id}: id does not start with its type {kind:?}"
            )));
        }
        by_id.insert(id, o);
    }
    let get = |id: &str, what: &str| -> Result<&Value, ShareError> {
        by_id
            .get(id)
            .copied()
            .ok_or_else(|| bad(format!("{what} refers to {id}, which is not in the bundle")))
    };
    let mut out = Vec::new();
    for s in objects.iter().filter(|o| o["type"] == "sighting") {
        let sid = s["id"].as_str().unwrap_or_default();
        let mut cell = None;
        for r in s["observed_data_refs"].as_array().into_iter().flatten() {
            let od = get(r.as_str().unwrap_or_default(), sid)?;
            for r in od["object_refs"].as_array().into_iter().flatten() {
                let o = get(
                    r.as_str().unwrap_or_default(),
                    r.as_str().unwrap_or_default(),
                )?;
                if o["type"] == CELL_TYPE {
                    cell = Some(o);
                }
            }
        }
        let Some(cell) = cell else {
            // A sighting of something else: not ours to import.
            continue;
        };
        let text = |v: &Value| v.as_str().map(str::to_string);
        let int = |v: &Value, k: &str| -> Result<Option<u32>, ShareError> {
            match &v[k] {
                Value::Null => Ok(None),
                x => x
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| bad(format!("{sid}: {k} {x} is not a whole number"))),
            }
        };
        let mut position = None;
        let mut sensor_name = None;
        for r in s["where_sighted_refs"].as_array().into_iter().flatten() {
            let o = get(r.as_str().unwrap_or_default(), sid)?;
            match o["type"].as_str() {
                Some("location") => {
                    let (Some(lat_deg), Some(lon_deg)) =
                        (o["latitude"].as_f64(), o["longitude"].as_f64())
                    else {
                        return Err(bad(format!("{sid}: location without latitude/longitude")));
                    };
                    position = Some(Position {
                        lat_deg,
                        lon_deg,
                        accuracy_m: o["precision"].as_f64(),
                    });
                }
                Some("identity") => sensor_name = text(&o["name"]),
                _ => {}
            }
        }
        let organisation = match s["created_by_ref"].as_str() {
            Some(id) => {
                let o = get(id, sid)?;
                (o["identity_class"] != "system")
                    .then(|| text(&o["name"]))
                    .flatten()
            }
            None => None,
        };
        let ext = &s["extensions"][EXTENSION_ID];
        let time = |k: &str| -> Result<i64, ShareError> {
            let t = s[k].as_str().ok_or_else(|| bad(format!("{sid}: no {k}")))?;
            parse_time(t).ok_or_else(|| bad(format!("{sid}: {k} {t:?} is not a timestamp")))
        };
        let first = time("first_seen")?;
        let last = if s["last_seen"].is_null() {
            first
        } else {
            time("last_seen")?
        };
        let rules = ext["rules_fired"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                r.as_str()
                    .and_then(FiredRule::parse)
                    .ok_or_else(|| bad(format!("{sid}: rules_fired entry {r} unreadable")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rat = text(&cell["rat"]).ok_or_else(|| bad(format!("{sid}: cell without rat")))?;
        let phys = int(cell, "phys_id")?
            .map(|v| u16::try_from(v).map_err(|_| bad(format!("{sid}: phys_id {v} too large"))))
            .transpose()?;
        let mut evidence = Vec::new();
        for r in s["observed_data_refs"].as_array().into_iter().flatten() {
            let od = get(r.as_str().unwrap_or_default(), sid)?;
            for r in od["object_refs"].as_array().into_iter().flatten() {
                let o = get(r.as_str().unwrap_or_default(), sid)?;
                if let Some(h) = o["hashes"]["SHA-256"].as_str() {
                    evidence.push(h.to_ascii_lowercase());
                }
            }
        }
        let sensor_id = text(&ext["sensor_id"])
            .or_else(|| sensor_name.map(|n| n.trim_start_matches("cellsentry sensor ").to_string()))
            .unwrap_or_else(|| "unknown sensor".into());
        let sighting = Sighting {
            id: sid.strip_prefix("sighting--").unwrap_or(sid).to_string(),
            source: SightingSource {
                organisation,
                sensor_id,
            },
            first_seen_unix_ms: first,
            last_seen_unix_ms: last,
            time_basis: match ext["time_basis"].as_str() {
                Some("processing") => TimeBasis::Processing,
                _ => TimeBasis::Capture,
            },
            position,
            cell: SightedCell {
                rat,
                band: text(&cell["band"]),
                channel: int(cell, "channel_number")?,
                mcc: text(&cell["mcc"]),
                mnc: text(&cell["mnc"]),
                area_code: int(cell, "area_code")?,
                cell_identity: int(cell, "cell_identity")?,
                phys_id: phys,
            },
            power_dbfs: ext["power_dbfs"].as_f64(),
            power_dbm: ext["power_dbm"].as_f64(),
            freq_offset_hz: ext["freq_offset_hz"].as_f64(),
            freq_offset_ppm: ext["freq_offset_ppm"].as_f64(),
            si_fingerprint: text(&cell["si_fingerprint"]),
            si_configuration: text(&cell["si_configuration"]),
            // Another producer's sighting without our extension: a lead, not a verdict.
            verdict: text(&ext["verdict"]).unwrap_or_else(|| "suspicious".into()),
            score: ext["score"].as_f64().unwrap_or(0.0),
            rules,
            evidence_sha256: evidence,
        };
        sighting.validate()?;
        out.push(sighting);
    }
    if out.is_empty() {
        return Err(bad(format!(
            "no sighting of a {CELL_TYPE} in this STIX bundle: nothing to import"
        )));
    }
    Ok(out)
}
