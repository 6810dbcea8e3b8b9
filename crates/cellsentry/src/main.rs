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

/// glibc gives threads that allocate their own heap arenas (up to eight per core), and what
/// one arena frees the others do not reuse: with the session's reader, receiver and store
/// threads, a live run's memory crept up by about 4 MB an hour in the soak, and stayed flat
/// with one arena. One arena per core keeps it flat. A MALLOC_ARENA_MAX the user set wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let arenas = libc::c_int::try_from(cores).unwrap_or(8);
    // SAFETY: mallopt only sets a tuning parameter of the C allocator, before any of our
    // threads exist; it has no other precondition.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() {
    limit_malloc_arenas();
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
