//! Typed description of a GSM cell (serde, the `gsm` object of a scenario cell) and the System
//! Information it broadcasts, encoded with `cellsentry_gsm_l3::encode`.
//!
//! Defaults are osmo-bsc's (Debian `osmo-bsc.cfg`, see the shared Osmocom README), so a cell
//! given only its identity broadcasts what an unconfigured Osmocom BTS would; legitimate-operator
//! cells in the scenario library override them with realistic values.

use serde::{Deserialize, Serialize};

use cellsentry_gsm_l3::encode::{self, Si13Params, Si2quaterParams};
use cellsentry_gsm_l3::{
    CellOptions, CellSelectionParameters, ControlChannelDescription, EutranNeighbourGroup,
    GprsIndicator, LocationAreaId, MobileIdentity, Plmn, RachControl, SelectionParameters,
    ServingCellPriority, Si3RestOctets, Si4RestOctets,
};

use crate::SynthError;

/// RACH Control Parameters (TS 44.018 10.5.2.29).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RachConfig {
    /// MAX_RETRANS: 1, 2, 4 or 7.
    pub max_retrans: u8,
    /// TX-integer coded 0..15 (9 = 12 slots).
    pub tx_integer_coded: u8,
    pub cell_barred: bool,
    /// RE = 1: call re-establishment not allowed.
    pub re_not_allowed: bool,
    /// Access control classes 0-15 as one 16-bit word, EC is bit 10 (0x0400 = emergency calls
    /// barred, the Osmocom/OpenBTS default).
    pub acc: u16,
}

impl Default for RachConfig {
    fn default() -> Self {
        RachConfig {
            max_retrans: 7,
            tx_integer_coded: 9,
            cell_barred: false,
            re_not_allowed: true,
            acc: 0x0400,
        }
    }
}

/// SI3/SI4 selection parameters (TS 44.018 10.5.2.34, TS 45.008 6.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReselectionConfig {
    pub cbq: bool,
    /// CELL_RESELECT_OFFSET in dB, 0..126 in 2 dB steps.
    pub cell_reselect_offset_db: u8,
    /// TEMPORARY_OFFSET in dB (0..60 in 10 dB steps); `null` = infinity (coded 7).
    pub temporary_offset_db: Option<u8>,
    /// PENALTY_TIME in s (20..620 in 20 s steps); `null` = coded 31.
    pub penalty_time_s: Option<u16>,
}

impl Default for ReselectionConfig {
    fn default() -> Self {
        ReselectionConfig {
            cbq: false,
            cell_reselect_offset_db: 0,
            temporary_offset_db: Some(0),
            penalty_time_s: Some(20),
        }
    }
}

/// One E-UTRAN neighbour frequency of SI2quater (TS 44.018 10.5.2.33b).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EutranNeighbourConfig {
    pub earfcn: u16,
    /// E-UTRAN_PRIORITY 0..7.
    pub priority: u8,
    /// THRESH_E-UTRAN_high coded (2 dB steps).
    #[serde(default = "default_thresh_high")]
    pub thresh_high: u8,
    #[serde(default)]
    pub thresh_low: Option<u8>,
}

fn default_thresh_high() -> u8 {
    10
}

/// SI2quater content: GERAN priority and E-UTRAN neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Si2quaterConfig {
    /// GERAN_PRIORITY of the serving cell 0..7.
    pub geran_priority: u8,
    #[serde(default)]
    pub eutran: Vec<EutranNeighbourConfig>,
}

/// Paging traffic on the PCH.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PagingConfig {
    /// TMSIs as 8 hex digits.
    pub tmsis: Vec<String>,
    /// IMSIs as decimal digits.
    pub imsis: Vec<String>,
    /// One Paging Request per this many CCCH blocks (others carry the idle filler); 0 = never.
    pub every_n_blocks: u32,
}

