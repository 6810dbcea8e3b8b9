//! Scenario files (JSON): the capture (rate, centre, duration, seed, format), the cells with
//! their identity, System Information, power, power profile, on/off times and impairments, and
//! wideband noise jammers. Each cell also lists the detections it must produce
//! (`expected_rules`, rule ids of `docs/indicators.md`), for the detection tests.
//!
//! Power convention (same as `cellsentry-dsp`): dBFS = 10 log10(mean |x|^2), full scale |x| = 1.
//! A cell's `power_db` is the mean power of its carrier in dBFS (GMSK has a constant envelope;
//! an LTE carrier's `power_db` is its mean power fully loaded, see [`crate::lte_cell`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use cellsentry_dsp::GsmBand;

use crate::gsm_cell::GsmCellConfig;
use crate::lte_cell::LteCellConfig;
use crate::SynthError;

pub use cellsentry_model::{Rat, SampleFormat};

/// The rendered SigMF data file is cf32 unless the scenario says otherwise.
fn default_format() -> SampleFormat {
    SampleFormat::Cf32Le
}

/// Tapped-delay-line channel models of TS 45.005 Annex C (6-tap versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultipathModel {
    /// Typical urban TU6 (C.3.3): delays 0, 0.2, 0.5, 1.6, 2.3, 5.0 us; -3, 0, -2, -6, -8, -10 dB.
    Tu6,
    /// Rural area RA6 (C.3.1): delays 0, 0.1, 0.2, 0.3, 0.4, 0.5 us; 0, -4, -8, -12, -16, -20 dB.
    Ra6,
}

impl MultipathModel {
    /// (delay in s, relative power in dB) of each tap.
    pub fn taps(self) -> &'static [(f64, f64)] {
        match self {
            MultipathModel::Tu6 => &[
                (0.0, -3.0),
                (0.2e-6, 0.0),
                (0.5e-6, -2.0),
                (1.6e-6, -6.0),
                (2.3e-6, -8.0),
                (5.0e-6, -10.0),
            ],
            MultipathModel::Ra6 => &[
                (0.0, 0.0),
                (0.1e-6, -4.0),
                (0.2e-6, -8.0),
                (0.3e-6, -12.0),
                (0.4e-6, -16.0),
                (0.5e-6, -20.0),
            ],
        }
    }
}

/// Multipath channel: a TS 45.005 profile, static (fixed random tap phases) or Rayleigh fading
/// at a maximum Doppler frequency. Tap delays are rounded to the nearest scene sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multipath {
    pub model: MultipathModel,
    /// Maximum Doppler shift; 0 or absent = static channel.
    #[serde(default)]
    pub doppler_hz: f64,
}

/// Per-cell impairments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Impairments {
    /// Adds white Gaussian noise over the whole scene bandwidth with power `power_db - snr_db`:
    /// the SNR is the carrier's per-sample power over the noise power in the full capture
    /// bandwidth. In the symbol-rate sense, Es/N0 = snr_db + 10 log10(rate_sps / 270833.33)
    /// (noise density N0 = noise power / rate). Noise powers of several cells add up.
    pub snr_db: Option<f64>,
    /// Carrier frequency offset, ppm of the carrier frequency (a blaster's cheap oscillator).
    pub freq_offset_ppm: f64,
    /// Linear drift of the carrier offset, Hz per second.
    pub freq_drift_hz_per_s: f64,
    /// Transmitter sample/symbol clock offset, ppm (positive: the cell's symbols are faster).
    pub clock_offset_ppm: f64,
    pub multipath: Option<Multipath>,
}

