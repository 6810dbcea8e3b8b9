//! Jamming evidence: a carrier that shows wideband power well above the noise floor but no
//! decodable PSS/SSS. The power spectrum of the 1.92 Msps input is averaged (128-point FFTs);
//! the carrier power is the power in the central 6 PRB (+-540 kHz), the noise floor is estimated
//! from the quietest 10 % of 128-sample blocks (TDD gaps, idle symbols) when no better reference
//! is given.

use crate::resample::{decimate, decimation_factor};
use crate::search::CellSearcher;
use crate::{LteError, SearchConfig};
use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// Power on a carrier together with whether a cell was found there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JammingEvidence {
    /// Mean power of the input in the central 6 PRB, dB full scale.
    pub carrier_power_dbfs: f64,
    /// Estimated (or given) noise floor over the same bandwidth, dB full scale.
    pub noise_floor_dbfs: f64,
    /// carrier_power_dbfs - noise_floor_dbfs.
    pub excess_power_db: f64,
    /// Whether the cell search found any PSS/SSS (a cell) on this carrier.
    pub pss_found: bool,
    /// PCIs found (empty when none).
    pub pcis: Vec<u16>,
}

/// Measures the carrier power and runs the cell search on the same samples.
/// `noise_floor_dbfs` overrides the in-capture estimate (e.g. a measurement with the antenna
/// terminated, or an empty neighbouring channel).
pub fn jamming_evidence(
    samples: &[Complex32],
    sample_rate_hz: f64,
    carrier_freq_hz: Option<f64>,
    noise_floor_dbfs: Option<f64>,
    cfg: &SearchConfig,
) -> Result<JammingEvidence, LteError> {
    let factor = decimation_factor(sample_rate_hz)?;
    let mut buf = Vec::new();
    let x: &[Complex32] = if factor == 1 {
        samples
    } else {
        decimate(samples, factor, &mut buf);
        &buf
    };
    let cells =
        CellSearcher::new(cfg.clone()).search(x, crate::SEARCH_RATE_SPS, carrier_freq_hz)?;
    let (carrier_power_dbfs, floor_dbfs) = carrier_power(x)?;
    let noise_floor_dbfs = noise_floor_dbfs.unwrap_or(floor_dbfs);
    Ok(JammingEvidence {
        carrier_power_dbfs,
        noise_floor_dbfs,
        excess_power_db: carrier_power_dbfs - noise_floor_dbfs,
        pss_found: !cells.is_empty(),
        pcis: cells.iter().map(|c| c.pci).collect(),
    })
}

/// Power of 1.92 Msps samples in the central 6 PRB, and the in-capture noise floor estimate
/// (mean of the quietest 10 % of 128-sample blocks), both dB full scale.
pub fn carrier_power(x: &[Complex32]) -> Result<(f64, f64), LteError> {
    let mut planner = rustfft::FftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(128);
    let mut block = [Complex32::new(0.0, 0.0); 128];
    let mut block_powers: Vec<f64> = Vec::with_capacity(x.len() / 128);
    for chunk in x.chunks_exact(128) {
        block.copy_from_slice(chunk);
        fft.process(&mut block);
        // bins within +-36 subcarriers, DC bin excluded (receiver DC spike)
        let p: f64 = (1..=36)
            .chain(128 - 36..128)
            .map(|b| block[b].norm_sqr() as f64)
            .sum::<f64>()
            / (128.0 * 128.0);
        block_powers.push(p);
    }
    if block_powers.is_empty() {
        return Err(LteError::TooShort {
            needed: 128,
            got: x.len(),
        });
    }
    let mean = block_powers.iter().sum::<f64>() / block_powers.len() as f64;
    let mut sorted = block_powers;
    sorted.sort_by(|a, b| a.total_cmp(b));
    let q = &sorted[..(sorted.len() / 10).max(1)];
    let floor = q.iter().sum::<f64>() / q.len() as f64;
    let db = |v: f64| 10.0 * v.max(1e-30).log10();
    Ok((db(mean), db(floor)))
}
