//! CCCH messages: Paging Request Type 1/2/3 (PCH) and Immediate Assignment / Immediate
//! Assignment Reject (AGCH), TS 44.018 9.1.18, 9.1.20, 9.1.22-9.1.24.

use serde::{Deserialize, Serialize};

use crate::bits::BitReader;
use crate::ie::{
    to_hex, ChannelDescription, MobileIdentity, PacketChannelDescription, RequestReference,
};
use crate::ParseError;

fn need(data: &[u8], n: usize) -> Result<(), ParseError> {
    if data.len() < n {
        Err(ParseError::Truncated {
            needed_bits: n * 8,
            at_bit: data.len() * 8,
        })
    } else {
        Ok(())
    }
}

/// Page Mode (TS 44.018 10.5.2.26): 0 normal, 1 extended, 2 reorganization, 3 same as before.
pub type PageMode = u8;

/// Channel Needed (TS 44.018 10.5.2.8): 0 any, 1 SDCCH, 2 TCH/F, 3 TCH/H or TCH/F.
pub fn channel_needed_name(code: u8) -> &'static str {
    match code & 3 {
        0 => "any",
        1 => "SDCCH",
        2 => "TCH/F",
        _ => "TCH/H or TCH/F",
    }
}

/// Paging Request Type 1 (TS 44.018 9.1.22): one or two mobile identities of any type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingRequest1 {
    pub page_mode: PageMode,
    pub channel_needed_1: u8,
    pub channel_needed_2: u8,
    /// Mobile identities paged (a "No Identity" entry is kept: idle filler pages carry one).
    pub identities: Vec<MobileIdentity>,
    pub rest_octets_hex: String,
}

/// Paging Request Type 2 (TS 44.018 9.1.23): two TMSIs and optionally a third identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingRequest2 {
    pub page_mode: PageMode,
    pub channel_needed_1: u8,
    pub channel_needed_2: u8,
    pub identities: Vec<MobileIdentity>,
    pub rest_octets_hex: String,
}

/// Paging Request Type 3 (TS 44.018 9.1.24): four TMSIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingRequest3 {
    pub page_mode: PageMode,
    pub channel_needed_1: u8,
    pub channel_needed_2: u8,
    pub identities: Vec<MobileIdentity>,
    pub rest_octets_hex: String,
}

/// Counts of real identities in a page (for IMSI-paging statistics).
pub fn count_identities(ids: &[MobileIdentity]) -> (usize, usize) {
    let imsi = ids
        .iter()
        .filter(|i| matches!(i, MobileIdentity::Imsi(_)))
        .count();
    let tmsi = ids
        .iter()
        .filter(|i| matches!(i, MobileIdentity::Tmsi(_)))
        .count();
    (imsi, tmsi)
}

fn page_octet(o: u8) -> (u8, u8, u8) {
    (o & 0x03, (o >> 4) & 0x03, (o >> 6) & 0x03)
}

fn tmsi(b: &[u8]) -> MobileIdentity {
    MobileIdentity::Tmsi(to_hex(b))
}

/// Optional `17 LL <mobile identity>` at `pos` within `end`; returns new position.
fn optional_mi(
    body: &[u8],
    pos: usize,
    end: usize,
    ids: &mut Vec<MobileIdentity>,
) -> Result<usize, ParseError> {
    if pos + 2 <= end && body[pos] == 0x17 {
        let len = usize::from(body[pos + 1]);
        need(body, pos + 2 + len)?;
        ids.push(MobileIdentity::parse(&body[pos + 2..pos + 2 + len])?);
        Ok(pos + 2 + len)
    } else {
        Ok(pos)
    }
}

impl PagingRequest1 {
    /// `body` starts after the message type; `l3_len` = end of the non-rest part in `body`.
    pub fn parse(body: &[u8], l3_len: usize) -> Result<Self, ParseError> {
        need(body, 2)?;
        let (page_mode, c1, c2) = page_octet(body[0]);
        let len = usize::from(body[1]);
        if len == 0 {
            return Err(ParseError::invalid("mobile identity length 0"));
        }
        need(body, 2 + len)?;
        let mut identities = vec![MobileIdentity::parse(&body[2..2 + len])?];
        let end = l3_len.clamp(2 + len, body.len());
        let pos = optional_mi(body, 2 + len, end, &mut identities)?;
        Ok(Self {
            page_mode,
            channel_needed_1: c1,
            channel_needed_2: c2,
            identities,
            rest_octets_hex: to_hex(&body[end.max(pos)..]),
        })
    }
}

