//! Plain, serde-serialisable summaries of LTE broadcast RRC messages (TS 36.331 clause 6.2.2 and
//! 6.3.1): what the detector and the store need, with physical units, and no dependency on the
//! generated ASN.1 types.

use serde::{Deserialize, Serialize};

/// One decoded BCCH-DL-SCH message (TS 36.331 6.2.1 BCCH-DL-SCH-Message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BcchDlSchMessage {
    /// SystemInformationBlockType1.
    Sib1(Sib1Summary),
    /// SystemInformation carrying one or more SIBs (SIB2..).
    SystemInformation(SystemInformationSummary),
}

impl BcchDlSchMessage {
    /// The UPER bytes the message was decoded from.
    pub fn raw(&self) -> &[u8] {
        match self {
            BcchDlSchMessage::Sib1(s) => &s.raw,
            BcchDlSchMessage::SystemInformation(s) => &s.raw,
        }
    }
}

/// A PLMN entry of SIB1 `plmn-IdentityList` (TS 36.331 6.3.4 PLMN-IdentityInfo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlmnInfo {
    /// Mobile country code, 3 digits. When the IE omits it, TS 36.331 PLMN-Identity says it is the
    /// MCC of the preceding entry; `mcc_inherited` tells that happened.
    pub mcc: String,
    /// Mobile network code, 2 or 3 digits, leading zeros kept ("01" and "001" differ).
    pub mnc: String,
    pub mcc_inherited: bool,
    /// `cellReservedForOperatorUse` = reserved.
    pub reserved_for_operator_use: bool,
}

impl PlmnInfo {
    /// "MCC-MNC", e.g. "206-01".
    pub fn plmn_id(&self) -> String {
        format!("{}-{}", self.mcc, self.mnc)
    }
}

/// One SystemInformation message of SIB1 `schedulingInfoList` (TS 36.331 6.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulingInfo {
    /// `si-Periodicity` in radio frames (8..512).
    pub si_periodicity_rf: u16,
    /// `sib-MappingInfo` as TS 36.331 names the SIB-Type values ("sibType3", "sibType24-v1530");
    /// a value beyond the known extension list is "sibTypeExt<index>". SIB2 is never listed: it
    /// is always in the first SI message (TS 36.331 5.2.1.2).
    pub sib_types: Vec<String>,
}

/// TDD configuration (TS 36.331 6.3.2 TDD-Config; TS 36.211 tables 4.2-1 and 4.2-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TddConfig {
    /// Uplink-downlink configuration 0..6 (`sa0`..`sa6`).
    pub subframe_assignment: u8,
    /// Special subframe configuration 0..8 (`ssp0`..`ssp8`).
    pub special_subframe_pattern: u8,
}

/// SystemInformationBlockType1 (TS 36.331 6.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sib1Summary {
    pub plmns: Vec<PlmnInfo>,
    pub tracking_area_code: u16,
    /// 28-bit E-UTRAN cell identity.
    pub cell_identity: u32,
    /// eNB identity (macro eNB: cell identity >> 8, TS 36.413 9.2.1.37).
    pub enb_id: u32,
    /// Local cell id inside the eNB (low 8 bits of the cell identity).
    pub local_cell_id: u8,
    pub cell_barred: bool,
    pub intra_freq_reselection_allowed: bool,
    pub csg_indication: bool,
    /// 27-bit CSG identity, when broadcast.
    pub csg_identity: Option<u32>,
    /// Qrxlevmin in dBm (IE value x 2, TS 36.304 5.2.3.2).
    pub q_rx_lev_min_dbm: i16,
    /// Qrxlevminoffset in dB (IE value x 2).
    pub q_rx_lev_min_offset_db: Option<u8>,
    pub p_max_dbm: Option<i8>,
    /// Effective band: `freqBandIndicator`, or `freqBandIndicator-v9e0` when that extension is
    /// present (bands above 64).
    pub freq_band_indicator: u16,
    /// Additional bands from `multiBandInfoList` (v8h0, with v9e0 overrides), in order.
    pub multi_band_info_list: Vec<u16>,
    pub scheduling: Vec<SchedulingInfo>,
    /// `si-WindowLength` in ms.
    pub si_window_length_ms: u8,
    pub system_info_value_tag: u8,
    pub tdd_config: Option<TddConfig>,
    /// `ims-EmergencySupport-r9` (v920 extension) present.
    pub ims_emergency_support: bool,
    /// `q-QualMin-r9` in dB (v920 extension).
    pub q_qual_min_db: Option<i8>,
    /// `q-QualMinOffset-r9` in dB (v920 extension).
    pub q_qual_min_offset_db: Option<u8>,
    /// The nonCriticalExtension chain was present but could not be decoded (IEs the decoder
    /// does not support); every field above it is still valid, the v920.. fields are not set.
    pub non_critical_extension_undecodable: bool,
    #[serde(with = "crate::hex_bytes")]
    pub raw: Vec<u8>,
}

