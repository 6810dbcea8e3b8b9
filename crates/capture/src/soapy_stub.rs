//! Stand-in for the SoapySDR backend in builds without the `soapy` feature: the same names and
//! signatures, each failing with one clear message, so the CLI compiles and explains itself.

use crate::radio::{DeviceInfo, LiveStats, RadioProfile, RadioSettings};
use crate::{CaptureError, IqBlock, IqSource, SourceInfo};

/// Whether this build can talk to radios.
pub const AVAILABLE: bool = false;

/// Debian packages that provide the hardware modules we have profiles for.
pub const MODULE_PACKAGES: &str =
    "soapysdr-module-hackrf, soapysdr-module-lms7, soapysdr-module-rtlsdr";

/// The error every function of this module returns.
pub const NO_SOAPY_SUPPORT: &str =
    "this build has no SoapySDR support: rebuild with --features soapy (needs libsoapysdr-dev)";

fn unavailable() -> CaptureError {
    CaptureError::Device(NO_SOAPY_SUPPORT.to_string())
}

/// Always fails: no SoapySDR in this build.
pub fn list_devices() -> Result<Vec<DeviceInfo>, CaptureError> {
    Err(unavailable())
}

/// Always fails: no SoapySDR in this build.
pub fn list_modules() -> Result<Vec<String>, CaptureError> {
    Err(unavailable())
}

/// A live radio; cannot exist in this build (the type has no values).
pub enum SoapySource {}

impl SoapySource {
    /// Always fails: no SoapySDR in this build.
    pub fn open(
        _device_args: &str,
        _settings: &RadioSettings,
    ) -> Result<SoapySource, CaptureError> {
        Err(unavailable())
    }

    pub fn profile(&self) -> &'static RadioProfile {
        match *self {}
    }

    pub fn warnings(&self) -> &[String] {
        match *self {}
    }

    pub fn stats(&self) -> LiveStats {
        match *self {}
    }
}

impl IqSource for SoapySource {
    fn info(&self) -> &SourceInfo {
        match *self {}
    }

    fn read_block(&mut self, _max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        match *self {}
    }

    fn retune(&mut self, _center_freq_hz: f64) -> Result<(), CaptureError> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_explains_how_to_get_radio_support() {
        let e = list_devices().unwrap_err().to_string();
        assert!(
            e.contains("--features soapy") && e.contains("libsoapysdr-dev"),
            "{e}"
        );
        let e = SoapySource::open("driver=hackrf", &RadioSettings::default())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(e, NO_SOAPY_SUPPORT);
    }
}
