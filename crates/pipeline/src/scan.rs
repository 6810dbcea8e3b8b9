//! A scan's plan: the centre frequencies that cover a GSM band with captures of a given rate.

use cellsentry_dsp::GsmBand;

use crate::PipelineError;

/// The band named on a command line: gsm850, gsm900 (E-GSM), pgsm900, dcs1800, pcs1900.
pub fn gsm_band(name: &str) -> Result<GsmBand, PipelineError> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "gsm850" => GsmBand::Gsm850,
        "gsm900" | "egsm900" => GsmBand::EGsm900,
        "pgsm900" => GsmBand::PGsm900,
        "dcs1800" | "gsm1800" => GsmBand::Dcs1800,
        "pcs1900" | "gsm1900" => GsmBand::Pcs1900,
        other => {
            return Err(PipelineError::Input(format!(
                "unknown band {other}: use gsm850, gsm900, pgsm900, dcs1800 or pcs1900"
            )))
        }
    })
}

/// Centre frequencies that cover the band `name` with captures `rate_sps` wide, 80 % used per
/// step so that the channeliser's band edges overlap.
pub fn scan_steps(name: &str, rate_sps: f64) -> Result<Vec<f64>, PipelineError> {
    let band = gsm_band(name)?;
    let freqs: Vec<f64> = band
        .arfcns()
        .iter()
        .filter_map(|a| band.dl_freq_hz(*a))
        .collect();
    let lo = freqs.iter().copied().fold(f64::MAX, f64::min) - 100e3;
    let hi = freqs.iter().copied().fold(f64::MIN, f64::max) + 100e3;
    let step = 0.8 * rate_sps;
    let mut out = Vec::new();
    let mut f = lo + step / 2.0;
    while f - step / 2.0 < hi {
        out.push(f);
        f += step;
    }
    Ok(out)
}
