//! Decode a GSM downlink IQ file and print events as JSON lines, plus a timing line.
//!
//! `cargo run --release -p cellsentry-gsm --example gsm_decode -- FILE FORMAT RATE_SPS [CARRIER_HZ] [--pcap OUT]`
//! FORMAT is `cs16` (int16 I/Q little endian, scaled by 1/32768) or `cf32`.
use cellsentry_gsm::gsmtap::{GsmtapPcapWriter, GsmtapRadio};
use cellsentry_gsm::{GsmEvent, GsmReceiver};
use num_complex::Complex32;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("gsm_decode: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: gsm_decode FILE cs16|cf32 RATE_SPS [CARRIER_HZ] [--pcap OUT]".into());
    }
    let raw = std::fs::read(&args[1]).map_err(|e| format!("{}: {e}", args[1]))?;
    let x: Vec<Complex32> = match args[2].as_str() {
        "cs16" => raw
            .chunks_exact(4)
            .map(|c| {
                let i = i16::from_le_bytes([c[0], c[1]]);
                let q = i16::from_le_bytes([c[2], c[3]]);
                Complex32::new(f32::from(i) / 32768.0, f32::from(q) / 32768.0)
            })
            .collect(),
        "cf32" => raw
            .chunks_exact(8)
            .map(|c| {
                Complex32::new(
                    f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect(),
        f => return Err(format!("unknown format {f} (cs16 or cf32)")),
    };
    let rate: f64 = args[3].parse().map_err(|e| format!("rate: {e}"))?;
    let carrier: Option<f64> = match args.get(4) {
        Some(s) if !s.starts_with("--") => Some(s.parse().map_err(|e| format!("carrier: {e}"))?),
        _ => None,
    };
    let pcap = args
        .iter()
        .position(|a| a == "--pcap")
        .and_then(|i| args.get(i + 1));
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let t0 = Instant::now();
    let c0 = thread_cpu_s();
    let mut events = Vec::new();
    let mut m = None;
    for _ in 0..repeat {
        let mut rx = GsmReceiver::new(rate, carrier).map_err(|e| e.to_string())?;
        events.clear();
        for chunk in x.chunks(1 << 16) {
            events.extend(rx.push(chunk));
        }
        m = Some(rx.finish());
    }
    let m = m.ok_or("no run")?;
    let wall = t0.elapsed().as_secs_f64() / repeat as f64;
    // CPU time of this thread, so a busy machine does not distort the figure.
    let cpu = match (c0, thread_cpu_s()) {
        (Some(a), Some(b)) => (b - a) / repeat as f64,
        _ => wall,
    };
    for e in &events {
        println!("{}", serde_json::to_string(e).map_err(|e| e.to_string())?);
    }
    println!("{}", serde_json::to_string(&m).map_err(|e| e.to_string())?);
    let dur = x.len() as f64 / rate;
    eprintln!(
        "decoded {:.3} s of signal in {:.4} CPU s ({:.4} s wall): {:.1}x real time; blocks ok {} failed {} idle {}",
        dur,
        cpu,
        wall,
        dur / cpu,
        m.blocks_ok,
        m.blocks_failed,
        m.blocks_idle
    );
    if let Some(path) = pcap {
        let f = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
        let mut w = GsmtapPcapWriter::new(std::io::BufWriter::new(f)).map_err(|e| e.to_string())?;
        let radio = GsmtapRadio {
            arfcn: m.arfcn.unwrap_or(0),
            ..Default::default()
        };
        for e in &events {
            if let GsmEvent::Block(b) = e {
                w.write_block(b, &radio, b.first_sample as f64 / rate)
                    .map_err(|e| e.to_string())?;
            }
        }
        w.into_inner().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// On-CPU time of the current thread in seconds (Linux schedstat), if available.
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
