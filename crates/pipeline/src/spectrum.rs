//! The power spectrum of a stream (Welch) and what a person wants to know of it: total power,
//! noise floor, GSM channels above the floor, peaks. Used by `spectrum` and by every session
//! (a replay stores its spectrum snapshot and channel powers).

use cellsentry_capture::IqSource;
use cellsentry_dsp::{GsmBand, Spectrum, WelchAccumulator, WelchConfig, Window};
use serde::Serialize;

use crate::PipelineError;

/// A GSM channel whose power stands out of the noise floor.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveGsmChannel {
    pub arfcn: u16,
    pub band: String,
    pub dl_freq_hz: f64,
    pub power_dbfs: f64,
    pub snr_db: f64,
}

/// What a person (or a script) wants to know of a spectrum.
#[derive(Debug, Clone, Serialize)]
pub struct SpectrumSummary {
    pub center_freq_hz: f64,
    pub rate_sps: f64,
    pub fft_size: usize,
    pub segments: u64,
    pub seconds_analysed: f64,
    pub total_power_dbfs: f64,
    pub noise_floor_dbfs_per_bin: Option<f64>,
    pub noise_floor_dbfs_per_hz: Option<f64>,
    pub gsm_channels: Vec<ActiveGsmChannel>,
    pub peaks: Vec<PeakOut>,
    /// Power per bin (FFT-shifted), for the store's spectrum snapshot and plots; not printed.
    #[serde(skip)]
    pub bins: Option<Vec<f32>>,
    /// Absolute RF frequency of each bin, ascending (for plots); not printed.
    #[serde(skip)]
    pub bin_freq_hz: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeakOut {
    pub freq_hz: f64,
    pub power_dbfs: f64,
    pub above_floor_db: f64,
}

/// GSM channels are reported active from this far above the noise in the same bandwidth: a
/// BCCH carrier transmits continuously, so even a weak one is well above it after averaging.
pub const GSM_ACTIVE_SNR_DB: f64 = 10.0;

/// The GSM bands worth marking for a span: the narrowest band that holds each frequency.
pub fn gsm_bands_for(center_freq_hz: f64) -> Vec<GsmBand> {
    let mut bands = vec![
        GsmBand::Gsm850,
        GsmBand::EGsm900,
        GsmBand::Dcs1800,
        GsmBand::Pcs1900,
    ];
    // DCS1800 and PCS1900 share ARFCN numbers but not frequencies, so both can stay.
    bands.retain(|b| {
        let dl: Vec<f64> = b.arfcns().iter().filter_map(|a| b.dl_freq_hz(*a)).collect();
        let lo = dl.iter().copied().fold(f64::MAX, f64::min);
        let hi = dl.iter().copied().fold(f64::MIN, f64::max);
        center_freq_hz > lo - 50e6 && center_freq_hz < hi + 50e6
    });
    bands
}

pub fn summarise(spec: &Spectrum, all_channels: bool) -> SpectrumSummary {
    let floor = spec.noise_floor(0.2);
    let bands = gsm_bands_for(spec.center_freq_hz);
    let channels = if all_channels {
        spec.gsm_channel_powers(&bands)
    } else {
        spec.gsm_active_channels(&bands, GSM_ACTIVE_SNR_DB)
    };
    let peaks = spec
        .find_peaks(10.0, 150e3)
        .into_iter()
        .take(50)
        .map(|p| PeakOut {
            freq_hz: p.freq_hz,
            power_dbfs: p.power_dbfs,
            above_floor_db: p.above_floor_db,
        })
        .collect();
    SpectrumSummary {
        center_freq_hz: spec.center_freq_hz,
        rate_sps: spec.rate_sps,
        fft_size: spec.fft_size,
        segments: spec.segments,
        seconds_analysed: 0.0,
        total_power_dbfs: spec.total_power_dbfs(),
        noise_floor_dbfs_per_bin: floor.as_ref().map(|f| f.power_dbfs_per_bin),
        noise_floor_dbfs_per_hz: floor.as_ref().map(|f| f.psd_dbfs_per_hz),
        gsm_channels: channels
            .into_iter()
            .map(|c| ActiveGsmChannel {
                arfcn: c.channel.arfcn,
                band: c.channel.band.name().to_string(),
                dl_freq_hz: c.channel.dl_freq_hz,
                power_dbfs: c.power_dbfs,
                snr_db: c.snr_db,
            })
            .collect(),
        peaks,
        bins: Some(spec.power_dbfs.clone()),
        bin_freq_hz: spec.freq_hz.clone(),
    }
}

/// Reads up to `max_seconds` of `source` into a Welch estimate; gives the spectrum, its summary
/// (`all_channels`: every GSM channel, not only those above the floor) and the seconds read.
pub fn measure(
    source: &mut dyn IqSource,
    fft_size: usize,
    max_seconds: Option<f64>,
    all_channels: bool,
) -> Result<SpectrumSummary, PipelineError> {
    let info = source.info().clone();
    let mut acc = WelchAccumulator::new(WelchConfig::new(fft_size).with_window(Window::Hann))
        .map_err(|e| PipelineError::Input(e.to_string()))?;
    let limit = max_seconds.map(|s| (s * info.sample_rate_hz).max(1.0) as u64);
    let mut taken = 0u64;
    while limit.is_none_or(|l| taken < l) {
        let want = limit.map_or(1 << 18, |l| (l - taken).min(1 << 18) as usize);
        let Some(block) = source.read_block(want)? else {
            break;
        };
        acc.push(&block.samples);
        taken += block.samples.len() as u64;
    }
    if acc.segments() == 0 {
        return Err(PipelineError::Input(format!(
            "{}: too short for a {fft_size}-point spectrum ({taken} samples)",
            info.description
        )));
    }
    let spec = acc
        .spectrum(info.center_freq_hz, info.sample_rate_hz)
        .map_err(|e| PipelineError::Input(e.to_string()))?;
    let mut summary = summarise(&spec, all_channels);
    summary.seconds_analysed = taken as f64 / info.sample_rate_hz;
    Ok(summary)
}
