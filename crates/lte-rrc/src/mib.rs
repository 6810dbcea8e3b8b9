//! MasterInformationBlock (BCCH-BCH, TS 36.331 6.2.2): the 24 PBCH payload bits, decoded by
//! hand because the layout is fixed (no optional or extensible parts) and tiny.

use serde::{Deserialize, Serialize};

use crate::RrcError;

/// PHICH duration (TS 36.331 6.3.2 PHICH-Config; TS 36.211 table 6.9.3-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhichDuration {
    Normal,
    Extended,
}

/// PHICH resource Ng (TS 36.331 6.3.2 PHICH-Config; TS 36.211 6.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhichResource {
    OneSixth,
    Half,
    One,
    Two,
}

impl PhichResource {
    /// Ng as a number (1/6, 1/2, 1, 2).
    pub fn ng(self) -> f32 {
        match self {
            PhichResource::OneSixth => 1.0 / 6.0,
            PhichResource::Half => 0.5,
            PhichResource::One => 1.0,
            PhichResource::Two => 2.0,
        }
    }
}

/// Decoded MasterInformationBlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mib {
    /// Downlink bandwidth in resource blocks (6, 15, 25, 50, 75, 100).
    pub dl_bandwidth_prb: u8,
    pub phich_duration: PhichDuration,
    pub phich_resource: PhichResource,
    /// The 8 most significant bits of the 10-bit SFN.
    pub sfn_msb8: u8,
    /// `schedulingInfoSIB1-BR-r13` (0 = no SIB1-BR, i.e. no eMTC).
    pub sib1_br_scheduling: u8,
    /// `systemInfoUnchanged-BR-r15`.
    pub system_info_unchanged_br: bool,
    /// The 4 spare bits (should be 0; non-zero is worth noting).
    pub spare_bits: u8,
}

impl Mib {
    /// Full SFN from the MIB bits and the 2-bit position of the 10 ms frame inside the 40 ms
    /// PBCH TTI, which the receiver learns from the scrambling phase (TS 36.211 6.6.1).
    pub fn sfn(&self, pbch_offset: u8) -> u16 {
        (u16::from(self.sfn_msb8) << 2) | u16::from(pbch_offset & 3)
    }
}

/// Decode the 24 MIB bits (MSB of `bits24[0]` first, as TS 36.331 6.2.2 MasterInformationBlock
/// lists the fields: dl-Bandwidth 3, phich-Duration 1, phich-Resource 2, systemFrameNumber 8,
/// schedulingInfoSIB1-BR-r13 5, systemInfoUnchanged-BR-r15 1, spare 4).
///
/// Fails only for the unused dl-Bandwidth codes 6 and 7.
pub fn decode_mib(bits24: [u8; 3]) -> Result<Mib, RrcError> {
    let v = (u32::from(bits24[0]) << 16) | (u32::from(bits24[1]) << 8) | u32::from(bits24[2]);
    let field = |shift: u32, width: u32| ((v >> shift) & ((1 << width) - 1)) as u8;
    let bw_code = field(21, 3);
    let dl_bandwidth_prb = match bw_code {
        0 => 6,
        1 => 15,
        2 => 25,
        3 => 50,
        4 => 75,
        5 => 100,
        other => {
            return Err(RrcError::OutOfRange {
                field: "MIB dl-Bandwidth",
                value: i64::from(other),
            })
        }
    };
    let phich_duration = if field(20, 1) == 0 {
        PhichDuration::Normal
    } else {
        PhichDuration::Extended
    };
    let phich_resource = match field(18, 2) {
        0 => PhichResource::OneSixth,
        1 => PhichResource::Half,
        2 => PhichResource::One,
        _ => PhichResource::Two,
    };
    Ok(Mib {
        dl_bandwidth_prb,
        phich_duration,
        phich_resource,
        sfn_msb8: field(10, 8),
        sib1_br_scheduling: field(5, 5),
        system_info_unchanged_br: field(4, 1) == 1,
        spare_bits: field(0, 4),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(s: &str) -> [u8; 3] {
        let v = u32::from_str_radix(s, 2).unwrap();
        [(v >> 16) as u8, (v >> 8) as u8, v as u8]
    }

    /// srsRAN pbch_file_test.c `bch_payload_file` = {0,1,1,0,1,0, 0,0,0,0,0,1,1,1, 0 x10}, the
    /// MIB of srsran_signal.1.92M_cf32.dat: n50, normal PHICH, Ng one, SFN MSBs 00000111 (SFN
    /// 28 with offset 0). (The shared README's bit string has one zero too many before "111";
    /// the C array is the source.)
    #[test]
    fn srsran_pbch_file_vector() {
        let mib = decode_mib(bits("011010000001110000000000")).unwrap();
        assert_eq!(mib.dl_bandwidth_prb, 50);
        assert_eq!(mib.phich_duration, PhichDuration::Normal);
        assert_eq!(mib.phich_resource, PhichResource::One);
        assert_eq!(mib.sfn_msb8, 0b0000_0111);
        assert_eq!(mib.sfn(0), 28);
        assert_eq!(mib.sfn(3), 31);
        assert_eq!(mib.sib1_br_scheduling, 0);
        assert_eq!(mib.spare_bits, 0);
    }

    /// srsRAN lib/test/asn1/rrc_test.cc test_mib_msg: {0x94, 0x64, 0xC0} = n75, extended,
    /// half, SFN bits "00011001", schedulingInfoSIB1-BR 6, systemInfoUnchanged false, spare 0.
    #[test]
    fn srsran_asn1_mib_vector() {
        let mib = decode_mib([0x94, 0x64, 0xC0]).unwrap();
        assert_eq!(mib.dl_bandwidth_prb, 75);
        assert_eq!(mib.phich_duration, PhichDuration::Extended);
        assert_eq!(mib.phich_resource, PhichResource::Half);
        assert_eq!(mib.sfn_msb8, 0b0001_1001);
        assert_eq!(mib.sib1_br_scheduling, 6);
        assert!(!mib.system_info_unchanged_br);
        assert_eq!(mib.spare_bits, 0);
    }

    #[test]
    fn invalid_bandwidth_code_is_an_error() {
        for code in [6u8, 7] {
            let err = decode_mib([code << 5, 0, 0]).unwrap_err();
            assert!(err.to_string().contains("dl-Bandwidth"), "{err}");
        }
    }
}
