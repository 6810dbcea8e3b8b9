//! Everything one cell broadcast on BCCH-DL-SCH, gathered from SIB1 and the SI messages, with the
//! reselection-priority helpers the detector needs (TS 36.304 5.2.4.1: a UE reselects towards a
//! higher-priority frequency, so a GERAN or UTRA priority above the serving LTE priority pushes
//! idle UEs down to 2G/3G — the classic downgrade lever of a fake eNB).

use serde::{Deserialize, Serialize};

use crate::types::*;

/// Latest SIB1 and latest instance of each SIB of one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellSystemInfo {
    pub sib1: Option<Sib1Summary>,
    /// At most one entry per SIB type (the newest replaces an older one).
    pub sibs: Vec<SibSummary>,
}

impl CellSystemInfo {
    pub fn new() -> Self {
        Self::default()
    }

    /// Merge one decoded message.
    pub fn ingest(&mut self, msg: BcchDlSchMessage) {
        match msg {
            BcchDlSchMessage::Sib1(s) => self.sib1 = Some(s),
            BcchDlSchMessage::SystemInformation(si) => {
                for sib in si.sibs {
                    let name = sib.type_name().to_string();
                    match self.sibs.iter_mut().find(|s| s.type_name() == name) {
                        Some(slot) => *slot = sib,
                        None => self.sibs.push(sib),
                    }
                }
            }
        }
    }

    pub fn sib2(&self) -> Option<&Sib2Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib2(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib3(&self) -> Option<&Sib3Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib3(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib4(&self) -> Option<&Sib4Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib4(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib5(&self) -> Option<&Sib5Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib5(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib6(&self) -> Option<&Sib6Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib6(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib7(&self) -> Option<&Sib7Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib7(x) => Some(x),
            _ => None,
        })
    }

    pub fn sib8(&self) -> Option<&Sib8Summary> {
        self.sibs.iter().find_map(|s| match s {
            SibSummary::Sib8(x) => Some(x),
            _ => None,
        })
    }

    /// `cellReselectionPriority` of the serving frequency (SIB3).
    pub fn serving_priority(&self) -> Option<u8> {
        self.sib3().map(|s| s.cell_reselection_priority)
    }

    /// Highest E-UTRA priority: serving frequency (SIB3) and inter-frequency carriers (SIB5).
    pub fn max_eutra_priority(&self) -> Option<u8> {
        let inter = self.sib5().and_then(Sib5Summary::max_priority);
        self.serving_priority().into_iter().chain(inter).max()
    }

    /// Highest UTRA FDD/TDD priority (SIB6).
    pub fn max_utra_priority(&self) -> Option<u8> {
        self.sib6().and_then(Sib6Summary::max_priority)
    }

    /// Highest GERAN priority (SIB7).
    pub fn max_geran_priority(&self) -> Option<u8> {
        self.sib7().and_then(Sib7Summary::max_priority)
    }

    /// Downgrade rule: some 2G or 3G frequency has a higher reselection priority than the serving
    /// LTE frequency. `None` while SIB3 (serving priority) has not been seen.
    pub fn legacy_priority_above_serving(&self) -> Option<bool> {
        let serving = self.serving_priority()?;
        let legacy = self.max_geran_priority().max(self.max_utra_priority());
        Some(legacy.is_some_and(|p| p > serving))
    }

    /// Number of SI messages SIB1 schedules (0 before SIB1).
    pub fn si_count(&self) -> usize {
        self.sib1.as_ref().map_or(0, Sib1Summary::si_count)
    }

    /// SIB types SIB1 schedules ("sibType3", ...); empty before SIB1.
    pub fn scheduled_sib_types(&self) -> Vec<&str> {
        self.sib1
            .as_ref()
            .map(Sib1Summary::scheduled_sib_types)
            .unwrap_or_default()
    }
}
