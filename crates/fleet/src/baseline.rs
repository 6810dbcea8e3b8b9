//! The fleet baseline: cells every sensor that judged them found clean, exported as the
//! detector's baseline file (`cellsentry-baseline/1`) for `--baseline`. Read from the central
//! database by `cellsentry fleet baseline`, so a sensor in a car can take it offline.
//!
//! Only known cells are exported: power statistics and operator norms depend on each sensor's
//! antenna and position and stay in each sensor's own survey baseline.

use cellsentry_detect::baseline::{Baseline, BaselineSource, GeoPoint, KnownCell};
use cellsentry_detect::{CellKey, Plmn, Rat};
use postgres::types::ToSql;
use postgres::Client;

use crate::error::FleetError;

/// A column of a row of our own queries; a type mismatch is an error, not a panic.
fn col<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    i: usize,
) -> Result<T, FleetError> {
    row.try_get(i).map_err(FleetError::from)
}

/// Which agreed-legitimate cells to export.
#[derive(Debug, Clone)]
pub struct BaselineFilter {
    /// Judged clean by at least this many sensors (and never otherwise by any).
    pub min_sensors: i64,
    /// Only cells observed within `radius_m` of (lat, lon).
    pub near: Option<(f64, f64, f64)>,
}

impl Default for BaselineFilter {
    fn default() -> Self {
        BaselineFilter {
            min_sensors: 2,
            near: None,
        }
    }
}

/// Reads the fleet baseline.
pub fn export(client: &mut Client, filter: &BaselineFilter) -> Result<Baseline, FleetError> {
    crate::schema::check_readable(client)?;
    let mut params: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(filter.min_sensors)];
    let mut area = String::new();
    if let Some((lat, lon, r)) = filter.near {
        let usable = (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && r.is_finite()
            && r > 0.0;
        if !usable {
            return Err(FleetError::InvalidInput(format!(
                "--near {lat},{lon} with radius {r} m is not a position and a positive radius"
            )));
        }
        params.push(Box::new(lon));
        params.push(Box::new(lat));
        params.push(Box::new(r));
        area = " AND b.id IN (SELECT o.cell_id FROM cellsentry.observations o
                  WHERE ST_DWithin(o.position, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4))"
            .to_string();
    }
    let sql = format!(
        "SELECT b.rat, b.mcc, b.mnc, b.area_code, b.cell_identity, b.channel_number, b.phys_id,
                (extract(epoch FROM b.first_seen_at) * 1000)::bigint,
                (extract(epoch FROM b.last_seen_at) * 1000)::bigint
           FROM cellsentry.baseline_cells b
          WHERE b.sensors >= $1{area}
          ORDER BY b.natural_key"
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|b| b.as_ref()).collect();
    let mut out = Baseline {
        position: filter.near.map(|(lat, lon, _)| GeoPoint::new(lat, lon)),
        ..Baseline::default()
    };
    for row in client.query(&sql, &refs)? {
        let rat: String = col(&row, 0)?;
        let mcc: Option<String> = col(&row, 1)?;
        let mnc: Option<String> = col(&row, 2)?;
        let plmn = match (mcc, mnc) {
            (Some(c), Some(n)) => c.parse::<u16>().ok().and_then(|c| Plmn::new(c, &n).ok()),
            _ => None,
        };
        let narrow = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        let first: i64 = col(&row, 7)?;
        let last: i64 = col(&row, 8)?;
        out.cells.push(KnownCell {
            key: CellKey {
                rat: if rat == "lte" { Rat::Lte } else { Rat::Gsm },
                plmn,
                lac_tac: narrow(col(&row, 3)?),
                cell_id: narrow(col(&row, 4)?),
                channel: narrow(Some(col(&row, 5)?)),
                bsic_pci: col::<Option<i32>>(&row, 6)?.and_then(|v| u16::try_from(v).ok()),
            },
            source: BaselineSource::Survey,
            position: None,
            range_m: None,
            power_mean_dbfs: None,
            power_std_db: None,
            power_samples: 0,
            offset_median_ppm: None,
            first_seen_unix_ms: Some(first),
            last_seen_unix_ms: Some(last),
        });
        out.window_start_unix_ms = Some(out.window_start_unix_ms.map_or(first, |w| w.min(first)));
        out.window_end_unix_ms = Some(out.window_end_unix_ms.map_or(last, |w| w.max(last)));
    }
    Ok(out)
}