/// A cell of the scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellSpec {
    pub rat: Rat,
    /// Free text shown in logs and annotations.
    #[serde(default)]
    pub name: Option<String>,
    /// GSM channel number (downlink frequency from the band plan).
    #[serde(default)]
    pub arfcn: Option<u16>,
    /// Band of the ARFCN (`p_gsm900`, `e_gsm900`, `dcs1800`, `pcs1900`, ...).
    #[serde(default)]
    pub band: Option<GsmBand>,
    /// LTE downlink EARFCN (carrier frequency from TS 36.101 5.7.3).
    #[serde(default)]
    pub earfcn: Option<u32>,
    /// Explicit carrier frequency (overrides arfcn/band/earfcn).
    #[serde(default)]
    pub freq_hz: Option<f64>,
    /// Mean carrier power in dBFS.
    pub power_db: f64,
    /// Piecewise-linear power change, `[[t_s, db], ...]` added to `power_db` (held constant
    /// before the first and after the last point). A blaster driving past ramps up and down.
    #[serde(default)]
    pub profile: Vec<[f64; 2]>,
    /// On intervals `[[start_s, stop_s], ...]` (stop may be null = to the end); absent = always.
    #[serde(default)]
    pub on: Option<Vec<(f64, Option<f64>)>>,
    #[serde(default)]
    pub impairments: Impairments,
    /// Whether this is a fake base station (annotation comment "fake" / "legitimate").
    #[serde(default)]
    pub fake: bool,
    /// Rule ids this cell must trigger (documentation for tests).
    #[serde(default)]
    pub expected_rules: Vec<String>,
    /// GSM identity and System Information.
    #[serde(default)]
    pub gsm: Option<GsmCellConfig>,
    /// LTE identity, layout and System Information (required for `rat: lte`).
    #[serde(default)]
    pub lte: Option<LteCellConfig>,
}

/// Wideband noise jammer over an absolute frequency range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jammer {
    #[serde(default)]
    pub name: Option<String>,
    pub freq_lo_hz: f64,
    pub freq_hi_hz: f64,
    /// Total power over the whole range, dBFS (the part inside the capture band is rendered).
    pub power_dbfs: f64,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default)]
    pub stop_s: Option<f64>,
}

