//! IQ sample encodings people actually record in: names, sizes and SigMF datatypes. The byte
//! conversions live with the readers (`capture`); this is only what the formats are.

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// On-disk (and on-wire) sample encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleFormat {
    /// Complex float32, little endian (GNU Radio `.cfile`, gr-gsm, srsRAN, SigMF `cf32_le`).
    Cf32Le,
    /// Complex int16, little endian (LimeSDR/SoapySDR `.cs16`, SigMF `ci16_le`). Full scale 32768.
    Ci16Le,
    /// Complex int8 (`hackrf_transfer` `.cs8`, SigMF `ci8`). Full scale 128.
    Ci8,
    /// Complex unsigned 8-bit, offset binary (`rtl_sdr` `.cu8`, SigMF `cu8`). (b - 127.5) / 128.
    Cu8,
}

/// Every format, for listings and help texts.
pub const ALL_FORMATS: [SampleFormat; 4] = [
    SampleFormat::Cf32Le,
    SampleFormat::Ci16Le,
    SampleFormat::Ci8,
    SampleFormat::Cu8,
];

impl SampleFormat {
    /// Bytes of one complex sample (I and Q together).
    pub const fn bytes_per_sample(self) -> usize {
        match self {
            SampleFormat::Cf32Le => 8,
            SampleFormat::Ci16Le => 4,
            SampleFormat::Ci8 | SampleFormat::Cu8 => 2,
        }
    }

    /// The SigMF `core:datatype` string of this format.
    pub const fn sigmf_datatype(self) -> &'static str {
        match self {
            SampleFormat::Cf32Le => "cf32_le",
            SampleFormat::Ci16Le => "ci16_le",
            SampleFormat::Ci8 => "ci8",
            SampleFormat::Cu8 => "cu8",
        }
    }

    /// Short name used on the command line and in file names (`cf32`, `cs16`, `cs8`, `cu8`).
    pub const fn short_name(self) -> &'static str {
        match self {
            SampleFormat::Cf32Le => "cf32",
            SampleFormat::Ci16Le => "cs16",
            SampleFormat::Ci8 => "cs8",
            SampleFormat::Cu8 => "cu8",
        }
    }

    /// Format named by a token such as `cu8`, `cs16`, `ci16_le`, `fc32` (case-insensitive).
    pub fn from_token(token: &str) -> Option<Self> {
        match token.to_ascii_lowercase().as_str() {
            "cf32" | "cf32_le" | "cf32le" | "fc32" | "cfile" | "complex64" => {
                Some(SampleFormat::Cf32Le)
            }
            "cs16" | "ci16" | "ci16_le" | "ci16le" | "sc16" => Some(SampleFormat::Ci16Le),
            "cs8" | "ci8" | "sc8" => Some(SampleFormat::Ci8),
            "cu8" => Some(SampleFormat::Cu8),
            _ => None,
        }
    }
}

impl std::fmt::Display for SampleFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sigmf_datatype())
    }
}

impl std::str::FromStr for SampleFormat {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SampleFormat::from_token(s.trim()).ok_or_else(|| ModelError::Unknown {
            what: "sample format",
            value: s.to_string(),
            expected: "cf32 (cf32_le), cs16 (ci16_le), cs8 (ci8), cu8",
        })
    }
}
