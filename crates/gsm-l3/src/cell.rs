//! Per-cell accumulation of System Information: keeps the latest message of each SI type and
//! answers the questions a fake-cell detector asks (identity, neighbours, barring, timers,
//! reselection offsets, GPRS, announced SI2quater/SI13, LTE neighbours with priorities).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::si2quater::Si2quater;
use crate::{L3Message, Plmn, RachControl};
use cellsentry_model::GsmSiType;

/// Cell identity as broadcast in SI3 (or SI4/SI6 for the LAI).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellGlobalId {
    pub plmn: Plmn,
    pub lac: u16,
    pub cell_identity: Option<u16>,
}

/// E-UTRAN neighbour frequency announced in SI2quater.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EutranNeighbour {
    pub earfcn: u16,
    pub priority: Option<u8>,
    pub thresh_high: u8,
    pub thresh_low: Option<u8>,
    pub qrxlevmin: Option<u8>,
}

/// Latest System Information of one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellSystemInfo {
    /// Latest message of each SI type. SI2quater instances are kept per SI2quater_INDEX.
    pub latest: BTreeMap<GsmSiType, L3Message>,
    pub si2quater_by_index: BTreeMap<u8, Si2quater>,
    /// How many messages of each type were seen.
    pub counts: BTreeMap<GsmSiType, u32>,
}

impl CellSystemInfo {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a message; returns true if it was System Information (other messages are ignored).
    pub fn update(&mut self, m: &L3Message) -> bool {
        let Some(t) = m.si_type() else { return false };
        if let L3Message::Si2quater(q) = m {
            self.si2quater_by_index.insert(q.index, q.clone());
        }
        self.latest.insert(t, m.clone());
        *self.counts.entry(t).or_insert(0) += 1;
        true
    }

    pub fn seen(&self, t: GsmSiType) -> bool {
        self.latest.contains_key(&t)
    }

    /// SI types seen so far.
    pub fn si_types_seen(&self) -> Vec<GsmSiType> {
        self.latest.keys().copied().collect()
    }

    fn si3(&self) -> Option<&crate::Si3> {
        match self.latest.get(&GsmSiType::Si3) {
            Some(L3Message::Si3(s)) => Some(s),
            _ => None,
        }
    }

    fn si4(&self) -> Option<&crate::Si4> {
        match self.latest.get(&GsmSiType::Si4) {
            Some(L3Message::Si4(s)) => Some(s),
            _ => None,
        }
    }

    /// PLMN, LAC (SI3, else SI4, else SI6) and cell identity (SI3, else SI6).
    pub fn cell_id(&self) -> Option<CellGlobalId> {
        if let Some(s) = self.si3() {
            return Some(CellGlobalId {
                plmn: s.lai.plmn.clone(),
                lac: s.lai.lac,
                cell_identity: Some(s.cell_identity),
            });
        }
        if let Some(L3Message::Si6(s)) = self.latest.get(&GsmSiType::Si6) {
            return Some(CellGlobalId {
                plmn: s.lai.plmn.clone(),
                lac: s.lai.lac,
                cell_identity: Some(s.cell_identity),
            });
        }
        self.si4().map(|s| CellGlobalId {
            plmn: s.lai.plmn.clone(),
            lac: s.lai.lac,
            cell_identity: None,
        })
    }

    pub fn plmn(&self) -> Option<Plmn> {
        self.cell_id().map(|c| c.plmn)
    }

    pub fn lac(&self) -> Option<u16> {
        self.cell_id().map(|c| c.lac)
    }

    pub fn cell_identity(&self) -> Option<u16> {
        self.cell_id().and_then(|c| c.cell_identity)
    }

    /// BCCH allocation for idle mode: union of SI2, SI2bis and SI2ter neighbour lists (sorted).
    pub fn neighbour_arfcns(&self) -> Vec<u16> {
        let mut set = BTreeSet::new();
        for m in self.latest.values() {
            match m {
                L3Message::Si2(s) => set.extend(s.neighbour_cells.list.arfcns.iter().copied()),
                L3Message::Si2bis(s) => {
                    set.extend(s.extended_neighbour_cells.list.arfcns.iter().copied())
                }
                L3Message::Si2ter(s) => {
                    set.extend(s.extended_neighbour_cells.list.arfcns.iter().copied())
                }
                _ => {}
            }
        }
        set.into_iter().collect()
    }

    /// Cell allocation (SI1 Cell Channel Description), sorted.
    pub fn cell_allocation_arfcns(&self) -> Option<Vec<u16>> {
        match self.latest.get(&GsmSiType::Si1) {
            Some(L3Message::Si1(s)) => {
                let mut v = s.cell_channel_description.arfcns.clone();
                v.sort_unstable();
                Some(v)
            }
            _ => None,
        }
    }

    /// RACH control from the most authoritative SI present (SI3, SI4, SI1, SI2, SI2bis, SI9).
    pub fn rach_control(&self) -> Option<&RachControl> {
        for t in [
            GsmSiType::Si3,
            GsmSiType::Si4,
            GsmSiType::Si1,
            GsmSiType::Si2,
            GsmSiType::Si2bis,
            GsmSiType::Si9,
        ] {
            let r = match self.latest.get(&t) {
                Some(L3Message::Si3(s)) => Some(&s.rach_control),
                Some(L3Message::Si4(s)) => Some(&s.rach_control),
                Some(L3Message::Si1(s)) => Some(&s.rach_control),
                Some(L3Message::Si2(s)) => Some(&s.rach_control),
                Some(L3Message::Si2bis(s)) => Some(&s.rach_control),
                Some(L3Message::Si9(s)) => Some(&s.rach_control),
                _ => None,
            };
            if r.is_some() {
                return r;
            }
        }
        None
    }

