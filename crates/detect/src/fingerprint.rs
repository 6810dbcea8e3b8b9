//! System-information fingerprint: the part of a cell's broadcast configuration that belongs to
//! the software and the person who set it up, not to the deployment.
//!
//! An SMS blaster's operator changes CI, LAC, ARFCN and BSIC between deployments (and copies the
//! local operator's PLMN), but the BTS software keeps its configuration file: T3212, the RACH
//! control parameters, the cell (re)selection parameters and rest octets, the CCCH layout, the
//! shape of the neighbour list. Those values are chosen by an operator's radio planning for a
//! whole network layer, and by a blaster's vendor or user once. The fingerprint is a canonical
//! text of exactly those values (no identity, no channel numbers), and its id is a SHA-256 of the
//! text, so two sensors compare fingerprints without exchanging anything else.
//!
//! What is left out, and why:
//! - identity (PLMN, LAC/TAC, CI/ECI, BSIC/PCI) and channel numbers: they change per deployment;
//! - the neighbour ARFCNs themselves: they depend on the location; only the list's shape
//!   (empty, only the cell itself, or how many) is kept;
//! - which SI types happened to be received: a short recording misses SI2quater or SI13 that a
//!   long one catches; the SI3 rest octets' announcements of them are kept instead.
//!
//! A GSM fingerprint needs SI3 (control channel, selection parameters, RACH control, rest
//! octets) and the SI2 neighbour list; an LTE fingerprint needs SIB1. Without them there is no
//! fingerprint (`None`): a partial one would not compare like with like.
//! The measurement that no legitimate cell of the scene library and the shared captures has a
//! fake cell's fingerprint is in `crates/detect/FINGERPRINT.md`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{GsmSystemInfo, LteSystemInfo, Rat};
use crate::scene::CellHistory;

/// Version of the canonical text; part of the text and the id, so fingerprints of different
/// versions never compare equal.
pub const FINGERPRINT_VERSION: u32 = 1;

/// A cell's system-information fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SiFingerprint {
    /// Radio technology.
    pub rat: Rat,
    /// Canonical text, `key=value` pairs joined by `;` in a fixed order.
    pub text: String,
    /// `gsm-si1:` or `lte-si1:` followed by the first 32 hex digits (128 bits) of SHA-256(text).
    pub id: String,
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "1",
        Some(false) => "0",
        None => "-",
    }
}

/// Shape of a neighbour list: the values seen in blasters (empty, only themselves) kept exact,
/// and the size of a real list in bands, since one more or less neighbour is planning, not
/// software.
fn list_shape(list: &[u16], own: Option<u32>) -> &'static str {
    let others = list.iter().filter(|a| Some(u32::from(**a)) != own).count();
    match (list.len(), others) {
        (0, _) => "empty",
        (_, 0) => "self",
        (_, 1..=3) => "1-3",
        (_, 4..=15) => "4-15",
        _ => "16+",
    }
}

fn finish(rat: Rat, text: String) -> SiFingerprint {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let prefix = match rat {
        Rat::Gsm => "gsm",
        Rat::Lte => "lte",
    };
    SiFingerprint {
        rat,
        id: format!("{prefix}-si{FINGERPRINT_VERSION}:{hex}"),
        text,
    }
}

impl SiFingerprint {
    /// The fingerprint of a GSM cell's system information; `own_arfcn` tells an "only itself"
    /// neighbour list from a list of one neighbour. `None` until SI3 and SI2 are decoded.
    pub fn gsm(si: &GsmSystemInfo, own_arfcn: Option<u32>) -> Option<SiFingerprint> {
        // SI3 is there when its mandatory fields are; SI2 when the BA list is.
        let t3212 = si.t3212_decihours?;
        let rach = si.rach.as_ref()?;
        let crh = si.cell_reselect_hysteresis_db?;
        let neighbours = si.neighbour_arfcns.as_ref()?;
        let parts = [
            format!("v={FINGERPRINT_VERSION}"),
            format!("t3212={t3212}"),
            format!("rach.max_retrans={}", opt(rach.max_retrans)),
            format!("rach.tx_integer={}", opt(rach.tx_integer_slots)),
            format!("rach.acc=0x{:04x}", rach.access_class_barred_mask),
            format!("rach.ec_barred={}", u8::from(rach.emergency_call_barred)),
            format!("rach.re_not_allowed={}", u8::from(rach.re_not_allowed)),
            format!("rach.cell_barred={}", u8::from(rach.cell_barred)),
            format!("crh_db={crh}"),
            format!("rxlev_access_min={}", opt(si.rxlev_access_min)),
            format!("ms_txpwr_max_cch={}", opt(si.ms_txpwr_max_cch)),
            format!("ccch_combined={}", flag(si.ccch_combined)),
            format!("bs_ag_blks_res={}", opt(si.bs_ag_blks_res)),
            format!("bs_pa_mfrms={}", opt(si.bs_pa_mfrms)),
            format!("rest.decoded={}", flag(si.si3_rest_octets_decoded)),
            format!("rest.cbq={}", flag(si.cell_bar_qualify)),
            format!("rest.cro_db={}", opt(si.cell_reselect_offset_db)),
            format!("rest.to_db={}", opt(si.temporary_offset_db)),
            format!("rest.pt_s={}", opt(si.penalty_time_s)),
            format!("rest.gprs={}", flag(si.gprs_indicator)),
            format!("rest.si2quater={}", flag(si.si2quater_announced)),
            format!("rest.si2ter={}", flag(si.si2ter_announced)),
            format!("rest.si13={}", flag(si.si13_announced)),
            format!(
                "ncc_permitted={}",
                opt(si.ncc_permitted.map(|n| format!("0x{n:02x}")))
            ),
            format!("ba={}", list_shape(neighbours, own_arfcn)),
            format!(
                "ca={}",
                si.cell_channel_arfcns
                    .as_ref()
                    .map_or("-", |ca| list_shape(ca, None))
            ),
        ];
        Some(finish(Rat::Gsm, parts.join(";")))
    }

