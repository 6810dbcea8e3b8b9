//! The detector's own plain input model: what one receiver saw of one cell (or one carrier) at
//! one time.
//!
//! The GSM and LTE receivers (crates `gsm`/`gsm-l3`, `lte`/`lte-rrc`) have richer types; the CLI
//! maps them onto these so that `detect` depends on no receiver. Every field a receiver may not
//! have decoded yet is an `Option` (or an empty list with a documented meaning): a cell is often
//! seen (FCCH/SCH, PSS/SSS) seconds before its system information is decoded, and the rules must
//! treat "unknown" as "cannot judge", never as "zero".

pub use cellsentry_model::{GsmSiType, Plmn, Rat};
use serde::{Deserialize, Serialize};

/// RACH Control Parameters (TS 44.018 10.5.2.29), from SI1/SI2/SI3/SI4.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RachControl {
    /// EC bit (bit 10 of the access control classes): emergency calls not allowed for
    /// classes 0-9.
    pub emergency_call_barred: bool,
    /// CELL_BAR_ACCESS: the cell is barred.
    pub cell_barred: bool,
    /// Barred access classes, bit n = access class n (AC0-AC9, EC at bit 10, AC11-AC15).
    /// Osmocom default is 0x0400.
    pub access_class_barred_mask: u16,
    /// RE: call re-establishment not allowed.
    pub re_not_allowed: bool,
    /// Max retransmissions (1, 2, 4 or 7).
    pub max_retrans: Option<u8>,
    /// Tx-integer in slots.
    pub tx_integer_slots: Option<u8>,
}

/// Absolute-priority entry for a neighbouring frequency (SI2quater, SIB5/6/7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreqPriority {
    /// ARFCN / UARFCN / EARFCN of the neighbouring layer.
    pub channel: u32,
    /// cellReselectionPriority 0..=7 (TS 36.331 6.3.1, TS 44.018 10.5.2.33b), if sent.
    pub priority: Option<u8>,
}

/// What a GSM cell broadcast in its system information, merged over the messages decoded so
/// far. `None` means "not decoded yet", never "absent from the message" unless documented.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GsmSystemInfo {
    /// SI message types received on BCCH (and SACCH, if the receiver decodes it).
    pub si_types: Vec<GsmSiType>,
    /// T3212 periodic location update timer, decihours (6 min units); 0 = disabled
    /// (TS 44.018 10.5.2.11).
    pub t3212_decihours: Option<u8>,
    /// RACH control parameters.
    pub rach: Option<RachControl>,
    /// CELL-RESELECT-HYSTERESIS in dB (coded value x 2, TS 44.018 10.5.2.4).
    pub cell_reselect_hysteresis_db: Option<u8>,
    /// RXLEV-ACCESS-MIN raw 0..=63 (0 = -110 dBm or less, TS 45.008 8.1.4).
    pub rxlev_access_min: Option<u8>,
    /// MS-TXPWR-MAX-CCH raw power control level.
    pub ms_txpwr_max_cch: Option<u8>,
    /// SI3 rest octets decoded (even if every optional part was absent).
    pub si3_rest_octets_decoded: Option<bool>,
    /// CELL_BAR_QUALIFY (SI3/SI4 rest octets selection parameters).
    pub cell_bar_qualify: Option<bool>,
    /// CELL_RESELECT_OFFSET in dB (coded x 2, 0..=126; TS 45.008 9). `None` when the rest octets
    /// carry no selection parameters (C2 = C1 then).
    pub cell_reselect_offset_db: Option<u8>,
    /// TEMPORARY_OFFSET in dB (coded x 10); 70 means "infinity" (coded 7).
    pub temporary_offset_db: Option<u8>,
    /// PENALTY_TIME in seconds, 20 x (coded + 1); 640 means coded 31, the special value where
    /// CRO is subtracted and TEMPORARY_OFFSET ignored (TS 45.008 6.4).
    pub penalty_time_s: Option<u16>,
    /// GPRS indicator present in the SI3/SI4 rest octets.
    pub gprs_indicator: Option<bool>,
    /// SI3 rest octets announce SI2quater.
    pub si2quater_announced: Option<bool>,
    /// SI13 announced (GPRS indicator with SI13 position).
    pub si13_announced: Option<bool>,
    /// SI3 rest octets announce SI2ter.
    pub si2ter_announced: Option<bool>,
    /// BA list: union of the neighbour ARFCNs of SI2/SI2bis/SI2ter (TS 44.018 10.5.2.22).
    /// `None` until SI2 has been decoded; `Some(vec![])` is an empty BA list.
    pub neighbour_arfcns: Option<Vec<u16>>,
    /// SI1 cell channel description ARFCNs.
    pub cell_channel_arfcns: Option<Vec<u16>>,
    /// NCC permitted bitmap (SI2).
    pub ncc_permitted: Option<u8>,
    /// BS_AG_BLKS_RES (SI3 control channel description, TS 44.018 10.5.2.11).
    pub bs_ag_blks_res: Option<u8>,
    /// BS_PA_MFRMS in multiframes (2..=9).
    pub bs_pa_mfrms: Option<u8>,
    /// CCCH_CONF says combined CCCH + SDCCH/4.
    pub ccch_combined: Option<bool>,
    /// E-UTRAN neighbour frequencies and their priorities (SI2quater).
    pub eutran_neighbours: Vec<FreqPriority>,
    /// GERAN (serving layer) priority from SI2quater, 0..=7.
    pub geran_priority: Option<u8>,
}

