//! `cellsentry scan` and `monitor`: live radios (or a simulated one).
use anyhow::Result;

use crate::cli::LiveArgs;

pub enum Mode {
    Scan,
    Monitor,
}

pub fn run(_args: &LiveArgs, _mode: Mode) -> Result<i32> {
    anyhow::bail!("live mode is being wired")
}
