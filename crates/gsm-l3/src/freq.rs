//! Frequency lists: the ARFCN sets of the Cell Channel Description (SI1), the Neighbour Cell
//! Descriptions (SI2/2bis/2ter/5/5bis/5ter) and the Frequency List IE, in every format of
//! TS 44.018 10.5.2.13: bit map 0, range 1024/512/256/128 and variable bit map.
//!
//! The range formats carry W(k) values that index a balanced binary tree of ARFCN intervals; the
//! decoder is the recursive formula of TS 44.018 10.5.2.13.3 (explained in TS 44.018 Annex J).

use serde::{Deserialize, Serialize};

use crate::bits::BitReader;
use crate::ParseError;

/// Coding of a frequency list (TS 44.018 10.5.2.13, table 10.5.2.13.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrequencyListFormat {
    BitMap0,
    Range1024,
    Range512,
    Range256,
    Range128,
    VariableBitMap,
}

impl FrequencyListFormat {
    /// Name as Wireshark prints it (without the format-id value).
    pub fn name(self) -> &'static str {
        match self {
            Self::BitMap0 => "bit map 0",
            Self::Range1024 => "range 1024",
            Self::Range512 => "range 512",
            Self::Range256 => "range 256",
            Self::Range128 => "range 128",
            Self::VariableBitMap => "variable bit map",
        }
    }

    /// The RANGE parameter of the 10.5.2.13.3 formula, for range formats.
    fn range(self) -> Option<i32> {
        match self {
            Self::Range1024 => Some(1024),
            Self::Range512 => Some(512),
            Self::Range256 => Some(256),
            Self::Range128 => Some(128),
            _ => None,
        }
    }

    /// Width of W(1) in bits; W(k) is `w1 - floor(log2 k)` bits wide (10.5.2.13.3 to .6).
    fn w1_bits(self) -> usize {
        match self {
            Self::Range1024 => 10,
            Self::Range512 => 9,
            Self::Range256 => 8,
            Self::Range128 => 7,
            _ => 0,
        }
    }
}

/// A decoded list of absolute RF channel numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyList {
    pub format: FrequencyListFormat,
    /// ARFCNs. Bit map 0: in octet order (124 down to 1, as the IE lists them); variable bit map:
    /// ORIG-ARFCN first, then ascending offsets; range formats: ascending, no duplicates.
    pub arfcns: Vec<u16>,
    /// Range formats only: the W(k) values as transmitted, W(1) first, up to the first zero.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub w: Vec<u16>,
    /// Range 512/256/128 and variable bit map: the origin ARFCN. Range 1024: Some(0) if F0 set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orig_arfcn: Option<u16>,
}

/// Identify the format from the first octet of the list. `bit7_is_format` is false for the
/// Neighbour Cell Description 2 (10.5.2.22a), whose bit 7 carries MULTIBAND_REPORTING instead.
pub fn format_of(first_octet: u8, bit7_is_format: bool) -> Result<FrequencyListFormat, ParseError> {
    let b = if bit7_is_format {
        first_octet
    } else {
        first_octet & !0x40
    };
    match b & 0xC0 {
        0x00 => Ok(FrequencyListFormat::BitMap0),
        0x80 => {
            if b & 0x08 == 0 {
                Ok(FrequencyListFormat::Range1024)
            } else {
                match (b >> 1) & 0x07 {
                    0b100 => Ok(FrequencyListFormat::Range512),
                    0b101 => Ok(FrequencyListFormat::Range256),
                    0b110 => Ok(FrequencyListFormat::Range128),
                    _ => Ok(FrequencyListFormat::VariableBitMap),
                }
            }
        }
        _ => Err(ParseError::invalid("frequency list format identifier")),
    }
}

/// Decode a frequency list whose value part (format octet first) is `data` (16 octets for the
/// SI descriptions; any length for the Frequency List IE).
pub fn decode_frequency_list(
    data: &[u8],
    bit7_is_format: bool,
) -> Result<FrequencyList, ParseError> {
    let first = *data.first().ok_or(ParseError::Truncated {
        needed_bits: 8,
        at_bit: 0,
    })?;
    let format = format_of(first, bit7_is_format)?;
    match format {
        FrequencyListFormat::BitMap0 => {
            // 10.5.2.13.2: octet 2 bits 4..1 = ARFCN 124..121, last octet bit 1 = ARFCN 1.
            if data.len() < 16 {
                return Err(ParseError::Truncated {
                    needed_bits: 128,
                    at_bit: data.len() * 8,
                });
            }
            let mut arfcns = Vec::new();
            for n in (1..=124u16).rev() {
                let idx = 15 - usize::from((n - 1) / 8);
                let mask = 1u8 << ((n - 1) % 8);
                if data[idx] & mask != 0 {
                    arfcns.push(n);
                }
            }
            Ok(FrequencyList {
                format,
                arfcns,
                w: Vec::new(),
                orig_arfcn: None,
            })
        }
        FrequencyListFormat::VariableBitMap => {
            // 10.5.2.13.7: ORIG-ARFCN (10 bits from bit 1 of the format octet), then RRFCN 1..n.
            let mut r = BitReader::new(data);
            r.skip(7)?;
            let orig = r.u16(10)?;
            let mut arfcns = vec![orig];
            let mut i: u16 = 1;
            while r.remaining_bits() > 0 {
                if r.bit()? {
                    arfcns.push((orig + i) % 1024);
                }
                i += 1;
            }
            Ok(FrequencyList {
                format,
                arfcns,
                w: Vec::new(),
                orig_arfcn: Some(orig),
            })
        }
        _ => decode_range(data, format),
    }
}

