//! Conversion of the generated TS 36.331 types (crate `types_lte_3gpp`) into this crate's plain
//! summaries. Enumerated IEs arrive as indices; the tables here turn them into the units the
//! spec's ASN.1 names (rf16 -> 16 frames, dB-24 -> -24 dB). Every index lookup is checked, so a
//! value the generated decoder let through but the spec does not define is an error, not a panic.

use types_lte_3gpp::export::asn1_codecs::uper::decode::{
    decode_choice_idx, decode_length_determinent,
};
use types_lte_3gpp::export::asn1_codecs::uper::UperCodec;
use types_lte_3gpp::export::asn1_codecs::{PerCodecData, PerCodecError};
use types_lte_3gpp::uper::spec_rrc as rrc;

use crate::types::*;
use crate::RrcError;

/// Value of `table[idx]`, or an error naming the IE.
fn pick<T: Copy>(table: &[T], idx: impl Into<usize>, field: &'static str) -> Result<T, RrcError> {
    let idx = idx.into();
    table.get(idx).copied().ok_or(RrcError::OutOfRange {
        field,
        value: idx as i64,
    })
}

/// MSB-first bit iterator -> integer.
fn bits_value(bits: impl Iterator<Item = bool>) -> u32 {
    bits.fold(0, |acc, b| (acc << 1) | u32::from(b))
}

/// ReselectionThreshold: actual value = IE x 2 dB (TS 36.331 6.3.4).
fn threshold_db(v: u8) -> u8 {
    v.saturating_mul(2)
}

/// Q-RxLevMin: actual value = IE x 2 dBm (TS 36.331 6.3.4).
fn q_rx_lev_min_dbm(v: i8) -> i16 {
    i16::from(v) * 2
}

const Q_OFFSET_RANGE_DB: [i8; 31] = [
    -24, -22, -20, -18, -16, -14, -12, -10, -8, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 8, 10,
    12, 14, 16, 18, 20, 22, 24,
];
const ALLOWED_MEAS_BW_PRB: [u8; 6] = [6, 15, 25, 50, 75, 100];
const PCI_RANGE_COUNT: [u16; 16] = [
    4, 8, 12, 16, 24, 32, 48, 64, 84, 96, 128, 168, 252, 504, 0, 0,
];

/// SIB-Type names (TS 36.331 6.3.1 SIB-Type): root values then the extension additions.
const SIB_TYPE_ROOT: [&str; 16] = [
    "sibType3",
    "sibType4",
    "sibType5",
    "sibType6",
    "sibType7",
    "sibType8",
    "sibType9",
    "sibType10",
    "sibType11",
    "sibType12-v920",
    "sibType13-v920",
    "sibType14-v1130",
    "sibType15-v1130",
    "sibType16-v1130",
    "sibType17-v1250",
    "sibType18-v1250",
];
const SIB_TYPE_EXT: [&str; 10] = [
    "sibType19-v1250",
    "sibType20-v1310",
    "sibType21-v1430",
    "sibType24-v1530",
    "sibType25-v1530",
    "sibType26-v1530",
    "sibType26a-v1610",
    "sibType27-v1610",
    "sibType28-v1610",
    "sibType29-v1610",
];

pub(crate) fn sib_type_name(index: i128, extended: bool) -> String {
    let table: &[&str] = if extended {
        &SIB_TYPE_EXT
    } else {
        &SIB_TYPE_ROOT
    };
    usize::try_from(index)
        .ok()
        .and_then(|i| table.get(i))
        .map(|s| (*s).to_string())
        .unwrap_or_else(|| format!("sibTypeExt{index}"))
}

fn pci_range(r: &rrc::PhysCellIdRange) -> Result<PciRange, RrcError> {
    let count = match &r.range {
        Some(range) => pick(&PCI_RANGE_COUNT, range.0, "PhysCellIdRange range")?,
        None => 1,
    };
    Ok(PciRange {
        start: r.start.0,
        count,
    })
}

fn pci_ranges(list: &[rrc::PhysCellIdRange]) -> Result<Vec<PciRange>, RrcError> {
    list.iter().map(pci_range).collect()
}

fn digits(d: &[rrc::MCC_MNC_Digit]) -> String {
    d.iter()
        .map(|x| char::from_digit(u32::from(x.0), 10).unwrap_or('?'))
        .collect()
}

