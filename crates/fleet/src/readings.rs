//! Positioned power readings from the central database, cell by cell: what locating a
//! transmitter from every sensor of the fleet at once needs (`cellsentry locate --db
//! postgresql://...`). Fixed sensors in different places and drives synced by different teams
//! meet here under the cell's natural key; the fit itself is the `locate` crate's.

use postgres::Client;
use serde::Serialize;

use crate::error::FleetError;
use crate::report::col;

/// One observation with a position and a power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// Central sensor id.
    pub sensor_id: i64,
    /// Central run id (a fixed sensor or a drive is one run).
    pub run_id: i64,
    pub time_unix_ms: i64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub power_dbfs: Option<f64>,
    /// Calibrated power, when the sensor knew its front end's offset.
    pub power_dbm: Option<f64>,
}

/// A central cell and its positioned readings, in time order.
#[derive(Debug, Clone, Serialize)]
pub struct CellReadings {
    /// Central cell id.
    pub cell_id: i64,
    /// The cell's natural key (RAT, PLMN, area, identity, channel, BSIC/PCI).
    pub natural_key: String,
    pub readings: Vec<Reading>,
}

/// Every cell with positioned readings (only `cells`, central ids, when not empty).
pub fn positioned_readings(
    client: &mut Client,
    cells: &[i64],
) -> Result<Vec<CellReadings>, FleetError> {
    crate::schema::check_readable(client)?;
    let rows = client.query(
        "SELECT o.cell_id, c.natural_key, o.sensor_id, o.run_id,
                (extract(epoch FROM o.observed_at) * 1000)::bigint,
                ST_Y(o.position::geometry), ST_X(o.position::geometry),
                o.power_dbfs, o.power_dbm
           FROM cellsentry.observations o
           JOIN cellsentry.cells c ON c.id = o.cell_id
          WHERE o.position IS NOT NULL
            AND (cardinality($1::bigint[]) = 0 OR o.cell_id = ANY($1::bigint[]))
          ORDER BY o.cell_id, o.observed_at, o.sensor_id",
        &[&cells],
    )?;
    let mut out: Vec<CellReadings> = Vec::new();
    for row in &rows {
        let cell_id: i64 = col(row, 0)?;
        let reading = Reading {
            sensor_id: col(row, 2)?,
            run_id: col(row, 3)?,
            time_unix_ms: col(row, 4)?,
            lat_deg: col(row, 5)?,
            lon_deg: col(row, 6)?,
            power_dbfs: col(row, 7)?,
            power_dbm: col(row, 8)?,
        };
        match out.last_mut() {
            Some(c) if c.cell_id == cell_id => c.readings.push(reading),
            _ => out.push(CellReadings {
                cell_id,
                natural_key: col(row, 1)?,
                readings: vec![reading],
            }),
        }
    }
    Ok(out)
}

/// Whether a central cell id exists.
pub fn cell_exists(client: &mut Client, cell_id: i64) -> Result<bool, FleetError> {
    crate::schema::check_readable(client)?;
    let row = client.query_one(
        "SELECT EXISTS (SELECT 1 FROM cellsentry.cells WHERE id = $1)",
        &[&cell_id],
    )?;
    col(&row, 0)
}