impl Sib1Summary {
    /// True for a TDD cell (SIB1 carries tdd-Config only for TDD, TS 36.331 6.2.2).
    pub fn is_tdd(&self) -> bool {
        self.tdd_config.is_some()
    }

    /// Number of SystemInformation messages scheduled.
    pub fn si_count(&self) -> usize {
        self.scheduling.len()
    }

    /// Every SIB type scheduled, in scheduling order ("sibType3", ...).
    pub fn scheduled_sib_types(&self) -> Vec<&str> {
        self.scheduling
            .iter()
            .flat_map(|s| s.sib_types.iter().map(String::as_str))
            .collect()
    }

    /// Whether SIB `number` (3.., e.g. 7 for GERAN) is scheduled.
    pub fn schedules_sib(&self, number: u8) -> bool {
        self.scheduled_sib_types()
            .iter()
            .any(|t| sib_type_number(t) == Some(number))
    }

    /// Primary PLMN ("MCC-MNC") of the first list entry.
    pub fn primary_plmn(&self) -> Option<String> {
        self.plmns.first().map(PlmnInfo::plmn_id)
    }
}

/// SIB number of a SIB-Type name: "sibType24-v1530" -> 24, "sibType26a-v1610" -> 26.
pub fn sib_type_number(name: &str) -> Option<u8> {
    let rest = name.strip_prefix("sibType")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A SystemInformation message (TS 36.331 6.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemInformationSummary {
    pub sibs: Vec<SibSummary>,
    #[serde(with = "crate::hex_bytes")]
    pub raw: Vec<u8>,
}

/// One SIB of a SystemInformation message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "sib", rename_all = "snake_case")]
pub enum SibSummary {
    Sib2(Sib2Summary),
    Sib3(Sib3Summary),
    Sib4(Sib4Summary),
    Sib5(Sib5Summary),
    Sib6(Sib6Summary),
    Sib7(Sib7Summary),
    Sib8(Sib8Summary),
    /// Decoded but not summarised (SIB9.., named as in TS 36.331, e.g. "sib13-v920").
    Other {
        type_name: String,
    },
}

impl SibSummary {
    /// TS 36.331 name of the SIB ("sib2", "sib13-v920").
    pub fn type_name(&self) -> &str {
        match self {
            SibSummary::Sib2(_) => "sib2",
            SibSummary::Sib3(_) => "sib3",
            SibSummary::Sib4(_) => "sib4",
            SibSummary::Sib5(_) => "sib5",
            SibSummary::Sib6(_) => "sib6",
            SibSummary::Sib7(_) => "sib7",
            SibSummary::Sib8(_) => "sib8",
            SibSummary::Other { type_name } => type_name,
        }
    }
}

/// AC-BarringConfig (TS 36.331 6.3.1; TS 36.331 5.3.3.11 access barring check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcBarringConfig {
    /// `ac-BarringFactor` as a percentage (p00..p95 -> 0..95).
    pub factor_percent: u8,
    /// `ac-BarringTime` in seconds.
    pub time_s: u16,
    /// `ac-BarringForSpecialAC`, 5 bits for access classes 11..15 (MSB = AC 11).
    pub special_ac_bits: u8,
}

/// `ac-BarringInfo` of SIB2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcBarringInfo {
    /// `ac-BarringForEmergency`: emergency calls barred for UEs of AC 0..9.
    pub for_emergency: bool,
    pub mo_signalling: Option<AcBarringConfig>,
    pub mo_data: Option<AcBarringConfig>,
}

/// RACH-ConfigCommon (TS 36.331 6.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RachConfig {
    pub number_of_ra_preambles: u8,
    pub preambles_group_a_configured: bool,
    pub power_ramping_step_db: u8,
    pub preamble_initial_received_target_power_dbm: i16,
    pub preamble_trans_max: u8,
    pub ra_response_window_sf: u8,
    pub mac_contention_resolution_timer_sf: u8,
    pub max_harq_msg3_tx: u8,
}