/// SystemInformationBlockType1 -> summary. `sib_types` is the extension-aware re-read of every
/// `sib-MappingInfo` (see `crate::sched`), one list per scheduling entry.
pub(crate) fn sib1(
    s: &rrc::SystemInformationBlockType1,
    sib_types: Vec<Vec<String>>,
    raw: &[u8],
) -> Result<Sib1Summary, RrcError> {
    let cari = &s.cell_access_related_info;
    let mut plmns = Vec::with_capacity(cari.plmn_identity_list.0.len());
    let mut last_mcc: Option<String> = None;
    for p in &cari.plmn_identity_list.0 {
        let (mcc, inherited) = match &p.plmn_identity.mcc {
            Some(m) => (digits(&m.0), false),
            None => (
                last_mcc.clone().ok_or(RrcError::Malformed {
                    len: raw.len(),
                    detail: "first PLMN-Identity has no MCC".into(),
                })?,
                true,
            ),
        };
        last_mcc = Some(mcc.clone());
        plmns.push(PlmnInfo {
            mcc,
            mnc: digits(&p.plmn_identity.mnc.0),
            mcc_inherited: inherited,
            reserved_for_operator_use: p.cell_reserved_for_operator_use.0 == 0,
        });
    }
    let cell_identity = bits_value(cari.cell_identity.0.iter().by_vals());
    let csi = &s.cell_selection_info;

    if sib_types.len() != s.scheduling_info_list.0.len() {
        return Err(RrcError::Malformed {
            len: raw.len(),
            detail: "schedulingInfoList re-read disagrees with the decoder".into(),
        });
    }
    let scheduling = s
        .scheduling_info_list
        .0
        .iter()
        .zip(sib_types)
        .map(|(si, types)| {
            Ok(SchedulingInfo {
                si_periodicity_rf: pick(
                    &[8u16, 16, 32, 64, 128, 256, 512],
                    si.si_periodicity.0,
                    "si-Periodicity",
                )?,
                sib_types: types,
            })
        })
        .collect::<Result<Vec<_>, RrcError>>()?;

    let mut out = Sib1Summary {
        plmns,
        tracking_area_code: bits_value(cari.tracking_area_code.0.iter().by_vals()) as u16,
        cell_identity,
        enb_id: cell_identity >> 8,
        local_cell_id: (cell_identity & 0xff) as u8,
        cell_barred: cari.cell_barred.0 == 0,
        intra_freq_reselection_allowed: cari.intra_freq_reselection.0 == 0,
        csg_indication: cari.csg_indication.0,
        csg_identity: cari
            .csg_identity
            .as_ref()
            .map(|c| bits_value(c.0.iter().by_vals())),
        q_rx_lev_min_dbm: q_rx_lev_min_dbm(csi.q_rx_lev_min.0),
        q_rx_lev_min_offset_db: csi.q_rx_lev_min_offset.as_ref().map(|o| o.0 * 2),
        p_max_dbm: s.p_max.as_ref().map(|p| p.0),
        freq_band_indicator: u16::from(s.freq_band_indicator.0),
        multi_band_info_list: Vec::new(),
        scheduling,
        si_window_length_ms: pick(
            &[1u8, 2, 5, 10, 15, 20, 40],
            s.si_window_length.0,
            "si-WindowLength",
        )?,
        system_info_value_tag: s.system_info_value_tag.0,
        tdd_config: s.tdd_config.as_ref().map(|t| TddConfig {
            subframe_assignment: t.subframe_assignment.0,
            special_subframe_pattern: t.special_subframe_patterns.0,
        }),
        ims_emergency_support: false,
        q_qual_min_db: None,
        q_qual_min_offset_db: None,
        non_critical_extension_undecodable: false,
        raw: raw.to_vec(),
    };

    if let Some(v890) = &s.non_critical_extension {
        if let Some(late) = &v890.late_non_critical_extension {
            apply_v8h0(&mut out, &late.0);
        }
        if let Some(v920) = &v890.non_critical_extension {
            out.ims_emergency_support = v920.ims_emergency_support_r9.is_some();
            if let Some(c) = &v920.cell_selection_info_v920 {
                out.q_qual_min_db = Some(c.q_qual_min_r9.0);
                out.q_qual_min_offset_db = c.q_qual_min_offset_r9.as_ref().map(|o| o.0);
            }
        }
    }
    Ok(out)
}