/// A scene: capture parameters, cells and jammers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub sample_rate_hz: f64,
    pub center_freq_hz: f64,
    pub duration_s: f64,
    #[serde(default)]
    pub seed: u64,
    /// Sample encoding of the rendered SigMF data file (`cf32_le`, `ci16_le`, `ci8`, `cu8`).
    #[serde(default = "default_format")]
    pub format: SampleFormat,
    /// Receiver noise floor over the full capture bandwidth, dBFS; absent = no floor.
    #[serde(default)]
    pub noise_dbfs: Option<f64>,
    pub cells: Vec<CellSpec>,
    #[serde(default)]
    pub jammers: Vec<Jammer>,
    /// Scene-level detections (e.g. `sms_blaster_pattern`), documentation for tests.
    #[serde(default)]
    pub expected_rules: Vec<String>,
    /// Notes: where parameter values come from.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, SynthError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| SynthError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Scenario::from_json_str(&text)
            .map_err(|e| SynthError::Scenario(format!("{}: {e}", path.display())))
    }

    /// Parses and checks a scenario from JSON text.
    pub fn from_json_str(text: &str) -> Result<Scenario, SynthError> {
        let mut s: Scenario = serde_json::from_str(text)
            .map_err(|e| SynthError::Scenario(format!("invalid scenario JSON: {e}")))?;
        for (i, c) in s.cells.iter_mut().enumerate() {
            if let Some(l) = c.lte.as_mut() {
                l.resolve_system_information()
                    .map_err(|e| SynthError::Scenario(format!("cell {i}: lte: {e}")))?;
            }
        }
        s.validate()?;
        Ok(s)
    }

    /// Checks values a renderer cannot work with.
    pub fn validate(&self) -> Result<(), SynthError> {
        let err = |m: String| Err(SynthError::Scenario(m));
        if !(self.sample_rate_hz.is_finite() && self.sample_rate_hz >= 300e3) {
            return err(format!(
                "sample_rate_hz {} must be at least 300000 (a GSM channel needs ~270 kHz)",
                self.sample_rate_hz
            ));
        }
        if !(self.center_freq_hz.is_finite() && self.center_freq_hz > 0.0) {
            return err(format!("center_freq_hz {} is invalid", self.center_freq_hz));
        }
        if !(self.duration_s.is_finite() && self.duration_s > 0.0 && self.duration_s < 1e6) {
            return err(format!("duration_s {} is invalid", self.duration_s));
        }
        for (i, c) in self.cells.iter().enumerate() {
            self.cell_freq_hz(i)?;
            match (c.rat, &c.lte) {
                (Rat::Gsm, Some(_)) => return err(format!("cell {i}: a GSM cell has no `lte`")),
                (Rat::Lte, None) => {
                    return err(format!(
                        "cell {i}: an LTE cell needs an `lte` object (pci, n_prb, ...)"
                    ))
                }
                (Rat::Lte, Some(l)) => {
                    l.validate()
                        .map_err(|e| SynthError::Scenario(format!("cell {i}: lte: {e}")))?;
                    if c.gsm.is_some() || c.arfcn.is_some() {
                        return err(format!("cell {i}: an LTE cell has no `gsm` or `arfcn`"));
                    }
                }
                (Rat::Gsm, None) => {}
            }
            if !c.power_db.is_finite() || c.profile.iter().any(|p| !p[0].is_finite()) {
                return err(format!("cell {i}: power values must be finite numbers"));
            }
        }
        for (i, j) in self.jammers.iter().enumerate() {
            if j.freq_hi_hz.partial_cmp(&j.freq_lo_hz) != Some(std::cmp::Ordering::Greater) {
                return err(format!("jammer {i}: freq_hi_hz must exceed freq_lo_hz"));
            }
        }
        Ok(())
    }

    /// Carrier frequency of cell `index` (explicit, or from ARFCN and band).
    pub fn cell_freq_hz(&self, index: usize) -> Result<f64, SynthError> {
        let c = self
            .cells
            .get(index)
            .ok_or_else(|| SynthError::Scenario(format!("no cell {index}")))?;
        if let Some(f) = c.freq_hz {
            if !(f.is_finite() && f > 0.0) {
                return Err(SynthError::Scenario(format!(
                    "cell {index}: freq_hz {f} is invalid"
                )));
            }
            return Ok(f);
        }
        if c.rat == Rat::Lte {
            let e = c.earfcn.ok_or_else(|| {
                SynthError::Scenario(format!("cell {index}: an LTE cell needs earfcn or freq_hz"))
            })?;
            return cellsentry_dsp::bandplan::lte_dl_freq_hz(e).ok_or_else(|| {
                SynthError::Scenario(format!("cell {index}: EARFCN {e} is not a downlink EARFCN"))
            });
        }
        let arfcn = c.arfcn.ok_or_else(|| {
            SynthError::Scenario(format!("cell {index}: needs arfcn (with band) or freq_hz"))
        })?;
        cellsentry_dsp::bandplan::gsm_dl_freq_hz(arfcn, c.band).ok_or_else(|| {
            SynthError::Scenario(format!(
                "cell {index}: ARFCN {arfcn} has no downlink frequency in band {:?} (give band \
                 for 512-810: dcs1800 or pcs1900)",
                c.band
            ))
        })
    }

    /// "GSM ARFCN 62 234-15 LAC 3101 CI 40961" (LTE: "LTE cell").
    pub fn cell_label(&self, index: usize) -> String {
        let Some(c) = self.cells.get(index) else {
            return String::new();
        };
        match (c.rat, &c.gsm) {
            (Rat::Gsm, Some(g)) => format!(
                "GSM ARFCN {} {}-{} LAC {} CI {}",
                c.arfcn.map(|a| a.to_string()).unwrap_or_else(|| "?".into()),
                g.mcc,
                g.mnc,
                g.lac,
                g.ci
            ),
            (Rat::Gsm, None) => format!(
                "GSM ARFCN {} 001-01 LAC 1 CI 6969",
                c.arfcn.map(|a| a.to_string()).unwrap_or_else(|| "?".into())
            ),
            (Rat::Lte, _) => match &c.lte {
                Some(l) => format!(
                    "LTE {}PCI {} {} PRB",
                    c.earfcn.map(|e| format!("EARFCN {e} ")).unwrap_or_default(),
                    l.pci,
                    l.n_prb
                ),
                None => "LTE cell".into(),
            },
        }
    }
}
