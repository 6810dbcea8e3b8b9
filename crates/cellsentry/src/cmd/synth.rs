//! `cellsentry synth`: synthetic scenes as SigMF.
use anyhow::Result;

use crate::cli::SynthArgs;

pub fn run(_args: &SynthArgs) -> Result<i32> {
    anyhow::bail!("synth is being wired")
}
