//! Live-radio settings and per-radio defaults, shared by the SoapySDR backend and its stub so
//! that the CLI builds and validates settings the same way with or without the `soapy` feature.
//!
//! Figures come from the radios' documentation and the SoapySDR driver modules
//! (SoapyHackRF, SoapyLMS7, SoapyRTLSDR): gain element names and ranges are the ones those
//! modules report through `listGains` / `getGainRange`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::CaptureError;

/// How to tune a live radio. Receive only: nothing here can make a radio transmit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RadioSettings {
    pub center_freq_hz: f64,
    /// Samples per second; 0 picks the radio's [`RadioProfile::default_rate_sps`].
    pub sample_rate_hz: f64,
    /// Total gain; `None` applies the profile's per-stage defaults.
    pub gain_db: Option<f64>,
    /// Analogue filter bandwidth; `None` lets the driver choose for the sample rate.
    pub bandwidth_hz: Option<f64>,
    /// Receive channel (0 on single-channel radios).
    pub channel: usize,
    /// Crystal error to correct, parts per million.
    pub ppm: f64,
    /// Antenna port name (e.g. `LNAW` on LimeSDR); `None` keeps the driver default.
    pub antenna: Option<String>,
    /// Per-element gains applied last, e.g. `[("LNA", 32.0)]`; they beat `gain_db`.
    pub gain_elements: Vec<(String, f64)>,
}

/// One amplifier or attenuator in a radio's receive chain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GainStage {
    /// Name as the SoapySDR module reports it.
    pub name: &'static str,
    pub min_db: f64,
    pub max_db: f64,
    pub step_db: f64,
    /// Value used when no gain is asked for.
    pub default_db: f64,
    /// Whether a total gain request may move this stage (HackRF's AMP may not: it stays off
    /// unless set explicitly, since it overloads easily near a strong cell).
    pub distribute: bool,
}

/// Who splits a total gain over the stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GainControl {
    /// We set each stage (front end first, for the best noise figure).
    Stages,
    /// The driver's own `setGain` distribution is good; we pass the total.
    Driver,
}

/// Sensible defaults and limits of one kind of radio, keyed by SoapySDR driver name.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RadioProfile {
    /// SoapySDR `driver` key.
    pub driver: &'static str,
    pub name: &'static str,
    pub default_rate_sps: f64,
    /// Rates that work well (listed in help texts).
    pub recommended_rates_sps: &'static [f64],
    pub min_rate_sps: f64,
    /// Highest rate that streams without overflows on a typical USB host.
    pub max_stable_rate_sps: f64,
    /// Highest rate the hardware accepts at all.
    pub max_rate_sps: f64,
    pub freq_range_hz: (f64, f64),
    pub gain_stages: &'static [GainStage],
    pub gain_control: GainControl,
    /// Total gain for `GainControl::Driver` radios when none is asked for.
    pub default_total_gain_db: Option<f64>,
    /// Samples to discard after a retune while the synthesiser settles.
    pub retune_settle_s: f64,
}

const HACKRF_STAGES: &[GainStage] = &[
    GainStage {
        name: "AMP",
        min_db: 0.0,
        max_db: 14.0,
        step_db: 14.0,
        default_db: 0.0,
        distribute: false,
    },
    GainStage {
        name: "LNA",
        min_db: 0.0,
        max_db: 40.0,
        step_db: 8.0,
        default_db: 24.0,
        distribute: true,
    },
    GainStage {
        name: "VGA",
        min_db: 0.0,
        max_db: 62.0,
        step_db: 2.0,
        default_db: 20.0,
        distribute: true,
    },
];

const LIME_STAGES: &[GainStage] = &[
    GainStage {
        name: "LNA",
        min_db: 0.0,
        max_db: 30.0,
        step_db: 1.0,
        default_db: 20.0,
        distribute: true,
    },
    GainStage {
        name: "TIA",
        min_db: 0.0,
        max_db: 12.0,
        step_db: 3.0,
        default_db: 9.0,
        distribute: true,
    },
    GainStage {
        name: "PGA",
        min_db: -12.0,
        max_db: 19.0,
        step_db: 1.0,
        default_db: 0.0,
        distribute: true,
    },
];

const RTLSDR_STAGES: &[GainStage] = &[GainStage {
    name: "TUNER",
    min_db: 0.0,
    max_db: 49.6,
    step_db: 0.1,
    default_db: 30.0,
    distribute: true,
}];