    /// EC bit: emergency calls restricted to access classes 11-15.
    pub fn emergency_call_barred(&self) -> Option<bool> {
        self.rach_control().map(|r| r.emergency_call_barred)
    }

    pub fn cell_barred(&self) -> Option<bool> {
        self.rach_control().map(|r| r.cell_bar_access)
    }

    pub fn access_classes_barred(&self) -> Option<Vec<u8>> {
        self.rach_control().map(|r| r.access_classes_barred.clone())
    }

    /// T3212 periodic location updating timer in decihours (SI3), 0 = infinite.
    pub fn t3212_decihours(&self) -> Option<u8> {
        self.si3().map(|s| s.control_channel.t3212_decihours)
    }

    fn si3_rest(&self) -> Option<&crate::Si3RestOctets> {
        self.si3().and_then(|s| s.rest_octets.decoded.as_ref())
    }

    fn selection(&self) -> Option<&crate::SelectionParameters> {
        self.si3_rest()
            .and_then(|r| r.selection_parameters.as_ref())
            .or_else(|| {
                self.si4()
                    .and_then(|s| s.rest_octets.decoded.as_ref())
                    .and_then(|r| r.selection_parameters.as_ref())
            })
    }

    /// CELL_RESELECT_OFFSET in dB from SI3 (else SI4) rest octets; `None` if not broadcast.
    pub fn cell_reselect_offset_db(&self) -> Option<u8> {
        self.selection().map(|s| s.cell_reselect_offset_db)
    }

    pub fn temporary_offset_db(&self) -> Option<u8> {
        self.selection().and_then(|s| s.temporary_offset_db)
    }

    pub fn penalty_time_s(&self) -> Option<u16> {
        self.selection().and_then(|s| s.penalty_time_s)
    }

    /// CELL_RESELECT_HYSTERESIS in dB (SI3, else SI4).
    pub fn cell_reselect_hysteresis_db(&self) -> Option<u8> {
        self.si3()
            .map(|s| s.cell_selection.cell_reselect_hysteresis_db)
            .or_else(|| {
                self.si4()
                    .map(|s| s.cell_selection.cell_reselect_hysteresis_db)
            })
    }

    /// RXLEV_ACCESS_MIN in dBm (SI3, else SI4).
    pub fn rxlev_access_min_dbm(&self) -> Option<i16> {
        self.si3()
            .map(|s| s.cell_selection.rxlev_access_min_dbm)
            .or_else(|| self.si4().map(|s| s.cell_selection.rxlev_access_min_dbm))
    }

    /// GPRS Indicator present in SI3 (else SI4) rest octets.
    pub fn gprs_indicator_present(&self) -> Option<bool> {
        if let Some(r) = self.si3_rest() {
            return Some(r.gprs_indicator.is_some());
        }
        self.si4()
            .and_then(|s| s.rest_octets.decoded.as_ref())
            .map(|r| r.gprs_indicator.is_some())
    }

    /// SI2quater announced in SI3 rest octets.
    pub fn si2quater_announced(&self) -> Option<bool> {
        self.si3_rest().map(|r| r.si2quater_position.is_some())
    }

    /// SI13 announced (via the GPRS Indicator) in SI3 rest octets.
    pub fn si13_announced(&self) -> Option<bool> {
        self.si3_rest().map(|r| r.gprs_indicator.is_some())
    }

    /// SI2ter announced in SI3 rest octets.
    pub fn si2ter_announced(&self) -> Option<bool> {
        self.si3_rest().map(|r| r.si2ter_indicator)
    }

    /// E-UTRAN neighbours from all SI2quater instances, in index order.
    pub fn eutran_neighbours(&self) -> Vec<EutranNeighbour> {
        let mut out = Vec::new();
        for q in self.si2quater_by_index.values() {
            for g in &q.eutran_neighbours {
                for &earfcn in &g.earfcns {
                    out.push(EutranNeighbour {
                        earfcn,
                        priority: g.priority,
                        thresh_high: g.thresh_high,
                        thresh_low: g.thresh_low,
                        qrxlevmin: g.qrxlevmin,
                    });
                }
            }
        }
        out
    }

    /// GERAN_PRIORITY of the serving cell (SI2quater), if broadcast.
    pub fn geran_priority(&self) -> Option<u8> {
        self.si2quater_by_index
            .values()
            .find_map(|q| q.serving_cell_priority.as_ref().map(|p| p.geran_priority))
    }

    /// UTRAN FDD neighbour UARFCNs from all SI2quater instances.
    pub fn utran_fdd_uarfcns(&self) -> Vec<u16> {
        let mut s = BTreeSet::new();
        for q in self.si2quater_by_index.values() {
            s.extend(q.utran_fdd.iter().map(|u| u.uarfcn));
        }
        s.into_iter().collect()
    }

    pub fn utran_tdd_present(&self) -> bool {
        self.si2quater_by_index
            .values()
            .any(|q| !q.utran_tdd.is_empty())
    }
}