/// A GSM cell's identity and System Information parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GsmCellConfig {
    pub mcc: String,
    /// 2 or 3 digits, as a string ("01" and "001" differ).
    pub mnc: String,
    pub lac: u16,
    pub ci: u16,
    /// BSIC = NCC * 8 + BCC; BCC is also the training sequence (TS 45.002 5.2.3).
    pub bsic: u8,
    /// Cell allocation for SI1 (defaults to the cell's own ARFCN).
    pub cell_arfcns: Vec<u16>,
    /// BA list of SI2 (neighbour BCCH ARFCNs).
    pub neighbours: Vec<u16>,
    pub ncc_permitted: u8,
    /// T3212 periodic location update in decihours (6 min); 0 = off.
    pub t3212_decihours: u8,
    pub rach: RachConfig,
    /// CELL-RESELECT-HYSTERESIS in dB (0..14, 2 dB steps).
    pub crh_db: u8,
    /// RXLEV-ACCESS-MIN coded 0..63 (-110 dBm + value).
    pub rxlev_access_min: u8,
    /// MS-TXPWR-MAX-CCH power control level, coded 0..31.
    pub ms_txpwr_max_cch: u8,
    pub neci: bool,
    pub acs: bool,
    /// CCCH_CONF 1: combined CCCH + SDCCH/4 on TS0 (Osmocom default); else CCCH_CONF 0.
    pub ccch_combined: bool,
    pub bs_ag_blks_res: u8,
    /// BS_PA_MFRMS in multiframes (2..9).
    pub bs_pa_mfrms: u8,
    pub mscr: bool,
    pub att: bool,
    pub pwrc: bool,
    /// DTX coded (2 = shall not use).
    pub dtx: u8,
    pub radio_link_timeout_coded: u8,
    /// SI3/SI4 selection parameters (CRO, temporary offset, penalty time); `null` = absent.
    pub reselection: Option<ReselectionConfig>,
    /// GPRS indicator in SI3/SI4 and SI13 broadcast; value = RA colour.
    pub gprs_ra_colour: Option<u8>,
    pub si2ter_indicator: bool,
    /// 3G Early Classmark Sending Restriction bit (osmo-bsc sends H).
    pub ecsr_3g: bool,
    pub si2quater: Option<Si2quaterConfig>,
    pub paging: PagingConfig,
    /// First TDMA frame number (defaults to one derived from the scenario seed).
    pub start_fn: Option<u32>,
}

impl Default for GsmCellConfig {
    fn default() -> Self {
        GsmCellConfig {
            mcc: "001".into(),
            mnc: "01".into(),
            lac: 1,
            ci: 6969,
            bsic: 63,
            cell_arfcns: Vec::new(),
            neighbours: Vec::new(),
            ncc_permitted: 0xff,
            t3212_decihours: 5,
            rach: RachConfig::default(),
            crh_db: 4,
            rxlev_access_min: 0,
            ms_txpwr_max_cch: 7,
            neci: true,
            acs: false,
            ccch_combined: true,
            bs_ag_blks_res: 1,
            bs_pa_mfrms: 5,
            mscr: true,
            att: true,
            pwrc: false,
            dtx: 2,
            radio_link_timeout_coded: 7,
            reselection: None,
            gprs_ra_colour: None,
            si2ter_indicator: false,
            ecsr_3g: true,
            si2quater: None,
            paging: PagingConfig::default(),
            start_fn: None,
        }
    }
}

/// The encoded broadcast of a cell: 23-octet L2 blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct GsmBroadcast {
    pub si1: [u8; 23],
    pub si2: [u8; 23],
    pub si3: [u8; 23],
    pub si4: [u8; 23],
    pub si2quater: Option<[u8; 23]>,
    pub si13: Option<[u8; 23]>,
    /// Paging Request Type 1 messages carrying the configured identities, in order.
    pub pagings: Vec<[u8; 23]>,
}