/// The profile table. Unknown drivers get [`GENERIC_PROFILE`].
pub const RADIO_PROFILES: &[RadioProfile] = &[
    RadioProfile {
        driver: "hackrf",
        name: "HackRF One",
        // Below 8 Msps the MAX2837 baseband filter cannot be narrow enough to stop aliasing.
        default_rate_sps: 8e6,
        recommended_rates_sps: &[2e6, 8e6, 10e6, 20e6],
        min_rate_sps: 2e6,
        max_stable_rate_sps: 20e6,
        max_rate_sps: 20e6,
        freq_range_hz: (1e6, 6e9),
        gain_stages: HACKRF_STAGES,
        gain_control: GainControl::Stages,
        default_total_gain_db: None,
        retune_settle_s: 0.002,
    },
    RadioProfile {
        driver: "lime",
        name: "LimeSDR",
        default_rate_sps: 7.68e6,
        recommended_rates_sps: &[1.92e6, 3.84e6, 7.68e6, 15.36e6, 30.72e6],
        min_rate_sps: 0.1e6,
        max_stable_rate_sps: 30.72e6,
        max_rate_sps: 61.44e6,
        freq_range_hz: (100e3, 3.8e9),
        gain_stages: LIME_STAGES,
        gain_control: GainControl::Driver,
        default_total_gain_db: Some(40.0),
        retune_settle_s: 0.005,
    },
    RadioProfile {
        driver: "rtlsdr",
        name: "RTL-SDR",
        default_rate_sps: 2.048e6,
        recommended_rates_sps: &[1.024e6, 1.92e6, 2.048e6, 2.4e6],
        min_rate_sps: 0.225e6,
        max_stable_rate_sps: 2.4e6,
        max_rate_sps: 3.2e6,
        freq_range_hz: (24e6, 1.766e9),
        gain_stages: RTLSDR_STAGES,
        gain_control: GainControl::Stages,
        default_total_gain_db: None,
        retune_settle_s: 0.01,
    },
];

/// Profile for radios we have no table entry for: the driver decides.
pub const GENERIC_PROFILE: RadioProfile = RadioProfile {
    driver: "",
    name: "SoapySDR device",
    default_rate_sps: 2e6,
    recommended_rates_sps: &[],
    min_rate_sps: 0.0,
    max_stable_rate_sps: f64::INFINITY,
    max_rate_sps: f64::INFINITY,
    freq_range_hz: (0.0, f64::INFINITY),
    gain_stages: &[],
    gain_control: GainControl::Driver,
    default_total_gain_db: None,
    retune_settle_s: 0.005,
};

impl RadioProfile {
    /// The profile for a SoapySDR driver name (case-insensitive), or the generic one.
    pub fn for_driver(driver: &str) -> &'static RadioProfile {
        RADIO_PROFILES
            .iter()
            .find(|p| p.driver.eq_ignore_ascii_case(driver))
            .unwrap_or(&GENERIC_PROFILE)
    }

    /// Rate to use for a request (0 = default). Errors outside what the hardware accepts; the
    /// `Some` string is a warning for rates that work but tend to overflow.
    pub fn resolve_rate(&self, requested_sps: f64) -> Result<(f64, Option<String>), CaptureError> {
        let rate = if requested_sps == 0.0 {
            self.default_rate_sps
        } else {
            requested_sps
        };
        if !(rate.is_finite() && rate > 0.0) {
            return Err(CaptureError::Device(format!(
                "invalid sample rate {rate} for {}",
                self.name
            )));
        }
        if rate < self.min_rate_sps || rate > self.max_rate_sps {
            return Err(CaptureError::Device(format!(
                "{}: sample rate {:.4} Msps is outside {:.4}..{:.4} Msps",
                self.name,
                rate / 1e6,
                self.min_rate_sps / 1e6,
                self.max_rate_sps / 1e6
            )));
        }
        // The RTL2832U cannot resample between 300 ksps and 900 ksps.
        if self.driver == "rtlsdr" && rate > 0.3e6 && rate < 0.9e6 {
            return Err(CaptureError::Device(format!(
                "RTL-SDR: sample rate {:.4} Msps is in the unsupported 0.3..0.9 Msps gap",
                rate / 1e6
            )));
        }
        let warning = (rate > self.max_stable_rate_sps).then(|| {
            format!(
                "{}: {:.4} Msps is above the {:.4} Msps that streams reliably; expect dropped samples",
                self.name,
                rate / 1e6,
                self.max_stable_rate_sps / 1e6
            )
        });
        Ok((rate, warning))
    }

    /// Per-stage gains for a total (or the defaults for `None`), front end first, each stage
    /// rounded down to its step. Stages that must not be distributed keep their default.
    pub fn stage_gains(&self, total_db: Option<f64>) -> Vec<(&'static str, f64)> {
        let Some(total) = total_db else {
            return self
                .gain_stages
                .iter()
                .map(|s| (s.name, s.default_db))
                .collect();
        };
        let fixed: f64 = self
            .gain_stages
            .iter()
            .map(|s| if s.distribute { s.min_db } else { s.default_db })
            .sum();
        let mut left = (total - fixed).max(0.0);
        self.gain_stages
            .iter()
            .map(|s| {
                if !s.distribute {
                    return (s.name, s.default_db);
                }
                let room = s.max_db - s.min_db;
                let mut add = left.min(room);
                if s.step_db > 0.0 {
                    // Small epsilon so 0.3 / 0.1 rounds to 3 steps, not 2.
                    add = (add / s.step_db + 1e-9).floor() * s.step_db;
                }
                left -= add;
                (s.name, s.min_db + add)
            })
            .collect()
    }
}

