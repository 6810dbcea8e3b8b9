//! Encoders for the BCCH/CCCH messages this crate decodes: System Information 1, 2, 2quater, 3,
//! 4 and 13 and Paging Request Type 1, as the 23-octet L2 blocks a BTS transmits (L2 pseudo
//! length, RR header, IEs, rest octets, `0x2B` spare padding).
//!
//! They exist for the synthetic-scene generator (`cellsentry-synth`): the encoder side of a codec
//! belongs next to its decoder. Inputs are the decoder's own typed IE structs (coded fields are
//! what is written; derived fields such as `max_retrans` or `*_db` are ignored), so that
//! `parse_l2_block(encode(x))` gives `x` back. The tests also check, byte for byte, the SI1-SI4
//! that osmo-bsc generated for its default and an "SMS blaster" configuration.
//!
//! Frequency lists are written in bit map 0 (all ARFCNs in 1..=124) or variable bit map (all
//! within 111 channels of the lowest) format, the choice osmo-bsc makes for these lists; lists
//! that would need a range format are an [`EncodeError`].

use crate::bits::PADDING_OCTET;
use crate::ie::{
    CellOptions, CellSelectionParameters, ControlChannelDescription, LocationAreaId,
    MobileIdentity, Plmn, RachControl,
};
use crate::si::{Si3RestOctets, Si4RestOctets};
use crate::si2quater::{EutranNeighbourGroup, ServingCellPriority};

/// Length of an L2 block on BCCH/CCCH (TS 44.006, TS 45.003 4.1.1: 184 bits).
pub const L2_BLOCK_OCTETS: usize = 23;

/// Why a message cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("invalid {what}: {why}")]
    Invalid { what: &'static str, why: String },
    #[error("{0} does not fit in a 23-octet block")]
    TooLong(&'static str),
}

fn invalid(what: &'static str, why: impl Into<String>) -> EncodeError {
    EncodeError::Invalid {
        what,
        why: why.into(),
    }
}

/// MSB-first bit writer for CSN.1 rest octets. `lh` writes L/H relative to the spare padding
/// pattern at the current position (TS 44.018 10.1.4), the inverse of `BitReader::high`.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    bytes: Vec<u8>,
    len_bits: usize,
}

impl BitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len_bits(&self) -> usize {
        self.len_bits
    }

    pub fn bit(&mut self, b: bool) {
        if self.len_bits.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if b {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 0x80 >> (self.len_bits % 8);
            }
        }
        self.len_bits += 1;
    }

    /// The low `n` bits of `v`, most significant first.
    pub fn bits(&mut self, n: usize, v: u32) {
        for i in (0..n).rev() {
            self.bit((v >> i) & 1 == 1);
        }
    }

    /// CSN.1 `L | H`: H when `high`.
    pub fn lh(&mut self, high: bool) {
        let pad = (PADDING_OCTET >> (7 - (self.len_bits % 8))) & 1 == 1;
        self.bit(pad != high);
    }

    /// The bits written, completed with spare padding to `len_octets` octets.
    pub fn into_padded(mut self, len_octets: usize) -> Result<Vec<u8>, EncodeError> {
        if self.len_bits > len_octets * 8 {
            return Err(EncodeError::TooLong("rest octets"));
        }
        while !self.len_bits.is_multiple_of(8) {
            self.lh(false);
        }
        self.bytes.resize(len_octets, PADDING_OCTET);
        Ok(self.bytes)
    }
}

fn digit(c: char, what: &'static str) -> Result<u8, EncodeError> {
    c.to_digit(10)
        .map(|d| d as u8)
        .ok_or_else(|| invalid(what, format!("'{c}' is not a decimal digit")))
}

