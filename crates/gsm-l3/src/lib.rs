//! GSM layer 2/3 parsing of the downlink broadcast and common control channels: the 23-octet L2
//! blocks a GSM receiver decodes on BCCH, CCCH (PCH/AGCH), SDCCH and SACCH become typed RR
//! messages (TS 44.018) with units in the field names; LAPDm (TS 44.006) framing and fill frames
//! are classified, and anything unknown or malformed is kept raw with a reason, never dropped.
//!
//! Entry points: [`parse_l2_block`] for receiver output, [`parse_l3`] for a bare L3 message, and
//! [`CellSystemInfo`] to accumulate the System Information of one cell.
//!
//! ```
//! use cellsentry_gsm_l3::{parse_l2_block, CellSystemInfo, Channel, L3Message};
//!
//! // SI3 of an Osmocom BTS configured like an SMS blaster (234-15, CELL_RESELECT_OFFSET 126 dB).
//! let block = [
//!     0x49, 0x06, 0x1b, 0xa0, 0x01, 0x32, 0xf4, 0x51, 0x0c, 0x1d, 0xc9, 0x03, 0x05, 0x27, 0x4e,
//!     0x40, 0xe5, 0x04, 0x00, 0xbf, 0x00, 0x2f, 0x2b,
//! ];
//! let msg = parse_l2_block(Channel::Bcch, &block);
//! assert_eq!(msg.message_type_name(), "SI3");
//! let mut cell = CellSystemInfo::new();
//! cell.update(&msg);
//! assert_eq!(cell.plmn().unwrap().to_string(), "234-15");
//! assert_eq!(cell.cell_reselect_offset_db(), Some(126));
//! assert_eq!(cell.t3212_decihours(), Some(5));
//! assert_eq!(cell.emergency_call_barred(), Some(true));
//! assert!(matches!(parse_l2_block(Channel::Ccch, &[0x01, 0x2b, 0x2b]), L3Message::Fill { .. }));
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub mod bits;
pub mod ccch;
pub mod cell;
pub mod encode;
pub mod freq;
pub mod ie;
pub mod si;
pub mod si2quater;

pub use ccch::{
    AssignedChannel, ImmediateAssignment, ImmediateAssignmentReject, PacketAssignment,
    PagingRequest1, PagingRequest2, PagingRequest3,
};
pub use cell::CellSystemInfo;
pub use cellsentry_model::GsmSiType;
pub use freq::{decode_frequency_list, FrequencyList, FrequencyListFormat};
pub use ie::plmn_from_bcd;
pub use ie::{
    CellOptions, CellSelectionParameters, ChannelDescription, ChannelFrequency,
    ControlChannelDescription, LocationAreaId, MobileIdentity, PacketChannelDescription, Plmn,
    RachControl, RequestReference,
};
pub use si::{
    GprsIndicator, NeighbourCellDescription, NeighbourCellDescription2, RestOctets,
    SelectionParameters, Si1, Si13, Si13RestOctets, Si2, Si2bis, Si2ter, Si3, Si3RestOctets, Si4,
    Si4RestOctets, Si5, Si5ter, Si6, Si7or8, Si9,
};
pub use si2quater::{EutranNeighbourGroup, ServingCellPriority, Si2quater};

/// Why a block could not be decoded (kept in [`L3Message::Unparsed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ParseError {
    #[error("empty block")]
    Empty,
    #[error("truncated: {needed_bits} bits needed at bit {at_bit}")]
    Truncated { needed_bits: usize, at_bit: usize },
    #[error("invalid {what}")]
    Invalid { what: Cow<'static, str> },
    #[error("L2 pseudo length {pseudo_length} exceeds the {available} octets of the block")]
    PseudoLength {
        pseudo_length: usize,
        available: usize,
    },
    #[error("not a radio resource message (protocol discriminator {0})")]
    NotRadioResource(u8),
    #[error("skip indicator {0} is not 0 (message must be ignored, TS 24.007 11.2.3.1.2)")]
    SkipIndicator(u8),
    #[error("unknown RR message type 0x{0:02x}")]
    UnknownMessageType(u8),
    #[error("RR message type 0x{0:02x} ({1}) is recognised but not decoded")]
    NotDecoded(u8, Cow<'static, str>),
    #[error("LAPDm frame (control 0x{control:02x}) is {what}")]
    Lapdm {
        control: u8,
        what: Cow<'static, str>,
    },
}

impl ParseError {
    pub fn invalid(what: &'static str) -> Self {
        Self::Invalid {
            what: Cow::Borrowed(what),
        }
    }
}

/// Logical channel a block was received on; decides the L2 framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// BCCH (System Information): L2 pseudo length header (TS 44.006 7.1, TS 44.018 10.5.2.19).
    Bcch,
    /// CCCH of unknown sub-type (PCH or AGCH): pseudo length header.
    Ccch,
    Pch,
    Agch,
    /// SDCCH/FACCH: LAPDm A/B frames (TS 44.006 2.1): address, control, length, information.
    Sdcch,
    Facch,
    /// SACCH: 2-octet L1 header (power level, timing advance) then a LAPDm frame.
    Sacch,
}

