//! System Information messages of the BCCH (SI1, 2, 2bis, 2ter, 3, 4, 7, 8, 9, 13) and of the
//! SACCH (SI5, 5bis, 5ter, 6), with their rest octets (TS 44.018 9.1.31-9.1.43a, 10.5.2.32-37b).

use serde::{Deserialize, Serialize};

use crate::bits::BitReader;
use crate::freq::{decode_frequency_list, FrequencyList};
use crate::ie::{
    to_hex, CellOptions, CellSelectionParameters, ControlChannelDescription, LocationAreaId,
    RachControl,
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

/// Neighbour Cell Description (TS 44.018 10.5.2.22): BA list of SI2, SI2bis, SI5, SI5bis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourCellDescription {
    /// EXT-IND: the list is continued in SI2bis/SI5bis.
    pub ext_ind: bool,
    /// BA-IND: sequence number of the BA list (detects BA changes).
    pub ba_ind: u8,
    pub list: FrequencyList,
}

impl NeighbourCellDescription {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 16)?;
        Ok(Self {
            ext_ind: b[0] & 0x20 != 0,
            ba_ind: (b[0] >> 4) & 0x01,
            list: decode_frequency_list(&b[..16], true)?,
        })
    }
}

/// Neighbour Cell Description 2 (TS 44.018 10.5.2.22a): BA list of SI2ter and SI5ter, whose
/// format octet carries MULTIBAND_REPORTING in bits 7-6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourCellDescription2 {
    pub multiband_reporting: u8,
    pub ba_ind: u8,
    pub list: FrequencyList,
}

impl NeighbourCellDescription2 {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        need(b, 16)?;
        Ok(Self {
            multiband_reporting: (b[0] >> 5) & 0x03,
            ba_ind: (b[0] >> 4) & 0x01,
            list: decode_frequency_list(&b[..16], false)?,
        })
    }
}

/// Optional Selection Parameters of SI3/SI4 rest octets (TS 44.018 10.5.2.34, TS 45.008 6.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionParameters {
    /// CELL_BAR_QUALIFY.
    pub cbq: bool,
    pub cell_reselect_offset_coded: u8,
    /// CELL_RESELECT_OFFSET in dB (2 dB steps, 0..126). Large values pull phones to the cell.
    pub cell_reselect_offset_db: u8,
    pub temporary_offset_coded: u8,
    /// TEMPORARY_OFFSET in dB (10 dB steps); `None` for coded 7 (infinity).
    pub temporary_offset_db: Option<u8>,
    pub penalty_time_coded: u8,
    /// PENALTY_TIME in seconds (20 s steps, 20..620); `None` for coded 31, which instead tells
    /// the MS to subtract CELL_RESELECT_OFFSET in C2 (TS 45.008 6.4).
    pub penalty_time_s: Option<u16>,
}

fn selection_parameters(r: &mut BitReader) -> Result<Option<SelectionParameters>, ParseError> {
    if !r.high() {
        return Ok(None);
    }
    let cbq = r.bit()?;
    let cro = r.u8(6)?;
    let tmp = r.u8(3)?;
    let pen = r.u8(5)?;
    Ok(Some(SelectionParameters {
        cbq,
        cell_reselect_offset_coded: cro,
        cell_reselect_offset_db: cro * 2,
        temporary_offset_coded: tmp,
        temporary_offset_db: if tmp == 7 { None } else { Some(tmp * 10) },
        penalty_time_coded: pen,
        penalty_time_s: if pen == 31 {
            None
        } else {
            Some(20 * (u16::from(pen) + 1))
        },
    }))
}

/// GPRS Indicator (TS 44.018 10.5.2.34): GPRS is supported and where SI13 is broadcast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GprsIndicator {
    pub ra_colour: u8,
    /// 0 = SI13 on BCCH Norm, 1 = on BCCH Ext.
    pub si13_position: u8,
}

fn gprs_indicator(r: &mut BitReader) -> Result<Option<GprsIndicator>, ParseError> {
    if !r.high() {
        return Ok(None);
    }
    Ok(Some(GprsIndicator {
        ra_colour: r.u8(3)?,
        si13_position: r.u8(1)?,
    }))
}

