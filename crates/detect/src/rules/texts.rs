//! The words a report puts beside each rule that fired: the norm the cell broke, why that
//! matters, where the indicator comes from (`shared/docs/indicators.md`, whose section names
//! are the rule ids), and which decoded messages and fields prove it.
//!
//! Kept next to the rules so that a rule and its explanation change together; the report
//! renders them, it does not write them.

/// What a report says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleText {
    /// Rule id.
    pub id: &'static str,
    /// The threshold or norm a cell breaks when the rule fires.
    pub norm: &'static str,
    /// Why it matters for telling a fake base station from a real one.
    pub why: &'static str,
    /// Where the indicator comes from (section of indicators.md and its sources).
    pub source: &'static str,
    /// Message types that carry the evidence ("SI3", "SIB1", ...); empty for RF rules.
    pub messages: &'static [&'static str],
    /// Keys of the decoded messages that matter (searched at any depth).
    pub fields: &'static [&'static str],
}

const GSM_SI: &[&str] = &["SI1", "SI2", "SI3", "SI4"];

/// Every rule's text, in catalogue order.
pub const RULE_TEXTS: &[RuleText] = &[
    RuleText {
        id: "unknown_cell_vs_baseline",
        norm: "every cell at a sensor's location should be in its baseline (survey, operator or OpenCellID data within 2 km)",
        why: "a fake base station must announce a cell identity; unless it copies a real cell exactly, that identity is new at this location",
        source: "indicators.md section 2, unknown_cell_vs_baseline (Crocodile Hunter check_wigle; AIMSICD DF 2; SeaGlass)",
        messages: &["SI3", "SI4", "SIB1"],
        fields: &["lai", "cell_identity", "tracking_area_code"],
    },
    RuleText {
        id: "foreign_plmn",
        norm: "the MCC must be one of the country's, the MNC one of its licensed operators",
        why: "low-effort rigs run with another country's or a random network code",
        source: "indicators.md section 2, foreign_plmn (Crocodile Hunter check_mcc/check_mnc)",
        messages: &["SI3", "SI4", "SIB1"],
        fields: &["plmn", "mcc", "mnc", "plmns"],
    },
    RuleText {
        id: "malformed_plmn",
        norm: "each MCC and MNC digit is a BCD value 0-9 (0xF only as the filler of a 2-digit MNC), TS 24.008 10.5.1.3; SIB1 PLMN digits are 0-9 (TS 36.331)",
        why: "no licensed network can broadcast another value, so a cell that does is a misconfigured or deliberately odd rig; it is judged with its identity as broadcast, not as if it had none",
        source: "TS 24.008 10.5.1.3 and TS 23.003 2.2 (not in indicators.md: added with this sensor's shared vocabulary), rule malformed_plmn",
        messages: &["SI3", "SI4", "SIB1"],
        fields: &["plmn", "mcc", "mnc", "plmns"],
    },
    RuleText {
        id: "test_plmn",
        norm: "MCC 001-009 and 999 are ITU-T E.212 test/private codes, and the default PLMNs of open-source BTS stacks are not used on public bands",
        why: "lab stacks (OpenBTS, YateBTS, Osmocom, srsRAN, Open5GS) broadcast 001-01 or 999-70 until someone reconfigures them",
        source: "indicators.md section 0 (the stacks' own configuration files) and section 2, test_plmn",
        messages: &["SI3", "SI4", "SIB1"],
        fields: &["plmn", "mcc", "mnc", "plmns"],
    },
    RuleText {
        id: "default_bts_identity",
        norm: "no two identity fields (LAC/TAC, CI, BSIC/PCI, ARFCN/EARFCN) equal one open-source stack's factory defaults",
        why: "operators of rogue rigs often change only the PLMN and keep LAC 1 / CI 6969 / BSIC 63 / ARFCN 871 or similar",
        source: "indicators.md section 0 and section 2, default_bts_identity",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "lac", "cell_identity", "tracking_area_code"],
    },
    RuleText {
        id: "emergency_call_barred",
        norm: "a public network cell lets every phone make emergency calls: the EC bit (access class 10) of RACH Control is 0 (3GPP TS 44.018 10.5.2.29)",
        why: "OpenBTS and YateBTS default to RACH.AC=0x0400 because a fake cell cannot route emergency calls; no operator bars them",
        source: "indicators.md section 3, emergency_call_barred (OpenBTS/YateBTS RACH.AC; TS 44.018)",
        messages: GSM_SI,
        fields: &["emergency_call_barred", "acc_raw"],
    },
    RuleText {
        id: "access_class_anomaly",
        norm: "access classes 0-9 are not all barred, and barring matches the operator's pattern",
        why: "rigs copy odd values or bar classes inconsistently",
        source: "indicators.md section 3, access_class_anomaly (TS 44.018; SIB2 ac-BarringInfo)",
        messages: GSM_SI,
        fields: &["access_classes_barred", "acc_raw"],
    },
    RuleText {
        id: "t3212_short_or_zero",
        norm: "periodic location updating (T3212) is set like the operator's other cells: not 0 (off) and not under 30 minutes",
        why: "a short T3212 makes phones re-register, and re-send their identity, often; stacks default to 0 or 30 min",
        source: "indicators.md section 3, t3212_short_or_zero (SnoopSnitch T1)",
        messages: &["SI3"],
        fields: &["t3212_decihours"],
    },
    RuleText {
        id: "c2_reselection_abuse",
        norm: "CELL_RESELECT_OFFSET at most 40 dB (or the operator's largest), PENALTY_TIME not 31, no TEMPORARY_OFFSET of 70 dB on a new cell (3GPP TS 45.008 6.4)",
        why: "a large positive reselection offset makes idle phones prefer the cell whatever the real cells' power: the SMS blaster's way to capture phones",
        source: "indicators.md section 3, c2_reselection_abuse (SnoopSnitch K2; rayhunter PR #938)",
        messages: &["SI3", "SI4"],
        fields: &["cell_reselect_offset_db", "penalty_time_s", "temporary_offset_db", "cbq"],
    },
    RuleText {
        id: "rxlev_access_min_anomaly",
        norm: "RXLEV-ACCESS-MIN / q-RxLevMin within 6 dB of the operator's median, hysteresis among the operator's values",
        why: "RXLEV_ACCESS_MIN 0 (-110 dBm) lets every phone camp; stacks default to it",
        source: "indicators.md section 3, rxlev_access_min_anomaly (OpenBTS/Osmocom defaults; White-Stingray)",
        messages: &["SI3", "SI4", "SIB1"],
        fields: &["rxlev_access_min_dbm", "cell_reselect_hysteresis_db", "q_rx_lev_min_dbm"],
    },
    RuleText {
        id: "neighbour_list_empty_or_self",
        norm: "a real cell announces its neighbours: more than one ARFCN besides its own in SI2/SI2bis/SI2ter (LTE: SIB4/SIB5 or other layers)",
        why: "a fake cell wants phones to stay; it announces no neighbour, or only itself",
        source: "indicators.md section 3, neighbour_list_empty_or_self (SnoopSnitch K1; AIMSICD DF 4)",
        messages: &["SI2", "SI2bis", "SI2ter", "SIB4", "SIB5"],
        fields: &["neighbour_cells"],
    },
    RuleText {
        id: "neighbour_list_inconsistent",
        norm: "a cell is announced by at least one of the neighbours it is heard with",
        why: "real cells are planned together and list each other; a fake cell is in nobody's list",
        source: "indicators.md section 3, neighbour_list_inconsistent (SnoopSnitch R1)",
        messages: &["SI2"],
        fields: &["neighbour_cells", "arfcns"],
    },
    RuleText {
        id: "lac_inconsistent_with_neighbours",
        norm: "a cell shares its LAC/TAC with at least one of 3 or more same-operator neighbours",
        why: "a catcher picks a LAC unlike its neighbours' to make phones run a location update",
        source: "indicators.md section 3, lac_inconsistent_with_neighbours (SnoopSnitch A2)",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "lac", "tracking_area_code"],
    },
    RuleText {
        id: "single_cell_lac",
        norm: "a location area holds more than one cell",
        why: "an invented LAC contains only the fake cell",
        source: "indicators.md section 3, single_cell_lac (SnoopSnitch A5)",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "lac", "tracking_area_code"],
    },
    RuleText {
        id: "lac_tac_change",
        norm: "a known cell (PLMN, CI, channel) keeps its LAC/TAC",
        why: "changing LAC forces a location update, exactly what a catcher needs",
        source: "indicators.md section 2, lac_tac_change (Crocodile Hunter check_changed_tac; AIMSICD DF 1)",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "lac", "tracking_area_code"],
    },
    RuleText {
        id: "same_ci_other_arfcn",
        norm: "one cell identity (PLMN, LAC, CI) is on one channel",
        why: "a catcher clones a real cell's identity on another channel",
        source: "indicators.md section 2, same_ci_other_arfcn (SnoopSnitch A4)",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "cell_identity"],
    },
    RuleText {
        id: "arfcn_identity_change",
        norm: "a channel and BSIC/PCI keep their PLMN, LAC and CI over minutes",
        why: "a catcher takes over a weak real cell's channel with its own identity",
        source: "indicators.md section 2, arfcn_identity_change (SnoopSnitch A1)",
        messages: &["SI3", "SIB1"],
        fields: &["lai", "cell_identity"],
    },
    RuleText {
        id: "bsic_ncc_unexpected",
        norm: "the NCC is one the operator uses here, and the BSIC is not a stack default (63, 2)",
        why: "operators follow a per-country NCC plan; stacks default to BSIC 63 or NCC 0/BCC 2",
        source: "indicators.md section 3, bsic_ncc_unexpected (Osmocom/OpenBTS defaults)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "unknown_pci_on_known_earfcn",
        norm: "a strong cell on an operator's EARFCN has a PCI seen there before",
        why: "the LTE leg of an SMS blaster appears as a new PCI on the operator's own carrier",
        source: "indicators.md section 3, unknown_pci_on_known_earfcn (Nakarmi et al. 2022; Crocodile Hunter)",
        messages: &["MIB", "SIB1"],
        fields: &["physical_cell_id"],
    },
    RuleText {
        id: "missing_si2quater_si13",
        norm: "the SI2quater/SI13 the SI3 rest octets announce are sent, as the operator's other cells do",
        why: "minimal stacks send SI1-SI4 only",
        source: "indicators.md section 3, missing_si2quater_si13 (TS 44.018)",
        messages: &["SI3"],
        fields: &["si2quater_position", "si2ter_indicator", "gprs_indicator"],
    },
    RuleText {
        id: "no_gprs",
        norm: "the cell offers GPRS (GPRS indicator in the SI3/SI4 rest octets) like 80 % of its operator's cells",
        why: "OpenBTS GPRS.Enable=0 and Osmocom 'gprs mode none': an SMS blaster only needs SMS",
        source: "indicators.md section 3, no_gprs",
        messages: &["SI3", "SI4"],
        fields: &["gprs_indicator"],
    },
    RuleText {
        id: "si3_rest_octets_odd",
        norm: "SI3 rest octets carry the options the operator's cells carry, not only padding",
        why: "each stack or vendor produces a recognisable rest-octet pattern; rogue rigs differ from the operator's",
        source: "indicators.md section 3, si3_rest_octets_odd (TS 44.018 10.5.2.34; SnoopSnitch)",
        messages: &["SI3"],
        fields: &["rest_octets", "raw_hex"],
    },
    RuleText {
        id: "paging_config_anomaly",
        norm: "paging groups N = (9 - BS_AG_BLKS_RES - 6 x COMB) x BS_PA_MFRMS at most 80",
        why: "an unusual paging configuration points to a non-operator BTS",
        source: "indicators.md section 3, paging_config_anomaly (SnoopSnitch R2)",
        messages: &["SI3"],
        fields: &["bs_ag_blks_res", "bs_pa_mfrms_multiframes", "ccch_conf"],
    },
    RuleText {
        id: "paging_anomaly",
        norm: "paging by IMSI at most 3 times the operator's ratio, and real paging traffic on a busy network",
        why: "a rig without a core network has almost no real paging; IMSI paging is used to harvest identities",
        source: "indicators.md section 3, paging_anomaly (SnoopSnitch F1/T3; rayhunter #534)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "lte_sib1_incomplete_scheduling",
        norm: "SIB1's schedulingInfoList has at least 2 entries (3GPP TS 36.331 6.2.2)",
        why: "fake eNBs send SIB1 and SIB2 and little else; srsRAN's default maps only SIB3",
        source: "indicators.md section 4, lte_sib1_incomplete_scheduling (Rayhunter incomplete_sib.rs)",
        messages: &["SIB1"],
        fields: &["scheduling", "scheduling_info_list", "sib_types"],
    },
    RuleText {
        id: "lte_priority_downgrade",
        norm: "no GERAN/UTRA layer has a higher reselection priority than the best E-UTRA layer (TS 36.304 5.2.4)",
        why: "absolute-priority reselection then steers idle phones from LTE down to 2G, where the blaster waits",
        source: "indicators.md section 4, lte_priority_downgrade (Rayhunter priority_2g_downgrade.rs, heuristic T7 of Park et al.)",
        messages: &["SIB3", "SIB5", "SIB6", "SIB7"],
        fields: &["cell_reselection_priority", "carrier_groups", "carriers"],
    },
    RuleText {
        id: "abnormal_power",
        norm: "a cell's power stays within its own baseline mean + 2 sigma; a new cell is not 10 dB above the strongest baseline cell of its operator and band",
        why: "fakes must out-shout real cells; SMS blasters use power amplifiers (reported range 500-2000 m)",
        source: "indicators.md section 5, abnormal_power (Crocodile Hunter check_rssi; FBS-Radar)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "moving_source_power",
        norm: "at a fixed sensor a cell's power varies less than 6 dB over 5 minutes and trends less than 10 dB/min",
        why: "blasters drive around in cars; a real base station does not move",
        source: "indicators.md section 5, moving_source_power (SeaGlass; Crocodile Hunter check_new_location)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "frequency_offset_outlier",
        norm: "a base station's carrier is within 0.05 ppm of nominal (3GPP TS 45.010 / TS 36.104); after removing the sensor's own error, 0.2 ppm is suspicious and 1 ppm is high",
        why: "real base stations lock to precise references; SDR-based rigs often sit 0.5-20 ppm off",
        source: "indicators.md section 5, frequency_offset_outlier (kalibrate; gr-gsm clock offset control)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "short_lived_cell",
        norm: "a cell unknown to the baseline is present for more than 30 minutes",
        why: "blasters transmit in bursts while driving; operator-side detection saw fake cells live under a minute",
        source: "indicators.md section 5, short_lived_cell (SeaGlass; Polystar operator case)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "new_arfcn_unusual_channel",
        norm: "a carrier sits on a channel the baseline used, inside an operator's licensed block and a band the country licenses for GSM",
        why: "rigs choose free, guard or default channels (51, 871, 3350)",
        source: "indicators.md section 5, new_arfcn_unusual_channel (SeaGlass; Anatel); country profiles' licence data",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "sms_blaster_pattern",
        norm: "LTE carriers do not drop 10 dB (or fill with noise) while, within 60 s, a new strong GSM cell with the local PLMN appears",
        why: "the SMS-blaster modus operandi 2024-2026: jam or downgrade 4G, capture phones on a strong fake 2G cell, send SMS, release, all in under 10 seconds",
        source: "indicators.md section 6, sms_blaster_pattern (UK, TH, ID, BR, AT cases; Enea; Google)",
        messages: &[],
        fields: &[],
    },
    RuleText {
        id: "known_fake_cell",
        norm: "the cell matches none of the fake cells other sensors or agencies shared (same identity, or same system-information fingerprint)",
        why: "a blaster changes CI, LAC and channel between deployments but keeps its software's configuration; a shared sighting lets every sensor recognise it",
        source: "cellsentry watch-list (crates/detect/FINGERPRINT.md); GSMA gsma-fraud:technical=\"false-base-station-attack\" sharing",
        messages: &["SI2", "SI3", "SI4", "SIB1"],
        fields: &["t3212_decihours", "acc_raw", "selection_parameters", "neighbour_cells"],
    },
];

/// The text of rule `id`, if it has one.
pub fn rule_text(id: &str) -> Option<&'static RuleText> {
    RULE_TEXTS.iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::all_rules;

    #[test]
    fn every_rule_has_a_text_and_every_text_a_rule() {
        let rules = all_rules();
        for r in &rules {
            let t = rule_text(r.id()).unwrap_or_else(|| panic!("{} has no report text", r.id()));
            assert!(
                t.norm.len() > 20 && t.why.len() > 20 && t.source.contains(r.id())
                    || r.id() == "known_fake_cell"
            );
        }
        assert_eq!(RULE_TEXTS.len(), rules.len());
    }
}
