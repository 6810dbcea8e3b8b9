//! Raw IQ byte buffers (rtl_sdr cu8, hackrf cs8, cf32 LE) to complex samples, for tests, benches
//! and callers that hold a file in memory. Live sources go through `cellsentry-capture`.

use crate::LteError;
use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// Sample encodings of the reference captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IqFormat {
    /// Unsigned 8-bit offset binary (rtl_sdr, CellSearch `--recbin`): (b - 127.5) / 128.
    Cu8,
    /// Signed 8-bit (hackrf_transfer): b / 128.
    Cs8,
    /// Little-endian float32 pairs (srsRAN `srsran_filesource`, GNU Radio).
    Cf32Le,
}

impl IqFormat {
    /// The format named as on command lines: "cu8", "cs8" or "cf32".
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cu8" => Some(IqFormat::Cu8),
            "cs8" => Some(IqFormat::Cs8),
            "cf32" | "cf32_le" => Some(IqFormat::Cf32Le),
            _ => None,
        }
    }

    fn bytes_per_sample(self) -> usize {
        match self {
            IqFormat::Cu8 | IqFormat::Cs8 => 2,
            IqFormat::Cf32Le => 8,
        }
    }
    fn name(self) -> &'static str {
        match self {
            IqFormat::Cu8 => "cu8",
            IqFormat::Cs8 => "cs8",
            IqFormat::Cf32Le => "cf32",
        }
    }
}

/// Decodes a whole buffer; a ragged length or a non-finite float is an error.
pub fn decode_iq(bytes: &[u8], format: IqFormat) -> Result<Vec<Complex32>, LteError> {
    let bps = format.bytes_per_sample();
    if !bytes.chunks_exact(bps).remainder().is_empty() {
        return Err(LteError::RaggedIq {
            len: bytes.len(),
            format: format.name(),
            bytes_per_sample: bps,
        });
    }
    let mut out = Vec::with_capacity(bytes.len() / bps);
    match format {
        IqFormat::Cu8 => {
            for c in bytes.chunks_exact(2) {
                out.push(Complex32::new(
                    (c[0] as f32 - 127.5) / 128.0,
                    (c[1] as f32 - 127.5) / 128.0,
                ));
            }
        }
        IqFormat::Cs8 => {
            for c in bytes.chunks_exact(2) {
                out.push(Complex32::new(
                    c[0] as i8 as f32 / 128.0,
                    c[1] as i8 as f32 / 128.0,
                ));
            }
        }
        IqFormat::Cf32Le => {
            for (i, c) in bytes.chunks_exact(8).enumerate() {
                let re = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                let im = f32::from_le_bytes([c[4], c[5], c[6], c[7]]);
                if !re.is_finite() || !im.is_finite() {
                    return Err(LteError::NonFinite(i));
                }
                out.push(Complex32::new(re, im));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_scale_as_documented() {
        let s = decode_iq(&[255, 0], IqFormat::Cu8).unwrap();
        assert!((s[0].re - 127.5 / 128.0).abs() < 1e-6 && (s[0].im + 127.5 / 128.0).abs() < 1e-6);
        let s = decode_iq(&[0x80, 0x7F], IqFormat::Cs8).unwrap();
        assert_eq!(s[0], Complex32::new(-1.0, 127.0 / 128.0));
        let mut b = Vec::new();
        b.extend_from_slice(&0.5f32.to_le_bytes());
        b.extend_from_slice(&(-2.0f32).to_le_bytes());
        assert_eq!(
            decode_iq(&b, IqFormat::Cf32Le).unwrap()[0],
            Complex32::new(0.5, -2.0)
        );
    }

    #[test]
    fn ragged_and_nan_are_errors() {
        assert!(matches!(
            decode_iq(&[1, 2, 3], IqFormat::Cu8),
            Err(LteError::RaggedIq { .. })
        ));
        let mut b = Vec::new();
        b.extend_from_slice(&f32::NAN.to_le_bytes());
        b.extend_from_slice(&0f32.to_le_bytes());
        assert_eq!(decode_iq(&b, IqFormat::Cf32Le), Err(LteError::NonFinite(0)));
    }
}