    /// The fingerprint of an LTE cell's SIBs. `None` until SIB1 is decoded.
    pub fn lte(si: &LteSystemInfo) -> Option<SiFingerprint> {
        let sib1 = si.sib1.as_ref()?;
        let scheduling: Vec<String> = sib1
            .scheduling
            .iter()
            .map(|sibs| {
                let mut s: Vec<String> = sibs.iter().map(u8::to_string).collect();
                s.sort();
                s.join("+")
            })
            .collect();
        fn priorities(list: &[crate::model::FreqPriority]) -> String {
            let mut p: Vec<String> = list.iter().map(|f| opt(f.priority)).collect();
            p.sort();
            p.dedup();
            if p.is_empty() {
                "none".into()
            } else {
                p.join("+")
            }
        }
        let bucket = |n: Option<u16>| match n {
            None => "-",
            Some(0) => "0",
            Some(1..=3) => "1-3",
            Some(4..=15) => "4-15",
            Some(_) => "16+",
        };
        let parts = [
            format!("v={FINGERPRINT_VERSION}"),
            format!("plmns={}", sib1.plmns.len()),
            format!("barred={}", flag(sib1.cell_barred)),
            format!("q_rxlevmin_dbm={}", opt(sib1.q_rxlevmin_dbm)),
            format!("si_window_ms={}", opt(sib1.si_window_ms)),
            format!("scheduling={}", scheduling.join("/")),
            format!("serving_priority={}", opt(si.serving_priority)),
            format!("inter_freq={}", priorities(&si.inter_freq)),
            format!("utra={}", priorities(&si.utra)),
            format!("geran={}", priorities(&si.geran)),
            format!("sib4={}", bucket(si.sib4_neighbours)),
            format!("sib5={}", bucket(si.sib5_neighbours)),
        ];
        Some(finish(Rat::Lte, parts.join(";")))
    }

    /// The fingerprint of a cell as merged over a run.
    pub fn of(cell: &CellHistory) -> Option<SiFingerprint> {
        match cell.key.rat {
            Rat::Gsm => SiFingerprint::gsm(cell.gsm.as_ref()?, cell.key.channel),
            Rat::Lte => SiFingerprint::lte(cell.lte.as_ref()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::legit_si;

    #[test]
    fn identity_and_channels_do_not_change_it_configuration_does() {
        let a = SiFingerprint::gsm(&legit_si(&[10, 20, 30, 40]), Some(62)).unwrap();
        // Another deployment: other neighbours (same count band), other channel.
        let b = SiFingerprint::gsm(&legit_si(&[11, 21, 31, 41, 51]), Some(70)).unwrap();
        assert_eq!(a, b);
        assert!(a.id.starts_with("gsm-si1:") && a.id.len() == "gsm-si1:".len() + 32);
        // One software setting differs: another fingerprint.
        let mut si = legit_si(&[10, 20, 30, 40]);
        si.cell_reselect_offset_db = Some(126);
        assert_ne!(SiFingerprint::gsm(&si, Some(62)).unwrap().id, a.id);
        // Empty and "only itself" are kept apart from real lists.
        let empty = SiFingerprint::gsm(&legit_si(&[]), Some(62)).unwrap();
        let own = SiFingerprint::gsm(&legit_si(&[62]), Some(62)).unwrap();
        assert!(empty.text.contains("ba=empty") && own.text.contains("ba=self"));
        assert_ne!(empty.id, own.id);
        // No SI2 decoded: no fingerprint.
        let mut partial = legit_si(&[1]);
        partial.neighbour_arfcns = None;
        assert!(SiFingerprint::gsm(&partial, Some(62)).is_none());
    }
}
