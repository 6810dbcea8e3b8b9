//! The streaming scanner on a capture looped to a given length, with its real-time factor.
//! Usage: scan_stream <file> <cu8|cs8|cf32> <rate_sps> <carrier_hz> <seconds>
//! A capture whose length is a whole number of radio frames loops without a timing jump, so
//! a short real recording stands in for a long stream.

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{CellScanner, ScanConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!("usage: scan_stream <file> <cu8|cs8|cf32> <rate_sps> <carrier_hz> <seconds>");
        std::process::exit(2);
    }
    let format =
        SampleFormat::from_token(&args[2]).ok_or_else(|| format!("unknown format {}", args[2]))?;
    let rate: f64 = args[3].parse()?;
    let carrier: f64 = args[4].parse()?;
    let seconds: f64 = args[5].parse()?;
    let samples = decode_samples(&std::fs::read(&args[1])?, format)?;
    if samples.is_empty() {
        return Err("empty capture".into());
    }
    let total = (seconds * rate) as usize;
    let mut scanner = CellScanner::new(rate, Some(carrier), ScanConfig::default())?;
    // Fed in 10 ms blocks, as a radio driver would.
    let block = (0.01 * rate) as usize;
    let mut buf = Vec::with_capacity(block);
    let mut fed = 0usize;
    let mut cpu = std::time::Duration::ZERO;
    while fed < total {
        buf.clear();
        while buf.len() < block.min(total - fed) {
            let i = (fed + buf.len()) % samples.len();
            let n = (samples.len() - i).min(block.min(total - fed) - buf.len());
            buf.extend_from_slice(&samples[i..i + n]);
        }
        let t0 = std::time::Instant::now();
        scanner.push(&buf);
        cpu += t0.elapsed();
        fed += buf.len();
    }
    let t0 = std::time::Instant::now();
    scanner.finish();
    cpu += t0.elapsed();
    for c in scanner.cells() {
        println!(
            "PCI {} first {:.2} s last {:.2} s windows {} MIB ok {} failed {} offset {:.0} Hz",
            c.detection.pci,
            c.first_seen_s,
            c.last_seen_s,
            c.windows_seen,
            c.mib_decoded,
            c.mib_failed,
            c.detection.freq_offset_hz
        );
    }
    let st = scanner.stats();
    eprintln!(
        "sweeps {:.2} ms each, tracking windows {:.2} ms each",
        st.sweep_time_s * 1e3 / f64::from(st.sweeps.max(1)),
        st.tracking_time_s * 1e3 / f64::from((st.windows - st.sweeps).max(1))
    );
    eprintln!(
        "{:.1} s of signal, {} windows ({} sweeps): {:.1} ms wall, real-time factor {:.0}x",
        seconds,
        st.windows,
        st.sweeps,
        cpu.as_secs_f64() * 1e3,
        seconds / cpu.as_secs_f64()
    );
    Ok(())
}