/// One decoded block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum L3Message {
    /// L2 fill frame: no L3 content (`01 2b 2b ..` on CCCH/BCCH, `03 03 01 2b ..` UI on SDCCH).
    Fill {
        channel: Channel,
    },
    Si1(Si1),
    Si2(Si2),
    Si2bis(Si2bis),
    Si2ter(Si2ter),
    Si2quater(Si2quater),
    Si3(Si3),
    Si4(Si4),
    Si5(Si5),
    Si5bis(Si5),
    Si5ter(Si5ter),
    Si6(Si6),
    Si7(Si7or8),
    Si8(Si7or8),
    Si9(Si9),
    Si13(Si13),
    PagingRequest1(PagingRequest1),
    PagingRequest2(PagingRequest2),
    PagingRequest3(PagingRequest3),
    ImmediateAssignment(ImmediateAssignment),
    ImmediateAssignmentReject(ImmediateAssignmentReject),
    /// Not decoded: the raw block and why.
    Unparsed {
        raw: Vec<u8>,
        reason: ParseError,
        message_type: Option<u8>,
    },
}

/// Name of an RR message type code (TS 44.018 10.4), for the types that occur on BCCH/CCCH/SACCH.
pub fn rr_message_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0x00 => "SI13",
        0x02 => "SI2bis",
        0x03 => "SI2ter",
        0x04 => "SI9",
        0x05 => "SI5bis",
        0x06 => "SI5ter",
        0x07 => "SI2quater",
        0x18 => "SI8",
        0x19 => "SI1",
        0x1a => "SI2",
        0x1b => "SI3",
        0x1c => "SI4",
        0x1d => "SI5",
        0x1e => "SI6",
        0x1f => "SI7",
        0x20 => "Notification/NCH",
        0x21 => "Paging Request Type 1",
        0x22 => "Paging Request Type 2",
        0x24 => "Paging Request Type 3",
        0x39 => "Immediate Assignment Extended",
        0x3a => "Immediate Assignment Reject",
        0x3f => "Immediate Assignment",
        0x3d => "SI16",
        0x3e => "SI17",
        0x40 => "SI18",
        0x41 => "SI19",
        0x42 => "SI20",
        0x43 => "SI15",
        0x44 => "SI13alt",
        0x45 => "SI2n",
        0x46 => "SI21",
        0x47 => "SI22",
        0x48 => "SI23",
        _ => return None,
    })
}

impl L3Message {
    /// Short message name ("SI3", "Paging Request Type 1", "Fill", ...). For an unparsed message
    /// of a known type the type's name, otherwise "Unparsed".
    pub fn message_type_name(&self) -> &'static str {
        match self {
            Self::Fill { .. } => "Fill",
            Self::Si1(_) => "SI1",
            Self::Si2(_) => "SI2",
            Self::Si2bis(_) => "SI2bis",
            Self::Si2ter(_) => "SI2ter",
            Self::Si2quater(_) => "SI2quater",
            Self::Si3(_) => "SI3",
            Self::Si4(_) => "SI4",
            Self::Si5(_) => "SI5",
            Self::Si5bis(_) => "SI5bis",
            Self::Si5ter(_) => "SI5ter",
            Self::Si6(_) => "SI6",
            Self::Si7(_) => "SI7",
            Self::Si8(_) => "SI8",
            Self::Si9(_) => "SI9",
            Self::Si13(_) => "SI13",
            Self::PagingRequest1(_) => "Paging Request Type 1",
            Self::PagingRequest2(_) => "Paging Request Type 2",
            Self::PagingRequest3(_) => "Paging Request Type 3",
            Self::ImmediateAssignment(_) => "Immediate Assignment",
            Self::ImmediateAssignmentReject(_) => "Immediate Assignment Reject",
            Self::Unparsed { message_type, .. } => message_type
                .and_then(rr_message_type_name)
                .unwrap_or("Unparsed"),
        }
    }

    /// The System Information type of this message; `None` for anything else.
    pub fn si_type(&self) -> Option<GsmSiType> {
        Some(match self {
            L3Message::Si1(_) => GsmSiType::Si1,
            L3Message::Si2(_) => GsmSiType::Si2,
            L3Message::Si2bis(_) => GsmSiType::Si2bis,
            L3Message::Si2ter(_) => GsmSiType::Si2ter,
            L3Message::Si2quater(_) => GsmSiType::Si2quater,
            L3Message::Si3(_) => GsmSiType::Si3,
            L3Message::Si4(_) => GsmSiType::Si4,
            L3Message::Si5(_) => GsmSiType::Si5,
            L3Message::Si5bis(_) => GsmSiType::Si5bis,
            L3Message::Si5ter(_) => GsmSiType::Si5ter,
            L3Message::Si6(_) => GsmSiType::Si6,
            L3Message::Si7(_) => GsmSiType::Si7,
            L3Message::Si8(_) => GsmSiType::Si8,
            L3Message::Si9(_) => GsmSiType::Si9,
            L3Message::Si13(_) => GsmSiType::Si13,
            _ => return None,
        })
    }

    /// True for System Information of any type.
    pub fn is_system_information(&self) -> bool {
        self.si_type().is_some()
    }

    /// (IMSI pages, TMSI pages) in a Paging Request; (0, 0) for other messages. Many IMSI pages
    /// relative to TMSI pages is a classic IMSI-catcher / fake-cell sign.
    pub fn paging_counts(&self) -> (usize, usize) {
        ccch::count_identities(self.paged_identities())
    }

    /// Mobile identities paged by a Paging Request (empty for other messages).
    pub fn paged_identities(&self) -> &[MobileIdentity] {
        match self {
            Self::PagingRequest1(p) => &p.identities,
            Self::PagingRequest2(p) => &p.identities,
            Self::PagingRequest3(p) => &p.identities,
            _ => &[],
        }
    }

    fn unparsed(raw: &[u8], reason: ParseError, message_type: Option<u8>) -> Self {
        Self::Unparsed {
            raw: raw.to_vec(),
            reason,
            message_type,
        }
    }
}