fn power_offset(r: &mut BitReader) -> Result<Option<u8>, ParseError> {
    if r.high() {
        Ok(Some(r.u8(2)?))
    } else {
        Ok(None)
    }
}

/// SI 3 Rest Octets (TS 44.018 10.5.2.34).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si3RestOctets {
    pub selection_parameters: Option<SelectionParameters>,
    /// POWER_OFFSET coded (DCS1800 class 3 MS), if present.
    pub power_offset: Option<u8>,
    /// SI2ter is broadcast.
    pub si2ter_indicator: bool,
    /// Early classmark sending is allowed.
    pub early_classmark_sending: bool,
    /// "Scheduling if and where": SI9 is broadcast, WHERE = block position.
    pub scheduling_where: Option<u8>,
    pub gprs_indicator: Option<GprsIndicator>,
    /// 3G Early Classmark Sending Restriction as transmitted (H = true).
    pub early_classmark_sending_restriction_3g: bool,
    /// SI2quater is broadcast; value = position (0 = BCCH Norm, 1 = BCCH Ext).
    pub si2quater_position: Option<u8>,
    /// SI13alt position, in the slot that older releases used for the Iu Indicator; only sent
    /// when there is no GPRS Indicator (0 = BCCH Norm, 1 = BCCH Ext).
    pub si13alt_position: Option<u8>,
    /// SI21 is broadcast; value = position (only sent without "scheduling if and where").
    pub si21_position: Option<u8>,
}

impl Si3RestOctets {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        let mut r = BitReader::new(b);
        let mut ro = Self {
            selection_parameters: selection_parameters(&mut r)?,
            power_offset: power_offset(&mut r)?,
            si2ter_indicator: r.high(),
            early_classmark_sending: r.high(),
            ..Default::default()
        };
        ro.scheduling_where = if r.high() { Some(r.u8(3)?) } else { None };
        ro.gprs_indicator = gprs_indicator(&mut r)?;
        ro.early_classmark_sending_restriction_3g = r.high();
        ro.si2quater_position = if r.high() { Some(r.u8(1)?) } else { None };
        if ro.gprs_indicator.is_none() && r.high() {
            ro.si13alt_position = Some(r.u8(1)?);
        }
        if ro.scheduling_where.is_none() && r.high() {
            ro.si21_position = Some(r.u8(1)?);
        }
        Ok(ro)
    }
}

/// SI 4 Rest Octets, O part (TS 44.018 10.5.2.35); also SI7 and SI8 rest octets start this way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si4RestOctets {
    pub selection_parameters: Option<SelectionParameters>,
    pub power_offset: Option<u8>,
    pub gprs_indicator: Option<GprsIndicator>,
    /// The "Rest Octets S" part (LSA, CBCH, ...) is present (not decoded).
    pub s_part_present: bool,
}

impl Si4RestOctets {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        let mut r = BitReader::new(b);
        Ok(Self {
            selection_parameters: selection_parameters(&mut r)?,
            power_offset: power_offset(&mut r)?,
            gprs_indicator: gprs_indicator(&mut r)?,
            s_part_present: r.high(),
        })
    }
}

/// Result of decoding a rest-octets field: decoded value, or why not, with the raw bytes kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestOctets<T> {
    pub raw_hex: String,
    pub decoded: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl<T> RestOctets<T> {
    pub(crate) fn from(raw: &[u8], f: impl FnOnce(&[u8]) -> Result<T, ParseError>) -> Self {
        match f(raw) {
            Ok(v) => Self {
                raw_hex: to_hex(raw),
                decoded: Some(v),
                error: None,
            },
            Err(e) => Self {
                raw_hex: to_hex(raw),
                decoded: None,
                error: Some(e.to_string()),
            },
        }
    }
}

/// System Information Type 1 (TS 44.018 9.1.31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si1 {
    /// Cell Channel Description (10.5.2.1b): the cell allocation, ARFCNs this cell uses.
    pub cell_channel_description: FrequencyList,
    pub rach_control: RachControl,
    /// NCH position (SI1 rest octets, 10.5.2.32), if an NCH is present.
    pub nch_position: Option<u8>,
    /// BAND_INDICATOR: false = DCS1800, true = PCS1900 (for ARFCNs 512-810).
    pub band_indicator_pcs1900: bool,
}

