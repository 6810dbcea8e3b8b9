//! The identity of a cell, as complete as decoded so far.
//!
//! A cell is first heard by its physical identity (ARFCN+BSIC, EARFCN+PCI) and only later by
//! its global identity (PLMN, LAC/TAC, CI/ECI) once SI3/SIB1 is decoded, so every part but the
//! RAT is optional: "unknown" must never be read as "zero".

use serde::{Deserialize, Serialize};

use crate::{Plmn, Rat};

/// Identity of a cell, with every part optional except the RAT.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellKey {
    /// GSM or LTE.
    pub rat: Rat,
    /// PLMN as broadcast (SI3/SI4 LAI, the first PLMN of SIB1).
    pub plmn: Option<Plmn>,
    /// LAC (TS 24.008 10.5.1.3) / TAC (TS 36.331 trackingAreaCode).
    pub lac_tac: Option<u32>,
    /// CI (TS 24.008 10.5.1.1) / 28-bit E-UTRAN cell identity.
    pub cell_id: Option<u32>,
    /// ARFCN (TS 45.005 2) / EARFCN (TS 36.101 5.7.3).
    pub channel: Option<u32>,
    /// BSIC, 6 bits NCC|BCC (TS 45.002 3.3.2.2) / PCI 0..503 (TS 36.211 6.11).
    pub bsic_pci: Option<u16>,
}

fn agree<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

impl CellKey {
    /// A key that knows only the RAT.
    pub fn new(rat: Rat) -> Self {
        CellKey {
            rat,
            plmn: None,
            lac_tac: None,
            cell_id: None,
            channel: None,
            bsic_pci: None,
        }
    }

    /// Every field known on both sides is equal.
    pub fn compatible(&self, other: &CellKey) -> bool {
        self.rat == other.rat
            && agree(&self.plmn, &other.plmn)
            && agree(&self.lac_tac, &other.lac_tac)
            && agree(&self.cell_id, &other.cell_id)
            && agree(&self.channel, &other.channel)
            && agree(&self.bsic_pci, &other.bsic_pci)
    }

    /// Number of known fields.
    pub fn specificity(&self) -> usize {
        usize::from(self.plmn.is_some())
            + usize::from(self.lac_tac.is_some())
            + usize::from(self.cell_id.is_some())
            + usize::from(self.channel.is_some())
            + usize::from(self.bsic_pci.is_some())
    }

    /// PLMN, LAC/TAC and CI/ECI are all known.
    pub fn has_global_id(&self) -> bool {
        self.plmn.is_some() && self.lac_tac.is_some() && self.cell_id.is_some()
    }

    /// Fills the fields this key does not know from `other`.
    pub fn fill_from(&mut self, other: &CellKey) {
        if self.plmn.is_none() {
            self.plmn.clone_from(&other.plmn);
        }
        self.lac_tac = self.lac_tac.or(other.lac_tac);
        self.cell_id = self.cell_id.or(other.cell_id);
        self.channel = self.channel.or(other.channel);
        self.bsic_pci = self.bsic_pci.or(other.bsic_pci);
    }

    /// The key as one line of text, `rat|mcc|mnc|lac_tac|cell_id|channel|bsic_pci` with empty
    /// parts for unknown fields: the natural key under which a store (the sensor's SQLite,
    /// the central PostgreSQL) keeps one row per cell.
    pub fn natural_key(&self) -> String {
        fn part<T: ToString>(v: Option<T>) -> String {
            v.map(|x| x.to_string()).unwrap_or_default()
        }
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.rat,
            self.plmn.as_ref().map_or("", |p| p.mcc.as_str()),
            self.plmn.as_ref().map_or("", |p| p.mnc.as_str()),
            part(self.lac_tac),
            part(self.cell_id),
            part(self.channel),
            part(self.bsic_pci)
        )
    }

    /// The key back from [`Self::natural_key`]'s text; `None` when it is not one.
    pub fn from_natural_key(text: &str) -> Option<CellKey> {
        let parts: Vec<&str> = text.split('|').collect();
        let [rat, mcc, mnc, area, id, channel, bsic] = parts[..] else {
            return None;
        };
        fn opt<T: std::str::FromStr>(v: &str) -> Option<Option<T>> {
            if v.is_empty() {
                Some(None)
            } else {
                v.parse().ok().map(Some)
            }
        }
        Some(CellKey {
            rat: rat.parse().ok()?,
            plmn: (!mcc.is_empty() || !mnc.is_empty()).then(|| crate::Plmn::broadcast(mcc, mnc)),
            lac_tac: opt(area)?,
            cell_id: opt(id)?,
            channel: opt(channel)?,
            bsic_pci: opt(bsic)?,
        })
    }
}

impl std::fmt::Display for CellKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn o<T: std::fmt::Display>(v: &Option<T>) -> String {
            v.as_ref()
                .map_or_else(|| "?".to_string(), |x| x.to_string())
        }
        let (ch, id, area) = match self.rat {
            Rat::Gsm => ("arfcn", "bsic", "lac"),
            Rat::Lte => ("earfcn", "pci", "tac"),
        };
        write!(
            f,
            "{} {} {area} {} ci {} {ch} {} {id} {}",
            self.rat,
            o(&self.plmn),
            o(&self.lac_tac),
            o(&self.cell_id),
            o(&self.channel),
            o(&self.bsic_pci)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_key_reads_back() {
        let k = CellKey {
            rat: Rat::Gsm,
            plmn: Some(crate::Plmn::broadcast("234", "15")),
            lac_tac: Some(1000),
            cell_id: Some(4321),
            channel: Some(62),
            bsic_pci: None,
        };
        assert_eq!(k.natural_key(), "gsm|234|15|1000|4321|62|");
        assert_eq!(CellKey::from_natural_key(&k.natural_key()), Some(k));
        assert_eq!(CellKey::from_natural_key("gsm|234|15|x|1|2|3"), None);
        assert_eq!(CellKey::from_natural_key("gsm|234"), None);
    }

    #[test]
    fn partial_keys_merge() {
        let mut phys = CellKey::new(Rat::Gsm);
        phys.channel = Some(62);
        phys.bsic_pci = Some(63);
        let mut global = CellKey::new(Rat::Gsm);
        global.plmn = Some(Plmn::parse("234-15").unwrap());
        global.lac_tac = Some(1);
        global.cell_id = Some(6969);
        assert!(phys.compatible(&global));
        phys.fill_from(&global);
        assert_eq!(phys.specificity(), 5);
        assert!(phys.has_global_id());
        assert_eq!(phys.natural_key(), "gsm|234|15|1|6969|62|63");
        let mut other = phys.clone();
        other.bsic_pci = Some(7);
        assert!(!phys.compatible(&other));
        assert_eq!(
            phys.to_string(),
            "gsm 234-15 lac 1 ci 6969 arfcn 62 bsic 63"
        );
    }
}
