//! The detector as the command line configures it: country profile, a saved baseline, an
//! OpenCellID/MLS export; and the baseline a survey run learns (`--survey-out`).

use cellsentry_detect::{
    Baseline, BaselineFileKind, CarrierObservation, CellObservation, Engine, GeoPoint, Profile,
    Survey, Thresholds,
};

use crate::cli::DetectOpts;
use crate::exit::BadInput;

/// The detector with the settings the CLI offers: country profile, a saved baseline and an
/// OpenCellID/MLS export.
pub fn engine(opts: &DetectOpts) -> anyhow::Result<Engine> {
    let profile = match &opts.country {
        Some(c) => Some(Profile::builtin(c).map_err(|e| BadInput(e.to_string()))?),
        None => None,
    };
    // --baseline takes a survey JSON or an OpenCellID/MLS CSV, told apart by content.
    let baseline_is_csv = match &opts.baseline {
        Some(path) => {
            Baseline::file_kind(path).map_err(|e| BadInput(e.to_string()))?
                == BaselineFileKind::CellDb
        }
        None => false,
    };
    let mut baseline = match &opts.baseline {
        Some(path) if !baseline_is_csv => {
            Baseline::load(path).map_err(|e| BadInput(e.to_string()))?
        }
        _ => Baseline::empty(),
    };
    let csv_baseline = opts.baseline.iter().filter(|_| baseline_is_csv);
    for csv in opts.cell_db.iter().chain(csv_baseline) {
        let filter = match &opts.near {
            Some(text) => {
                let (lat, lon) = text
                    .split_once(',')
                    .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                    .ok_or_else(|| BadInput(format!("--near {text}: expected LAT,LON")))?;
                Some((GeoPoint::new(lat, lon), opts.radius_km * 1000.0))
            }
            None => None,
        };
        let report = baseline
            .import_cell_db(csv, filter)
            .map_err(|e| BadInput(e.to_string()))?;
        eprintln!(
            "cellsentry: {}: {} cells imported ({} rows, {} other RATs, {} outside the radius, {} bad rows)",
            csv.display(),
            report.imported,
            report.rows,
            report.skipped_radio,
            report.outside_radius,
            report.bad_rows
        );
    }
    Ok(Engine::new(profile, baseline, Thresholds::default()))
}

/// Writes the baseline learnt from trusted observations (`--survey-out`).
pub fn save_survey(
    path: &std::path::Path,
    observations: &[CellObservation],
    carriers: &[CarrierObservation],
) -> anyhow::Result<()> {
    let mut survey = Survey::new();
    for o in observations {
        survey.add(o);
    }
    for c in carriers {
        survey.add_carrier(c);
    }
    survey
        .finish()
        .save(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