impl PagingRequest2 {
    pub fn parse(body: &[u8], l3_len: usize) -> Result<Self, ParseError> {
        need(body, 9)?;
        let (page_mode, c1, c2) = page_octet(body[0]);
        let mut identities = vec![tmsi(&body[1..5]), tmsi(&body[5..9])];
        let end = l3_len.clamp(9, body.len());
        let pos = optional_mi(body, 9, end, &mut identities)?;
        Ok(Self {
            page_mode,
            channel_needed_1: c1,
            channel_needed_2: c2,
            identities,
            rest_octets_hex: to_hex(&body[end.max(pos)..]),
        })
    }
}

impl PagingRequest3 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 17)?;
        let (page_mode, c1, c2) = page_octet(body[0]);
        let identities = (0..4).map(|i| tmsi(&body[1 + 4 * i..5 + 4 * i])).collect();
        Ok(Self {
            page_mode,
            channel_needed_1: c1,
            channel_needed_2: c2,
            identities,
            rest_octets_hex: to_hex(&body[17..]),
        })
    }
}

/// The channel an Immediate Assignment gives: dedicated (SDCCH/TCH) or a packet TBF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssignedChannel {
    Dedicated(ChannelDescription),
    Packet(PacketChannelDescription),
}

/// Packet uplink/downlink assignment from the IA Rest Octets (TS 44.018 10.5.2.16), main fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PacketAssignment {
    UplinkDynamic {
        tfi: u8,
        polling: bool,
        usf: u8,
        usf_granularity: u8,
        p0: Option<u8>,
        channel_coding_command: u8,
        tlli_block_channel_coding: u8,
        alpha: Option<u8>,
        gamma: u8,
        timing_advance_index: Option<u8>,
    },
    UplinkSingleBlock {
        alpha: Option<u8>,
        gamma: u8,
    },
    Downlink {
        tlli: u32,
        tfi: Option<u8>,
        alpha: Option<u8>,
        gamma: Option<u8>,
    },
    /// Another IA rest-octets variant (LL/LH/HL or second part), raw bits not decoded.
    Other {
        variant: String,
    },
}

fn parse_ia_rest(b: &[u8]) -> Result<Option<PacketAssignment>, ParseError> {
    let mut r = BitReader::new(b);
    let first = r.high();
    let second = r.high();
    if !(first && second) {
        let v = match (first, second) {
            (false, false) => "LL",
            (false, true) => "LH",
            _ => "HL",
        };
        return Ok(Some(PacketAssignment::Other {
            variant: v.to_string(),
        }));
    }
    if r.bit()? {
        return Ok(Some(PacketAssignment::Other {
            variant: "second part packet assignment".into(),
        }));
    }
    if !r.bit()? {
        // Packet Uplink Assignment
        if r.bit()? {
            let tfi = r.u8(5)?;
            let polling = r.bit()?;
            r.skip(1)?; // allocation type (dynamic)
            let usf = r.u8(3)?;
            let usf_granularity = r.u8(1)?;
            let p0 = if r.bit()? {
                let p = r.u8(4)?;
                r.skip(1)?; // PR_MODE
                Some(p)
            } else {
                None
            };
            let channel_coding_command = r.u8(2)?;
            let tlli_block_channel_coding = r.u8(1)?;
            let alpha = if r.bit()? { Some(r.u8(4)?) } else { None };
            let gamma = r.u8(5)?;
            let timing_advance_index = if r.bit()? { Some(r.u8(4)?) } else { None };
            Ok(Some(PacketAssignment::UplinkDynamic {
                tfi,
                polling,
                usf,
                usf_granularity,
                p0,
                channel_coding_command,
                tlli_block_channel_coding,
                alpha,
                gamma,
                timing_advance_index,
            }))
        } else {
            let alpha = if r.bit()? { Some(r.u8(4)?) } else { None };
            let gamma = r.u8(5)?;
            Ok(Some(PacketAssignment::UplinkSingleBlock { alpha, gamma }))
        }
    } else {
        let tlli = r.bits(32)?;
        let (mut tfi, mut alpha, mut gamma) = (None, None, None);
        if r.bit()? {
            tfi = Some(r.u8(5)?);
            r.skip(1)?; // RLC_MODE
            alpha = if r.bit()? { Some(r.u8(4)?) } else { None };
            gamma = Some(r.u8(5)?);
        }
        Ok(Some(PacketAssignment::Downlink {
            tlli,
            tfi,
            alpha,
            gamma,
        }))
    }
}