impl Si1 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 19)?;
        let cell_channel_description = decode_frequency_list(&body[0..16], true)?;
        let rach_control = RachControl::parse(&body[16..19])?;
        let mut r = BitReader::new(&body[19..]);
        let nch_position = if r.high() { r.u8(5).ok() } else { None };
        let band_indicator_pcs1900 = r.high();
        Ok(Self {
            cell_channel_description,
            rach_control,
            nch_position,
            band_indicator_pcs1900,
        })
    }
}

/// System Information Type 2 (TS 44.018 9.1.32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si2 {
    pub neighbour_cells: NeighbourCellDescription,
    /// NCC permitted bitmap (bit n set: NCC n may be reported).
    pub ncc_permitted: u8,
    pub rach_control: RachControl,
}

impl Si2 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 20)?;
        Ok(Self {
            neighbour_cells: NeighbourCellDescription::parse(&body[0..16])?,
            ncc_permitted: body[16],
            rach_control: RachControl::parse(&body[17..20])?,
        })
    }
}

/// System Information Type 2bis (TS 44.018 9.1.33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si2bis {
    pub extended_neighbour_cells: NeighbourCellDescription,
    pub rach_control: RachControl,
}

impl Si2bis {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 19)?;
        Ok(Self {
            extended_neighbour_cells: NeighbourCellDescription::parse(&body[0..16])?,
            rach_control: RachControl::parse(&body[16..19])?,
        })
    }
}

/// System Information Type 2ter (TS 44.018 9.1.34).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si2ter {
    pub extended_neighbour_cells: NeighbourCellDescription2,
    /// SI2ter rest octets (UTRAN/3G neighbour data, not decoded).
    pub rest_octets_hex: String,
}

impl Si2ter {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 16)?;
        Ok(Self {
            extended_neighbour_cells: NeighbourCellDescription2::parse(&body[0..16])?,
            rest_octets_hex: to_hex(&body[16..]),
        })
    }
}

/// System Information Type 3 (TS 44.018 9.1.35).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si3 {
    pub cell_identity: u16,
    pub lai: LocationAreaId,
    pub control_channel: ControlChannelDescription,
    pub cell_options: CellOptions,
    pub cell_selection: CellSelectionParameters,
    pub rach_control: RachControl,
    pub rest_octets: RestOctets<Si3RestOctets>,
}

impl Si3 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 16)?;
        Ok(Self {
            cell_identity: u16::from_be_bytes([body[0], body[1]]),
            lai: LocationAreaId::parse(&body[2..7])?,
            control_channel: ControlChannelDescription::parse(&body[7..10])?,
            cell_options: CellOptions::parse(body[10]),
            cell_selection: CellSelectionParameters::parse(&body[11..13])?,
            rach_control: RachControl::parse(&body[13..16])?,
            rest_octets: RestOctets::from(&body[16..], Si3RestOctets::parse),
        })
    }
}

/// CBCH Channel Description of SI4 (TS 44.018 10.5.2.5, IEI 0x64), kept raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si4Cbch {
    pub channel_description: crate::ie::ChannelDescription,
    /// CBCH Mobile Allocation (IEI 0x72) raw, if present.
    pub mobile_allocation_hex: Option<String>,
}

/// System Information Type 4 (TS 44.018 9.1.36).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si4 {
    pub lai: LocationAreaId,
    pub cell_selection: CellSelectionParameters,
    pub rach_control: RachControl,
    /// The cell carries a CBCH (cell broadcast).
    pub cbch: Option<Si4Cbch>,
    pub rest_octets: RestOctets<Si4RestOctets>,
}

