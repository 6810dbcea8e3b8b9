//! `cellsentry record`: a live capture saved as SigMF with the radio, gain, frequency, time and
//! position in its metadata, so a field team can hand it to a regulator as it is.

use anyhow::{Context, Result};
use cellsentry_capture::{spawn_reader, GeoPoint, SigmfWriter, SigmfWriterConfig};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::RecordArgs;
use crate::exit::{self, BadInput};
use crate::input;

pub fn run(args: &RecordArgs) -> Result<i32> {
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        return Err(BadInput("--seconds must be a positive number".into()).into());
    }
    let geolocation = match (args.lat, args.lon) {
        (Some(lat_deg), Some(lon_deg)) => Some(GeoPoint {
            lat_deg,
            lon_deg,
            alt_m: None,
        }),
        (None, None) => None,
        _ => return Err(BadInput("give both --lat and --lon, or neither".into()).into()),
    };
    let source = input::open_radio(&args.radio, args.freq, args.rate)?;
    let info = source.info().clone();
    let mut config = SigmfWriterConfig::from_source_info(&info);
    config.geolocation = geolocation;
    if let Some(d) = &args.description {
        config.description = Some(d.clone());
    }
    if let Some(id) = &args.sensor_id {
        config
            .extra_global
            .insert("cellsentry:sensor_id".into(), id.clone().into());
    }
    if info.start_unix_ns.is_none() {
        config.start_unix_ns = Some(cellsentry_capture::timefmt::now_unix_ns());
    }
    let mut writer = SigmfWriter::create(&args.output, config)?;
    let total = (args.seconds * info.sample_rate_hz) as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{spinner} recording [{bar:40}] {percent}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let block_len = (info.sample_rate_hz / 50.0).max(4096.0) as usize;
    let (rx, handle) = spawn_reader(source, block_len, 64);
    let mut written = 0u64;
    let mut dropped = 0u64;
    for block in rx.iter() {
        let block = block?;
        let keep = (total - written).min(block.samples.len() as u64) as usize;
        let mut block = block;
        block.samples.truncate(keep);
        dropped = block.dropped_total;
        writer.write_block(&block)?;
        written += keep as u64;
        bar.set_position(written);
        bar.set_message(format!("{dropped} dropped"));
        if written >= total {
            break;
        }
    }
    drop(rx);
    let _ = handle.join();
    bar.finish_and_clear();
    let paths = writer
        .finish()
        .with_context(|| format!("cannot finish {}", args.output.display()))?;
    println!(
        "recorded {written} samples ({:.2} s at {:.4} Msps, {:.4} MHz), {dropped} dropped, to {}",
        written as f64 / info.sample_rate_hz,
        info.sample_rate_hz / 1e6,
        info.center_freq_hz / 1e6,
        paths.meta.display()
    );
    Ok(exit::OK)
}