/// SIB1 `lateNonCriticalExtension` holds a UPER-encoded SystemInformationBlockType1-v8h0-IEs
/// (TS 36.331 6.2.2): multiBandInfoList, and band numbers above 64 in v9e0. It is optional
/// detail, so an undecodable one is ignored rather than failing the whole SIB1.
fn apply_v8h0(out: &mut Sib1Summary, bytes: &[u8]) {
    let decoded = std::panic::catch_unwind(|| {
        let mut data = PerCodecData::from_slice_uper(bytes);
        rrc::SystemInformationBlockType1_v8h0_IEs::uper_decode(&mut data)
    });
    let Ok(Ok(v8h0)) = decoded else { return };
    let mut bands: Vec<u16> = v8h0
        .multi_band_info_list
        .as_ref()
        .map(|l| l.0.iter().map(|b| u16::from(b.0)).collect())
        .unwrap_or_default();
    if let Some(v9e0) = &v8h0.non_critical_extension {
        if let Some(b) = &v9e0.freq_band_indicator_v9e0 {
            out.freq_band_indicator = b.0;
        }
        if let Some(list) = &v9e0.multi_band_info_list_v9e0 {
            for (band, ext) in bands.iter_mut().zip(&list.0) {
                if let Some(b) = &ext.freq_band_indicator_v9e0 {
                    *band = b.0;
                }
            }
        }
    }
    out.multi_band_info_list = bands;
}

fn ac_barring_config(c: &rrc::AC_BarringConfig) -> Result<AcBarringConfig, RrcError> {
    Ok(AcBarringConfig {
        factor_percent: pick(
            &[
                0u8, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95,
            ],
            c.ac_barring_factor.0,
            "ac-BarringFactor",
        )?,
        time_s: pick(
            &[4u16, 8, 16, 32, 64, 128, 256, 512],
            c.ac_barring_time.0,
            "ac-BarringTime",
        )?,
        special_ac_bits: bits_value(c.ac_barring_for_special_ac.0.iter().by_vals()) as u8,
    })
}

