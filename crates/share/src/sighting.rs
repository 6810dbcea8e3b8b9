//! The plain data shared: one [`Sighting`] per suspected cell per run, built from a store
//! ([`collect`]), written as MISP or STIX, and read back from either into the same type.
//!
//! What a sighting never holds: subscriber identities. The store keeps paged IMSI/TMSI
//! (hashed) in tables this module does not read, and messages are not exported.

use std::collections::BTreeMap;

use cellsentry_detect::{Plmn, Rat as DetectRat, WatchedCell};
use cellsentry_store::{CellRow, RunId, RunKind, RunRow, Store, VerdictLevel};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ShareError;

/// Where the times of a sighting come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeBasis {
    /// The recording's own timestamps (SigMF `core:datetime`) or a live radio's clock.
    Capture,
    /// The recording carried no time: these are the times it was decoded.
    Processing,
}

impl TimeBasis {
    /// The word exported.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeBasis::Capture => "capture",
            TimeBasis::Processing => "processing",
        }
    }
}

/// A sensor position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// WGS84 latitude, degrees.
    pub lat_deg: f64,
    /// WGS84 longitude, degrees.
    pub lon_deg: f64,
    /// Uncertainty radius, metres, when known.
    pub accuracy_m: Option<f64>,
}

/// The cell as it broadcast itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SightedCell {
    /// "gsm" or "lte".
    pub rat: String,
    /// Band name, when known.
    pub band: Option<String>,
    /// ARFCN (GSM) or EARFCN (LTE).
    pub channel: Option<u32>,
    /// Mobile country code, 3 digits.
    pub mcc: Option<String>,
    /// Mobile network code, 2 or 3 digits.
    pub mnc: Option<String>,
    /// LAC (GSM) or TAC (LTE).
    pub area_code: Option<u32>,
    /// CI (GSM) or ECI (LTE).
    pub cell_identity: Option<u32>,
    /// BSIC (GSM) or PCI (LTE).
    pub phys_id: Option<u16>,
}

impl SightedCell {
    /// "GSM ARFCN 62 234-15 LAC 3101 CI 40961 BSIC 21".
    pub fn label(&self) -> String {
        let gsm = self.rat == "gsm";
        let mut parts = vec![if gsm { "GSM" } else { "LTE" }.to_string()];
        if let Some(c) = self.channel {
            parts.push(format!("{} {c}", if gsm { "ARFCN" } else { "EARFCN" }));
        }
        if let (Some(mcc), Some(mnc)) = (&self.mcc, &self.mnc) {
            parts.push(format!("{mcc}-{mnc}"));
        }
        if let Some(a) = self.area_code {
            parts.push(format!("{} {a}", if gsm { "LAC" } else { "TAC" }));
        }
        if let Some(c) = self.cell_identity {
            parts.push(format!("{} {c}", if gsm { "CI" } else { "ECI" }));
        }
        if let Some(p) = self.phys_id {
            parts.push(format!("{} {p}", if gsm { "BSIC" } else { "PCI" }));
        }
        parts.join(" ")
    }
}

/// A rule that fired on the cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredRule {
    /// Rule id (indicator catalogue).
    pub id: String,
    /// Rule version.
    pub version: u32,
    /// Severity word.
    pub severity: String,
    /// One-line summary of what was seen.
    pub summary: Option<String>,
}

impl FiredRule {
    /// "t3212_short_or_zero v1 medium: T3212 = 5" (the MISP `rule-fired` value).
    pub fn text(&self) -> String {
        match &self.summary {
            Some(s) => format!("{} v{} {}: {s}", self.id, self.version, self.severity),
            None => format!("{} v{} {}", self.id, self.version, self.severity),
        }
    }

    /// Parses [`FiredRule::text`] back.
    pub fn parse(text: &str) -> Option<FiredRule> {
        let (head, summary) = match text.split_once(": ") {
            Some((h, s)) => (h, Some(s.to_string())),
            None => (text, None),
        };
        let mut words = head.split_whitespace();
        let id = words.next()?.to_string();
        let version = words.next()?.strip_prefix('v')?.parse().ok()?;
        let severity = words.next()?.to_string();
        Some(FiredRule {
            id,
            version,
            severity,
            summary,
        })
    }
}

/// Who made a sighting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SightingSource {
    /// Organisation sharing it (agency, operator), when given.
    pub organisation: Option<String>,
    /// Sensor that saw it.
    pub sensor_id: String,
}

impl SightingSource {
    /// "Ofcom (sensor van-3)" or "sensor van-3".
    pub fn describe(&self) -> String {
        match &self.organisation {
            Some(o) => format!("{o} (sensor {})", self.sensor_id),
            None => format!("sensor {}", self.sensor_id),
        }
    }
}

