//! cellsentry: the command line over the pipeline and the library crates.
//!
//! A thin layer in the ripgrep sense: argument parsing, opening sources, printing what a
//! session reports, report rendering and exit codes. Everything that decodes or decides lives
//! in the library crates (the session in `cellsentry-pipeline`); no file here uses a receiver
//! crate.

/// `println!` and `print!` for this crate: a closed stdout (`cellsentry report | head`) is not a
/// panic. The first failed write stops a running session as SIGINT would (the run is kept as
/// interrupted); what is printed after that goes nowhere.
macro_rules! println {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! print {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

mod cli;
mod cmd;
mod custody;
mod detector;
mod exit;
mod hunt;
mod input;
mod map;
mod output;
mod plot;
mod positions;
mod signals;
mod watch;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One line for people and scripts: the chain of causes joined, no backtrace.
            eprintln!("cellsentry: error: {}", exit::one_line(&err));
            exit::code_for(&err)
        }
    };
    std::process::exit(code);
}
