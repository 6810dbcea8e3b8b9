//! cellsentry: the command line over the capture, receiver, detection and store crates.
//!
//! A thin layer in the ripgrep sense: argument parsing, wiring of the pipeline stages, output
//! formatting and exit codes. Everything that decodes or decides lives in the library crates.

mod assess;
mod chain;
mod cli;
mod cmd;
mod custody;
mod exit;
mod fingerprint_survey;
mod input;
mod map;
mod output;
mod pcap;
mod persist;
mod plot;
mod positions;
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