/// One suspected fake cell seen by one sensor in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    /// Stable id (UUID), the same every time the same run is exported.
    pub id: String,
    /// Who saw it.
    pub source: SightingSource,
    /// First reception, ms since the Unix epoch.
    pub first_seen_unix_ms: i64,
    /// Last reception.
    pub last_seen_unix_ms: i64,
    /// Where those times come from.
    pub time_basis: TimeBasis,
    /// Sensor position, when known.
    pub position: Option<Position>,
    /// The cell.
    pub cell: SightedCell,
    /// Strongest received power, dBFS.
    pub power_dbfs: Option<f64>,
    /// Strongest received power, dBm (calibrated front ends).
    pub power_dbm: Option<f64>,
    /// Median carrier offset, Hz.
    pub freq_offset_hz: Option<f64>,
    /// Median carrier offset, ppm.
    pub freq_offset_ppm: Option<f64>,
    /// SI fingerprint id (`gsm-si1:...`).
    pub si_fingerprint: Option<String>,
    /// The canonical configuration text behind it.
    pub si_configuration: Option<String>,
    /// "suspicious" or "likely_fake".
    pub verdict: String,
    /// Combined score.
    pub score: f64,
    /// Rules that fired.
    pub rules: Vec<FiredRule>,
    /// SHA-256 of the evidence recordings (samples and metadata).
    pub evidence_sha256: Vec<String>,
}

impl Sighting {
    /// The watch-list entry for this sighting.
    pub fn to_watched(&self) -> Result<WatchedCell, ShareError> {
        let rat = match self.cell.rat.as_str() {
            "gsm" => DetectRat::Gsm,
            "lte" => DetectRat::Lte,
            other => return Err(ShareError::Invalid(format!("unknown RAT {other:?}"))),
        };
        let plmn = match (&self.cell.mcc, &self.cell.mnc) {
            (Some(mcc), Some(mnc)) => Some(
                Plmn::parse(&format!("{mcc}-{mnc}"))
                    .map_err(|e| ShareError::Invalid(e.to_string()))?,
            ),
            _ => None,
        };
        Ok(WatchedCell {
            reference: self.id.clone(),
            source: self.source.describe(),
            first_seen_unix_ms: Some(self.first_seen_unix_ms),
            last_seen_unix_ms: Some(self.last_seen_unix_ms),
            lat_deg: self.position.map(|p| p.lat_deg),
            lon_deg: self.position.map(|p| p.lon_deg),
            accuracy_m: self.position.and_then(|p| p.accuracy_m),
            rat,
            plmn,
            lac_tac: self.cell.area_code,
            cell_id: self.cell.cell_identity,
            channel: self.cell.channel,
            bsic_pci: self.cell.phys_id,
            si_fingerprint: self.si_fingerprint.clone(),
            verdict: Some(self.verdict.clone()),
        })
    }

    /// Checks what an importer relies on: a known RAT and verdict, a sane time window, digits
    /// in MCC/MNC, a position on the globe, hex hashes.
    pub fn validate(&self) -> Result<(), ShareError> {
        let bad = |m: String| Err(ShareError::Invalid(format!("sighting {}: {m}", self.id)));
        if !matches!(self.cell.rat.as_str(), "gsm" | "lte") {
            return bad(format!("unknown RAT {:?}", self.cell.rat));
        }
        if !matches!(self.verdict.as_str(), "suspicious" | "likely_fake") {
            return bad(format!("unknown verdict {:?}", self.verdict));
        }
        if self.last_seen_unix_ms < self.first_seen_unix_ms {
            return bad("last seen before first seen".into());
        }
        let digits = |s: &Option<String>, lens: &[usize]| {
            s.as_ref()
                .is_none_or(|s| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
        };
        if !digits(&self.cell.mcc, &[3]) || !digits(&self.cell.mnc, &[2, 3]) {
            return bad("MCC must be 3 digits and MNC 2 or 3".into());
        }
        if self.cell.channel.is_none()
            && self.cell.cell_identity.is_none()
            && self.si_fingerprint.is_none()
        {
            return bad("no channel, cell identity or SI fingerprint to match on".into());
        }
        if let Some(p) = self.position {
            if !(-90.0..=90.0).contains(&p.lat_deg) || !(-180.0..=180.0).contains(&p.lon_deg) {
                return bad(format!(
                    "position {}, {} is off the globe",
                    p.lat_deg, p.lon_deg
                ));
            }
        }
        if let Some(f) = &self.si_fingerprint {
            let ok = f
                .split_once(':')
                .is_some_and(|(p, h)| p.contains("-si") && h.len() == 32 && is_hex(h));
            if !ok {
                return bad(format!("SI fingerprint {f:?} is not PREFIX:32 hex digits"));
            }
        }
        if let Some(h) = self
            .evidence_sha256
            .iter()
            .find(|h| h.len() != 64 || !is_hex(h))
        {
            return bad(format!("evidence hash {h:?} is not a SHA-256"));
        }
        Ok(())
    }
}

pub(crate) fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Which sightings to export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this run.
    pub run: Option<RunId>,
    /// Only sightings seen at or after this time (ms since the Unix epoch).
    pub since_unix_ms: Option<i64>,
    /// Only sightings seen at or before this time.
    pub until_unix_ms: Option<i64>,
    /// Lowest verdict exported (default: suspicious; clean cells are never exported).
    pub min_level: Option<VerdictLevel>,
}

