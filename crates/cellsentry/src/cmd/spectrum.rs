//! `cellsentry spectrum`: the band's power spectrum from a file or a radio, as a table, JSON and
//! a PNG plot with the channel numbers marked.

use anyhow::{Context, Result};
use cellsentry_pipeline::measure_spectrum;

use crate::cli::SpectrumArgs;
use crate::exit::{self, BadInput};
use crate::input;
use crate::output::{num, Table};
use crate::plot::{self, Marker};

pub fn run(args: &SpectrumArgs) -> Result<i32> {
    let (mut source, max_seconds) = match (&args.input, &args.radio.device) {
        (Some(path), _) => (input::open_file(path, &args.raw)?, args.seconds),
        (None, Some(_)) => {
            let freq = args
                .raw
                .freq
                .ok_or_else(|| BadInput("--freq is needed with --device".into()))?;
            (
                input::open_radio(&args.radio, freq, args.raw.rate)?,
                Some(args.seconds.unwrap_or(0.5)),
            )
        }
        (None, None) => {
            return Err(BadInput("give a recording or --device ARGS".into()).into());
        }
    };
    let summary = measure_spectrum(source.as_mut(), args.fft, max_seconds, args.all)?;
    let seconds = summary.seconds_analysed;

    if let Some(png) = &args.png {
        let markers: Vec<Marker> = summary
            .gsm_channels
            .iter()
            .map(|c| Marker {
                freq_hz: c.dl_freq_hz,
                label: c.arfcn.to_string(),
            })
            .collect();
        let title = format!(
            "{} — {:.3} MHz ± {:.2} MHz, {:.2} s",
            source.info().description,
            summary.center_freq_hz / 1e6,
            summary.rate_sps / 2e6,
            seconds
        );
        plot::spectrum_png(
            png,
            &title,
            &summary.bin_freq_hz,
            summary.bins.as_deref().unwrap_or(&[]),
            summary.noise_floor_dbfs_per_bin.unwrap_or(-100.0),
            &markers,
        )
        .with_context(|| format!("cannot write {}", png.display()))?;
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(exit::OK);
    }
    println!(
        "{}: {:.4} MHz centre, {:.4} Msps, {:.3} s, {} x {}-point FFT",
        source.info().description,
        summary.center_freq_hz / 1e6,
        summary.rate_sps / 1e6,
        seconds,
        summary.segments,
        summary.fft_size
    );
    println!(
        "total power {:.1} dBFS, noise floor {} dBFS per bin ({} dBFS/Hz)",
        summary.total_power_dbfs,
        num(summary.noise_floor_dbfs_per_bin, 1),
        num(summary.noise_floor_dbfs_per_hz, 1)
    );
    if summary.gsm_channels.is_empty() {
        println!("no GSM channel above the noise floor");
    } else {
        let mut table = Table::new(["ARFCN", "band", "DL MHz", "power dBFS", "SNR dB"]);
        for c in &summary.gsm_channels {
            table.row([
                c.arfcn.to_string(),
                c.band.clone(),
                format!("{:.1}", c.dl_freq_hz / 1e6),
                format!("{:.1}", c.power_dbfs),
                format!("{:.1}", c.snr_db),
            ]);
        }
        print!("{}", table.render());
    }
    if let Some(png) = &args.png {
        println!("plot written to {}", png.display());
    }
    Ok(exit::OK)
}