/// PLMN as the 3 BCD octets of TS 24.008 10.5.1.3 (two-digit MNC: filler 0xF).
pub fn encode_plmn(plmn: &Plmn) -> Result<[u8; 3], EncodeError> {
    let mcc: Vec<char> = plmn.mcc.chars().collect();
    let mnc: Vec<char> = plmn.mnc.chars().collect();
    if mcc.len() != 3 {
        return Err(invalid(
            "MCC",
            format!("\"{}\" must have 3 digits", plmn.mcc),
        ));
    }
    if !(2..=3).contains(&mnc.len()) {
        return Err(invalid(
            "MNC",
            format!("\"{}\" must have 2 or 3 digits", plmn.mnc),
        ));
    }
    // A generator of misbehaving cells must be able to send what a fake cell may: BCD nibbles
    // 0xA-0xE are accepted as hex letters (0xF is the MNC filler and cannot be a digit).
    let bcd = |c: char, what: &'static str| -> Result<u8, EncodeError> {
        c.to_digit(16)
            .filter(|d| *d < 0xf)
            .map(|d| d as u8)
            .ok_or_else(|| invalid(what, format!("'{c}' is not a BCD digit (0-9, a-e)")))
    };
    let m = |i: usize| bcd(mcc[i], "MCC");
    let n = |i: usize| bcd(mnc[i], "MNC");
    let mnc3 = if mnc.len() == 3 { n(2)? } else { 0x0f };
    Ok([
        (m(1)? << 4) | m(0)?,
        (mnc3 << 4) | m(2)?,
        (n(1)? << 4) | n(0)?,
    ])
}

/// Location Area Identification (TS 24.008 10.5.1.3).
pub fn encode_lai(lai: &LocationAreaId) -> Result<[u8; 5], EncodeError> {
    let p = encode_plmn(&lai.plmn)?;
    let l = lai.lac.to_be_bytes();
    Ok([p[0], p[1], p[2], l[0], l[1]])
}

/// RACH Control Parameters (TS 44.018 10.5.2.29) from the coded fields and `acc_raw`.
pub fn encode_rach_control(r: &RachControl) -> Result<[u8; 3], EncodeError> {
    if r.max_retrans_coded > 3 || r.tx_integer_coded > 15 {
        return Err(invalid("RACH control", "coded field out of range"));
    }
    let acc = r.acc_raw.to_be_bytes();
    Ok([
        (r.max_retrans_coded << 6)
            | (r.tx_integer_coded << 2)
            | (u8::from(r.cell_bar_access) << 1)
            | u8::from(r.re_not_allowed),
        acc[0],
        acc[1],
    ])
}

/// Control Channel Description (TS 44.018 10.5.2.11).
pub fn encode_control_channel(c: &ControlChannelDescription) -> Result<[u8; 3], EncodeError> {
    if c.bs_ag_blks_res > 7 || c.ccch_conf > 7 || c.cbq3 > 3 || c.bs_pa_mfrms_coded > 7 {
        return Err(invalid("control channel description", "field out of range"));
    }
    Ok([
        (u8::from(c.mscr) << 7) | (u8::from(c.att) << 6) | (c.bs_ag_blks_res << 3) | c.ccch_conf,
        (c.cbq3 << 5) | c.bs_pa_mfrms_coded,
        c.t3212_decihours,
    ])
}

/// Cell Options (BCCH) (TS 44.018 10.5.2.3); bit 8 (DN-IND) is 0.
pub fn encode_cell_options(o: &CellOptions) -> Result<u8, EncodeError> {
    if o.dtx > 3 || o.radio_link_timeout_coded > 15 {
        return Err(invalid("cell options", "field out of range"));
    }
    Ok((u8::from(o.pwrc) << 6) | (o.dtx << 4) | o.radio_link_timeout_coded)
}

/// Cell Selection Parameters (TS 44.018 10.5.2.4).
pub fn encode_cell_selection(s: &CellSelectionParameters) -> Result<[u8; 2], EncodeError> {
    if s.cell_reselect_hysteresis_coded > 7 || s.ms_txpwr_max_cch > 31 {
        return Err(invalid("cell selection parameters", "field out of range"));
    }
    if s.rxlev_access_min_coded > 63 {
        return Err(invalid("RXLEV_ACCESS_MIN", "coded value above 63"));
    }
    Ok([
        (s.cell_reselect_hysteresis_coded << 5) | s.ms_txpwr_max_cch,
        (u8::from(s.acs) << 7) | (u8::from(s.neci) << 6) | s.rxlev_access_min_coded,
    ])
}

