//! Wideband throughput: a 20 Msps DCS1800 scene composed from the two real Osmocom
//! recordings (each placed at several carriers, time-shifted, at different powers, plus AWGN)
//! is decoded by `WidebandGsm`; prints the decoded cells and the CPU time of the decoder
//! alone (scene generation excluded).
//!
//! `wideband_bench [RATE_SPS] [CARRIERS]` (defaults 20e6, 6)
#[path = "../tests/common/scene.rs"]
mod scene;

use cellsentry_gsm::{GsmEvent, WidebandConfig, WidebandGsm};
use num_complex::Complex32;
use scene::{Scene, Source};

const OSMO_RATE: f64 = 1_625_000.0 / 6.0 * 4.0;

fn load(name: &str) -> Result<Vec<Complex32>, String> {
    let p = format!(
        "{}/../../captures/osmocom/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read(&p).map_err(|e| format!("{p}: {e}"))?;
    Ok(raw
        .chunks_exact(4)
        .map(|c| {
            Complex32::new(
                f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0,
                f32::from(i16::from_le_bytes([c[2], c[3]])) / 32768.0,
            )
        })
        .collect())
}

fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("wideband_bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let a: Vec<String> = std::env::args().collect();
    let rate: f64 = a
        .get(1)
        .map_or(Ok(20e6), |s| s.parse())
        .map_err(|e| format!("{e}"))?;
    let carriers: usize = a
        .get(2)
        .map_or(Ok(6), |s| s.parse())
        .map_err(|e| format!("{e}"))?;
    let def = load("osmocom_default_dcs1800_arfcn871.cs16")?;
    let bla = load("osmocom_blaster_234-15_gsm900_arfcn62.cs16")?;
    let center_hz = 1842.6e6;
    // Carriers spread over +-(rate/2 - 0.5 MHz) on the 200 kHz raster, alternating recordings.
    let span = rate / 2.0 - 0.6e6;
    let mut sources = Vec::new();
    let mut placed = Vec::new();
    for i in 0..carriers {
        let frac = if carriers > 1 {
            i as f64 / (carriers - 1) as f64
        } else {
            0.5
        };
        let off = ((-span + 2.0 * span * frac) / 0.2e6).round() * 0.2e6 + 0.2e6 * (i % 2) as f64;
        let x = if i % 2 == 0 { def.clone() } else { bla.clone() };
        let gain_db = -3.0 * (i % 4) as f32;
        sources.push(Source::new(x, OSMO_RATE, rate, 0.0, off, gain_db));
        placed.push((center_hz + off, i % 2));
    }
    let total = (def.len() as f64 / OSMO_RATE * rate) as usize;
    // Noise: 0 dB per-sample SNR against one full-power recording over the whole band.
    let mut scene = Scene::new(sources, 0.0903, 7, total);
    let mut wb =
        WidebandGsm::new(rate, center_hz, &WidebandConfig::default()).map_err(|e| e.to_string())?;
    let mut cpu = 0.0;
    let mut events: Vec<(u16, GsmEvent)> = Vec::new();
    while let Some(chunk) = scene.next_chunk(1 << 18) {
        let c0 = thread_cpu_s();
        events.extend(wb.push(&chunk));
        cpu += thread_cpu_s() - c0;
    }
    let c0 = thread_cpu_s();
    let (tail, meas) = wb.finish();
    cpu += thread_cpu_s() - c0;
    events.extend(tail);
    let dur = total as f64 / rate;
    for (f, which) in &placed {
        let arfcn = cellsentry_gsm::arfcn_from_downlink_hz(*f).unwrap_or(0);
        let m = meas.iter().find(|m| m.arfcn == Some(arfcn));
        let blocks = events
            .iter()
            .filter(|(a, e)| *a == arfcn && matches!(e, GsmEvent::Block(_)))
            .count();
        println!(
            "carrier {:.1} MHz ARFCN {arfcn} ({}): bsic {:?} blocks {blocks}",
            f / 1e6,
            if *which == 0 { "default" } else { "blaster" },
            m.and_then(|m| m.bsic)
        );
    }
    println!(
        "WIDEBAND rate_sps={rate} carriers={carriers} decoded_channels={} signal_s={dur:.3} cpu_s={cpu:.3} realtime_x={:.2}",
        meas.len(),
        dur / cpu
    );
    Ok(())
}
