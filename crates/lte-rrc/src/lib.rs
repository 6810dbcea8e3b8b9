//! LTE RRC (TS 36.331) broadcast decoding into plain summaries: BCCH-DL-SCH (SIB1 and
//! SystemInformation with SIB2..SIB8). The MIB (BCCH-BCH, 24 fixed bits) is parsed by the
//! receiver (`cellsentry_lte::mib`), which needs it before any of this.
//!
//! The UPER decoding of BCCH-DL-SCH uses the generated ASN.1 types of `types_lte_3gpp`; that
//! heavy dependency stays inside this crate, which exposes only its own serde types, so the
//! other crates never compile or see it. Summaries keep the raw bytes for evidence.
//!
//! ```
//! let sib1 = [0x70, 0x51, 0x80, 0x01, 0x11, 0x27, 0x14, 0x86, 0xc0, 0x18, 0x23, 0x59, 0xc2,
//!             0x42, 0x04, 0x11, 0x27, 0xd9];
//! match cellsentry_lte_rrc::decode_bcch_dl_sch(&sib1).unwrap() {
//!     cellsentry_lte_rrc::BcchDlSchMessage::Sib1(s) => {
//!         assert_eq!(s.primary_plmn().as_deref(), Some("460-00"));
//!         assert_eq!(s.tracking_area_code, 0x1127);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

mod cell;
mod convert;
pub mod encode;
mod sched;
mod types;

pub use cell::CellSystemInfo;
pub use encode::{encode_system_information, EncodedSi, EncodedSystemInfo, SystemInfoSpec};
pub use types::*;

use types_lte_3gpp::export::asn1_codecs::uper::decode::{
    decode_choice_idx, decode_length_determinent, decode_sequence_header,
};
use types_lte_3gpp::export::asn1_codecs::uper::UperCodec;
use types_lte_3gpp::export::asn1_codecs::{PerCodecData, PerCodecError};
use types_lte_3gpp::uper::spec_rrc as rrc;