/// A 16-octet frequency list (TS 44.018 10.5.2.13) in bit map 0 or variable bit map format.
/// `first_octet_flags` are ORed into octet 1 (EXT-IND / BA-IND bits of 10.5.2.22).
pub fn encode_frequency_list(
    arfcns: &[u16],
    first_octet_flags: u8,
) -> Result<[u8; 16], EncodeError> {
    let mut out = [0u8; 16];
    if arfcns.iter().all(|&a| (1..=124).contains(&a)) {
        // 10.5.2.13.2: octet 2 bits 4..1 = ARFCN 124..121, octet 17 bit 1 = ARFCN 1.
        for &n in arfcns {
            let idx = 15 - usize::from((n - 1) / 8);
            out[idx] |= 1 << ((n - 1) % 8);
        }
        out[0] |= first_octet_flags;
        return Ok(out);
    }
    if let Some(&a) = arfcns.iter().find(|&&a| a > 1023) {
        return Err(invalid("ARFCN", format!("{a} is above 1023")));
    }
    let orig = *arfcns.iter().min().unwrap_or(&0);
    let max = *arfcns.iter().max().unwrap_or(&0);
    if max - orig > 111 {
        return Err(invalid(
            "frequency list",
            format!(
                "ARFCNs {orig}..{max} span more than a variable bit map holds (111); range \
                 formats are not encoded"
            ),
        ));
    }
    // 10.5.2.13.7: format 1000111, ORIG-ARFCN (10 bits), RRFCN 1..111 bit map.
    let mut w = BitWriter::new();
    w.bits(7, 0b100_0111);
    w.bits(10, u32::from(orig));
    for off in 1..=111u16 {
        w.bit(arfcns.contains(&(orig + off)));
    }
    for (o, b) in out.iter_mut().zip(w.bytes.iter()) {
        *o = *b;
    }
    out[0] |= first_octet_flags;
    Ok(out)
}

fn block(pseudo_len: usize, l3: &[u8], rest: &[u8]) -> Result<[u8; 23], EncodeError> {
    let mut out = [PADDING_OCTET; 23];
    if 1 + l3.len() + rest.len() > L2_BLOCK_OCTETS {
        return Err(EncodeError::TooLong("message"));
    }
    out[0] = ((pseudo_len as u8) << 2) | 0x01;
    out[1..1 + l3.len()].copy_from_slice(l3);
    out[1 + l3.len()..1 + l3.len() + rest.len()].copy_from_slice(rest);
    Ok(out)
}

/// RR header octets: protocol discriminator 6 (RR), skip indicator 0, message type.
fn rr(mt: u8) -> Vec<u8> {
    vec![0x06, mt]
}

/// System Information Type 1 (TS 44.018 9.1.31): cell allocation, RACH control, SI1 rest octets
/// (no NCH; BAND_INDICATOR H for PCS1900).
pub fn si1(
    cell_arfcns: &[u16],
    rach: &RachControl,
    band_indicator_pcs1900: bool,
) -> Result<[u8; 23], EncodeError> {
    let mut l3 = rr(0x19);
    l3.extend_from_slice(&encode_frequency_list(cell_arfcns, 0)?);
    l3.extend_from_slice(&encode_rach_control(rach)?);
    let mut w = BitWriter::new();
    w.lh(false);
    w.lh(band_indicator_pcs1900);
    block(l3.len(), &l3, &w.into_padded(1)?)
}

/// System Information Type 2 (TS 44.018 9.1.32): BA list (Neighbour Cell Description
/// 10.5.2.22), NCC permitted, RACH control.
pub fn si2(
    neighbour_arfcns: &[u16],
    ext_ind: bool,
    ba_ind: u8,
    ncc_permitted: u8,
    rach: &RachControl,
) -> Result<[u8; 23], EncodeError> {
    let mut l3 = rr(0x1a);
    let flags = (u8::from(ext_ind) << 5) | ((ba_ind & 1) << 4);
    l3.extend_from_slice(&encode_frequency_list(neighbour_arfcns, flags)?);
    l3.push(ncc_permitted);
    l3.extend_from_slice(&encode_rach_control(rach)?);
    block(l3.len(), &l3, &[])
}

fn selection_parameters(
    w: &mut BitWriter,
    s: &Option<crate::si::SelectionParameters>,
) -> Result<(), EncodeError> {
    w.lh(s.is_some());
    if let Some(s) = s {
        if s.cell_reselect_offset_coded > 63
            || s.temporary_offset_coded > 7
            || s.penalty_time_coded > 31
        {
            return Err(invalid("selection parameters", "coded field out of range"));
        }
        w.bit(s.cbq);
        w.bits(6, u32::from(s.cell_reselect_offset_coded));
        w.bits(3, u32::from(s.temporary_offset_coded));
        w.bits(5, u32::from(s.penalty_time_coded));
    }
    Ok(())
}

fn opt_lh_field(w: &mut BitWriter, v: Option<u8>, n: usize) {
    w.lh(v.is_some());
    if let Some(v) = v {
        w.bits(n, u32::from(v));
    }
}