/// PRACH-ConfigSIB (TS 36.331 6.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrachConfig {
    pub root_sequence_index: u16,
    pub config_index: u8,
    pub high_speed_flag: bool,
    pub zero_correlation_zone_config: u8,
    pub freq_offset_prb: u8,
}

/// UE-TimersAndConstants (TS 36.331 6.3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UeTimers {
    pub t300_ms: u16,
    pub t301_ms: u16,
    pub t310_ms: u16,
    pub n310: u8,
    pub t311_ms: u16,
    pub n311: u8,
}

/// SystemInformationBlockType2 (TS 36.331 6.3.1): access barring, common radio resources,
/// timers and the uplink carrier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sib2Summary {
    pub ac_barring: Option<AcBarringInfo>,
    pub rach: RachConfig,
    /// `modificationPeriodCoeff` (2, 4, 8, 16).
    pub modification_period_coeff: u8,
    pub default_paging_cycle_rf: u16,
    /// PCCH-Config `nB` as named in TS 36.331 ("fourT" .. "oneThirtySecondT").
    pub paging_nb: String,
    pub prach: PrachConfig,
    /// `referenceSignalPower` in dBm per RE.
    pub reference_signal_power_dbm: i8,
    pub p_b: u8,
    pub n1_pucch_an: u16,
    /// soundingRS-UL-ConfigCommon is `setup`.
    pub srs_configured: bool,
    pub p0_nominal_pusch_dbm: i8,
    pub p0_nominal_pucch_dbm: i8,
    pub ul_cyclic_prefix_extended: bool,
    pub timers: UeTimers,
    /// `ul-CarrierFreq` EARFCN; absent means the default duplex distance (TS 36.101).
    pub ul_carrier_earfcn: Option<u16>,
    pub ul_bandwidth_prb: Option<u8>,
    pub additional_spectrum_emission: u8,
    /// Number of MBSFN subframe configurations (0 = none).
    pub mbsfn_subframe_configs: usize,
    /// `timeAlignmentTimerCommon` in subframes; `None` = infinity.
    pub time_alignment_timer_sf: Option<u16>,
}

/// SystemInformationBlockType3 (TS 36.331 6.3.1): serving-frequency reselection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib3Summary {
    pub q_hyst_db: u8,
    pub speed_state_reselection: bool,
    /// `s-NonIntraSearch` in dB (IE x 2).
    pub s_non_intra_search_db: Option<u8>,
    /// `threshServingLow` in dB (IE x 2).
    pub thresh_serving_low_db: u8,
    /// `cellReselectionPriority` of the serving frequency (0 = lowest).
    pub cell_reselection_priority: u8,
    pub q_rx_lev_min_dbm: i16,
    pub p_max_dbm: Option<i8>,
    /// `s-IntraSearch` in dB (IE x 2).
    pub s_intra_search_db: Option<u8>,
    pub allowed_meas_bandwidth_prb: Option<u8>,
    pub presence_antenna_port1: bool,
    /// `neighCellConfig` 2-bit value (TS 36.331 6.3.6 NeighCellConfig).
    pub neigh_cell_config: u8,
    pub t_reselection_eutra_s: u8,
}

/// An intra- or inter-frequency neighbour cell (IntraFreqNeighCellInfo / InterFreqNeighCellInfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourCell {
    pub pci: u16,
    /// `q-OffsetCell` in dB.
    pub q_offset_cell_db: i8,
}

/// PhysCellIdRange (TS 36.331 6.3.4): `count` PCIs from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PciRange {
    pub start: u16,
    /// Number of PCIs (1 when `range` is absent; spare values give 0).
    pub count: u16,
}

/// SystemInformationBlockType4 (TS 36.331 6.3.1): intra-frequency neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib4Summary {
    pub neighbours: Vec<NeighbourCell>,
    /// `intraFreqBlackCellList`.
    pub blacklist: Vec<PciRange>,
    pub csg_pci_range: Option<PciRange>,
}

