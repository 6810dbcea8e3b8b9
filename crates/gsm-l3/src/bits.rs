//! MSB-first bit reader for CSN.1 coded rest octets and frequency lists.
//!
//! CSN.1 (TS 24.007 annex / TS 44.018 10.5.2.x) mixes plain `0 | 1` flags with `L | H` flags whose
//! meaning depends on the bit position: L is the value the spare padding `0x2B` has at that position,
//! H the other one (TS 44.018 10.1.4 "spare padding"). Reading past the end is an error, never a panic.

use crate::ParseError;

/// Spare padding octet of the GSM air interface (TS 44.018 10.1.4, TS 44.006 5.2).
pub const PADDING_OCTET: u8 = 0x2B;

/// Bit cursor over a byte slice, most significant bit first.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    pos_bits: usize,
    end_bits: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos_bits: 0,
            end_bits: data.len() * 8,
        }
    }

    /// Reader limited to the first `len_bits` bits of `data` (clamped to the slice).
    pub fn with_len_bits(data: &'a [u8], len_bits: usize) -> Self {
        Self {
            data,
            pos_bits: 0,
            end_bits: len_bits.min(data.len() * 8),
        }
    }

    pub fn position_bits(&self) -> usize {
        self.pos_bits
    }

    pub fn remaining_bits(&self) -> usize {
        self.end_bits.saturating_sub(self.pos_bits)
    }

    fn bit_at(&self, pos: usize) -> bool {
        self.data
            .get(pos / 8)
            .map(|b| (b >> (7 - (pos % 8))) & 1 == 1)
            .unwrap_or(false)
    }

    /// One plain bit.
    pub fn bit(&mut self) -> Result<bool, ParseError> {
        if self.pos_bits >= self.end_bits {
            return Err(ParseError::Truncated {
                needed_bits: 1,
                at_bit: self.pos_bits,
            });
        }
        let v = self.bit_at(self.pos_bits);
        self.pos_bits += 1;
        Ok(v)
    }

    /// `n` bits (n <= 32) as an unsigned integer, first bit most significant.
    pub fn bits(&mut self, n: usize) -> Result<u32, ParseError> {
        debug_assert!(n <= 32);
        if self.remaining_bits() < n {
            return Err(ParseError::Truncated {
                needed_bits: n,
                at_bit: self.pos_bits,
            });
        }
        let mut v: u32 = 0;
        for _ in 0..n {
            v = (v << 1) | u32::from(self.bit_at(self.pos_bits));
            self.pos_bits += 1;
        }
        Ok(v)
    }

    /// Convenience for fields of up to 8 bits.
    pub fn u8(&mut self, n: usize) -> Result<u8, ParseError> {
        debug_assert!(n <= 8);
        Ok(self.bits(n)? as u8)
    }

    /// Convenience for fields of up to 16 bits.
    pub fn u16(&mut self, n: usize) -> Result<u16, ParseError> {
        debug_assert!(n <= 16);
        Ok(self.bits(n)? as u16)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), ParseError> {
        if self.remaining_bits() < n {
            return Err(ParseError::Truncated {
                needed_bits: n,
                at_bit: self.pos_bits,
            });
        }
        self.pos_bits += n;
        Ok(())
    }

    /// CSN.1 `L | H` flag: true for H. At the end of the data CSN.1 treats missing bits as
    /// padding, i.e. L (TS 44.018 10.1.4), so this never fails.
    pub fn high(&mut self) -> bool {
        if self.pos_bits >= self.end_bits {
            return false;
        }
        let pad = (PADDING_OCTET >> (7 - (self.pos_bits % 8))) & 1 == 1;
        let v = self.bit_at(self.pos_bits);
        self.pos_bits += 1;
        v != pad
    }

    /// CSN.1 `null | L | H` release-extension marker: `None` at the end of data (null).
    pub fn opt_high(&mut self) -> Option<bool> {
        if self.pos_bits >= self.end_bits {
            None
        } else {
            Some(self.high())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_msb_first_and_lh() {
        let mut r = BitReader::new(&[0b1010_0000, 0x2b]);
        assert_eq!(r.bits(3).unwrap(), 0b101);
        assert_eq!(r.remaining_bits(), 13);
        r.skip(5).unwrap();
        // 0x2b is all L.
        for _ in 0..8 {
            assert!(!r.high());
        }
        assert!(r.opt_high().is_none());
        assert!(r.bit().is_err());
    }
}