fn decode_range(data: &[u8], format: FrequencyListFormat) -> Result<FrequencyList, ParseError> {
    let range = format.range().ok_or(ParseError::invalid("range format"))?;
    let mut r = BitReader::new(data);
    let orig_arfcn: Option<u16> = if format == FrequencyListFormat::Range1024 {
        // 10.5.2.13.3: bit 3 of the format octet is F0 (ARFCN 0 in the set).
        r.skip(5)?;
        if r.bit()? {
            Some(0)
        } else {
            None
        }
    } else {
        r.skip(7)?;
        Some(r.u16(10)?)
    };
    let w1_bits = format.w1_bits();
    let mut w: Vec<u16> = Vec::new();
    let mut k: usize = 1;
    loop {
        let log2k = (usize::BITS - 1 - k.leading_zeros()) as usize;
        if log2k >= w1_bits {
            break;
        }
        let width = w1_bits - log2k;
        if r.remaining_bits() < width {
            break;
        }
        let v = r.u16(width)?;
        if v == 0 {
            // "If W(k) is null, W(k+1) to the end are null too": end of list.
            break;
        }
        w.push(v);
        k += 1;
    }
    let mut arfcns: Vec<u16> = Vec::with_capacity(w.len() + 1);
    if let Some(o) = orig_arfcn {
        arfcns.push(o);
    }
    for k in 1..=w.len() {
        let f = range_f(&w, k, range)?;
        let arfcn = if format == FrequencyListFormat::Range1024 {
            f as u16
        } else {
            ((i32::from(orig_arfcn.unwrap_or(0)) + f).rem_euclid(1024)) as u16
        };
        arfcns.push(arfcn);
    }
    arfcns.sort_unstable();
    arfcns.dedup();
    Ok(FrequencyList {
        format,
        arfcns,
        w,
        orig_arfcn,
    })
}

/// F(K) of TS 44.018 10.5.2.13.3 (range 1024; .4-.6 for 512/256/128 with RANGE substituted):
/// walk from node K up to the root of the W tree, folding each ancestor's W into N.
/// `w[0]` is W(1). Returns a value in 1..=RANGE-1.
pub fn range_f(w: &[u16], k: usize, range: i32) -> Result<i32, ParseError> {
    if k == 0 || k > w.len() {
        return Err(ParseError::invalid("range W index"));
    }
    let mut index = k;
    let mut j = 1usize << (usize::BITS - 1 - index.leading_zeros());
    let mut n = i32::from(w[index - 1]);
    while index > 1 {
        let ji = j as i32;
        let modulus = 2 * range / ji - 1;
        if modulus <= 0 {
            return Err(ParseError::invalid("range W index too deep"));
        }
        if 2 * index < 3 * j {
            // left child
            index -= j / 2;
            n = (n + i32::from(w[index - 1]) - range / ji - 1).rem_euclid(modulus) + 1;
        } else {
            // right child
            index -= j;
            n = (n + i32::from(w[index - 1]) - 1).rem_euclid(modulus) + 1;
        }
        j /= 2;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// osmo-bsc tests/gsm0408/gsm0408_test.c `test_si_range_helpers`: its range-1024 encoder
    /// maps `freqs1` to `w_out`. That encoder expects values already shifted down by one (the
    /// caller's TS 44.018 J.4 filter step, since F(K) lies in 1..=1023), so decoding `w_out`
    /// with the 10.5.2.13.3 formula gives `freqs1 + 1`.
    #[test]
    fn annex_j_range1024_example() {
        let w = [
            122u16, 2, 69, 204, 75, 66, 60, 70, 83, 3, 24, 67, 54, 64, 70, 9,
        ];
        let mut got: Vec<i32> = (1..=w.len())
            .map(|k| range_f(&w, k, 1024).unwrap())
            .collect();
        got.sort_unstable();
        assert_eq!(
            got,
            vec![13, 71, 122, 191, 251, 321, 402, 476, 521, 575, 635, 701, 765, 831, 906, 981]
        );
    }
}