/// An E-UTRA inter-frequency carrier of SIB5 (InterFreqCarrierFreqInfo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterFreqCarrier {
    pub dl_earfcn: u32,
    pub q_rx_lev_min_dbm: i16,
    pub p_max_dbm: Option<i8>,
    pub t_reselection_eutra_s: u8,
    pub thresh_x_high_db: u8,
    pub thresh_x_low_db: u8,
    pub allowed_meas_bandwidth_prb: u8,
    pub presence_antenna_port1: bool,
    pub cell_reselection_priority: Option<u8>,
    pub neigh_cell_config: u8,
    /// `q-OffsetFreq` in dB (default dB0).
    pub q_offset_freq_db: i8,
    pub neighbours: Vec<NeighbourCell>,
    pub blacklist: Vec<PciRange>,
}

/// SystemInformationBlockType5 (TS 36.331 6.3.1): inter-frequency E-UTRA carriers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib5Summary {
    pub carriers: Vec<InterFreqCarrier>,
}

impl Sib5Summary {
    /// Highest `cellReselectionPriority` among the carriers.
    pub fn max_priority(&self) -> Option<u8> {
        self.carriers
            .iter()
            .filter_map(|c| c.cell_reselection_priority)
            .max()
    }
}

/// A UTRA carrier of SIB6 (CarrierFreqUTRA-FDD / CarrierFreqUTRA-TDD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtraCarrier {
    pub uarfcn: u16,
    pub cell_reselection_priority: Option<u8>,
    pub thresh_x_high_db: u8,
    pub thresh_x_low_db: u8,
    /// Qrxlevmin in dBm (IE x 2 + 1, TS 25.304).
    pub q_rx_lev_min_dbm: i16,
    pub p_max_utra_dbm: i8,
    /// `q-QualMin` in dB (FDD only).
    pub q_qual_min_db: Option<i8>,
}

/// SystemInformationBlockType6 (TS 36.331 6.3.1): UTRA reselection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib6Summary {
    pub utra_fdd: Vec<UtraCarrier>,
    pub utra_tdd: Vec<UtraCarrier>,
    pub t_reselection_utra_s: u8,
}

impl Sib6Summary {
    /// Highest `cellReselectionPriority` among the FDD and TDD carriers.
    pub fn max_priority(&self) -> Option<u8> {
        self.utra_fdd
            .iter()
            .chain(&self.utra_tdd)
            .filter_map(|c| c.cell_reselection_priority)
            .max()
    }
}

/// GERAN band for ARFCNs 512..810 (TS 36.331 6.3.4 BandIndicatorGERAN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeranBand {
    Dcs1800,
    Pcs1900,
}

/// `followingARFCNs` of CarrierFreqsGERAN, in the form broadcast (TS 36.331 6.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowingArfcns {
    ExplicitList(Vec<u16>),
    EquallySpaced {
        spacing: u8,
        count: u8,
    },
    /// Bit i (MSB first) set = ARFCN (starting + 1 + i) mod 1024.
    VariableBitMap(Vec<u8>),
}

/// A GERAN carrier group of SIB7 (CarrierFreqsInfoGERAN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeranCarrierGroup {
    pub starting_arfcn: u16,
    pub band_indicator: GeranBand,
    pub following: FollowingArfcns,
    /// Every ARFCN of the group, the starting one first (expanded from `following`).
    pub arfcns: Vec<u16>,
    pub cell_reselection_priority: Option<u8>,
    /// `ncc-Permitted` bitmap (MSB = NCC 0).
    pub ncc_permitted: u8,
    /// Qrxlevmin in dBm (IE x 2 - 115, TS 45.008).
    pub q_rx_lev_min_dbm: i16,
    pub p_max_geran_dbm: Option<u8>,
    pub thresh_x_high_db: u8,
    pub thresh_x_low_db: u8,
}

/// SystemInformationBlockType7 (TS 36.331 6.3.1): GERAN reselection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib7Summary {
    pub t_reselection_geran_s: u8,
    pub carrier_groups: Vec<GeranCarrierGroup>,
}

impl Sib7Summary {
    /// Highest `cellReselectionPriority` among the carrier groups.
    pub fn max_priority(&self) -> Option<u8> {
        self.carrier_groups
            .iter()
            .filter_map(|c| c.cell_reselection_priority)
            .max()
    }
}

/// SystemInformationBlockType8 (TS 36.331 6.3.1): CDMA2000, presence only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sib8Summary {
    pub has_system_time_info: bool,
    pub search_window_size: Option<u8>,
    pub has_hrpd_parameters: bool,
    pub has_1xrtt_parameters: bool,
}