fn bad(what: &str, why: impl std::fmt::Display) -> SynthError {
    SynthError::Scenario(format!("{what}: {why}"))
}

impl GsmCellConfig {
    pub fn ncc(&self) -> u8 {
        self.bsic >> 3
    }
    pub fn bcc(&self) -> u8 {
        self.bsic & 7
    }

    fn rach_control(&self) -> Result<RachControl, SynthError> {
        let r = &self.rach;
        let max_retrans_coded = match r.max_retrans {
            1 => 0,
            2 => 1,
            4 => 2,
            7 => 3,
            n => return Err(bad("rach.max_retrans", format!("{n} is not 1, 2, 4 or 7"))),
        };
        if r.tx_integer_coded > 15 {
            return Err(bad("rach.tx_integer_coded", "must be 0..15"));
        }
        Ok(RachControl {
            max_retrans_coded,
            max_retrans: r.max_retrans,
            tx_integer_coded: r.tx_integer_coded,
            tx_integer_slots: 0,
            cell_bar_access: r.cell_barred,
            re_not_allowed: r.re_not_allowed,
            emergency_call_barred: r.acc & 0x0400 != 0,
            acc_raw: r.acc,
            access_classes_barred: Vec::new(),
        })
    }

    fn selection(&self) -> Result<Option<SelectionParameters>, SynthError> {
        let Some(s) = &self.reselection else {
            return Ok(None);
        };
        if s.cell_reselect_offset_db > 126 || s.cell_reselect_offset_db % 2 != 0 {
            return Err(bad(
                "reselection.cell_reselect_offset_db",
                "must be even, 0..126",
            ));
        }
        let tmp = match s.temporary_offset_db {
            None => 7,
            Some(d) if d <= 60 && d % 10 == 0 => d / 10,
            Some(d) => return Err(bad("reselection.temporary_offset_db", d)),
        };
        let pen = match s.penalty_time_s {
            None => 31,
            Some(t) if (20..=620).contains(&t) && t % 20 == 0 => (t / 20 - 1) as u8,
            Some(t) => return Err(bad("reselection.penalty_time_s", t)),
        };
        Ok(Some(SelectionParameters {
            cbq: s.cbq,
            cell_reselect_offset_coded: s.cell_reselect_offset_db / 2,
            cell_reselect_offset_db: s.cell_reselect_offset_db,
            temporary_offset_coded: tmp,
            temporary_offset_db: s.temporary_offset_db,
            penalty_time_coded: pen,
            penalty_time_s: s.penalty_time_s,
        }))
    }