fn sib2(s: &rrc::SystemInformationBlockType2) -> Result<Sib2Summary, RrcError> {
    let ac_barring = match &s.ac_barring_info {
        Some(a) => Some(AcBarringInfo {
            for_emergency: a.ac_barring_for_emergency.0,
            mo_signalling: a
                .ac_barring_for_mo_signalling
                .as_ref()
                .map(ac_barring_config)
                .transpose()?,
            mo_data: a
                .ac_barring_for_mo_data
                .as_ref()
                .map(ac_barring_config)
                .transpose()?,
        }),
        None => None,
    };
    let rr = &s.radio_resource_config_common;
    let rach = &rr.rach_config_common;
    let sup = &rach.ra_supervision_info;
    let prach = &rr.prach_config.prach_config_info;
    let ul_pc = &rr.uplink_power_control_common;
    let t = &s.ue_timers_and_constants;
    Ok(Sib2Summary {
        ac_barring,
        rach: RachConfig {
            number_of_ra_preambles: 4 * (rach.preamble_info.number_of_ra_preambles.0 + 1),
            preambles_group_a_configured: rach.preamble_info.preambles_group_a_config.is_some(),
            power_ramping_step_db: 2 * rach.power_ramping_parameters.power_ramping_step.0,
            preamble_initial_received_target_power_dbm: -120
                + 2 * i16::from(
                    rach.power_ramping_parameters
                        .preamble_initial_received_target_power
                        .0,
                ),
            preamble_trans_max: pick(
                &[3u8, 4, 5, 6, 7, 8, 10, 20, 50, 100, 200],
                sup.preamble_trans_max.0,
                "preambleTransMax",
            )?,
            ra_response_window_sf: pick(
                &[2u8, 3, 4, 5, 6, 7, 8, 10],
                sup.ra_response_window_size.0,
                "ra-ResponseWindowSize",
            )?,
            mac_contention_resolution_timer_sf: 8 * (sup.mac_contention_resolution_timer.0 + 1),
            max_harq_msg3_tx: rach.max_harq_msg3_tx.0,
        },
        modification_period_coeff: 2u8 << rr.bcch_config.modification_period_coeff.0,
        default_paging_cycle_rf: 32u16 << rr.pcch_config.default_paging_cycle.0,
        paging_nb: pick(
            &[
                "fourT",
                "twoT",
                "oneT",
                "halfT",
                "quarterT",
                "oneEighthT",
                "oneSixteenthT",
                "oneThirtySecondT",
            ],
            rr.pcch_config.nb.0,
            "nB",
        )?
        .to_string(),
        prach: PrachConfig {
            root_sequence_index: rr.prach_config.root_sequence_index.0,
            config_index: prach.prach_config_index.0,
            high_speed_flag: prach.high_speed_flag.0,
            zero_correlation_zone_config: prach.zero_correlation_zone_config.0,
            freq_offset_prb: prach.prach_freq_offset.0,
        },
        reference_signal_power_dbm: rr.pdsch_config_common.reference_signal_power.0,
        p_b: rr.pdsch_config_common.p_b.0,
        n1_pucch_an: rr.pucch_config_common.n1pucch_an.0,
        srs_configured: matches!(
            rr.sounding_rs_ul_config_common,
            rrc::SoundingRS_UL_ConfigCommon::Setup(_)
        ),
        p0_nominal_pusch_dbm: ul_pc.p0_nominal_pusch.0,
        p0_nominal_pucch_dbm: ul_pc.p0_nominal_pucch.0,
        ul_cyclic_prefix_extended: rr.ul_cyclic_prefix_length.0 == 1,
        timers: UeTimers {
            t300_ms: pick(
                &[100u16, 200, 300, 400, 600, 1000, 1500, 2000],
                t.t300.0,
                "t300",
            )?,
            t301_ms: pick(
                &[100u16, 200, 300, 400, 600, 1000, 1500, 2000],
                t.t301.0,
                "t301",
            )?,
            t310_ms: pick(&[0u16, 50, 100, 200, 500, 1000, 2000], t.t310.0, "t310")?,
            n310: pick(&[1u8, 2, 3, 4, 6, 8, 10, 20], t.n310.0, "n310")?,
            t311_ms: pick(
                &[1000u16, 3000, 5000, 10000, 15000, 20000, 30000],
                t.t311.0,
                "t311",
            )?,
            n311: pick(&[1u8, 2, 3, 4, 5, 6, 8, 10], t.n311.0, "n311")?,
        },
        ul_carrier_earfcn: s.freq_info.ul_carrier_freq.as_ref().map(|f| f.0),
        ul_bandwidth_prb: s
            .freq_info
            .ul_bandwidth
            .as_ref()
            .map(|b| pick(&ALLOWED_MEAS_BW_PRB, b.0, "ul-Bandwidth"))
            .transpose()?,
        additional_spectrum_emission: s.freq_info.additional_spectrum_emission.0,
        mbsfn_subframe_configs: s
            .mbsfn_subframe_config_list
            .as_ref()
            .map_or(0, |l| l.0.len()),
        time_alignment_timer_sf: pick(
            &[
                Some(500u16),
                Some(750),
                Some(1280),
                Some(1920),
                Some(2560),
                Some(5120),
                Some(10240),
                None,
            ],
            s.time_alignment_timer_common.0,
            "timeAlignmentTimerCommon",
        )?,
    })
}

fn sib3(s: &rrc::SystemInformationBlockType3) -> Result<Sib3Summary, RrcError> {
    let common = &s.cell_reselection_info_common;
    let serving = &s.cell_reselection_serving_freq_info;
    let intra = &s.intra_freq_cell_reselection_info;
    Ok(Sib3Summary {
        q_hyst_db: pick(
            &[0u8, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24],
            common.q_hyst.0,
            "q-Hyst",
        )?,
        speed_state_reselection: common.speed_state_reselection_pars.is_some(),
        s_non_intra_search_db: serving
            .s_non_intra_search
            .as_ref()
            .map(|v| threshold_db(v.0)),
        thresh_serving_low_db: threshold_db(serving.thresh_serving_low.0),
        cell_reselection_priority: serving.cell_reselection_priority.0,
        q_rx_lev_min_dbm: q_rx_lev_min_dbm(intra.q_rx_lev_min.0),
        p_max_dbm: intra.p_max.as_ref().map(|p| p.0),
        s_intra_search_db: intra.s_intra_search.as_ref().map(|v| threshold_db(v.0)),
        allowed_meas_bandwidth_prb: intra
            .allowed_meas_bandwidth
            .as_ref()
            .map(|b| pick(&ALLOWED_MEAS_BW_PRB, b.0, "allowedMeasBandwidth"))
            .transpose()?,
        presence_antenna_port1: intra.presence_antenna_port1.0,
        neigh_cell_config: bits_value(intra.neigh_cell_config.0.iter().by_vals()) as u8,
        t_reselection_eutra_s: intra.t_reselection_eutra.0,
    })
}

