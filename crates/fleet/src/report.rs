//! The central report: each suspected blaster once, across every sensor of the fleet, with
//! every sensor that saw it, when and where.
//!
//! A blaster starts from the non-clean verdicts of the time window (index
//! `verdicts_flagged`). The cells behind them are merged into one blaster when they share the
//! broadcast identity (RAT + PLMN + LAC/TAC + cell identity, when all are known: a blaster that
//! moves, retunes or changes BSIC stays one) or the system-information fingerprint the sensors
//! stored with their observations (`detect::SiFingerprint`: the same BTS configuration under a
//! new CI, LAC or channel); cells with neither stay apart by their full natural key. For each sensor that
//! flagged a cell, the sighting's "when" is the span of its observations of that cell (or of
//! its verdicts when it stored none) and its "where" is the position of its strongest
//! observation, the best single estimate of where the transmitter was; the area filter keeps
//! sightings with an observation inside the box or circle.

use std::collections::BTreeMap;
use std::time::Instant;

use postgres::types::ToSql;
use postgres::Client;
use serde::Serialize;

use crate::error::FleetError;

/// A column of a row of our own queries; a type mismatch is an error, not a panic.
pub(crate) fn col<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    i: usize,
) -> Result<T, FleetError> {
    row.try_get(i).map_err(FleetError::from)
}
use crate::sync::country_code;
use crate::values::rfc3339;

/// What part of the fleet's picture to report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportFilter {
    /// Start of the window (anything PostgreSQL reads as a timestamptz: "2026-03-01",
    /// "2026-03-01T12:00:00Z").
    pub since: Option<String>,
    /// End of the window (exclusive).
    pub until: Option<String>,
    /// Bounding box: min longitude, min latitude, max longitude, max latitude (WGS84).
    pub bbox: Option<[f64; 4]>,
    /// Circle: latitude, longitude, radius in metres.
    pub near: Option<(f64, f64, f64)>,
    /// Country of the runs (the `--country` profile they ran with, else the sensor's).
    pub country: Option<String>,
}

/// One sensor's sighting of a blaster.
#[derive(Debug, Clone, Serialize)]
pub struct Sighting {
    /// Sensor UUID.
    pub sensor_id: String,
    /// Operator-given name.
    pub sensor_name: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Sensor's country.
    pub country: Option<String>,
    /// The cell (natural key) this sensor saw.
    pub cell: String,
    /// Worst verdict this sensor gave.
    pub level: String,
    /// Highest score.
    pub score: f64,
    /// First seen (RFC 3339 UTC).
    pub first_seen: String,
    /// Last seen.
    pub last_seen: String,
    /// First seen, ms since the Unix epoch.
    pub first_seen_unix_ms: i64,
    /// Last seen, ms since the Unix epoch.
    pub last_seen_unix_ms: i64,
    /// Observations of it in the window (and area).
    pub observations: i64,
    /// Where: latitude of the strongest observation (or of the sensor's run).
    pub lat_deg: Option<f64>,
    /// Where: longitude.
    pub lon_deg: Option<f64>,
    /// Power there, dBFS.
    pub power_dbfs: Option<f64>,
    /// Rules this sensor saw fire on it.
    pub rules: Vec<String>,
}

/// One cell (channel/BSIC-or-PCI variant) of a blaster.
#[derive(Debug, Clone, Serialize)]
pub struct BlasterCell {
    /// Natural key.
    pub natural_key: String,
    /// ARFCN / EARFCN.
    pub channel_number: i64,
    /// BSIC / PCI.
    pub phys_id: Option<i32>,
}

/// A suspected blaster, once.
#[derive(Debug, Clone, Serialize)]
pub struct Blaster {
    /// Human label ("GSM 234-15 LAC 1000 CI 4321").
    pub identity: String,
    /// What merged its cells: "identity", "fingerprint", "identity+fingerprint" or
    /// "natural_key" (one cell, nothing to merge by).
    pub merged_by: String,
    /// System-information fingerprint ids of its cells (`gsm-si1:...`), when stored.
    pub fingerprints: Vec<String>,
    /// "gsm" / "lte".
    pub rat: String,
    /// MCC as broadcast.
    pub mcc: Option<String>,
    /// MNC as broadcast.
    pub mnc: Option<String>,
    /// LAC / TAC.
    pub area_code: Option<i64>,
    /// CI / ECI.
    pub cell_identity: Option<i64>,
    /// Its cells.
    pub cells: Vec<BlasterCell>,
    /// Worst verdict over all sensors.
    pub level: String,
    /// Highest score.
    pub score: f64,
    /// Every rule that fired on it, any sensor.
    pub rules: Vec<String>,
    /// First seen by any sensor.
    pub first_seen: String,
    /// Last seen by any sensor.
    pub last_seen: String,
    /// Sensors that saw it.
    pub sensors: usize,
    /// One per sensor and cell.
    pub sightings: Vec<Sighting>,
}