/// Counters of a live stream. Losses are never fatal; they are counted here and in
/// [`crate::IqBlock::dropped_total`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStats {
    /// Driver overflow reports (SOAPY_SDR_OVERFLOW).
    pub overflows: u64,
    /// Reads that returned nothing within the read timeout.
    pub timeouts: u64,
    /// Other recoverable stream errors (corruption, stream error, late packets).
    pub stream_errors: u64,
    /// Samples lost in total: at each overflow or restart, exactly from the driver's hardware
    /// timestamps where it gives them, else estimated from the wall clock; plus the samples
    /// discarded while the synthesiser settles after a retune.
    pub dropped_total: u64,
}

/// One attached radio as SoapySDR enumerates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// SoapySDR driver key (`hackrf`, `lime`, `rtlsdr`, ...).
    pub driver: String,
    /// Human-readable label.
    pub label: String,
    pub serial: Option<String>,
    /// Every key-value pair the driver reported.
    pub args: BTreeMap<String, String>,
}

impl DeviceInfo {
    /// A device string that opens exactly this radio (`driver=...,serial=...`).
    pub fn args_string(&self) -> String {
        match &self.serial {
            Some(s) => format!("driver={},serial={s}", self.driver),
            None => format!("driver={}", self.driver),
        }
    }

    /// One-line description for listings and error messages.
    pub fn summary(&self) -> String {
        match &self.serial {
            Some(s) => format!("{} [{}] serial={s}", self.label, self.driver),
            None => format!("{} [{}]", self.label, self.driver),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_by_driver() {
        assert_eq!(RadioProfile::for_driver("HackRF").name, "HackRF One");
        assert_eq!(
            RadioProfile::for_driver("lime").max_stable_rate_sps,
            30.72e6
        );
        assert_eq!(RadioProfile::for_driver("rtlsdr").default_rate_sps, 2.048e6);
        assert_eq!(RadioProfile::for_driver("uhd").name, GENERIC_PROFILE.name);
    }

    #[test]
    fn hackrf_gain_split_keeps_amp_off() {
        let p = RadioProfile::for_driver("hackrf");
        assert_eq!(
            p.stage_gains(Some(50.0)),
            vec![("AMP", 0.0), ("LNA", 40.0), ("VGA", 10.0)]
        );
        // LNA moves in 8 dB steps, the rest goes to the VGA in 2 dB steps.
        assert_eq!(
            p.stage_gains(Some(29.0)),
            vec![("AMP", 0.0), ("LNA", 24.0), ("VGA", 4.0)]
        );
        assert_eq!(
            p.stage_gains(None),
            vec![("AMP", 0.0), ("LNA", 24.0), ("VGA", 20.0)]
        );
        assert_eq!(
            p.stage_gains(Some(500.0)),
            vec![("AMP", 0.0), ("LNA", 40.0), ("VGA", 62.0)]
        );
        assert_eq!(
            p.stage_gains(Some(-5.0)),
            vec![("AMP", 0.0), ("LNA", 0.0), ("VGA", 0.0)]
        );
    }

    #[test]
    fn rtlsdr_rates() {
        let p = RadioProfile::for_driver("rtlsdr");
        assert_eq!(p.resolve_rate(0.0).unwrap(), (2.048e6, None));
        assert!(p.resolve_rate(2.4e6).unwrap().1.is_none());
        assert!(p.resolve_rate(3.2e6).unwrap().1.is_some());
        assert!(p.resolve_rate(3.3e6).is_err());
        assert!(p.resolve_rate(0.5e6).is_err());
        assert!(p.resolve_rate(f64::NAN).is_err());
        let t = p.stage_gains(Some(30.3));
        assert!((t[0].1 - 30.3).abs() < 1e-9, "{t:?}");
        let h = RadioProfile::for_driver("hackrf");
        assert!(h.resolve_rate(30e6).is_err());
        assert!(h.resolve_rate(1e6).is_err());
    }
}