fn sib4(s: &rrc::SystemInformationBlockType4) -> Result<Sib4Summary, RrcError> {
    let neighbours = match &s.intra_freq_neigh_cell_list {
        Some(l) => l
            .0
            .iter()
            .map(|n| {
                Ok(NeighbourCell {
                    pci: n.phys_cell_id.0,
                    q_offset_cell_db: pick(&Q_OFFSET_RANGE_DB, n.q_offset_cell.0, "q-OffsetCell")?,
                })
            })
            .collect::<Result<Vec<_>, RrcError>>()?,
        None => Vec::new(),
    };
    Ok(Sib4Summary {
        neighbours,
        blacklist: match &s.intra_freq_black_cell_list {
            Some(l) => pci_ranges(&l.0)?,
            None => Vec::new(),
        },
        csg_pci_range: s
            .csg_phys_cell_id_range
            .as_ref()
            .map(pci_range)
            .transpose()?,
    })
}

fn sib5(s: &rrc::SystemInformationBlockType5) -> Result<Sib5Summary, RrcError> {
    let carriers = s
        .inter_freq_carrier_freq_list
        .0
        .iter()
        .map(|c| {
            let neighbours = match &c.inter_freq_neigh_cell_list {
                Some(l) => {
                    l.0.iter()
                        .map(|n| {
                            Ok(NeighbourCell {
                                pci: n.phys_cell_id.0,
                                q_offset_cell_db: pick(
                                    &Q_OFFSET_RANGE_DB,
                                    n.q_offset_cell.0,
                                    "q-OffsetCell",
                                )?,
                            })
                        })
                        .collect::<Result<Vec<_>, RrcError>>()?
                }
                None => Vec::new(),
            };
            Ok(InterFreqCarrier {
                dl_earfcn: u32::from(c.dl_carrier_freq.0),
                q_rx_lev_min_dbm: q_rx_lev_min_dbm(c.q_rx_lev_min.0),
                p_max_dbm: c.p_max.as_ref().map(|p| p.0),
                t_reselection_eutra_s: c.t_reselection_eutra.0,
                thresh_x_high_db: threshold_db(c.thresh_x_high.0),
                thresh_x_low_db: threshold_db(c.thresh_x_low.0),
                allowed_meas_bandwidth_prb: pick(
                    &ALLOWED_MEAS_BW_PRB,
                    c.allowed_meas_bandwidth.0,
                    "allowedMeasBandwidth",
                )?,
                presence_antenna_port1: c.presence_antenna_port1.0,
                cell_reselection_priority: c.cell_reselection_priority.as_ref().map(|p| p.0),
                neigh_cell_config: bits_value(c.neigh_cell_config.0.iter().by_vals()) as u8,
                q_offset_freq_db: match &c.q_offset_freq {
                    Some(q) => pick(&Q_OFFSET_RANGE_DB, q.0, "q-OffsetFreq")?,
                    None => 0,
                },
                neighbours,
                blacklist: match &c.inter_freq_black_cell_list {
                    Some(l) => pci_ranges(&l.0)?,
                    None => Vec::new(),
                },
            })
        })
        .collect::<Result<Vec<_>, RrcError>>()?;
    Ok(Sib5Summary { carriers })
}