fn gprs_indicator(w: &mut BitWriter, g: &Option<crate::si::GprsIndicator>) {
    w.lh(g.is_some());
    if let Some(g) = g {
        w.bits(3, u32::from(g.ra_colour));
        w.bits(1, u32::from(g.si13_position));
    }
}

/// SI 3 Rest Octets (TS 44.018 10.5.2.34), 4 octets.
pub fn encode_si3_rest_octets(ro: &Si3RestOctets) -> Result<Vec<u8>, EncodeError> {
    let mut w = BitWriter::new();
    selection_parameters(&mut w, &ro.selection_parameters)?;
    opt_lh_field(&mut w, ro.power_offset, 2);
    w.lh(ro.si2ter_indicator);
    w.lh(ro.early_classmark_sending);
    opt_lh_field(&mut w, ro.scheduling_where, 3);
    gprs_indicator(&mut w, &ro.gprs_indicator);
    w.lh(ro.early_classmark_sending_restriction_3g);
    opt_lh_field(&mut w, ro.si2quater_position, 1);
    if ro.gprs_indicator.is_none() {
        opt_lh_field(&mut w, ro.si13alt_position, 1);
    }
    if ro.scheduling_where.is_none() {
        opt_lh_field(&mut w, ro.si21_position, 1);
    }
    w.into_padded(4)
}

/// SI 4 Rest Octets O part (TS 44.018 10.5.2.35); `len_octets` is what is left of the block.
pub fn encode_si4_rest_octets(
    ro: &Si4RestOctets,
    len_octets: usize,
) -> Result<Vec<u8>, EncodeError> {
    let mut w = BitWriter::new();
    selection_parameters(&mut w, &ro.selection_parameters)?;
    opt_lh_field(&mut w, ro.power_offset, 2);
    gprs_indicator(&mut w, &ro.gprs_indicator);
    if ro.s_part_present {
        return Err(invalid("SI4 rest octets", "the S part is not encoded"));
    }
    w.lh(false);
    w.into_padded(len_octets)
}

/// System Information Type 3 (TS 44.018 9.1.35).
#[allow(clippy::too_many_arguments)]
pub fn si3(
    cell_identity: u16,
    lai: &LocationAreaId,
    control_channel: &ControlChannelDescription,
    cell_options: &CellOptions,
    cell_selection: &CellSelectionParameters,
    rach: &RachControl,
    rest: &Si3RestOctets,
) -> Result<[u8; 23], EncodeError> {
    let mut l3 = rr(0x1b);
    l3.extend_from_slice(&cell_identity.to_be_bytes());
    l3.extend_from_slice(&encode_lai(lai)?);
    l3.extend_from_slice(&encode_control_channel(control_channel)?);
    l3.push(encode_cell_options(cell_options)?);
    l3.extend_from_slice(&encode_cell_selection(cell_selection)?);
    l3.extend_from_slice(&encode_rach_control(rach)?);
    block(l3.len(), &l3, &encode_si3_rest_octets(rest)?)
}

/// System Information Type 4 (TS 44.018 9.1.36), without CBCH.
pub fn si4(
    lai: &LocationAreaId,
    cell_selection: &CellSelectionParameters,
    rach: &RachControl,
    rest: &Si4RestOctets,
) -> Result<[u8; 23], EncodeError> {
    let mut l3 = rr(0x1c);
    l3.extend_from_slice(&encode_lai(lai)?);
    l3.extend_from_slice(&encode_cell_selection(cell_selection)?);
    l3.extend_from_slice(&encode_rach_control(rach)?);
    let rest = encode_si4_rest_octets(rest, L2_BLOCK_OCTETS - 1 - l3.len())?;
    block(l3.len(), &l3, &rest)
}

/// What an SI2quater carries here: the Rel-8 Priority and E-UTRAN Parameters Description
/// (TS 44.018 10.5.2.33b), i.e. GERAN priority and E-UTRAN neighbour frequencies with priorities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Si2quaterParams {
    pub ba_ind: u8,
    pub ba_ind_3g: u8,
    pub mp_change_mark: u8,
    /// SI2quater_INDEX and SI2quater_COUNT (one instance: 0 and 0).
    pub index: u8,
    pub count: u8,
    pub serving_cell_priority: Option<ServingCellPriority>,
    pub eutran_neighbours: Vec<EutranNeighbourGroup>,
}