fn all_padding(b: &[u8]) -> bool {
    b.iter().all(|&x| x == bits::PADDING_OCTET)
}

/// Parse one L2 block as received on `channel` (normally 23 octets; any length is accepted and
/// never panics). BCCH/CCCH blocks start with the L2 pseudo length octet; SDCCH/FACCH blocks are
/// LAPDm frames; SACCH blocks have the 2-octet L1 header before the LAPDm frame.
pub fn parse_l2_block(channel: Channel, block: &[u8]) -> L3Message {
    if block.is_empty() {
        return L3Message::unparsed(block, ParseError::Empty, None);
    }
    match channel {
        Channel::Bcch | Channel::Ccch | Channel::Pch | Channel::Agch => {
            let plen_octet = block[0];
            let pseudo_length = usize::from(plen_octet >> 2);
            let rest = &block[1..];
            if plen_octet & 0x03 == 0x03 {
                // Not a pseudo length (bits 2-1 are always 01, TS 44.018 10.5.2.19) but a LAPDm
                // address octet with EA = 1 and C/R = 1: some receivers (gr-gsm in BCCH_SDCCH4
                // mode) label SDCCH/4 blocks as CCCH, so decode it as the LAPDm frame it is.
                return parse_lapdm(channel, block, block);
            }
            if plen_octet & 0x03 != 0x01 {
                if all_padding(block) {
                    return L3Message::Fill { channel };
                }
                return L3Message::unparsed(
                    block,
                    ParseError::invalid("L2 pseudo length octet"),
                    None,
                );
            }
            if pseudo_length == 0 && all_padding(rest) {
                return L3Message::Fill { channel };
            }
            if pseudo_length > rest.len() {
                return L3Message::unparsed(
                    block,
                    ParseError::PseudoLength {
                        pseudo_length,
                        available: rest.len(),
                    },
                    rest.get(1).copied(),
                );
            }
            parse_rr(rest, pseudo_length, block)
        }
        Channel::Sdcch | Channel::Facch => parse_lapdm(channel, block, block),
        Channel::Sacch => {
            if block.len() < 2 {
                return L3Message::unparsed(
                    block,
                    ParseError::Truncated {
                        needed_bits: 16,
                        at_bit: block.len() * 8,
                    },
                    None,
                );
            }
            parse_lapdm(channel, &block[2..], block)
        }
    }
}