fn sib6(s: &rrc::SystemInformationBlockType6) -> Sib6Summary {
    let fdd = s
        .carrier_freq_list_utra_fdd
        .as_ref()
        .map(|l| {
            l.0.iter()
                .map(|c| UtraCarrier {
                    uarfcn: c.carrier_freq.0,
                    cell_reselection_priority: c.cell_reselection_priority.as_ref().map(|p| p.0),
                    thresh_x_high_db: threshold_db(c.thresh_x_high.0),
                    thresh_x_low_db: threshold_db(c.thresh_x_low.0),
                    q_rx_lev_min_dbm: i16::from(c.q_rx_lev_min.0) * 2 + 1,
                    p_max_utra_dbm: c.p_max_utra.0,
                    q_qual_min_db: Some(c.q_qual_min.0),
                })
                .collect()
        })
        .unwrap_or_default();
    let tdd = s
        .carrier_freq_list_utra_tdd
        .as_ref()
        .map(|l| {
            l.0.iter()
                .map(|c| UtraCarrier {
                    uarfcn: c.carrier_freq.0,
                    cell_reselection_priority: c.cell_reselection_priority.as_ref().map(|p| p.0),
                    thresh_x_high_db: threshold_db(c.thresh_x_high.0),
                    thresh_x_low_db: threshold_db(c.thresh_x_low.0),
                    q_rx_lev_min_dbm: i16::from(c.q_rx_lev_min.0) * 2 + 1,
                    p_max_utra_dbm: c.p_max_utra.0,
                    q_qual_min_db: None,
                })
                .collect()
        })
        .unwrap_or_default();
    Sib6Summary {
        utra_fdd: fdd,
        utra_tdd: tdd,
        t_reselection_utra_s: s.t_reselection_utra.0,
    }
}

/// Expand CarrierFreqsGERAN into its ARFCN list (TS 36.331 6.3.4 CarrierFreqsGERAN field
/// descriptions; ARFCNs wrap modulo 1024).
fn geran_arfcns(start: u16, following: &FollowingArfcns) -> Vec<u16> {
    let mut out = vec![start];
    match following {
        FollowingArfcns::ExplicitList(list) => out.extend(list),
        FollowingArfcns::EquallySpaced { spacing, count } => out.extend(
            (1..=u32::from(*count))
                .map(|k| ((u32::from(start) + k * u32::from(*spacing)) % 1024) as u16),
        ),
        FollowingArfcns::VariableBitMap(bytes) => {
            for (i, byte) in bytes.iter().enumerate() {
                for bit in 0..8u32 {
                    if byte & (0x80 >> bit) != 0 {
                        let offset = i as u32 * 8 + bit + 1;
                        out.push(((u32::from(start) + offset) % 1024) as u16);
                    }
                }
            }
        }
    }
    out
}