/// System Information Type 2quater (TS 44.018 9.1.34a) with the rest octets of 10.5.2.33b: no
/// 2G/3G measurement descriptions, Rel-5/6/7 additions empty, Rel-8 priorities and E-UTRAN
/// neighbours (E-UTRAN_Start and _Stop set: one instance carries the whole list).
pub fn si2quater(p: &Si2quaterParams) -> Result<[u8; 23], EncodeError> {
    let mut w = BitWriter::new();
    w.bits(1, u32::from(p.ba_ind));
    w.bits(1, u32::from(p.ba_ind_3g));
    w.bits(1, u32::from(p.mp_change_mark));
    w.bits(4, u32::from(p.index));
    w.bits(4, u32::from(p.count));
    // Measurement, RTD, BSIC, report priority, GPRS measurement, NC measurement, extension,
    // 3G neighbour, 3G measurement, GPRS 3G measurement descriptions: all absent.
    for _ in 0..10 {
        w.bit(false);
    }
    w.lh(true); // Rel-5 additions
    w.bit(false); // 3G Additional Measurement Parameters Description
    w.bit(false); // 3G Additional Measurement Parameters Description 2
    w.lh(true); // Rel-6 additions
    w.bit(false); // 3G_CCN_ACTIVE
    w.lh(true); // Rel-7 additions
    w.bit(false); // 700 reporting
    w.bit(false); // 810 reporting
    w.lh(true); // Rel-8 additions
    w.bit(true); // Priority and E-UTRAN Parameters Description
    w.bit(p.serving_cell_priority.is_some());
    if let Some(s) = &p.serving_cell_priority {
        w.bits(3, u32::from(s.geran_priority));
        w.bits(4, u32::from(s.thresh_priority_search));
        w.bits(4, u32::from(s.thresh_gsm_low));
        w.bits(2, u32::from(s.h_prio));
        w.bits(2, u32::from(s.t_reselection));
    }
    w.bit(false); // 3G Priority Parameters Description
    let eutran = !p.eutran_neighbours.is_empty();
    w.bit(eutran);
    if eutran {
        w.bit(false); // E-UTRAN_CCN_ACTIVE
        w.bit(true); // E-UTRAN_Start
        w.bit(true); // E-UTRAN_Stop
        w.bit(false); // E-UTRAN Measurement Parameters Description
        w.bit(false); // GPRS E-UTRAN Measurement Parameters Description
        for g in &p.eutran_neighbours {
            w.bit(true);
            for (i, &earfcn) in g.earfcns.iter().enumerate() {
                w.bit(true);
                w.bits(16, u32::from(earfcn));
                let bw = g.measurement_bandwidths.get(i).copied().flatten();
                w.bit(bw.is_some());
                if let Some(bw) = bw {
                    w.bits(3, u32::from(bw));
                }
            }
            w.bit(false);
            w.bit(g.priority.is_some());
            if let Some(pr) = g.priority {
                w.bits(3, u32::from(pr));
            }
            w.bits(5, u32::from(g.thresh_high));
            w.bit(g.thresh_low.is_some());
            if let Some(t) = g.thresh_low {
                w.bits(5, u32::from(t));
            }
            w.bit(g.qrxlevmin.is_some());
            if let Some(q) = g.qrxlevmin {
                w.bits(5, u32::from(q));
            }
        }
        w.bit(false); // end of E-UTRAN neighbour groups
        w.bit(false); // no E-UTRAN Not Allowed Cells
    }
    w.bit(false); // 3G CSG Description
    w.bit(false); // E-UTRAN CSG Description
    let rest = w.into_padded(20)?;
    let l3 = rr(0x07);
    block(l3.len(), &l3, &rest)
}

/// SI13 contents (TS 44.018 10.5.2.37b, TS 44.060 12.24 / 12.9a): a GPRS cell without PBCCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Si13Params {
    pub bcch_change_mark: u8,
    pub si_change_field: u8,
    pub rac: u8,
    /// Network mode of operation coded (0 = NMO I, 1 = NMO II).
    pub nmo: u8,
}

impl Default for Si13Params {
    fn default() -> Self {
        Si13Params {
            bcch_change_mark: 0,
            si_change_field: 0,
            rac: 0,
            nmo: 1,
        }
    }
}