impl Si4 {
    /// `l3_len` is the length of the non-rest-octet part (from the L2 pseudo length).
    pub fn parse(body: &[u8], l3_len: usize) -> Result<Self, ParseError> {
        need(body, 10)?;
        let lai = LocationAreaId::parse(&body[0..5])?;
        let cell_selection = CellSelectionParameters::parse(&body[5..7])?;
        let rach_control = RachControl::parse(&body[7..10])?;
        let mut pos = 10;
        let end = l3_len.clamp(pos, body.len());
        let mut cbch = None;
        if pos + 4 <= end && body[pos] == 0x64 {
            let channel_description =
                crate::ie::ChannelDescription::parse(&body[pos + 1..pos + 4])?;
            pos += 4;
            let mut mobile_allocation_hex = None;
            if pos + 2 <= end && body[pos] == 0x72 {
                let len = usize::from(body[pos + 1]);
                if pos + 2 + len > body.len() {
                    return Err(ParseError::Truncated {
                        needed_bits: (pos + 2 + len) * 8,
                        at_bit: body.len() * 8,
                    });
                }
                mobile_allocation_hex = Some(to_hex(&body[pos + 2..pos + 2 + len]));
                pos += 2 + len;
            }
            cbch = Some(Si4Cbch {
                channel_description,
                mobile_allocation_hex,
            });
        }
        let rest_start = end.max(pos);
        Ok(Self {
            lai,
            cell_selection,
            rach_control,
            cbch,
            rest_octets: RestOctets::from(&body[rest_start..], Si4RestOctets::parse),
        })
    }
}

/// System Information Type 5 / 5bis (TS 44.018 9.1.37, 9.1.38), SACCH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si5 {
    pub neighbour_cells: NeighbourCellDescription,
}

impl Si5 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        Ok(Self {
            neighbour_cells: NeighbourCellDescription::parse(body)?,
        })
    }
}

/// System Information Type 5ter (TS 44.018 9.1.39), SACCH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si5ter {
    pub extended_neighbour_cells: NeighbourCellDescription2,
}

impl Si5ter {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        Ok(Self {
            extended_neighbour_cells: NeighbourCellDescription2::parse(body)?,
        })
    }
}

/// System Information Type 6 (TS 44.018 9.1.40), SACCH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si6 {
    pub cell_identity: u16,
    pub lai: LocationAreaId,
    /// Cell Options (SACCH), 10.5.2.3a.
    pub cell_options: CellOptions,
    pub ncc_permitted: u8,
    pub rest_octets_hex: String,
}

impl Si6 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 9)?;
        Ok(Self {
            cell_identity: u16::from_be_bytes([body[0], body[1]]),
            lai: LocationAreaId::parse(&body[2..7])?,
            cell_options: CellOptions::parse(body[7]),
            ncc_permitted: body[8],
            rest_octets_hex: to_hex(&body[9..]),
        })
    }
}

/// System Information Type 7 / 8 (TS 44.018 9.1.41, 9.1.42): only rest octets, which begin with
/// the SI4 Rest Octets O structure (10.5.2.36, 10.5.2.37).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si7or8 {
    pub rest_octets: RestOctets<Si4RestOctets>,
}

/// System Information Type 9 (TS 44.018 9.1.43): RACH control + scheduling rest octets (kept raw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si9 {
    pub rach_control: RachControl,
    pub rest_octets_hex: String,
}

impl Si9 {
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        need(body, 3)?;
        Ok(Self {
            rach_control: RachControl::parse(&body[0..3])?,
            rest_octets_hex: to_hex(&body[3..]),
        })
    }
}

/// GPRS Cell Options (TS 44.060 12.24) as carried in SI13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GprsCellOptions {
    /// Network mode of operation: 0 = NMO I, 1 = NMO II, 2 = NMO III.
    pub nmo: u8,
    pub t3168_coded: u8,
    pub t3192_coded: u8,
    pub drx_timer_max: u8,
    pub access_burst_type: u8,
    pub control_ack_type: u8,
    pub bs_cv_max: u8,
    pub pan: Option<(u8, u8, u8)>,
    /// Extension bits present (EGPRS, DTM, ...), not decoded.
    pub extension_length_bits: Option<u16>,
}

/// GPRS Power Control Parameters (TS 44.060 12.9a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GprsPowerControl {
    pub alpha: u8,
    pub t_avg_w: u8,
    pub t_avg_t: u8,
    pub pc_meas_chan: u8,
    pub n_avg_i: u8,
}

/// SI 13 Rest Octets contents (TS 44.018 10.5.2.37b).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si13RestOctets {
    pub bcch_change_mark: u8,
    pub si_change_field: u8,
    pub si13_change_mark: Option<u8>,
    /// True if a PBCCH is present (then the fields below are absent).
    pub pbcch_present: bool,
    pub rac: Option<u8>,
    pub spgc_ccch_sup: Option<bool>,
    pub priority_access_thr: Option<u8>,
    pub network_control_order: Option<u8>,
    pub gprs_cell_options: Option<GprsCellOptions>,
    pub power_control: Option<GprsPowerControl>,
    /// SGSNR (release-99 addition): SGSN is R99 or later.
    pub sgsnr: Option<bool>,
    /// SI_STATUS_IND (release-4 addition).
    pub si_status_ind: Option<bool>,
}