/// Who is sharing: overrides what the store knows about the sensor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Producer {
    /// Organisation name (the MISP `Orgc`, the STIX identity's organisation).
    pub organisation: Option<String>,
    /// Sensor id; default: the recording's `cellsentry:sensor_id`/`core:hw`, the run's device,
    /// else "cellsentry".
    pub sensor_id: Option<String>,
}

/// The sightings of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSightings {
    /// Run id in the exporting store.
    pub run_id: i64,
    /// Run start.
    pub started_unix_ms: i64,
    /// Run kind ("replay", "monitor", ...).
    pub kind: String,
    /// Source description (file or device).
    pub source: String,
    /// Sensor.
    pub sensor_id: String,
    /// Sightings.
    pub sightings: Vec<Sighting>,
}

/// A fixed namespace for cellsentry's name-based (v5) UUIDs, so that exporting the same run
/// twice gives the same ids and an importer recognises a re-shared sighting.
pub(crate) const NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x7a1c_6f8e_03d4_4b7e_9c55_1e2f_a0b3_c9d1);

pub(crate) fn uuid5(name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

fn level_rank(l: VerdictLevel) -> u8 {
    match l {
        VerdictLevel::Clean => 0,
        VerdictLevel::Suspicious => 1,
        VerdictLevel::LikelyFake => 2,
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

fn sighted_cell(cell: &CellRow, band: Option<String>) -> SightedCell {
    let k = &cell.key;
    SightedCell {
        rat: k.rat.as_str().into(),
        band,
        channel: k.channel,
        mcc: k.plmn.as_ref().map(|p| p.mcc.clone()),
        mnc: k.plmn.as_ref().map(|p| p.mnc.clone()),
        area_code: k.lac_tac,
        cell_identity: k.cell_id,
        phys_id: k.bsic_pci,
    }
}

/// The sensor of a run: the producer's override, what the recording states, the store's
/// sensor identity (its name), the run's device, the store's sensor UUID.
fn sensor_of(
    run: &RunRow,
    recordings: &[cellsentry_store::RecordingRow],
    p: &Producer,
    identity: Option<&cellsentry_store::SensorIdentity>,
) -> String {
    p.sensor_id
        .clone()
        .or_else(|| {
            recordings
                .iter()
                .find_map(|r| r.recording.sensor_id.clone())
        })
        .or_else(|| identity.and_then(|i| i.name.clone()))
        .or_else(|| run.device.clone())
        .or_else(|| identity.map(|i| i.id.clone()))
        .unwrap_or_else(|| "cellsentry".to_string())
}

/// Every suspected cell of the selected runs, as sightings, grouped by run (oldest first).
pub fn collect(
    store: &Store,
    filter: &Filter,
    producer: &Producer,
) -> Result<Vec<RunSightings>, ShareError> {
    let runs: Vec<RunRow> = match filter.run {
        Some(id) => {
            let run = store
                .run(id)?
                .ok_or_else(|| ShareError::Invalid(format!("no run {id} in this database")))?;
            vec![run]
        }
        None => store.runs()?,
    };
    let identity = store.sensor_identity().ok();
    let organisation = producer
        .organisation
        .clone()
        .or_else(|| identity.as_ref().and_then(|i| i.organisation.clone()));
    let min = filter.min_level.unwrap_or(VerdictLevel::Suspicious);
    let min_rank = level_rank(min).max(1);
    let mut out = Vec::new();
    for run in runs {
        let recordings = store.recordings(Some(run.id))?;
        let sensor_id = sensor_of(&run, &recordings, producer, identity.as_ref());
        // Live runs are stamped by the radio's clock; a replay only when every recording
        // stated its own start time.
        let time_basis = match run.kind {
            RunKind::Replay | RunKind::Synth => {
                if !recordings.is_empty()
                    && recordings
                        .iter()
                        .all(|r| r.recording.recorded_unix_ms.is_some())
                {
                    TimeBasis::Capture
                } else {
                    TimeBasis::Processing
                }
            }
            _ => TimeBasis::Capture,
        };
        let position = recordings
            .iter()
            .find_map(|r| Some((r.recording.sensor_lat_deg?, r.recording.sensor_lon_deg?)))
            .or_else(|| Some((run.host_lat_deg?, run.host_lon_deg?)))
            .map(|(lat_deg, lon_deg)| Position {
                lat_deg,
                lon_deg,
                accuracy_m: None,
            });
        let mut evidence: Vec<String> = Vec::new();
        for r in &recordings {
            evidence.push(r.recording.sha256.clone());
            if let Some(m) = &r.recording.meta_sha256 {
                evidence.push(m.clone());
            }
        }
        let detections = store.detections(Some(run.id))?;
        let mut sightings = Vec::new();
        for verdict in store.latest_verdict_per_cell(Some(run.id))? {
            if level_rank(verdict.level) < min_rank {
                continue;
            }
            let Some(cell) = store.cell(verdict.cell_id)? else {
                continue;
            };
            let observations = store.observations_for_cell(cell.id, Some(run.id))?;
            let (Some(first), Some(last)) = (
                observations.iter().map(|o| o.time_unix_ms).min(),
                observations.iter().map(|o| o.time_unix_ms).max(),
            ) else {
                continue;
            };
            if filter.since_unix_ms.is_some_and(|t| last < t)
                || filter.until_unix_ms.is_some_and(|t| first > t)
            {
                continue;
            }
            // The newest summary: a streaming session stores one whenever the cell's system
            // information grew, so the last is the most complete.
            let summary: Option<&Value> = observations
                .iter()
                .rev()
                .map(|o| &o.summary)
                .find(|s| s.as_object().is_some_and(|m| !m.is_empty()));
            let band = summary
                .and_then(|s| s.get("band"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let fingerprint = summary.and_then(|s| s.get("si_fingerprint"));
            let power_dbfs = observations
                .iter()
                .map(|o| o.power_dbfs)
                .filter(|p| p.is_finite())
                .max_by(f64::total_cmp);
            let power_dbm = observations
                .iter()
                .filter_map(|o| o.power_dbm)
                .max_by(f64::total_cmp);
            // One rule once: its strongest detection (the verdict counts it once too).
            let mut rules: BTreeMap<String, FiredRule> = BTreeMap::new();
            for d in detections.iter().filter(|d| d.cell_id == Some(cell.id)) {
                let keep = rules.get(&d.rule_id).is_none_or(|r| {
                    severity_rank(&r.severity) < severity_rank(d.severity.as_str())
                });
                if keep {
                    rules.insert(
                        d.rule_id.clone(),
                        FiredRule {
                            id: d.rule_id.clone(),
                            version: d.rule_version,
                            severity: d.severity.as_str().to_string(),
                            summary: d.summary.clone(),
                        },
                    );
                }
            }
            let sighted = sighted_cell(&cell, band);
            sightings.push(Sighting {
                id: uuid5(&format!(
                    "sighting|{sensor_id}|{}|{}|{}",
                    run.started_unix_ms,
                    run.id,
                    sighted.label()
                )),
                source: SightingSource {
                    organisation: organisation.clone(),
                    sensor_id: sensor_id.clone(),
                },
                first_seen_unix_ms: first,
                last_seen_unix_ms: last,
                time_basis,
                position,
                cell: sighted,
                power_dbfs,
                power_dbm,
                freq_offset_hz: median(
                    observations
                        .iter()
                        .filter_map(|o| o.freq_offset_hz)
                        .collect(),
                ),
                freq_offset_ppm: median(
                    observations
                        .iter()
                        .filter_map(|o| o.freq_offset_ppm)
                        .collect(),
                ),
                si_fingerprint: fingerprint
                    .and_then(|f| f.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                si_configuration: fingerprint
                    .and_then(|f| f.get("text"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                verdict: verdict.level.as_str().to_string(),
                score: verdict.score,
                rules: rules.into_values().collect(),
                evidence_sha256: evidence.clone(),
            });
        }
        if !sightings.is_empty() {
            out.push(RunSightings {
                run_id: run.id.0,
                started_unix_ms: run.started_unix_ms,
                kind: run.kind.as_str().to_string(),
                source: run.source.clone(),
                sensor_id,
                sightings,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_text_round_trips() {
        let r = FiredRule {
            id: "t3212_short_or_zero".into(),
            version: 2,
            severity: "medium".into(),
            summary: Some("T3212 = 5: 30 min".into()),
        };
        assert_eq!(FiredRule::parse(&r.text()), Some(r.clone()));
        let bare = FiredRule { summary: None, ..r };
        assert_eq!(FiredRule::parse(&bare.text()), Some(bare));
        assert_eq!(FiredRule::parse("nonsense"), None);
    }
}