fn sib7(s: &rrc::SystemInformationBlockType7) -> Sib7Summary {
    let carrier_groups = s
        .carrier_freqs_info_list
        .as_ref()
        .map(|l| {
            l.0.iter()
                .map(|g| {
                    let cf = &g.carrier_freqs;
                    let following = match &cf.following_arfc_ns {
                        rrc::CarrierFreqsGERANFollowingARFCNs::ExplicitListOfARFCNs(l) => {
                            FollowingArfcns::ExplicitList(l.0.iter().map(|a| a.0).collect())
                        }
                        rrc::CarrierFreqsGERANFollowingARFCNs::EquallySpacedARFCNs(e) => {
                            FollowingArfcns::EquallySpaced {
                                spacing: e.arfcn_spacing.0,
                                count: e.number_of_following_arfc_ns.0,
                            }
                        }
                        rrc::CarrierFreqsGERANFollowingARFCNs::VariableBitMapOfARFCNs(v) => {
                            FollowingArfcns::VariableBitMap(v.0.clone())
                        }
                    };
                    let ci = &g.common_info;
                    GeranCarrierGroup {
                        starting_arfcn: cf.starting_arfcn.0,
                        band_indicator: if cf.band_indicator.0 == 0 {
                            GeranBand::Dcs1800
                        } else {
                            GeranBand::Pcs1900
                        },
                        arfcns: geran_arfcns(cf.starting_arfcn.0, &following),
                        following,
                        cell_reselection_priority: ci
                            .cell_reselection_priority
                            .as_ref()
                            .map(|p| p.0),
                        ncc_permitted: bits_value(ci.ncc_permitted.0.iter().by_vals()) as u8,
                        q_rx_lev_min_dbm: i16::from(ci.q_rx_lev_min.0) * 2 - 115,
                        p_max_geran_dbm: ci.p_max_geran.as_ref().map(|p| p.0),
                        thresh_x_high_db: threshold_db(ci.thresh_x_high.0),
                        thresh_x_low_db: threshold_db(ci.thresh_x_low.0),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Sib7Summary {
        t_reselection_geran_s: s.t_reselection_geran.0,
        carrier_groups,
    }
}

fn sib8(s: &rrc::SystemInformationBlockType8) -> Sib8Summary {
    Sib8Summary {
        has_system_time_info: s.system_time_info.is_some(),
        search_window_size: s.search_window_size.as_ref().map(|w| w.0),
        has_hrpd_parameters: s.parameters_hrpd.is_some(),
        has_1xrtt_parameters: s.parameters1_xrtt.is_some(),
    }
}

/// Names of the SIBs added to `sib-TypeAndInfo` as CHOICE extensions (TS 36.331 6.2.2
/// SystemInformation), in extension-index order.
const SIB_EXT_NAMES: [&str; 17] = [
    "sib12-v920",
    "sib13-v920",
    "sib14-v1130",
    "sib15-v1130",
    "sib16-v1130",
    "sib17-v1250",
    "sib18-v1250",
    "sib19-v1250",
    "sib20-v1310",
    "sib21-v1430",
    "sib24-v1530",
    "sib25-v1530",
    "sib26-v1530",
    "sib26a-v1610",
    "sib27-v1610",
    "sib28-v1610",
    "sib29-v1610",
];

/// One `sib-TypeAndInfo` entry read from the stream. The generated CHOICE decoder rejects
/// extension alternatives ("CHOICE Additions not supported"), yet SIB12..SIB29 are all
/// extensions and common on air (SIB16 time, SIB24 NR), so the CHOICE index is read here: root
/// SIBs are decoded with the generated types, extension SIBs are skipped as the open type they
/// are (X.691 23.8: length determinant + octets) and kept by name.
pub(crate) fn sib_entry(d: &mut PerCodecData) -> Result<SibSummary, RrcError> {
    let len = d.length_in_bytes();
    let codec = |e: PerCodecError| crate::malformed(len, e);
    let (index, extended) = decode_choice_idx(d, 0, 9, true).map_err(codec)?;
    if extended {
        let octets = decode_length_determinent(d, None, None, false).map_err(codec)?;
        d.advance_maybe_err(octets.saturating_mul(8), false)
            .map_err(codec)?;
        let type_name = usize::try_from(index)
            .ok()
            .and_then(|i| SIB_EXT_NAMES.get(i))
            .map(|s| (*s).to_string())
            .unwrap_or_else(|| format!("sibExt{index}"));
        return Ok(SibSummary::Other { type_name });
    }
    let other = |name: &str| SibSummary::Other {
        type_name: name.to_string(),
    };
    Ok(match index {
        0 => SibSummary::Sib2(sib2(
            &rrc::SystemInformationBlockType2::uper_decode(d).map_err(codec)?,
        )?),
        1 => SibSummary::Sib3(sib3(
            &rrc::SystemInformationBlockType3::uper_decode(d).map_err(codec)?,
        )?),
        2 => SibSummary::Sib4(sib4(
            &rrc::SystemInformationBlockType4::uper_decode(d).map_err(codec)?,
        )?),
        3 => SibSummary::Sib5(sib5(
            &rrc::SystemInformationBlockType5::uper_decode(d).map_err(codec)?,
        )?),
        4 => SibSummary::Sib6(sib6(
            &rrc::SystemInformationBlockType6::uper_decode(d).map_err(codec)?,
        )),
        5 => SibSummary::Sib7(sib7(
            &rrc::SystemInformationBlockType7::uper_decode(d).map_err(codec)?,
        )),
        6 => SibSummary::Sib8(sib8(
            &rrc::SystemInformationBlockType8::uper_decode(d).map_err(codec)?,
        )),
        7 => {
            rrc::SystemInformationBlockType9::uper_decode(d).map_err(codec)?;
            other("sib9")
        }
        8 => {
            rrc::SystemInformationBlockType10::uper_decode(d).map_err(codec)?;
            other("sib10")
        }
        _ => {
            rrc::SystemInformationBlockType11::uper_decode(d).map_err(codec)?;
            other("sib11")
        }
    })
}
