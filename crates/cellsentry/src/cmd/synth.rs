//! `cellsentry synth`: a synthetic radio scene (real channel coding and modulation, with
//! impairments) rendered from a scenario file to SigMF, with the truth as annotations.

use std::time::Instant;

use anyhow::{Context, Result};
use cellsentry_synth::Scenario;

use crate::cli::SynthArgs;
use crate::exit::{self, BadInput};

pub fn run(args: &SynthArgs) -> Result<i32> {
    let scenario = Scenario::load(&args.scenario)
        .map_err(|e| BadInput(format!("{}: {e}", args.scenario.display())))?;
    let clock = Instant::now();
    let paths = scenario
        .render_to_sigmf(&args.output)
        .with_context(|| format!("cannot render {}", args.output.display()))?;
    println!(
        "{}: {} cell(s), {:.2} s at {:.4} Msps around {:.4} MHz, rendered in {:.2} s",
        scenario.name,
        scenario.cells.len(),
        scenario.duration_s,
        scenario.sample_rate_hz / 1e6,
        scenario.center_freq_hz / 1e6,
        clock.elapsed().as_secs_f64()
    );
    for i in 0..scenario.cells.len() {
        println!("  {}", scenario.cell_label(i));
    }
    println!("written to {}", paths.meta.display());
    Ok(exit::OK)
}
