//! cellsentry: the command line over the pipeline and the library crates.
//!
//! A thin layer in the ripgrep sense: argument parsing, opening sources, printing what a
//! session reports, report rendering and exit codes. Everything that decodes or decides lives
//! in the library crates (the session in `cellsentry-pipeline`); no file here uses a receiver
//! crate.

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
