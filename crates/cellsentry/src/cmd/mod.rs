//! One module per subcommand; `run` dispatches and returns the process exit code.

mod devices;
mod export;
mod fleet;
mod import;
mod live;
pub mod locate;
mod record;
mod replay;
pub mod report;
mod report_html;
pub mod spectrum;
mod sync;
mod synth;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Devices(args) => devices::run(&args),
        Command::Spectrum(args) => spectrum::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Scan(args) => live::run(&args, live::Mode::Scan),
        Command::Monitor(args) => live::run(&args, live::Mode::Monitor),
        Command::Synth(args) => synth::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Sync(args) => sync::run(&args),
        Command::Fleet(cmd) => fleet::run(&cmd),
        Command::Locate(args) => locate::run(&args),
    }
}

/// Whether receivers run on all cores. `CELLSENTRY_THREADS=1` keeps them on one thread: the
/// output is the same either way, which the speed bench checks by comparing the two.
fn all_cores() -> bool {
    std::env::var("CELLSENTRY_THREADS")
        .map(|v| v.trim() != "1")
        .unwrap_or(true)
}
