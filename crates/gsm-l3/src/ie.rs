//! Information elements shared by several RR messages: PLMN/LAI, RACH control, control channel
//! description, cell options, cell selection parameters, channel descriptions, request reference,
//! mobile identity (TS 44.018 10.5.2, TS 24.008 10.5.1).

pub use cellsentry_model::Plmn;
use serde::{Deserialize, Serialize};

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

/// Decodes the 3-octet BCD MCC/MNC of TS 24.008 10.5.1.3 into a PLMN as broadcast:
/// non-decimal nibbles are kept as hex letters (a fake cell may send anything), so the detector
/// sees the identity the cell claimed and can flag it ([`Plmn::is_valid`]).
pub fn plmn_from_bcd(b: &[u8]) -> Result<Plmn, ParseError> {
    need(b, 3)?;
    let d = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('?');
    let mcc: String = [d(b[0] & 0x0f), d(b[0] >> 4), d(b[1] & 0x0f)]
        .iter()
        .collect();
    let mnc3 = b[1] >> 4;
    let mut mnc: String = [d(b[2] & 0x0f), d(b[2] >> 4)].iter().collect();
    if mnc3 != 0x0f {
        mnc.push(d(mnc3));
    }
    Ok(Plmn::broadcast(mcc, mnc))
}

/// Location Area Identification (TS 24.008 10.5.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocationAreaId {
    pub plmn: Plmn,
    pub lac: u16,
}

impl LocationAreaId {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 5)?;
        Ok(Self {
            plmn: plmn_from_bcd(&b[0..3])?,
            lac: u16::from_be_bytes([b[3], b[4]]),
        })
    }
}

/// RACH Control Parameters (TS 44.018 10.5.2.29).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RachControl {
    /// Coded MAX_RETRANS (0..3).
    pub max_retrans_coded: u8,
    /// Maximum number of RACH retransmissions: 1, 2, 4 or 7.
    pub max_retrans: u8,
    /// Coded TX-integer (0..15).
    pub tx_integer_coded: u8,
    /// Number of slots to spread transmission over (3..50).
    pub tx_integer_slots: u8,
    /// CELL_BAR_ACCESS: the cell is barred for access.
    pub cell_bar_access: bool,
    /// RE = 1 means call re-establishment is NOT allowed.
    pub re_not_allowed: bool,
    /// EC = 1: emergency calls are allowed only to access classes 11-15.
    pub emergency_call_barred: bool,
    /// Octets 2-3 as one 16-bit value (AC15..AC8 with EC in bit 10, AC7..AC0), as tshark shows `acc`.
    pub acc_raw: u16,
    /// Access classes 0..15 that are barred (bit 10, EC, excluded).
    pub access_classes_barred: Vec<u8>,
}

impl RachControl {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 3)?;
        const RETRANS: [u8; 4] = [1, 2, 4, 7];
        const TX_INTEGER: [u8; 16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50];
        let max_retrans_coded = b[0] >> 6;
        let tx_integer_coded = (b[0] >> 2) & 0x0f;
        let acc_raw = u16::from_be_bytes([b[1], b[2]]);
        let access_classes_barred = (0..16u8)
            .filter(|&c| c != 10 && acc_raw & (1 << c) != 0)
            .collect();
        Ok(Self {
            max_retrans_coded,
            max_retrans: RETRANS[usize::from(max_retrans_coded)],
            tx_integer_coded,
            tx_integer_slots: TX_INTEGER[usize::from(tx_integer_coded)],
            cell_bar_access: b[0] & 0x02 != 0,
            re_not_allowed: b[0] & 0x01 != 0,
            emergency_call_barred: acc_raw & 0x0400 != 0,
            acc_raw,
            access_classes_barred,
        })
    }
}

/// Control Channel Description (TS 44.018 10.5.2.11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlChannelDescription {
    /// MSCR: MSC is release 99 or later.
    pub mscr: bool,
    /// ATT: IMSI attach/detach allowed.
    pub att: bool,
    pub bs_ag_blks_res: u8,
    /// CCCH_CONF (0 = 1 basic physical channel not combined, 1 = combined with SDCCH, ...).
    pub ccch_conf: u8,
    /// CBQ3 (2 bits, Iu mode cell barring).
    pub cbq3: u8,
    /// Coded BS_PA_MFRMS (0..7).
    pub bs_pa_mfrms_coded: u8,
    /// Multiframes between paging sub-channel occurrences: coded value + 2 (2..9).
    pub bs_pa_mfrms_multiframes: u8,
    /// T3212 periodic location update timer in decihours (6 minutes); 0 = no periodic update.
    pub t3212_decihours: u8,
}