fn parse_lapdm(channel: Channel, frame: &[u8], raw: &[u8]) -> L3Message {
    if frame.len() < 3 {
        if all_padding(frame) {
            return L3Message::Fill { channel };
        }
        return L3Message::unparsed(
            raw,
            ParseError::Truncated {
                needed_bits: 24,
                at_bit: frame.len() * 8,
            },
            None,
        );
    }
    let control = frame[1];
    let len_octet = frame[2];
    let length = usize::from(len_octet >> 2);
    let more = len_octet & 0x02 != 0;
    let is_i = control & 0x01 == 0;
    let is_ui = control & 0xef == 0x03;
    if !(is_i || is_ui) {
        let what = if control & 0x03 == 0x01 {
            "a supervisory frame"
        } else {
            "an unnumbered command/response"
        };
        return L3Message::unparsed(
            raw,
            ParseError::Lapdm {
                control,
                what: Cow::Borrowed(what),
            },
            None,
        );
    }
    if length == 0 {
        return L3Message::Fill { channel };
    }
    if more {
        return L3Message::unparsed(
            raw,
            ParseError::Lapdm {
                control,
                what: Cow::Borrowed("a segment of a longer L3 message"),
            },
            None,
        );
    }
    let info = &frame[3..];
    if length > info.len() {
        return L3Message::unparsed(
            raw,
            ParseError::PseudoLength {
                pseudo_length: length,
                available: info.len(),
            },
            None,
        );
    }
    let l3 = &info[..length];
    match parse_rr(l3, length, raw) {
        L3Message::Unparsed {
            reason,
            message_type,
            ..
        } => L3Message::Unparsed {
            raw: raw.to_vec(),
            reason,
            message_type,
        },
        m => m,
    }
}

/// Parse a bare L3 RR message (protocol discriminator octet first, no L2 header), e.g. the
/// SI5/SI6 payload of a SACCH frame or a message from an Abis trace.
pub fn parse_l3(channel: Channel, l3: &[u8]) -> L3Message {
    // RR messages identify themselves; `channel` is kept for symmetry with parse_l2_block.
    let _ = channel;
    parse_rr(l3, l3.len(), l3)
}

/// `msg` = L3 message incl. rest octets; `l3_len` = octets before the rest octets.
fn parse_rr(msg: &[u8], l3_len: usize, raw: &[u8]) -> L3Message {
    if msg.len() < 2 {
        return L3Message::unparsed(
            raw,
            ParseError::Truncated {
                needed_bits: 16,
                at_bit: msg.len() * 8,
            },
            None,
        );
    }
    let pd = msg[0] & 0x0f;
    let skip = msg[0] >> 4;
    let mt = msg[1];
    if pd != 6 {
        return L3Message::unparsed(raw, ParseError::NotRadioResource(pd), None);
    }
    if skip != 0 {
        return L3Message::unparsed(raw, ParseError::SkipIndicator(skip), Some(mt));
    }
    let body = &msg[2..];
    let body_l3_len = l3_len.saturating_sub(2);
    let res: Result<L3Message, ParseError> = match mt {
        0x19 => Si1::parse(body).map(L3Message::Si1),
        0x1a => Si2::parse(body).map(L3Message::Si2),
        0x02 => Si2bis::parse(body).map(L3Message::Si2bis),
        0x03 => Si2ter::parse(body).map(L3Message::Si2ter),
        0x07 => Si2quater::parse(body).map(L3Message::Si2quater),
        0x1b => Si3::parse(body).map(L3Message::Si3),
        0x1c => Si4::parse(body, body_l3_len).map(L3Message::Si4),
        0x1d => Si5::parse(body).map(L3Message::Si5),
        0x05 => Si5::parse(body).map(L3Message::Si5bis),
        0x06 => Si5ter::parse(body).map(L3Message::Si5ter),
        0x1e => Si6::parse(body).map(L3Message::Si6),
        0x1f => Ok(L3Message::Si7(Si7or8 {
            rest_octets: RestOctets::from(body, Si4RestOctets::parse),
        })),
        0x18 => Ok(L3Message::Si8(Si7or8 {
            rest_octets: RestOctets::from(body, Si4RestOctets::parse),
        })),
        0x04 => Si9::parse(body).map(L3Message::Si9),
        0x00 => Ok(L3Message::Si13(Si13 {
            rest_octets: RestOctets::from(body, si::Si13Body::parse),
        })),
        0x21 => PagingRequest1::parse(body, body_l3_len).map(L3Message::PagingRequest1),
        0x22 => PagingRequest2::parse(body, body_l3_len).map(L3Message::PagingRequest2),
        0x24 => PagingRequest3::parse(body).map(L3Message::PagingRequest3),
        0x3f => ImmediateAssignment::parse(body, body_l3_len).map(L3Message::ImmediateAssignment),
        0x3a => ImmediateAssignmentReject::parse(body).map(L3Message::ImmediateAssignmentReject),
        other => Err(match rr_message_type_name(other) {
            Some(name) => ParseError::NotDecoded(other, Cow::Borrowed(name)),
            None => ParseError::UnknownMessageType(other),
        }),
    };
    res.unwrap_or_else(|e| L3Message::unparsed(raw, e, Some(mt)))
}