    /// Encodes SI1, SI2, SI3, SI4 (and SI2quater, SI13, paging messages when configured).
    /// `arfcn` is the cell's own channel; `pcs1900` sets SI1's band indicator.
    pub fn broadcast(&self, arfcn: u16, pcs1900: bool) -> Result<GsmBroadcast, SynthError> {
        let enc = |what: &str, e: encode::EncodeError| bad(what, e);
        if self.bsic > 63 {
            return Err(bad("bsic", "must be 0..63"));
        }
        if !(2..=9).contains(&self.bs_pa_mfrms) {
            return Err(bad("bs_pa_mfrms", "must be 2..9"));
        }
        if self.crh_db > 14 || !self.crh_db.is_multiple_of(2) {
            return Err(bad("crh_db", "must be even, 0..14"));
        }
        let rach = self.rach_control()?;
        let lai = LocationAreaId {
            plmn: Plmn {
                mcc: self.mcc.clone(),
                mnc: self.mnc.clone(),
            },
            lac: self.lac,
        };
        let ccd = ControlChannelDescription {
            mscr: self.mscr,
            att: self.att,
            bs_ag_blks_res: self.bs_ag_blks_res,
            ccch_conf: u8::from(self.ccch_combined),
            cbq3: 0,
            bs_pa_mfrms_coded: self.bs_pa_mfrms - 2,
            bs_pa_mfrms_multiframes: self.bs_pa_mfrms,
            t3212_decihours: self.t3212_decihours,
        };
        let opts = CellOptions {
            pwrc: self.pwrc,
            dtx: self.dtx,
            radio_link_timeout_coded: self.radio_link_timeout_coded,
            radio_link_timeout_sacch_blocks: 0,
        };
        let sel = CellSelectionParameters {
            cell_reselect_hysteresis_coded: self.crh_db / 2,
            cell_reselect_hysteresis_db: self.crh_db,
            ms_txpwr_max_cch: self.ms_txpwr_max_cch,
            acs: self.acs,
            neci: self.neci,
            rxlev_access_min_coded: self.rxlev_access_min,
            rxlev_access_min_dbm: 0,
        };
        let selection = self.selection()?;
        let gprs = self.gprs_ra_colour.map(|c| GprsIndicator {
            ra_colour: c & 7,
            si13_position: 0,
        });
        let si3_ro = Si3RestOctets {
            selection_parameters: selection.clone(),
            si2ter_indicator: self.si2ter_indicator,
            gprs_indicator: gprs.clone(),
            early_classmark_sending_restriction_3g: self.ecsr_3g,
            si2quater_position: self.si2quater.as_ref().map(|_| 0),
            ..Default::default()
        };
        let si4_ro = Si4RestOctets {
            selection_parameters: selection,
            power_offset: None,
            gprs_indicator: gprs,
            s_part_present: false,
        };
        let cell_arfcns = if self.cell_arfcns.is_empty() {
            vec![arfcn]
        } else {
            self.cell_arfcns.clone()
        };
        let si2quater = match &self.si2quater {
            None => None,
            Some(q) => {
                let p = Si2quaterParams {
                    serving_cell_priority: Some(ServingCellPriority {
                        geran_priority: q.geran_priority & 7,
                        thresh_priority_search: 15,
                        thresh_gsm_low: 15,
                        h_prio: 0,
                        t_reselection: 0,
                    }),
                    eutran_neighbours: q
                        .eutran
                        .iter()
                        .map(|e| EutranNeighbourGroup {
                            earfcns: vec![e.earfcn],
                            measurement_bandwidths: vec![None],
                            priority: Some(e.priority & 7),
                            thresh_high: e.thresh_high & 31,
                            thresh_low: e.thresh_low.map(|t| t & 31),
                            qrxlevmin: None,
                        })
                        .collect(),
                    ..Default::default()
                };
                Some(encode::si2quater(&p).map_err(|e| enc("si2quater", e))?)
            }
        };
        let si13 = match self.gprs_ra_colour {
            None => None,
            Some(_) => Some(encode::si13(&Si13Params::default()).map_err(|e| enc("si13", e))?),
        };
        let mut ids: Vec<MobileIdentity> = Vec::new();
        ids.extend(
            self.paging
                .tmsis
                .iter()
                .map(|t| MobileIdentity::Tmsi(t.clone())),
        );
        ids.extend(
            self.paging
                .imsis
                .iter()
                .map(|t| MobileIdentity::Imsi(t.clone())),
        );
        let pagings = ids
            .iter()
            .map(|id| encode::paging_request_1(std::slice::from_ref(id)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| enc("paging", e))?;
        Ok(GsmBroadcast {
            si1: encode::si1(&cell_arfcns, &rach, pcs1900).map_err(|e| enc("si1", e))?,
            si2: encode::si2(&self.neighbours, false, 0, self.ncc_permitted, &rach)
                .map_err(|e| enc("si2 neighbours", e))?,
            si3: encode::si3(self.ci, &lai, &ccd, &opts, &sel, &rach, &si3_ro)
                .map_err(|e| enc("si3", e))?,
            si4: encode::si4(&lai, &sel, &rach, &si4_ro).map_err(|e| enc("si4", e))?,
            si2quater,
            si13,
            pagings,
        })
    }
}