/// Why a broadcast RRC message could not be summarised (one line each).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RrcError {
    #[error("empty BCCH-DL-SCH message")]
    Empty,
    #[error("malformed RRC message ({len} bytes): {detail}")]
    Malformed { len: usize, detail: String },
    #[error("unsupported RRC content: {0}")]
    Unsupported(&'static str),
    #[error("RRC decoder panicked on a {len}-byte message (treated as malformed)")]
    DecoderPanic { len: usize },
    #[error("value {value} out of range for {field}")]
    OutOfRange { field: &'static str, value: i64 },
    #[error("invalid {field}: {detail}")]
    Invalid { field: &'static str, detail: String },
    #[error("UPER encoding failed: {0}")]
    Encode(String),
}

pub(crate) fn malformed(len: usize, err: impl std::fmt::Display) -> RrcError {
    // The codec's messages carry a field path; keep them on one line.
    let detail = err.to_string().replace(['\n', '\r'], " ");
    RrcError::Malformed { len, detail }
}

/// Decode one BCCH-DL-SCH-Message (TS 36.331 6.2.1; UPER, transport-block CRC already removed;
/// trailing padding is fine).
pub fn decode_bcch_dl_sch(bytes: &[u8]) -> Result<BcchDlSchMessage, RrcError> {
    if bytes.is_empty() {
        return Err(RrcError::Empty);
    }
    // The generated decoder is not ours to audit; a panic on hostile input (a fake cell sends
    // whatever it likes) must not take the sensor down.
    std::panic::catch_unwind(|| decode_unguarded(bytes))
        .map_err(|_| RrcError::DecoderPanic { len: bytes.len() })?
}

/// Bit offset of SIB1's nonCriticalExtension presence flag: message CHOICE (1 bit), c1 CHOICE
/// (1 bit), then the SIB1 OPTIONAL bitmap p-Max, tdd-Config, nonCriticalExtension.
const SIB1_NCE_PRESENCE_BIT: usize = 4;

fn decode_unguarded(bytes: &[u8]) -> Result<BcchDlSchMessage, RrcError> {
    let len = bytes.len();
    let codec = |e: PerCodecError| malformed(len, e);
    let mut d = PerCodecData::from_slice_uper(bytes);
    // BCCH-DL-SCH-MessageType ::= CHOICE { c1 CHOICE { systemInformation, sib1 }, ext }
    let (class, _) = decode_choice_idx(&mut d, 0, 1, false).map_err(codec)?;
    if class != 0 {
        return Err(RrcError::Unsupported("messageClassExtension"));
    }
    let (kind, _) = decode_choice_idx(&mut d, 0, 1, false).map_err(codec)?;
    if kind == 1 {
        return decode_sib1(bytes).map(BcchDlSchMessage::Sib1);
    }
    // SystemInformation ::= SEQUENCE { criticalExtensions CHOICE { systemInformation-r8, future } }
    let (crit, _) = decode_choice_idx(&mut d, 0, 1, false).map_err(codec)?;
    if crit != 0 {
        return Err(RrcError::Unsupported(
            "SystemInformation criticalExtensionsFuture-r15",
        ));
    }
    // SystemInformation-r8-IEs: 1 OPTIONAL (nonCriticalExtension, not needed here), then
    // sib-TypeAndInfo SEQUENCE (SIZE (1..maxSIB = 32)) OF CHOICE.
    decode_sequence_header(&mut d, false, 1).map_err(codec)?;
    let n = decode_length_determinent(&mut d, Some(1), Some(32), false).map_err(codec)?;
    let sibs = (0..n)
        .map(|_| convert::sib_entry(&mut d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BcchDlSchMessage::SystemInformation(
        SystemInformationSummary {
            sibs,
            raw: bytes.to_vec(),
        },
    ))
}

/// SIB1 with the generated decoder. Its nonCriticalExtension chain reaches Rel-16 IEs, some of
/// which the generated code cannot decode (CHOICE additions); rather than lose the whole SIB1 of
/// a modern cell, retry with the chain's presence flag cleared, which keeps every root field.
fn decode_sib1(bytes: &[u8]) -> Result<Sib1Summary, RrcError> {
    let len = bytes.len();
    let sib_types = sched::sib1_mapping_info(bytes).map_err(|e| malformed(len, e))?;
    let full = decode_sib1_ies(bytes);
    let (sib1, extension_undecodable) = match full {
        Ok(sib1) => (sib1, false),
        Err(first) if sib1_nce_present(bytes) => {
            let mut stripped = bytes.to_vec();
            if let Some(b) = stripped.get_mut(SIB1_NCE_PRESENCE_BIT / 8) {
                *b &= !(0x80 >> (SIB1_NCE_PRESENCE_BIT % 8));
            }
            match decode_sib1_ies(&stripped) {
                Ok(sib1) => (sib1, true),
                Err(_) => return Err(malformed(len, first)),
            }
        }
        Err(e) => return Err(malformed(len, e)),
    };
    let mut summary = convert::sib1(&sib1, sib_types, bytes)?;
    summary.non_critical_extension_undecodable = extension_undecodable;
    Ok(summary)
}

fn sib1_nce_present(bytes: &[u8]) -> bool {
    bytes
        .get(SIB1_NCE_PRESENCE_BIT / 8)
        .is_some_and(|b| b & (0x80 >> (SIB1_NCE_PRESENCE_BIT % 8)) != 0)
}

fn decode_sib1_ies(bytes: &[u8]) -> Result<rrc::SystemInformationBlockType1, PerCodecError> {
    let mut d = PerCodecData::from_slice_uper(bytes);
    decode_choice_idx(&mut d, 0, 1, false)?;
    decode_choice_idx(&mut d, 0, 1, false)?;
    rrc::SystemInformationBlockType1::uper_decode(&mut d)
}

/// Serde helper: bytes as a lowercase hex string (readable in JSON reports and the store).
pub(crate) mod hex_bytes {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&hex)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let hex = String::deserialize(d)?;
        if hex.len() % 2 != 0 {
            return Err(D::Error::custom("odd-length hex string"));
        }
        (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| D::Error::custom("invalid hex digit"))
            })
            .collect()
    }
}