/// LTE SIB1 contents used by the rules (TS 36.331 6.2.2 SystemInformationBlockType1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LteSib1 {
    /// PLMN identity list.
    pub plmns: Vec<Plmn>,
    /// Tracking area code.
    pub tac: Option<u32>,
    /// 28-bit E-UTRAN cell identity.
    pub cell_id: Option<u32>,
    /// cellBarred.
    pub cell_barred: Option<bool>,
    /// q-RxLevMin in dBm (IE value x 2).
    pub q_rxlevmin_dbm: Option<i16>,
    /// schedulingInfoList: one entry per SI message, each the list of SIB type numbers mapped to
    /// it (SIB2 is carried implicitly in the first SI message and need not be listed).
    pub scheduling: Vec<Vec<u8>>,
    /// si-WindowLength in ms.
    pub si_window_ms: Option<u16>,
}

/// What an LTE cell broadcast, merged over the SIBs decoded so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LteSystemInfo {
    /// SIB type numbers received (1 = SIB1, 2 = SIB2, ...).
    pub sibs_received: Vec<u8>,
    /// SIB1, once decoded.
    pub sib1: Option<LteSib1>,
    /// SIB3 cellReselectionPriority of the serving frequency.
    pub serving_priority: Option<u8>,
    /// SIB5 inter-frequency E-UTRA carriers and priorities.
    pub inter_freq: Vec<FreqPriority>,
    /// SIB6 UTRA carriers and priorities.
    pub utra: Vec<FreqPriority>,
    /// SIB7 GERAN carrier sets and priorities.
    pub geran: Vec<FreqPriority>,
    /// Number of intra-frequency neighbour cells listed in SIB4 (`None` = SIB4 not decoded).
    pub sib4_neighbours: Option<u16>,
    /// Number of inter-frequency neighbour cells listed in SIB5 (`None` = SIB5 not decoded).
    pub sib5_neighbours: Option<u16>,
}

/// Paging records counted on this cell's paging channel since the previous observation of the
/// cell (deltas, not running totals). GSM: Paging Request Type 1/2/3 identities (TS 44.018
/// 9.1.22-24); LTE: PCCH pagingRecordList entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PagingCounters {
    /// Identities paged by IMSI.
    pub imsi_pages: u32,
    /// Identities paged by TMSI/P-TMSI/S-TMSI.
    pub tmsi_pages: u32,
    /// Paging messages that carried no real identity (idle fill, e.g. Osmocom's empty
    /// Paging Request Type 1).
    pub empty_pages: u32,
}

