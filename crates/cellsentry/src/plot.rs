//! PNG plots a person reads at a glance: a power spectrum with channel numbers marked, and power
//! timelines per cell for the report.
//!
//! Text is drawn with an embedded DejaVu Sans (Bitstream Vera licence, `assets/`), so plotting
//! needs no system font library.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, Result};
use plotters::prelude::*;
use plotters::style::FontStyle;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // Registration fails only for a malformed font, and this one is compiled in.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A marker drawn on a spectrum: a channel centre with its label (e.g. an ARFCN).
#[derive(Debug, Clone)]
pub struct Marker {
    pub freq_hz: f64,
    pub label: String,
}

/// Draws power (dBFS) against frequency (MHz), the noise floor, and labelled channel markers.
pub fn spectrum_png(
    path: &Path,
    title: &str,
    freqs_hz: &[f64],
    power_dbfs: &[f32],
    noise_floor_dbfs: f64,
    markers: &[Marker],
) -> Result<()> {
    register_font();
    if freqs_hz.is_empty() || freqs_hz.len() != power_dbfs.len() {
        anyhow::bail!("no spectrum to plot");
    }
    let f_lo = freqs_hz[0] / 1e6;
    let f_hi = freqs_hz[freqs_hz.len() - 1] / 1e6;
    let p_max = power_dbfs
        .iter()
        .copied()
        .filter(|p| p.is_finite())
        .fold(f32::MIN, f32::max) as f64;
    let y_lo = (noise_floor_dbfs - 15.0).floor();
    let y_hi = (p_max + 8.0).max(noise_floor_dbfs + 20.0).ceil();

    let root = BitMapBackend::new(path, (1400, 600)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(f_lo..f_hi, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc("frequency (MHz)")
            .y_desc("power per bin (dBFS)")
            .label_style(("sans-serif", 14))
            .draw()?;
        chart.draw_series(LineSeries::new(
            freqs_hz
                .iter()
                .zip(power_dbfs)
                .map(|(f, p)| (f / 1e6, (*p as f64).max(y_lo))),
            &BLUE,
        ))?;
        chart
            .draw_series(LineSeries::new(
                [(f_lo, noise_floor_dbfs), (f_hi, noise_floor_dbfs)],
                ShapeStyle::from(&BLACK.mix(0.5)).stroke_width(1),
            ))?
            .label(format!("noise floor {noise_floor_dbfs:.1} dBFS"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
        for m in markers {
            let x = m.freq_hz / 1e6;
            chart.draw_series(LineSeries::new(
                [(x, y_lo), (x, y_hi - 4.0)],
                ShapeStyle::from(&RED.mix(0.35)).stroke_width(1),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (x, y_hi - 1.5),
                ("sans-serif", 12).into_font().color(&RED),
            )))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot draw {}", path.display()))
}

/// One line of a timeline plot: a cell's power over time.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Draws power (dBFS) over time (s) for several cells in one PNG.
pub fn timeline_png(path: &Path, title: &str, series: &[Series]) -> Result<()> {
    register_font();
    let all = series.iter().flat_map(|s| s.points.iter());
    let (mut t0, mut t1, mut p0, mut p1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (t, p) in all {
        t0 = t0.min(*t);
        t1 = t1.max(*t);
        p0 = p0.min(*p);
        p1 = p1.max(*p);
    }
    if t0 > t1 {
        anyhow::bail!("no power history to plot");
    }
    if t1 - t0 < 1e-3 {
        t1 = t0 + 1.0;
    }
    let root = BitMapBackend::new(path, (1000, 450)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(t0..t1, (p0 - 5.0).floor()..(p1 + 5.0).ceil())?;
        chart
            .configure_mesh()
            .x_desc("time since start (s)")
            .y_desc("power (dBFS)")
            .label_style(("sans-serif", 13))
            .draw()?;
        for (i, s) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), color))?
                .label(s.label.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
            // A dot per reading: a cell seen once (a one-point line draws nothing) still shows.
            chart.draw_series(
                s.points
                    .iter()
                    .map(|&(t, p)| Circle::new((t, p), 3, color.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot draw {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels of `rgb` in the PNG at `path` (8-bit RGB or RGBA).
    fn count_colour(path: &Path, rgb: [u8; 3]) -> usize {
        let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let step = info.color_type.samples();
        buf[..info.buffer_size()]
            .chunks(step)
            .filter(|px| px[..3] == rgb)
            .count()
    }

    #[test]
    fn a_cell_seen_once_is_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.png");
        let series = [
            Series {
                label: "seen often".into(),
                points: vec![(0.0, -40.0), (5.0, -42.0), (10.0, -41.0)],
            },
            Series {
                label: "seen once".into(),
                points: vec![(4.0, -20.0)],
            },
        ];
        timeline_png(&path, "test", &series).unwrap();
        let c = Palette99::pick(1).to_rgba();
        // The dot (radius 3) is drawn in the plot, besides the legend's short line.
        let legend_only = 20;
        assert!(count_colour(&path, [c.0, c.1, c.2]) > legend_only + 15);
    }

    #[test]
    fn spectrum_png_is_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.png");
        let freqs: Vec<f64> = (0..512).map(|i| 945e6 + i as f64 * 1e3).collect();
        let power: Vec<f32> = (0..512)
            .map(|i| if i == 200 { -10.0 } else { -80.0 })
            .collect();
        let markers = [Marker {
            freq_hz: 945.2e6,
            label: "ARFCN 51".into(),
        }];
        spectrum_png(&path, "test", &freqs, &power, -80.0, &markers).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}
