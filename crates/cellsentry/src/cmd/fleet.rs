//! `cellsentry fleet ...`: the central database's housekeeping (schema migrations, the roles
//! script) and the fleet baseline export.

use anyhow::{Context, Result};
use cellsentry_fleet::baseline::{self, BaselineFilter};
use cellsentry_fleet::schema;

use crate::cli::FleetCommand;
use crate::cmd::sync::central_target;
use crate::exit::{self, BadInput};

/// "LAT,LON" in degrees.
pub fn lat_lon(text: &str) -> Result<(f64, f64)> {
    let parsed = text.split_once(',').and_then(|(a, b)| {
        let lat: f64 = a.trim().parse().ok()?;
        let lon: f64 = b.trim().parse().ok()?;
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    });
    parsed.ok_or_else(|| BadInput(format!("{text:?} is not LAT,LON in degrees")).into())
}

pub fn run(cmd: &FleetCommand) -> Result<i32> {
    match cmd {
        FleetCommand::RolesSql => {
            print!("{}", schema::ROLES_SQL);
        }
        FleetCommand::Migrate(args) => {
            let target = central_target(&args.central)?;
            let mut client = target.connect()?;
            let applied = schema::migrate(&mut client)?;
            if applied.is_empty() {
                println!(
                    "central schema already at version {} ({target})",
                    schema::SCHEMA_VERSION
                );
            } else {
                println!(
                    "central schema migrated to version {} (applied {:?}) ({target})",
                    schema::SCHEMA_VERSION,
                    applied
                );
            }
        }
        FleetCommand::Baseline(args) => {
            let near = match &args.near {
                Some(t) => {
                    let (lat, lon) = lat_lon(t)?;
                    Some((lat, lon, args.radius_km * 1000.0))
                }
                None => None,
            };
            let target = central_target(&args.central)?;
            let mut client = target.connect()?;
            let b = baseline::export(
                &mut client,
                &BaselineFilter {
                    min_sensors: args.min_sensors,
                    near,
                },
            )?;
            b.save(&args.output)
                .with_context(|| format!("cannot write {}", args.output.display()))?;
            eprintln!(
                "{} cell(s) the fleet agrees are legitimate written to {}",
                b.cells.len(),
                args.output.display()
            );
        }
    }
    Ok(exit::OK)
}
