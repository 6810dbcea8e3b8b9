//! MasterInformationBlock (TS 36.331 6.2.2) from the 24 PBCH payload bits, decoded by hand: it is
//! a fixed-size UPER SEQUENCE of three fields plus spare bits, so no ASN.1 runtime is needed.

use serde::{Deserialize, Serialize};

/// phich-Duration (TS 36.331 PHICH-Config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhichDuration {
    Normal,
    Extended,
}

/// phich-Resource Ng (TS 36.331 PHICH-Config, TS 36.211 6.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhichResource {
    OneSixth,
    Half,
    One,
    Two,
}

/// The decoded MIB plus what the PBCH decoding itself tells (ports, SFN LSBs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MibInfo {
    /// dl-Bandwidth in resource blocks: 6, 15, 25, 50, 75 or 100.
    pub n_prb: u16,
    pub phich_duration: PhichDuration,
    pub phich_ng: PhichResource,
    /// System frame number of the frame that starts at the detection's `frame_start_sample`
    /// (8 MSBs from the MIB, 2 LSBs from the PBCH scrambling phase, TS 36.211 6.6.1).
    pub sfn: u16,
    /// CRS antenna ports 1, 2 or 4, from the PBCH CRC mask (TS 36.212 5.3.1.1).
    pub ports: u8,
    /// The 24 payload bits as sent ("0"/"1" string, first bit first).
    pub payload_bits: String,
}

/// Parses the 24 payload bits (`bits[i]` is a_i, 0/1). `sfn_lsb2` is SFN mod 4 of the frame the
/// bits were decoded in; the returned `sfn` is that frame's SFN (the caller shifts it to its
/// reference frame). dl-Bandwidth values 6..7 are not defined and give `None`.
pub fn parse_mib(bits: &[u8; 24], sfn_lsb2: u16, ports: u8) -> Option<MibInfo> {
    let field = |from: usize, len: usize| -> u16 {
        bits[from..from + len]
            .iter()
            .fold(0u16, |acc, &b| (acc << 1) | (b & 1) as u16)
    };
    let n_prb = match field(0, 3) {
        0 => 6,
        1 => 15,
        2 => 25,
        3 => 50,
        4 => 75,
        5 => 100,
        _ => return None,
    };
    let phich_duration = if field(3, 1) == 0 {
        PhichDuration::Normal
    } else {
        PhichDuration::Extended
    };
    let phich_ng = match field(4, 2) {
        0 => PhichResource::OneSixth,
        1 => PhichResource::Half,
        2 => PhichResource::One,
        _ => PhichResource::Two,
    };
    let sfn = (field(6, 8) << 2) | (sfn_lsb2 & 3);
    let payload_bits = bits
        .iter()
        .map(|&b| if b & 1 == 1 { '1' } else { '0' })
        .collect();
    Some(MibInfo {
        n_prb,
        phich_duration,
        phich_ng,
        sfn,
        ports,
        payload_bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srsran_vector_payload() {
        // bch_payload_file[] of srsRAN lib/src/phy/phch/test/pbch_file_test.c, the MIB of
        // signal.1.92M.dat: n50, PHICH normal, Ng one, SFN MSBs 00000111 (SFN 28 at offset 0).
        let mut bits = [0u8; 24];
        for (b, c) in bits.iter_mut().zip("011010000001110000000000".bytes()) {
            *b = c - b'0';
        }
        let m = parse_mib(&bits, 0, 2).unwrap();
        assert_eq!(m.n_prb, 50);
        assert_eq!(m.phich_duration, PhichDuration::Normal);
        assert_eq!(m.phich_ng, PhichResource::One);
        assert_eq!(m.sfn, 28);
        assert_eq!(m.payload_bits, "011010000001110000000000");
    }

    /// srsRAN lib/test/asn1/rrc_test.cc test_mib_msg: bytes {0x94, 0x64, 0xC0} = n75,
    /// extended, half, SFN MSBs 00011001 (schedulingInfoSIB1-BR 6 and spare bits follow).
    #[test]
    fn srsran_asn1_mib_vector() {
        let mut bits = [0u8; 24];
        for (i, b) in bits.iter_mut().enumerate() {
            *b = ([0x94u8, 0x64, 0xC0][i / 8] >> (7 - i % 8)) & 1;
        }
        let m = parse_mib(&bits, 3, 4).unwrap();
        assert_eq!(m.n_prb, 75);
        assert_eq!(m.phich_duration, PhichDuration::Extended);
        assert_eq!(m.phich_ng, PhichResource::Half);
        assert_eq!(m.sfn, (0b0001_1001 << 2) | 3);
        assert_eq!(m.ports, 4);
    }

    #[test]
    fn reserved_bandwidth_rejected() {
        let mut bits = [0u8; 24];
        bits[0] = 1;
        bits[1] = 1;
        assert!(parse_mib(&bits, 0, 1).is_none());
    }
}