impl PagingCounters {
    /// Adds another set of counters.
    pub fn add(&mut self, other: &PagingCounters) {
        self.imsi_pages = self.imsi_pages.saturating_add(other.imsi_pages);
        self.tmsi_pages = self.tmsi_pages.saturating_add(other.tmsi_pages);
        self.empty_pages = self.empty_pages.saturating_add(other.empty_pages);
    }

    /// All paging records.
    pub fn total(&self) -> u64 {
        u64::from(self.imsi_pages) + u64::from(self.tmsi_pages) + u64::from(self.empty_pages)
    }

    /// Records that named somebody.
    pub fn non_empty(&self) -> u64 {
        u64::from(self.imsi_pages) + u64::from(self.tmsi_pages)
    }
}

/// One cell seen at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellObservation {
    /// GSM or LTE.
    pub rat: Rat,
    /// When, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// ARFCN (GSM, TS 45.005 2) or DL EARFCN (LTE, TS 36.101 5.7.3).
    #[serde(default)]
    pub channel: Option<u32>,
    /// BSIC 0..=63 (GSM, from SCH) or PCI 0..=503 (LTE, from PSS/SSS).
    #[serde(default)]
    pub bsic_pci: Option<u16>,
    /// PLMN (SI3/SI4 LAI or first SIB1 PLMN).
    #[serde(default)]
    pub plmn: Option<Plmn>,
    /// LAC (GSM) or TAC (LTE).
    #[serde(default)]
    pub lac_tac: Option<u32>,
    /// CI (GSM, 16 bit) or E-UTRAN cell identity (LTE, 28 bit).
    #[serde(default)]
    pub cell_id: Option<u32>,
    /// Downlink centre frequency, Hz (to turn Hz offsets into ppm).
    #[serde(default)]
    pub dl_freq_hz: Option<f64>,
    /// Received power of the cell's carrier / reference signal, dBFS.
    #[serde(default)]
    pub power_dbfs: Option<f64>,
    /// Signal-to-noise ratio, dB.
    #[serde(default)]
    pub snr_db: Option<f64>,
    /// Carrier frequency offset measured by the receiver (FCCH / PSS), Hz, including the
    /// receiver's own oscillator error.
    #[serde(default)]
    pub freq_offset_hz: Option<f64>,
    /// Same as ppm of the carrier; used in preference to `freq_offset_hz`.
    #[serde(default)]
    pub freq_offset_ppm: Option<f64>,
    /// GSM system information decoded in this observation.
    #[serde(default)]
    pub gsm: Option<GsmSystemInfo>,
    /// LTE system information decoded in this observation.
    #[serde(default)]
    pub lte: Option<LteSystemInfo>,
    /// Paging counted since the previous observation of this cell.
    #[serde(default)]
    pub paging: Option<PagingCounters>,
    /// Where the sensor was (WGS 84), when known: lets the power rules tell the sensor's own
    /// motion from the transmitter's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat_deg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon_deg: Option<f64>,
}

impl CellObservation {
    /// The (partial) cell identity this observation carries.
    pub fn key(&self) -> cellsentry_model::CellKey {
        cellsentry_model::CellKey {
            rat: self.rat,
            plmn: self.plmn.clone(),
            lac_tac: self.lac_tac,
            cell_id: self.cell_id,
            channel: self.channel,
            bsic_pci: self.bsic_pci,
        }
    }

