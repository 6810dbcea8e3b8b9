//! Cell search on one IQ file, printing the detections as JSON lines.
//! Usage: scan <file> <cu8|cs8|cf32> <rate_sps> [carrier_hz] [repeat]
//! (`repeat` runs the search that many times, for CPU-time measurements.)

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{CellSearcher, SearchConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: scan <file> <cu8|cs8|cf32> <rate_sps> [carrier_hz] [repeat]");
        std::process::exit(2);
    }
    let format =
        SampleFormat::from_token(&args[2]).ok_or_else(|| format!("unknown format {}", args[2]))?;
    let rate: f64 = args[3].parse()?;
    let carrier: Option<f64> = args.get(4).map(|s| s.parse()).transpose()?;
    let repeat: usize = args.get(5).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let samples = decode_samples(&std::fs::read(&args[1])?, format)?;
    let mut searcher = CellSearcher::new(SearchConfig::default());
    let t0 = std::time::Instant::now();
    let mut cells = Vec::new();
    for _ in 0..repeat.max(1) {
        cells = searcher.search(&samples, rate, carrier)?;
    }
    let per_run = t0.elapsed().as_secs_f64() / repeat.max(1) as f64;
    for c in &cells {
        println!("{}", serde_json::to_string(c)?);
    }
    eprintln!(
        "{} cells; {:.2} ms wall per search of {:.1} ms of signal",
        cells.len(),
        per_run * 1e3,
        samples.len() as f64 / rate * 1e3
    );
    Ok(())
}