impl ControlChannelDescription {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 3)?;
        let bs_pa_mfrms_coded = b[1] & 0x07;
        Ok(Self {
            mscr: b[0] & 0x80 != 0,
            att: b[0] & 0x40 != 0,
            bs_ag_blks_res: (b[0] >> 3) & 0x07,
            ccch_conf: b[0] & 0x07,
            cbq3: (b[1] >> 5) & 0x03,
            bs_pa_mfrms_coded,
            bs_pa_mfrms_multiframes: bs_pa_mfrms_coded + 2,
            t3212_decihours: b[2],
        })
    }

    /// T3212 in minutes (decihours x 6).
    pub fn t3212_minutes(&self) -> u32 {
        u32::from(self.t3212_decihours) * 6
    }
}

/// Cell Options (BCCH) (TS 44.018 10.5.2.3), also used for the SACCH variant (10.5.2.3a) where
/// the DTX field is split; `dtx` holds the 2 BCCH bits in both cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellOptions {
    /// PWRC: power control indicator.
    pub pwrc: bool,
    /// DTX coded (0 = MS may use DTX, 1 = shall use, 2 = shall not use).
    pub dtx: u8,
    /// Coded RADIO-LINK-TIMEOUT (0..15).
    pub radio_link_timeout_coded: u8,
    /// Radio link timeout in SACCH blocks: 4 x (coded + 1).
    pub radio_link_timeout_sacch_blocks: u8,
}

impl CellOptions {
    pub fn parse(o: u8) -> Self {
        let rlt = o & 0x0f;
        Self {
            pwrc: o & 0x40 != 0,
            dtx: (o >> 4) & 0x03,
            radio_link_timeout_coded: rlt,
            radio_link_timeout_sacch_blocks: 4 * (rlt + 1),
        }
    }
}

/// Cell Selection Parameters (TS 44.018 10.5.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSelectionParameters {
    /// Coded CELL-RESELECT-HYSTERESIS (0..7).
    pub cell_reselect_hysteresis_coded: u8,
    /// Hysteresis in dB (2 dB steps).
    pub cell_reselect_hysteresis_db: u8,
    /// Coded MS-TXPWR-MAX-CCH power control level (band dependent, TS 45.005).
    pub ms_txpwr_max_cch: u8,
    /// ACS: additional reselect parameter indication.
    pub acs: bool,
    /// NECI: half-rate for new establishment causes supported.
    pub neci: bool,
    /// Coded RXLEV-ACCESS-MIN (0..63; level = -110 + coded dBm).
    pub rxlev_access_min_coded: u8,
    /// RXLEV-ACCESS-MIN in dBm (lower edge of the coded interval).
    pub rxlev_access_min_dbm: i16,
}

impl CellSelectionParameters {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 2)?;
        let hyst = b[0] >> 5;
        let rxlev = b[1] & 0x3f;
        Ok(Self {
            cell_reselect_hysteresis_coded: hyst,
            cell_reselect_hysteresis_db: hyst * 2,
            ms_txpwr_max_cch: b[0] & 0x1f,
            acs: b[1] & 0x80 != 0,
            neci: b[1] & 0x40 != 0,
            rxlev_access_min_coded: rxlev,
            rxlev_access_min_dbm: -110 + i16::from(rxlev),
        })
    }
}

/// Frequency part of a channel description: a single ARFCN or hopping parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelFrequency {
    Single { arfcn: u16 },
    Hopping { maio: u8, hsn: u8 },
}

/// Channel Description (TS 44.018 10.5.2.5) as used by dedicated-mode Immediate Assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelDescription {
    /// Channel type and TDMA offset, 5 bits as transmitted.
    pub channel_type_raw: u8,
    /// Decoded channel type name (e.g. "SDCCH/8", "TCH/F").
    pub channel_type: String,
    /// Sub-channel (SDCCH/4, SDCCH/8, TCH/H), if the type has one.
    pub subchannel: Option<u8>,
    pub timeslot: u8,
    /// Training sequence code.
    pub tsc: u8,
    pub frequency: ChannelFrequency,
}

fn chan_freq(b1: u8, b2: u8) -> ChannelFrequency {
    if b1 & 0x10 != 0 {
        ChannelFrequency::Hopping {
            maio: ((b1 & 0x0f) << 2) | (b2 >> 6),
            hsn: b2 & 0x3f,
        }
    } else {
        ChannelFrequency::Single {
            arfcn: (u16::from(b1 & 0x03) << 8) | u16::from(b2),
        }
    }
}