/// The fleet's picture.
#[derive(Debug, Clone, Serialize)]
pub struct CentralReport {
    /// Writer and version.
    pub generated_by: String,
    /// How cells were merged into blasters.
    pub merged_by: String,
    /// Filters applied.
    pub filters: ReportFilter,
    /// Sensors registered in the fleet.
    pub fleet_sensors: i64,
    /// Suspected blasters, worst first.
    pub blasters: Vec<Blaster>,
    /// Time the queries took, ms.
    pub query_ms: f64,
}

/// How cells become one blaster; said in every report so a reader knows what "once" means.
pub const MERGED_BY: &str = "identity (RAT + PLMN + LAC/TAC + cell identity, when all are \
    broadcast) or system-information fingerprint (same BTS configuration under another \
    identity; two devices running one configuration also merge); cells with neither stay \
    apart by their full key";

fn level_rank(level: &str) -> u8 {
    match level {
        "likely_fake" => 2,
        "suspicious" => 1,
        _ => 0,
    }
}

/// Builds the WHERE fragments and parameters shared by the queries.
struct Params {
    values: Vec<Box<dyn ToSql + Sync>>,
}

impl Params {
    fn push(&mut self, v: impl ToSql + Sync + 'static) -> String {
        self.values.push(Box::new(v));
        format!("${}", self.values.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values.iter().map(|b| b.as_ref()).collect()
    }
}

fn validate(f: &ReportFilter) -> Result<(), FleetError> {
    if let Some([x0, y0, x1, y1]) = f.bbox {
        let ok = (-180.0..=180.0).contains(&x0)
            && (-180.0..=180.0).contains(&x1)
            && (-90.0..=90.0).contains(&y0)
            && (-90.0..=90.0).contains(&y1)
            && x0 < x1
            && y0 < y1;
        if !ok {
            return Err(FleetError::InvalidInput(format!(
                "bounding box {x0},{y0},{x1},{y1} is not MIN_LON,MIN_LAT,MAX_LON,MAX_LAT in degrees"
            )));
        }
    }
    if let Some((lat, lon, r)) = f.near {
        let usable = (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && r.is_finite()
            && r > 0.0;
        if !usable {
            return Err(FleetError::InvalidInput(format!(
                "--near {lat},{lon} with radius {r} m is not a position and a positive radius"
            )));
        }
    }
    Ok(())
}

/// Runs the report's queries.
pub fn load(client: &mut Client, filter: &ReportFilter) -> Result<CentralReport, FleetError> {
    validate(filter)?;
    crate::schema::check_readable(client)?;
    let started = Instant::now();
    let mut p = Params { values: Vec::new() };
    let mut verdict_where = vec!["v.level <> 'clean'".to_string()];
    let mut obs_where = Vec::new();
    let mut det_where = Vec::new();
    if let Some(s) = &filter.since {
        let ph = p.push(s.clone());
        verdict_where.push(format!("v.judged_at >= {ph}::text::timestamptz"));
        obs_where.push(format!("o.observed_at >= {ph}::text::timestamptz"));
        det_where.push(format!("d.detected_at >= {ph}::text::timestamptz"));
    }
    if let Some(u) = &filter.until {
        let ph = p.push(u.clone());
        verdict_where.push(format!("v.judged_at < {ph}::text::timestamptz"));
        obs_where.push(format!("o.observed_at < {ph}::text::timestamptz"));
        det_where.push(format!("d.detected_at < {ph}::text::timestamptz"));
    }
    if let Some(c) = &filter.country {
        let ph = p.push(country_code(c));
        verdict_where.push(format!("r.country = {ph}"));
    }
    let mut area = Vec::new();
    if let Some([x0, y0, x1, y1]) = filter.bbox {
        let (a, b, c, d) = (p.push(x0), p.push(y0), p.push(x1), p.push(y1));
        area.push(format!(
            "ST_Intersects(o.position, ST_MakeEnvelope({a}, {b}, {c}, {d}, 4326)::geography)"
        ));
    }
    if let Some((lat, lon, r)) = filter.near {
        let (a, b, c) = (p.push(lon), p.push(lat), p.push(r));
        area.push(format!(
            "ST_DWithin(o.position, ST_SetSRID(ST_MakePoint({a}, {b}), 4326)::geography, {c})"
        ));
    }
    let area_given = !area.is_empty();
    obs_where.extend(area);
    let obs_filter = obs_where
        .iter()
        .map(|w| format!(" AND {w}"))
        .collect::<String>();
    let det_filter = det_where
        .iter()
        .map(|w| format!(" AND {w}"))
        .collect::<String>();
    let sql = format!(
        "WITH flagged AS (
            SELECT v.cell_id, r.sensor_id,
                   max(CASE v.level WHEN 'likely_fake' THEN 2 WHEN 'suspicious' THEN 1 ELSE 0 END)
                       AS rank,
                   max(v.score) AS score,
                   (extract(epoch FROM min(v.judged_at)) * 1000)::bigint AS v_first,
                   (extract(epoch FROM max(v.judged_at)) * 1000)::bigint AS v_last
              FROM cellsentry.verdicts v
              JOIN cellsentry.runs r ON r.id = v.run_id
             WHERE {verdict}
             GROUP BY v.cell_id, r.sensor_id
         )
         SELECT f.cell_id, f.sensor_id, f.rank, f.score, f.v_first, f.v_last,
                (extract(epoch FROM o.first_at) * 1000)::bigint,
                (extract(epoch FROM o.last_at) * 1000)::bigint,
                o.n, b.lat, b.lon, b.power_dbfs, h.lat, h.lon,
                c.rat, c.natural_key, c.mcc, c.mnc, c.area_code, c.cell_identity,
                c.channel_number, c.phys_id,
                s.sensor_uuid::text, s.name, s.organisation, s.country,
                coalesce((SELECT array_agg(DISTINCT d.rule_id ORDER BY d.rule_id)
                            FROM cellsentry.detections d
                           WHERE d.cell_id = f.cell_id AND d.sensor_id = f.sensor_id{det}),
                         ARRAY[]::text[]),
                fp.id
           FROM flagged f
           JOIN cellsentry.cells c ON c.id = f.cell_id
           JOIN cellsentry.sensors s ON s.id = f.sensor_id
           LEFT JOIN LATERAL (
                SELECT min(o.observed_at) AS first_at, max(o.observed_at) AS last_at,
                       count(*) AS n
                  FROM cellsentry.observations o
                 WHERE o.cell_id = f.cell_id AND o.sensor_id = f.sensor_id{obs}) o ON true
           LEFT JOIN LATERAL (
                SELECT ST_Y(o.position::geometry) AS lat, ST_X(o.position::geometry) AS lon,
                       o.power_dbfs
                  FROM cellsentry.observations o
                 WHERE o.cell_id = f.cell_id AND o.sensor_id = f.sensor_id
                   AND o.position IS NOT NULL{obs}
                 ORDER BY o.power_dbfs DESC NULLS LAST, o.observed_at
                 LIMIT 1) b ON true
           LEFT JOIN LATERAL (
                SELECT ST_Y(r.host_position::geometry) AS lat,
                       ST_X(r.host_position::geometry) AS lon
                  FROM cellsentry.runs r
                  JOIN cellsentry.verdicts v ON v.run_id = r.id
                 WHERE v.cell_id = f.cell_id AND r.sensor_id = f.sensor_id
                   AND r.host_position IS NOT NULL
                 LIMIT 1) h ON true
           LEFT JOIN LATERAL (
                SELECT o.summary -> 'si_fingerprint' ->> 'id' AS id
                  FROM cellsentry.observations o
                 WHERE o.cell_id = f.cell_id
                   AND (o.summary -> 'si_fingerprint' ->> 'id') IS NOT NULL
                 ORDER BY o.observed_at DESC
                 LIMIT 1) fp ON true",
        verdict = verdict_where.join(" AND "),
        obs = obs_filter,
        det = det_filter,
    );
    let rows = client.query(&sql, &p.refs())?;
    let fleet_sensors: i64 = client
        .query_one("SELECT count(*) FROM cellsentry.sensors", &[])?
        .get(0);
    let query_ms = started.elapsed().as_secs_f64() * 1000.0;

    // Group into blasters: cells sharing an identity or a fingerprint are one (union-find).
    struct Row {
        sighting: Sighting,
        blaster: Blaster,
        identity: Option<String>,
        fingerprint: Option<String>,
    }
    let mut items: Vec<Row> = Vec::new();
    for row in rows {
        let n_obs: i64 = col::<Option<i64>>(&row, 8)?.unwrap_or(0);
        if area_given && n_obs == 0 {
            continue;
        }
        let rank: i32 = col(&row, 2)?;
        let level = match rank {
            2 => "likely_fake",
            1 => "suspicious",
            _ => "clean",
        }
        .to_string();
        let score: f64 = col(&row, 3)?;
        let (first, last) = match (col::<Option<i64>>(&row, 6)?, col::<Option<i64>>(&row, 7)?) {
            (Some(a), Some(b)) => (a, b),
            _ => (col(&row, 4)?, col(&row, 5)?),
        };
        let (lat, lon, power) = match (col::<Option<f64>>(&row, 9)?, col::<Option<f64>>(&row, 10)?)
        {
            (Some(a), Some(b)) => (Some(a), Some(b), col(&row, 11)?),
            _ => (col(&row, 12)?, col(&row, 13)?, None),
        };
        let rat: String = col(&row, 14)?;
        let natural_key: String = col(&row, 15)?;
        let mcc: Option<String> = col(&row, 16)?;
        let mnc: Option<String> = col(&row, 17)?;
        let area_code: Option<i64> = col(&row, 18)?;
        let cell_identity: Option<i64> = col(&row, 19)?;
        let channel_number: i64 = col(&row, 20)?;
        let phys_id: Option<i32> = col(&row, 21)?;
        let rules: Vec<String> = col(&row, 26)?;
        let fingerprint: Option<String> = col(&row, 27)?;
        let identity =
            (mcc.is_some() && mnc.is_some() && area_code.is_some() && cell_identity.is_some())
                .then(|| {
                    format!(
                        "{rat}|{}|{}|{}|{}",
                        mcc.as_deref().unwrap_or(""),
                        mnc.as_deref().unwrap_or(""),
                        area_code.unwrap_or(0),
                        cell_identity.unwrap_or(0)
                    )
                });
        let blaster = Blaster {
            identity: identity_label(
                &rat,
                &mcc,
                &mnc,
                area_code,
                cell_identity,
                channel_number,
                phys_id,
            ),
            merged_by: String::new(),
            fingerprints: fingerprint.iter().cloned().collect(),
            rat: rat.clone(),
            mcc,
            mnc,
            area_code,
            cell_identity,
            cells: vec![BlasterCell {
                natural_key: natural_key.clone(),
                channel_number,
                phys_id,
            }],
            level: level.clone(),
            score,
            rules: rules.clone(),
            first_seen: String::new(),
            last_seen: String::new(),
            sensors: 0,
            sightings: Vec::new(),
        };
        let sighting = Sighting {
            sensor_id: col(&row, 22)?,
            sensor_name: col(&row, 23)?,
            organisation: col(&row, 24)?,
            country: col(&row, 25)?,
            cell: natural_key,
            level,
            score,
            first_seen: rfc3339(first),
            last_seen: rfc3339(last),
            first_seen_unix_ms: first,
            last_seen_unix_ms: last,
            observations: n_obs,
            lat_deg: lat,
            lon_deg: lon,
            power_dbfs: power,
            rules,
        };
        items.push(Row {
            sighting,
            blaster,
            identity,
            fingerprint,
        });
    }
    let mut parent: Vec<usize> = (0..items.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut by_identity: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_fingerprint: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut via_identity = vec![false; items.len()];
    let mut via_fingerprint = vec![false; items.len()];
    for i in 0..items.len() {
        let mut links = Vec::new();
        if let Some(id) = &items[i].identity {
            if let Some(&j) = by_identity.get(id) {
                links.push((j, 0));
            } else {
                by_identity.insert(id.clone(), i);
            }
        } else {
            let key = items[i].sighting.cell.clone();
            if let Some(&j) = by_key.get(&key) {
                links.push((j, 2));
            } else {
                by_key.insert(key, i);
            }
        }
        if let Some(fp) = &items[i].fingerprint {
            if let Some(&j) = by_fingerprint.get(fp) {
                links.push((j, 1));
            } else {
                by_fingerprint.insert(fp.clone(), i);
            }
        }
        for (j, how) in links {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                parent[a] = b;
                // Another cell joined: say what joined it.
                match how {
                    0 => via_identity[i] = true,
                    1 => via_fingerprint[i] = true,
                    _ => {}
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Blaster> = BTreeMap::new();
    let mut how: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let r = root(&mut parent, i);
        let h = how.entry(r).or_insert((false, false));
        h.0 |= via_identity[i];
        h.1 |= via_fingerprint[i];
        let Row {
            sighting, blaster, ..
        } = item;
        match groups.get_mut(&r) {
            None => {
                let mut b = blaster;
                b.sightings.push(sighting);
                groups.insert(r, b);
            }
            Some(b) => {
                for c in blaster.cells {
                    if !b.cells.iter().any(|x| x.natural_key == c.natural_key) {
                        b.cells.push(c);
                    }
                }
                for f in blaster.fingerprints {
                    if !b.fingerprints.contains(&f) {
                        b.fingerprints.push(f);
                    }
                }
                if level_rank(&blaster.level) > level_rank(&b.level) {
                    b.level = blaster.level;
                }
                b.score = b.score.max(blaster.score);
                for rule in blaster.rules {
                    if !b.rules.contains(&rule) {
                        b.rules.push(rule);
                    }
                }
                // The label of a fully identified cell wins over a partial one.
                if b.cell_identity.is_none() && blaster.cell_identity.is_some() {
                    b.identity = blaster.identity;
                    b.mcc = blaster.mcc;
                    b.mnc = blaster.mnc;
                    b.area_code = blaster.area_code;
                    b.cell_identity = blaster.cell_identity;
                }
                b.sightings.push(sighting);
            }
        }
    }
    for (r, b) in groups.iter_mut() {
        let (i, f) = how.get(r).copied().unwrap_or((false, false));
        b.merged_by = match (i, f) {
            (true, true) => "identity+fingerprint",
            (false, true) => "fingerprint",
            (true, false) => "identity",
            (false, false) if b.cell_identity.is_some() => "identity",
            _ => "natural_key",
        }
        .to_string();
        b.fingerprints.sort();
    }
    let mut blasters: Vec<Blaster> = groups
        .into_values()
        .map(|mut b| {
            b.rules.sort();
            b.cells.sort_by(|x, y| x.natural_key.cmp(&y.natural_key));
            b.sightings.sort_by(|x, y| {
                (x.first_seen_unix_ms, &x.sensor_id).cmp(&(y.first_seen_unix_ms, &y.sensor_id))
            });
            let first = b
                .sightings
                .iter()
                .map(|s| s.first_seen_unix_ms)
                .min()
                .unwrap_or(0);
            let last = b
                .sightings
                .iter()
                .map(|s| s.last_seen_unix_ms)
                .max()
                .unwrap_or(0);
            b.first_seen = rfc3339(first);
            b.last_seen = rfc3339(last);
            let mut ids: Vec<&str> = b.sightings.iter().map(|s| s.sensor_id.as_str()).collect();
            ids.sort();
            ids.dedup();
            b.sensors = ids.len();
            b
        })
        .collect();
    blasters.sort_by(|a, b| {
        (level_rank(&b.level), b.sensors)
            .cmp(&(level_rank(&a.level), a.sensors))
            .then(b.score.total_cmp(&a.score))
            .then(a.identity.cmp(&b.identity))
    });
    Ok(CentralReport {
        generated_by: format!("cellsentry {}", env!("CARGO_PKG_VERSION")),
        merged_by: MERGED_BY.to_string(),
        filters: filter.clone(),
        fleet_sensors,
        blasters,
        query_ms,
    })
}

fn identity_label(
    rat: &str,
    mcc: &Option<String>,
    mnc: &Option<String>,
    area: Option<i64>,
    ci: Option<i64>,
    channel: i64,
    phys: Option<i32>,
) -> String {
    let q = |v: Option<i64>| v.map_or("?".to_string(), |v| v.to_string());
    let plmn = format!(
        "{}-{}",
        mcc.as_deref().unwrap_or("?"),
        mnc.as_deref().unwrap_or("?")
    );
    match rat {
        "lte" => format!(
            "LTE {plmn} TAC {} ECI {}",
            q(area),
            ci.map_or("?".to_string(), |v| format!("{v:#x}"))
        ),
        _ if mcc.is_none() || ci.is_none() => format!(
            "GSM ARFCN {channel} BSIC {} (no identity decoded)",
            phys.map_or("?".to_string(), |v| v.to_string())
        ),
        _ => format!("GSM {plmn} LAC {} CI {}", q(area), q(ci)),
    }
}