/// Immediate Assignment (TS 44.018 9.1.18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImmediateAssignment {
    pub page_mode: PageMode,
    /// Dedicated mode or TBF (10.5.2.25b), 4 bits as transmitted: bit 0 set = TBF.
    pub dedicated_mode_or_tbf: u8,
    pub is_tbf: bool,
    pub channel: AssignedChannel,
    pub request_reference: RequestReference,
    /// Timing advance in bit periods (0..63).
    pub timing_advance: u8,
    /// Mobile allocation (hopping ARFCN bitmap over the cell allocation), raw.
    pub mobile_allocation_hex: String,
    /// Starting time (T1', T3, T2) if present.
    pub starting_time: Option<RequestReference>,
    pub packet_assignment: Option<PacketAssignment>,
    pub rest_octets_hex: String,
}

impl ImmediateAssignment {
    pub fn parse(body: &[u8], l3_len: usize) -> Result<Self, ParseError> {
        need(body, 9)?;
        let page_mode = body[0] & 0x03;
        let dedicated_mode_or_tbf = (body[0] >> 4) & 0x07;
        let is_tbf = dedicated_mode_or_tbf & 0x01 != 0;
        let channel = if is_tbf {
            AssignedChannel::Packet(PacketChannelDescription::parse(&body[1..4])?)
        } else {
            AssignedChannel::Dedicated(ChannelDescription::parse(&body[1..4])?)
        };
        let request_reference = RequestReference::parse(&body[4..7])?;
        let timing_advance = body[7] & 0x3f;
        let ma_len = usize::from(body[8]);
        need(body, 9 + ma_len)?;
        let mobile_allocation_hex = to_hex(&body[9..9 + ma_len]);
        let mut pos = 9 + ma_len;
        let end = l3_len.clamp(pos, body.len());
        let mut starting_time = None;
        if pos + 3 <= end && body[pos] == 0x7c {
            // Starting Time: T1'(5) T3(6) T2(5), same layout as the request reference's FN part.
            starting_time = Some(RequestReference::parse(&[0, body[pos + 1], body[pos + 2]])?);
            pos += 3;
        }
        let rest = &body[end.max(pos)..];
        let packet_assignment = if is_tbf {
            parse_ia_rest(rest).ok().flatten()
        } else {
            None
        };
        Ok(Self {
            page_mode,
            dedicated_mode_or_tbf,
            is_tbf,
            channel,
            request_reference,
            timing_advance,
            mobile_allocation_hex,
            starting_time,
            packet_assignment,
            rest_octets_hex: to_hex(rest),
        })
    }
}

/// One rejected request in an Immediate Assignment Reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRequest {
    pub request_reference: RequestReference,
    /// Wait indication (T3122) in seconds.
    pub wait_indication_s: u8,
}

/// Immediate Assignment Reject (TS 44.018 9.1.20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImmediateAssignmentReject {
    pub page_mode: PageMode,
    pub rejected: Vec<RejectedRequest>,
    pub rest_octets_hex: String,
}

impl ImmediateAssignmentReject {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 17)?;
        let mut rejected = Vec::with_capacity(4);
        for i in 0..4 {
            let o = 1 + 4 * i;
            rejected.push(RejectedRequest {
                request_reference: RequestReference::parse(&body[o..o + 3])?,
                wait_indication_s: body[o + 3],
            });
        }
        Ok(Self {
            page_mode: body[0] & 0x03,
            rejected,
            rest_octets_hex: to_hex(&body[17..]),
        })
    }
}