impl ChannelDescription {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 3)?;
        let ct = b[0] >> 3;
        let (channel_type, subchannel) = match ct {
            0b00001 => ("TCH/F + ACCHs", None),
            0b00010 | 0b00011 => ("TCH/H + ACCHs", Some(ct & 0x01)),
            0b00100..=0b00111 => ("SDCCH/4 + SACCH/C4 or CBCH (SDCCH/4)", Some(ct & 0x03)),
            0b01000..=0b01111 => ("SDCCH/8 + SACCH/C8 or CBCH (SDCCH/8)", Some(ct & 0x07)),
            _ => ("reserved", None),
        };
        Ok(Self {
            channel_type_raw: ct,
            channel_type: channel_type.to_string(),
            subchannel,
            timeslot: b[0] & 0x07,
            tsc: b[1] >> 5,
            frequency: chan_freq(b[1], b[2]),
        })
    }
}

/// Packet Channel Description (TS 44.018 10.5.2.25a) used by TBF Immediate Assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketChannelDescription {
    /// Channel type (5 bits, 00001 = PDCH).
    pub channel_type: u8,
    pub timeslot: u8,
    pub tsc: u8,
    /// Single ARFCN or hopping (direct encoding MAIO/HSN); for indirect encoding `Hopping` holds
    /// MAIO and the MA_NUMBER_IND/CHANGE_MARK_1 bits in `hsn`.
    pub frequency: ChannelFrequency,
}

impl PacketChannelDescription {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 3)?;
        Ok(Self {
            channel_type: b[0] >> 3,
            timeslot: b[0] & 0x07,
            tsc: b[1] >> 5,
            frequency: chan_freq(b[1], b[2]),
        })
    }
}

/// Request Reference (TS 44.018 10.5.2.30): the RACH burst being answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReference {
    /// Random access information (establishment cause + random reference).
    pub ra: u8,
    /// T1' = FN div 1326 mod 32.
    pub t1_prime: u8,
    /// T3 = FN mod 51.
    pub t3: u8,
    /// T2 = FN mod 26.
    pub t2: u8,
}

impl RequestReference {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 3)?;
        Ok(Self {
            ra: b[0],
            t1_prime: b[1] >> 3,
            t3: ((b[1] & 0x07) << 3) | (b[2] >> 5),
            t2: b[2] & 0x1f,
        })
    }

    /// Frame number modulo 42432 reconstructed from T1'/T2/T3 (TS 44.018 10.5.2.38).
    pub fn fn_mod_42432(&self) -> u32 {
        let (t1, t2, t3) = (
            u32::from(self.t1_prime),
            u32::from(self.t2),
            u32::from(self.t3),
        );
        51 * ((t3 + 26 - t2 % 26) % 26) + t3 + 51 * 26 * t1
    }
}

/// Mobile Identity (TS 24.008 10.5.1.4). IMSI/TMSI are personal data: parse, but store hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value")]
pub enum MobileIdentity {
    NoIdentity,
    Imsi(String),
    Imei(String),
    ImeiSv(String),
    /// TMSI/P-TMSI as 8 lowercase hex digits.
    Tmsi(String),
    Other {
        type_code: u8,
        raw_hex: String,
    },
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

impl MobileIdentity {
    /// Decode the value part (without IEI and length).
    pub fn parse(v: &[u8]) -> Result<Self, ParseError> {
        need(v, 1)?;
        let type_code = v[0] & 0x07;
        let odd = v[0] & 0x08 != 0;
        let digits = || -> String {
            let mut s = String::new();
            s.push(char::from_digit(u32::from(v[0] >> 4), 16).unwrap_or('?'));
            for (i, b) in v[1..].iter().enumerate() {
                s.push(char::from_digit(u32::from(b & 0x0f), 16).unwrap_or('?'));
                let hi = b >> 4;
                let last = i + 2 == v.len();
                if !(last && (!odd || hi == 0x0f)) {
                    s.push(char::from_digit(u32::from(hi), 16).unwrap_or('?'));
                }
            }
            s
        };
        Ok(match type_code {
            0 => Self::NoIdentity,
            1 => Self::Imsi(digits()),
            2 => Self::Imei(digits()),
            3 => Self::ImeiSv(digits()),
            4 => {
                need(v, 5)?;
                Self::Tmsi(hex(&v[1..5]))
            }
            _ => Self::Other {
                type_code,
                raw_hex: hex(v),
            },
        })
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Self::NoIdentity => "No Identity",
            Self::Imsi(_) => "IMSI",
            Self::Imei(_) => "IMEI",
            Self::ImeiSv(_) => "IMEISV",
            Self::Tmsi(_) => "TMSI",
            Self::Other { .. } => "Other",
        }
    }
}

pub(crate) fn to_hex(b: &[u8]) -> String {
    hex(b)
}