    /// An observation with only RAT and time set.
    pub fn new(rat: Rat, time_unix_ms: i64) -> Self {
        CellObservation {
            rat,
            time_unix_ms,
            channel: None,
            bsic_pci: None,
            plmn: None,
            lac_tac: None,
            cell_id: None,
            dl_freq_hz: None,
            power_dbfs: None,
            snr_db: None,
            freq_offset_hz: None,
            freq_offset_ppm: None,
            gsm: None,
            lte: None,
            paging: None,
            lat_deg: None,
            lon_deg: None,
        }
    }

    /// A GSM C0 seen on `arfcn` at `time_unix_ms`.
    pub fn gsm(time_unix_ms: i64, arfcn: u16) -> Self {
        let mut o = CellObservation::new(Rat::Gsm, time_unix_ms);
        o.channel = Some(u32::from(arfcn));
        o
    }

    /// An LTE cell seen on `earfcn` at `time_unix_ms`.
    pub fn lte(time_unix_ms: i64, earfcn: u32) -> Self {
        let mut o = CellObservation::new(Rat::Lte, time_unix_ms);
        o.channel = Some(earfcn);
        o
    }

    /// Frequency offset in ppm, from `freq_offset_ppm` or from Hz and the DL frequency.
    pub fn offset_ppm(&self) -> Option<f64> {
        if let Some(p) = self.freq_offset_ppm.filter(|p| p.is_finite()) {
            return Some(p);
        }
        match (self.freq_offset_hz, self.dl_freq_hz) {
            (Some(hz), Some(f)) if hz.is_finite() && f.is_finite() && f > 0.0 => Some(hz / f * 1e6),
            _ => None,
        }
    }
}

/// A wideband look at one carrier (no cell decoded needed): for jamming and "the LTE carrier
/// vanished" evidence of the `sms_blaster_pattern`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarrierObservation {
    /// RAT expected on this carrier.
    pub rat: Rat,
    /// ARFCN or EARFCN.
    pub channel: u32,
    /// Centre frequency, Hz.
    #[serde(default)]
    pub freq_hz: Option<f64>,
    /// When, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// In-channel power, dBFS.
    pub power_dbfs: f64,
    /// Estimated noise floor, dBFS.
    #[serde(default)]
    pub noise_floor_dbfs: Option<f64>,
    /// A synchronisation signal was found (LTE PSS, GSM FCCH).
    pub sync_found: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plmn_parse_and_display_keep_leading_zeros() {
        let p = Plmn::parse("001-01").unwrap();
        assert_eq!(p.mcc, "001");
        assert_eq!(p.mnc, "01");
        assert_eq!(p.to_string(), "001-01");
        let q = Plmn::parse("310410").unwrap();
        assert_eq!((q.mcc.as_str(), q.mnc.as_str()), ("310", "410"));
        let r = Plmn::parse("23415").unwrap();
        assert_eq!(r.to_string(), "234-15");
        assert!(Plmn::parse("23-4").is_err());
        assert!(Plmn::parse("1000-01").is_err());
        assert!(Plmn::parse("234-1a").is_err());
        assert!(Plmn::new(234, "015").unwrap().same_network(&r));
        assert!(p.is_test_mcc());
        assert!(!r.is_test_mcc());
        assert!(Plmn::parse("999-70").unwrap().is_test_mcc());
    }

    #[test]
    fn offset_ppm_from_hz() {
        let mut o = CellObservation::gsm(0, 62);
        assert_eq!(o.offset_ppm(), None);
        o.freq_offset_hz = Some(947.4);
        o.dl_freq_hz = Some(947.4e6);
        assert!((o.offset_ppm().unwrap() - 1.0).abs() < 1e-9);
        o.freq_offset_ppm = Some(0.3);
        assert_eq!(o.offset_ppm(), Some(0.3));
    }

    #[test]
    fn si_type_serde_names() {
        let v = serde_json::to_string(&vec![GsmSiType::Si2quater, GsmSiType::Si13]).unwrap();
        assert_eq!(v, r#"["SI2quater","SI13"]"#);
    }
}