/// System Information Type 13 (TS 44.018 9.1.43a); L2 pseudo length 0 as the message defines.
/// GPRS cell options and power control carry common defaults (T3168 coded 4, T3192 coded 0,
/// DRX_TIMER_MAX 3, BS_CV_MAX 15, ALPHA 0, T_AVG_W/T 16, N_AVG_I 15), then SGSNR = R99.
pub fn si13(p: &Si13Params) -> Result<[u8; 23], EncodeError> {
    let mut w = BitWriter::new();
    w.lh(true);
    w.bits(3, u32::from(p.bcch_change_mark));
    w.bits(4, u32::from(p.si_change_field));
    w.bit(false); // no SI13_CHANGE_MARK / GPRS Mobile Allocation
    w.bit(false); // no PBCCH
    w.bits(8, u32::from(p.rac));
    w.bit(false); // SPGC_CCCH_SUP
    w.bits(3, 0b110); // PRIORITY_ACCESS_THR: packet access allowed for all priorities
    w.bits(2, 0); // NETWORK_CONTROL_ORDER NC0
    w.bits(2, u32::from(p.nmo));
    w.bits(3, 4); // T3168
    w.bits(3, 0); // T3192
    w.bits(3, 3); // DRX_TIMER_MAX
    w.bit(false); // ACCESS_BURST_TYPE
    w.bit(true); // CONTROL_ACK_TYPE
    w.bits(4, 15); // BS_CV_MAX
    w.bit(false); // no PAN
    w.bit(false); // no extension bits
    w.bits(4, 0); // ALPHA
    w.bits(5, 16); // T_AVG_W
    w.bits(5, 16); // T_AVG_T
    w.bit(false); // PC_MEAS_CHAN
    w.bits(4, 15); // N_AVG_I
    w.lh(true); // Rel-99 additions
    w.bit(true); // SGSNR
    w.lh(true); // Rel-4 additions
    w.bit(false); // SI_STATUS_IND
    let rest = w.into_padded(20)?;
    let l3 = rr(0x00);
    block(0, &l3, &rest)
}

/// Mobile Identity value part (TS 24.008 10.5.1.4) for IMSI (decimal digits), TMSI (8 hex
/// digits) or no identity.
pub fn encode_mobile_identity(id: &MobileIdentity) -> Result<Vec<u8>, EncodeError> {
    match id {
        MobileIdentity::NoIdentity => Ok(vec![0xf0]),
        MobileIdentity::Tmsi(hex) => {
            let v = u32::from_str_radix(hex, 16)
                .ok()
                .filter(|_| hex.len() == 8)
                .ok_or_else(|| invalid("TMSI", format!("\"{hex}\" is not 8 hex digits")))?;
            let mut out = vec![0xf4];
            out.extend_from_slice(&v.to_be_bytes());
            Ok(out)
        }
        MobileIdentity::Imsi(digits) => {
            let d: Vec<u8> = digits
                .chars()
                .map(|c| digit(c, "IMSI"))
                .collect::<Result<_, _>>()?;
            if d.is_empty() || d.len() > 15 {
                return Err(invalid("IMSI", "needs 1 to 15 digits"));
            }
            let odd = d.len() % 2 == 1;
            let mut out = vec![(d[0] << 4) | (u8::from(odd) << 3) | 1];
            for pair in d[1..].chunks(2) {
                let hi = pair.get(1).copied().unwrap_or(0x0f);
                out.push((hi << 4) | pair[0]);
            }
            Ok(out)
        }
        other => Err(invalid(
            "paged identity",
            format!("{} cannot be paged here", other.type_name()),
        )),
    }
}

/// Paging Request Type 1 (TS 44.018 9.1.22): page mode normal, channel needed "any", one or two
/// identities; with none it is the idle filler `15 06 21 00 01 f0 2b ..` osmo-bts sends.
pub fn paging_request_1(ids: &[MobileIdentity]) -> Result<[u8; 23], EncodeError> {
    if ids.len() > 2 {
        return Err(invalid(
            "paging request",
            "at most two identities per message",
        ));
    }
    let mut l3 = rr(0x21);
    l3.push(0x00);
    let first = match ids.first() {
        Some(id) => encode_mobile_identity(id)?,
        None => vec![0xf0],
    };
    l3.push(first.len() as u8);
    l3.extend_from_slice(&first);
    if let Some(id) = ids.get(1) {
        let v = encode_mobile_identity(id)?;
        l3.push(0x17);
        l3.push(v.len() as u8);
        l3.extend_from_slice(&v);
    }
    block(l3.len(), &l3, &[])
}

/// The L2 fill frame of an idle SDCCH (LAPDm UI frame, no information: `03 03 01 2b ..`).
pub const SDCCH_FILL_FRAME: [u8; 23] = [
    0x03, 0x03, 0x01, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
    0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
];