impl Si13RestOctets {
    pub fn parse(b: &[u8]) -> Result<Option<Self>, ParseError> {
        let mut r = BitReader::new(b);
        if !r.high() {
            return Ok(None);
        }
        let bcch_change_mark = r.u8(3)?;
        let si_change_field = r.u8(4)?;
        let mut si13_change_mark = None;
        if r.bit()? {
            si13_change_mark = Some(r.u8(2)?);
            // GPRS Mobile Allocation (TS 44.060 12.10): skip it.
            skip_gprs_mobile_allocation(&mut r)?;
        }
        let pbcch_present = r.bit()?;
        let mut ro = Self {
            bcch_change_mark,
            si_change_field,
            si13_change_mark,
            pbcch_present,
            rac: None,
            spgc_ccch_sup: None,
            priority_access_thr: None,
            network_control_order: None,
            gprs_cell_options: None,
            power_control: None,
            sgsnr: None,
            si_status_ind: None,
        };
        if pbcch_present {
            // PSI1_REPEAT_PERIOD + PBCCH description: not decoded further.
            return Ok(Some(ro));
        }
        ro.rac = Some(r.u8(8)?);
        ro.spgc_ccch_sup = Some(r.bit()?);
        ro.priority_access_thr = Some(r.u8(3)?);
        ro.network_control_order = Some(r.u8(2)?);
        let nmo = r.u8(2)?;
        let t3168_coded = r.u8(3)?;
        let t3192_coded = r.u8(3)?;
        let drx_timer_max = r.u8(3)?;
        let access_burst_type = r.u8(1)?;
        let control_ack_type = r.u8(1)?;
        let bs_cv_max = r.u8(4)?;
        let pan = if r.bit()? {
            Some((r.u8(3)?, r.u8(3)?, r.u8(3)?))
        } else {
            None
        };
        let extension_length_bits = if r.bit()? {
            let len = r.u16(6)? + 1;
            r.skip(usize::from(len))?;
            Some(len)
        } else {
            None
        };
        ro.gprs_cell_options = Some(GprsCellOptions {
            nmo,
            t3168_coded,
            t3192_coded,
            drx_timer_max,
            access_burst_type,
            control_ack_type,
            bs_cv_max,
            pan,
            extension_length_bits,
        });
        ro.power_control = Some(GprsPowerControl {
            alpha: r.u8(4)?,
            t_avg_w: r.u8(5)?,
            t_avg_t: r.u8(5)?,
            pc_meas_chan: r.u8(1)?,
            n_avg_i: r.u8(4)?,
        });
        if r.opt_high() == Some(true) {
            ro.sgsnr = Some(r.bit()?);
            if r.opt_high() == Some(true) {
                ro.si_status_ind = Some(r.bit()?);
            }
        }
        Ok(Some(ro))
    }
}

fn skip_gprs_mobile_allocation(r: &mut BitReader) -> Result<(), ParseError> {
    // < HSN : bit (6) > { 0 | 1 < RFL number list > } { 0 < MA_LENGTH : bit (6) > < MA_BITMAP >
    //   | 1 { 0 | 1 < ARFCN index list > } }   (TS 44.060 12.10)
    r.skip(6)?;
    while r.bit()? {
        r.skip(4)?;
    }
    if !r.bit()? {
        let len = usize::from(r.u8(6)?) + 1;
        r.skip(len)?;
    } else {
        while r.bit()? {
            r.skip(6)?;
        }
    }
    Ok(())
}

/// SI13 rest octets: `contents` is `None` when the first bit is L (no SI13 contents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si13Body {
    pub contents: Option<Si13RestOctets>,
}

impl Si13Body {
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        Ok(Self {
            contents: Si13RestOctets::parse(b)?,
        })
    }
}

/// System Information Type 13 (TS 44.018 9.1.43a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si13 {
    pub rest_octets: RestOctets<Si13Body>,
}
