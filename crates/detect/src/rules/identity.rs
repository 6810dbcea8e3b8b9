//! Identity and baseline rules: who the cell claims to be, and whether that fits what is known
//! around the sensor (indicators.md section 2).

use serde_json::json;

use super::{r2, Context, Detection, Rule, Severity};
use crate::model::{Plmn, Rat};
use crate::scene::CellHistory;

/// `unknown_cell_vs_baseline`.
pub struct UnknownCellVsBaseline;

impl Rule for UnknownCellVsBaseline {
    rule_meta!(
        "unknown_cell_vs_baseline",
        "Cell not in baseline",
        1,
        Severity::Medium,
        "A fake BTS must announce a cell identity; unless it copies a real cell exactly, the \
         (PLMN, LAC/TAC, CI/ECI) is new at this location. Fires when the global identity (or, \
         before SI3/SIB1 is decoded, the channel + BSIC/PCI against a baseline that knows \
         channels) matches no baseline cell, surveyed or imported from OpenCellID/MLS -> \
         medium; with no baseline loaded at all every cell is unknown, so it is reported at \
         `unknown_cell_empty_baseline_severity` (default info). Weak on its own: new sites and \
         database gaps (Crocodile Hunter issue #96). Sources: Crocodile Hunter check_wigle, \
         AIMSICD DF 2, SeaGlass."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let key = &cell.key;
        let (by, matched) = if key.has_global_id() {
            (
                "global_id",
                !ctx.index.by_global(ctx.baseline, key).is_empty(),
            )
        } else if key.channel.is_some() && key.bsic_pci.is_some() {
            if !ctx.index.has_channels(key.rat) {
                // A baseline without channels (cell databases) cannot judge an undecoded cell.
                return Vec::new();
            }
            ("channel_and_bsic_pci", !ctx.known(cell).is_empty())
        } else {
            return Vec::new();
        };
        if matched {
            return Vec::new();
        }
        let empty = ctx.baseline.cells.is_empty();
        let (sev, note) = if empty {
            (
                ctx.thresholds.unknown_cell_empty_baseline_severity,
                " (no baseline loaded)",
            )
        } else {
            (Severity::Medium, "")
        };
        vec![Detection::new(
            self,
            sev,
            cell.first_seen_unix_ms,
            format!("{key} is not in the baseline{note}"),
            json!({
                "cell": key,
                "matched_by": by,
                "baseline_cells": ctx.baseline.cells.len(),
                "baseline_empty": ctx.baseline.cells.is_empty(),
            }),
        )]
    }
}

/// `foreign_plmn`.
pub struct ForeignPlmn;

impl Rule for ForeignPlmn {
    rule_meta!(
        "foreign_plmn",
        "PLMN not of this country",
        1,
        Severity::Medium,
        "Low-effort rigs run another country's or a random PLMN. Needs a country profile. MCC \
         not among the country's MCCs -> medium; MNC not among the profile's operators -> low \
         (info when the profile says its MNC list is incomplete). FPs: border areas, MCC 901 \
         ship/aircraft networks, GSM-R, private networks. Source: Crocodile Hunter \
         check_mcc/check_mnc (watchdog.py)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let (Some(profile), Some(plmn)) = (ctx.profile, cell.key.plmn.as_ref()) else {
            return Vec::new();
        };
        let t = cell.first_seen_unix_ms;
        if !plmn.mcc_value().is_some_and(|m| profile.is_local_mcc(m)) {
            return vec![Detection::new(
                self,
                Severity::Medium,
                t,
                format!(
                    "MCC {} is not a {} MCC {:?}",
                    plmn.mcc, profile.country, profile.mccs
                ),
                json!({"plmn": plmn.to_string(), "country": profile.iso3166, "mccs": profile.mccs}),
            )];
        }
        if profile.operator_of(plmn).is_none() {
            let sev = if profile.mnc_list_complete {
                Severity::Low
            } else {
                Severity::Info
            };
            return vec![Detection::new(
                self,
                sev,
                t,
                format!("{plmn} is not a known {} operator", profile.country),
                json!({"plmn": plmn.to_string(), "country": profile.iso3166,
                       "mnc_list_complete": profile.mnc_list_complete}),
            )];
        }
        Vec::new()
    }
}

/// `test_plmn`.
pub struct TestPlmn;

impl Rule for TestPlmn {
    rule_meta!(
        "test_plmn",
        "Test or lab-default PLMN",
        1,
        Severity::High,
        "Lab stacks default to test PLMNs: 001-01 (OpenBTS, YateBTS, Osmocom, srsRAN), 999-70 \
         (Open5GS), 208-93 (OpenAirInterface). MCC 001-009 or 999 (ITU-T E.212 test/internal), \
         or a configured stack-default PLMN outside its own country, on a public band -> high. \
         FPs: licensed private/test networks near labs (whitelist by location). Sources: the \
         stacks' config files (indicators.md section 0), ITU-T E.212."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let plmns = broadcast_plmns(cell);
        let bad: Vec<String> = plmns
            .iter()
            .filter(|p| ctx.is_test_plmn(p))
            .map(|p| p.to_string())
            .collect();
        if bad.is_empty() {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::High,
            cell.first_seen_unix_ms,
            format!("broadcasts test/default PLMN {}", bad.join(", ")),
            json!({"plmns": bad, "test_mccs": "001-009, 999",
                   "default_plmns": ctx.thresholds.default_plmns}),
        )]
    }
}

/// `malformed_plmn`.
pub struct MalformedPlmn;

impl Rule for MalformedPlmn {
    rule_meta!(
        "malformed_plmn",
        "PLMN with non-decimal digits",
        1,
        Severity::High,
        "The PLMN identity is coded in BCD: each MCC/MNC digit is 0-9, and 0xF may only fill \
         the third MNC digit (TS 24.008 10.5.1.3; SIB1 PLMN-Identity digits are 0..9, TS \
         36.331). No licensed network broadcasts any other value, and a phone may still camp \
         on such a cell when it is the strongest around. A fake cell that sends one (a \
         misconfigured or deliberately odd rig) is judged with its PLMN as broadcast and this \
         rule fires: MCC not 3 decimal digits or MNC not 2-3 decimal digits -> high. FPs: \
         none known; a decoding error cannot produce it since the block passed its CRC. \
         Sources: TS 24.008 10.5.1.3, TS 23.003 2.2."
    );

    fn evaluate(&self, cell: &CellHistory, _ctx: &Context) -> Vec<Detection> {
        let plmns = broadcast_plmns(cell);
        let bad: Vec<String> = plmns
            .iter()
            .filter(|p| !p.is_valid())
            .map(|p| p.to_string())
            .collect();
        if bad.is_empty() {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::High,
            cell.first_seen_unix_ms,
            format!(
                "broadcasts PLMN {} with non-decimal digits (TS 24.008 10.5.1.3 allows 0-9)",
                bad.join(", ")
            ),
            json!({"plmns": bad, "norm": "TS 24.008 10.5.1.3: MCC 3 and MNC 2-3 decimal digits"}),
        )]
    }
}

/// One open-source stack's default cell identity (indicators.md section 0).
struct StackDefaults {
    stack: &'static str,
    source: &'static str,
    rat: Rat,
    area: Option<u32>,
    cell_id: Option<u32>,
    bsic_pci: Option<u16>,
    channel: Option<u32>,
}

const STACK_DEFAULTS: [StackDefaults; 5] = [
    StackDefaults {
        stack: "OpenBTS",
        source: "RangeNetworks/openbts apps/GetConfigurationKeys.cpp",
        rat: Rat::Gsm,
        area: Some(1000),
        cell_id: Some(10),
        // NCC 0, BCC 2 -> BSIC = NCC * 8 + BCC (TS 23.003 4.3.2).
        bsic_pci: Some(2),
        channel: Some(51),
    },
    StackDefaults {
        stack: "YateBTS",
        source: "yatevoip/yatebts ybts.conf.sample",
        rat: Rat::Gsm,
        area: Some(1000),
        cell_id: Some(10),
        bsic_pci: Some(2),
        channel: None,
    },
    StackDefaults {
        stack: "Osmocom osmo-bsc",
        source: "osmocom/osmo-bsc doc/examples/osmo-bsc/osmo-bsc.cfg",
        rat: Rat::Gsm,
        area: Some(1),
        cell_id: Some(6969),
        bsic_pci: Some(63),
        channel: Some(871),
    },
    StackDefaults {
        stack: "srsRAN 4G eNB",
        source: "srsran/srsRAN_4G srsenb/enb.conf.example, rr.conf.example",
        rat: Rat::Lte,
        area: Some(7),
        // eNB id 0x19B, cell id 0x01 -> ECI = eNB id << 8 | cell id (TS 36.413 9.2.1.38).
        cell_id: Some(0x19B01),
        bsic_pci: Some(1),
        channel: Some(3350),
    },
    StackDefaults {
        stack: "OpenAirInterface eNB (legacy band 7 example)",
        source: "openairinterface5g enb.band7.tm1.25PRB.usrpb210.conf",
        rat: Rat::Lte,
        area: Some(1),
        cell_id: None,
        bsic_pci: Some(0),
        // 2685 MHz DL in band 7: N = 2750 + (2685 - 2620) / 0.1 = 3400 (TS 36.101 5.7.3).
        channel: Some(3400),
    },
];

/// `default_bts_identity`.
pub struct DefaultBtsIdentity;

impl Rule for DefaultBtsIdentity {
    rule_meta!(
        "default_bts_identity",
        "Stack-default cell identity",
        1,
        Severity::Medium,
        "Operators of rogue rigs often change only the PLMN. Fires when at least 2 of LAC/TAC, \
         CI/ECI, BSIC/PCI, ARFCN/EARFCN equal one open-source stack's defaults (OpenBTS/YateBTS \
         LAC 1000 CI 10 BSIC 2 ARFCN 51; Osmocom LAC 1 CI 6969 BSIC 63 ARFCN 871; srsRAN TAC 7 \
         ECI 0x19B01 PCI 1 EARFCN 3350; OAI TAC 1 PCI 0 EARFCN 3400) -> medium, high together \
         with a test PLMN. One-field collisions (LAC 1, PCI 0) are common, hence 2. Sources: \
         the stacks' config files (indicators.md section 0)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let mut out = Vec::new();
        for s in STACK_DEFAULTS.iter().filter(|s| s.rat == k.rat) {
            let mut matched = Vec::new();
            if s.area.is_some() && s.area == k.lac_tac {
                matched.push(json!({"field": "lac_tac", "value": k.lac_tac}));
            }
            if s.cell_id.is_some() && s.cell_id == k.cell_id {
                matched.push(json!({"field": "cell_id", "value": k.cell_id}));
            }
            if s.bsic_pci.is_some() && s.bsic_pci == k.bsic_pci {
                matched.push(json!({"field": "bsic_pci", "value": k.bsic_pci}));
            }
            if s.channel.is_some() && s.channel == k.channel {
                matched.push(json!({"field": "channel", "value": k.channel}));
            }
            if matched.len() < ctx.thresholds.default_identity_min_fields {
                continue;
            }
            let test = k.plmn.as_ref().is_some_and(|p| ctx.is_test_plmn(p));
            let sev = if test {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(Detection::new(
                self,
                sev,
                cell.first_seen_unix_ms,
                format!(
                    "{} identity fields equal {} defaults{}",
                    matched.len(),
                    s.stack,
                    if test { " (with a test PLMN)" } else { "" }
                ),
                json!({"stack": s.stack, "source": s.source, "matched": matched,
                       "min_fields": ctx.thresholds.default_identity_min_fields,
                       "with_test_plmn": test}),
            ));
        }
        out
    }
}

/// `lac_inconsistent_with_neighbours`.
pub struct LacInconsistentWithNeighbours;

impl Rule for LacInconsistentWithNeighbours {
    rule_meta!(
        "lac_inconsistent_with_neighbours",
        "LAC/TAC shared by no neighbour",
        1,
        Severity::Low,
        "A catcher picks a LAC distinct from all neighbours to force a Location Update. Fires \
         when at least 3 other same-PLMN, same-RAT cells were heard within 10 min of this one \
         and none shares its LAC/TAC -> low (SnoopSnitch A2 score 0.5, count > 2). FP: cells on \
         location-area borders. Source: srlabs/snoopsnitch analysis/catcher/sql/a_02.sql."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let (Some(plmn), Some(lac)) = (cell.key.plmn.as_ref(), cell.key.lac_tac) else {
            return Vec::new();
        };
        let w = ctx.thresholds.lac_neighbour_window_ms;
        let mut lacs = Vec::new();
        for o in ctx.same_plmn_others(cell, plmn) {
            if !o.overlaps(cell.first_seen_unix_ms, cell.last_seen_unix_ms, w) {
                continue;
            }
            if let Some(l) = o.key.lac_tac {
                lacs.push(l);
            }
        }
        if lacs.len() < ctx.thresholds.lac_neighbours_min || lacs.contains(&lac) {
            return Vec::new();
        }
        lacs.sort_unstable();
        lacs.dedup();
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!("LAC/TAC {lac} is used by none of the same-PLMN cells around (LACs {lacs:?})"),
            json!({"lac_tac": lac, "neighbour_lacs": lacs,
                   "min_neighbours": ctx.thresholds.lac_neighbours_min, "window_ms": w}),
        )]
    }
}

/// `single_cell_lac`.
pub struct SingleCellLac;

impl Rule for SingleCellLac {
    rule_meta!(
        "single_cell_lac",
        "Location area with one cell",
        1,
        Severity::Low,
        "An invented LAC contains only the fake cell. Fires when, over at least 24 h of \
         baseline/run with at least 10 cells of the PLMN known, the cell's (PLMN, LAC/TAC) \
         holds exactly one CI -> low. FPs: the sensor hears only one cell of an edge/indoor \
         LA. Source: SnoopSnitch A5 (view lonesome_lacs in catcher_analysis.sql)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let (Some(plmn), Some(lac), Some(ci)) = (k.plmn.as_ref(), k.lac_tac, k.cell_id) else {
            return Vec::new();
        };
        let th = ctx.thresholds;
        let scene_span = match (ctx.scene.start_unix_ms(), ctx.scene.end_unix_ms()) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        let span = scene_span.max(ctx.baseline.span_ms());
        if span < th.single_lac_min_span_ms {
            return Vec::new();
        }
        let mut plmn_cells = std::collections::BTreeSet::new();
        let mut lac_cis = std::collections::BTreeSet::new();
        let scene_keys = ctx.scene.cells().iter().map(|c| &c.key);
        let base_keys = ctx.baseline.cells.iter().map(|c| &c.key);
        for o in scene_keys.chain(base_keys) {
            if o.rat != k.rat || !o.plmn.as_ref().is_some_and(|p| p.same_network(plmn)) {
                continue;
            }
            let (Some(ol), Some(oc)) = (o.lac_tac, o.cell_id) else {
                continue;
            };
            plmn_cells.insert((ol, oc));
            if ol == lac {
                lac_cis.insert(oc);
            }
        }
        if plmn_cells.len() < th.single_lac_min_plmn_cells || lac_cis.len() != 1 {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.last_seen_unix_ms,
            format!("LAC/TAC {lac} of {plmn} contains only CI {ci}"),
            json!({"lac_tac": lac, "cell_id": ci, "plmn_cells": plmn_cells.len(),
                   "span_ms": span, "min_plmn_cells": th.single_lac_min_plmn_cells,
                   "min_span_ms": th.single_lac_min_span_ms}),
        )]
    }
}

fn compatible_opt<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// `lac_tac_change`.
pub struct LacTacChange;

impl Rule for LacTacChange {
    rule_meta!(
        "lac_tac_change",
        "Known cell changed LAC/TAC",
        1,
        Severity::Medium,
        "Changing the LAC/TAC forces a Location Update / TAU, exactly what a catcher needs. \
         Fires on the newer sighting when the same (PLMN, CI/ECI, ARFCN+BSIC / EARFCN+PCI) was \
         seen with another LAC/TAC within 24 h, in this run or in the baseline -> medium. FPs: \
         LA re-planning; AIMSICD issues #239/#863. Sources: Crocodile Hunter \
         check_changed_tac, AIMSICD DF 1."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let (Some(plmn), Some(lac), Some(ci)) = (k.plmn.as_ref(), k.lac_tac, k.cell_id) else {
            return Vec::new();
        };
        let w = ctx.thresholds.lac_change_window_ms;
        let mut seen = Vec::new();
        for o in ctx.same_plmn_others(cell, plmn) {
            let ok = o.key.cell_id == Some(ci)
                && o.key.lac_tac.is_some_and(|l| l != lac)
                && compatible_opt(o.key.channel, k.channel)
                && compatible_opt(o.key.bsic_pci, k.bsic_pci)
                && o.first_seen_unix_ms <= cell.first_seen_unix_ms
                && o.last_seen_unix_ms >= cell.first_seen_unix_ms - w;
            if ok {
                seen.push(
                    json!({"lac_tac": o.key.lac_tac, "last_seen_unix_ms": o.last_seen_unix_ms,
                                 "from": "run"}),
                );
            }
        }
        for b in ctx.index.by_ci(ctx.baseline, k.rat, plmn, ci) {
            let ok = b.key.lac_tac.is_some_and(|l| l != lac)
                && compatible_opt(b.key.channel, k.channel)
                && compatible_opt(b.key.bsic_pci, k.bsic_pci)
                && b.last_seen_unix_ms
                    .is_some_and(|t| t >= cell.first_seen_unix_ms - w);
            if ok {
                seen.push(
                    json!({"lac_tac": b.key.lac_tac, "last_seen_unix_ms": b.last_seen_unix_ms,
                                 "from": "baseline"}),
                );
            }
        }
        if seen.is_empty() {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Medium,
            cell.first_seen_unix_ms,
            format!("{plmn} CI {ci} now in LAC/TAC {lac}, was seen with another within 24 h"),
            json!({"lac_tac": lac, "cell_id": ci, "previous": seen, "window_ms": w}),
        )]
    }
}

/// `same_ci_other_arfcn`.
pub struct SameCiOtherArfcn;

impl Rule for SameCiOtherArfcn {
    rule_meta!(
        "same_ci_other_arfcn",
        "Cell identity on two channels",
        1,
        Severity::Medium,
        "A catcher cloning a real cell on another channel. Fires when the same (PLMN, LAC/TAC, \
         CI/ECI) is on two ARFCNs/EARFCNs: at the same time (within 60 s) -> high, \
         sequentially within 1 h -> medium (on the newer sighting). FPs: re-tunes, multi-band \
         sectors sharing a CI. Source: SnoopSnitch A4 (analysis/catcher/sql/a_04.sql)."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let (Some(plmn), Some(ch)) = (k.plmn.as_ref(), k.channel) else {
            return Vec::new();
        };
        if !k.has_global_id() {
            return Vec::new();
        }
        let th = ctx.thresholds;
        let mut out = Vec::new();
        let mut others = Vec::new();
        for o in ctx.same_plmn_others(cell, plmn) {
            if o.key.lac_tac != k.lac_tac || o.key.cell_id != k.cell_id {
                continue;
            }
            let Some(och) = o.key.channel.filter(|c| *c != ch) else {
                continue;
            };
            if o.overlaps(
                cell.first_seen_unix_ms,
                cell.last_seen_unix_ms,
                th.same_ci_simultaneous_ms,
            ) {
                others.push((och, true, o.last_seen_unix_ms));
            } else if o.first_seen_unix_ms <= cell.first_seen_unix_ms
                && o.last_seen_unix_ms >= cell.first_seen_unix_ms - th.same_ci_window_ms
            {
                others.push((och, false, o.last_seen_unix_ms));
            }
        }
        for b in ctx.index.by_global(ctx.baseline, k) {
            if let (Some(bch), Some(t)) = (b.key.channel, b.last_seen_unix_ms) {
                if bch != ch && t >= cell.first_seen_unix_ms - th.same_ci_window_ms {
                    let sim = t >= cell.first_seen_unix_ms - th.same_ci_simultaneous_ms;
                    others.push((bch, sim, t));
                }
            }
        }
        if let Some(&(och, sim, t)) = others.iter().max_by_key(|o| o.1) {
            let sev = if sim {
                Severity::High
            } else {
                Severity::Medium
            };
            out.push(Detection::new(
                self,
                sev,
                cell.first_seen_unix_ms,
                format!(
                    "{k} also seen on channel {och} {}",
                    if sim {
                        "at the same time"
                    } else {
                        "within the hour"
                    }
                ),
                json!({"channel": ch, "other_channel": och, "simultaneous": sim,
                       "other_last_seen_unix_ms": t,
                       "simultaneous_ms": th.same_ci_simultaneous_ms,
                       "window_ms": th.same_ci_window_ms}),
            ));
        }
        out
    }
}

/// `arfcn_identity_change`.
pub struct ArfcnIdentityChange;

impl Rule for ArfcnIdentityChange {
    rule_meta!(
        "arfcn_identity_change",
        "Channel keeps BSIC/PCI, changes identity",
        1,
        Severity::Low,
        "A catcher takes over a weak real cell's channel with its own LAC/CI. Fires on the newer \
         sighting when the same ARFCN+BSIC / EARFCN+PCI carried another PLMN, LAC/TAC or CI \
         within 10 min -> low. SnoopSnitch removed its A1 for false positives (frequency reuse, \
         re-configuration), hence low. Source: SnoopSnitch analysis/catcher/sql/a_01.sql."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let (Some(ch), Some(id)) = (k.channel, k.bsic_pci) else {
            return Vec::new();
        };
        if !k.has_global_id() {
            return Vec::new();
        }
        let w = ctx.thresholds.identity_change_window_ms;
        let prev = ctx.others(cell).find(|o| {
            o.key.rat == k.rat
                && o.key.channel == Some(ch)
                && o.key.bsic_pci == Some(id)
                && o.key.has_global_id()
                && (o.key.plmn != k.plmn
                    || o.key.lac_tac != k.lac_tac
                    || o.key.cell_id != k.cell_id)
                && o.first_seen_unix_ms <= cell.first_seen_unix_ms
                && o.last_seen_unix_ms >= cell.first_seen_unix_ms - w
        });
        let Some(p) = prev else {
            return Vec::new();
        };
        vec![Detection::new(
            self,
            Severity::Low,
            cell.first_seen_unix_ms,
            format!(
                "channel {ch} id {id} carried {} until shortly before",
                p.key
            ),
            json!({"channel": ch, "bsic_pci": id, "previous": p.key,
                   "previous_last_seen_unix_ms": p.last_seen_unix_ms, "window_ms": w}),
        )]
    }
}

/// `bsic_ncc_unexpected`.
pub struct BsicNccUnexpected;

impl Rule for BsicNccUnexpected {
    rule_meta!(
        "bsic_ncc_unexpected",
        "NCC outside the operator's plan",
        1,
        Severity::Low,
        "Operators use a per-country NCC plan; stacks default to BSIC 63 or NCC 0/BCC 2. Fires \
         when the cell's NCC (BSIC >> 3) is not among the NCCs of the operator's other cells \
         (baseline norms, or at least 3 cells in this run) -> low. FPs: overlapping NCC plans, \
         borders. Source: indicators.md section 0 defaults."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        if cell.key.rat != Rat::Gsm {
            return Vec::new();
        }
        let Some(bsic) = cell.key.bsic_pci else {
            return Vec::new();
        };
        let Some((n, src)) = ctx.norms(cell) else {
            return Vec::new();
        };
        let ncc = (bsic >> 3) as u8;
        if n.ncc_set.is_empty() || n.ncc_set.contains(&ncc) {
            return Vec::new();
        }
        vec![Detection::new(
            self,
            Severity::Low,
            cell.first_seen_unix_ms,
            format!(
                "NCC {ncc} (BSIC {bsic}) is not used by the operator's cells {:?}",
                n.ncc_set
            ),
            json!({"bsic": bsic, "ncc": ncc, "operator_nccs": n.ncc_set, "norms_from": src}),
        )]
    }
}

/// `new_arfcn_unusual_channel`.
pub struct NewArfcnUnusualChannel;

impl Rule for NewArfcnUnusualChannel {
    rule_meta!(
        "new_arfcn_unusual_channel",
        "Channel outside licence or baseline",
        2,
        Severity::Medium,
        "Rigs choose free or guard channels, or stack defaults. Fires -> medium when a GSM \
         cell is on a band the country profile does not license for GSM (a 900/1800 MHz rig in \
         an 850/1900 MHz country), when the profile says the claimed operator runs no GSM \
         network (e.g. Three UK, every Japanese operator) or the channel lies outside the \
         operator's verified licensed blocks of its band; -> low when the baseline knows \
         channels of this RAT and never saw this one. Unverified profile blocks are never \
         used. Sources: SeaGlass, Anatel spectrum monitoring."
    );

    fn evaluate(&self, cell: &CellHistory, ctx: &Context) -> Vec<Detection> {
        let k = &cell.key;
        let Some(ch) = k.channel else {
            return Vec::new();
        };
        let t = cell.first_seen_unix_ms;
        if let Some(d) = self.outside_country_gsm_bands(cell, ch, ctx) {
            return vec![d];
        }
        if let (Some(profile), Some(plmn)) = (ctx.profile, k.plmn.as_ref()) {
            if let Some(op) = profile.operator_of(plmn) {
                if k.rat == Rat::Gsm && op.gsm_in_service == Some(false) {
                    return vec![Detection::new(
                        self,
                        Severity::Medium,
                        t,
                        format!(
                            "GSM cell claims {} ({plmn}), which runs no GSM network",
                            op.name
                        ),
                        json!({"channel": ch, "operator": op.name, "gsm_in_service": false,
                               "profile_comment": op.comment}),
                    )];
                }
                // Blocks of the channel's band only: a profile that verified an operator's
                // 900 MHz blocks but not yet its 1800 MHz ones must not flag its 1800 MHz cells.
                let blocks: Vec<_> = op
                    .channels
                    .iter()
                    .filter(|b| b.verified && b.rat == k.rat && same_band(k.rat, b.first, ch))
                    .collect();
                if !blocks.is_empty() && !blocks.iter().any(|b| (b.first..=b.last).contains(&ch)) {
                    return vec![Detection::new(
                        self,
                        Severity::Medium,
                        t,
                        format!("channel {ch} is outside {}'s licensed blocks", op.name),
                        json!({"channel": ch, "operator": op.name,
                               "blocks": blocks.iter().map(|b| [b.first, b.last]).collect::<Vec<_>>()}),
                    )];
                }
            }
        }
        let known_channel = !ctx.index.by_channel(ctx.baseline, k.rat, ch).is_empty()
            || ctx
                .baseline
                .carriers
                .iter()
                .any(|c| c.rat == k.rat && c.channel == ch);
        if ctx.index.has_channels(k.rat) && !known_channel {
            return vec![Detection::new(
                self,
                Severity::Low,
                t,
                format!("channel {ch} was never used by a baseline {} cell", k.rat),
                json!({"channel": ch}),
            )];
        }
        Vec::new()
    }
}

impl NewArfcnUnusualChannel {
    /// A GSM cell on a band the country profile does not license for GSM at all. The band
    /// comes from the cell's downlink frequency when known (ARFCN 512-810 is DCS 1800 or PCS
    /// 1900), else from the ARFCN; an ARFCN that fits a licensed band is given the benefit.
    fn outside_country_gsm_bands(
        &self,
        cell: &CellHistory,
        ch: u32,
        ctx: &Context,
    ) -> Option<Detection> {
        use cellsentry_dsp::bandplan::{gsm_bands_for_arfcn, gsm_channels_for_dl_freq};
        let profile = ctx.profile?;
        let licensed = profile.gsm_bands.as_ref()?;
        if cell.key.rat != Rat::Gsm {
            return None;
        }
        let arfcn = u16::try_from(ch).ok()?;
        let by_freq: Vec<_> = cell
            .dl_freq_hz
            .map(|f| {
                gsm_channels_for_dl_freq(f, None)
                    .into_iter()
                    .filter(|c| c.arfcn == arfcn)
                    .map(|c| c.band)
                    .collect()
            })
            .unwrap_or_default();
        let bands = if by_freq.is_empty() {
            gsm_bands_for_arfcn(arfcn)
        } else {
            by_freq
        };
        if bands.is_empty() || bands.iter().any(|b| licensed.contains(b)) {
            return None;
        }
        let names: Vec<&str> = bands.iter().map(|b| b.name()).collect();
        Some(Detection::new(
            self,
            Severity::Medium,
            cell.first_seen_unix_ms,
            format!(
                "GSM cell on {} (ARFCN {ch}), a band {} does not use for GSM",
                names.join("/"),
                profile.country
            ),
            json!({"channel": ch, "bands": names,
                   "country_gsm_bands": licensed.iter().map(|b| b.name()).collect::<Vec<_>>(),
                   "source": profile.gsm_bands_source}),
        ))
    }
}

/// Whether channels `a` and `b` of `rat` lie in one band (TS 45.005 ARFCN ranges, TS 36.101
/// EARFCN ranges); channels of no known band count as one band.
fn same_band(rat: Rat, a: u32, b: u32) -> bool {
    use cellsentry_dsp::bandplan::{gsm_bands_for_arfcn, lte_band_for_dl_earfcn};
    match rat {
        Rat::Gsm => {
            let (Ok(a), Ok(b)) = (u16::try_from(a), u16::try_from(b)) else {
                return false;
            };
            let (ba, bb) = (gsm_bands_for_arfcn(a), gsm_bands_for_arfcn(b));
            (ba.is_empty() && bb.is_empty()) || ba.iter().any(|x| bb.contains(x))
        }
        Rat::Lte => lte_band_for_dl_earfcn(a) == lte_band_for_dl_earfcn(b),
    }
}

/// Used by power rules: strongest baseline mean power among same-RAT (and same-PLMN when
/// known) cells.
pub(crate) fn strongest_baseline_power(cell: &CellHistory, ctx: &Context) -> Option<f64> {
    ctx.baseline
        .cells
        .iter()
        .filter(|b| b.key.rat == cell.key.rat)
        .filter(|b| match (&cell.key.plmn, &b.key.plmn) {
            (Some(p), Some(q)) => p.same_network(q),
            _ => true,
        })
        .filter_map(|b| b.power_mean_dbfs)
        .filter(|p| p.is_finite())
        .max_by(|a, b| a.total_cmp(b))
        .map(r2)
}

/// Every PLMN a cell broadcasts: its key's, then the further ones of its SIB1, once each.
fn broadcast_plmns(cell: &CellHistory) -> Vec<Plmn> {
    let mut plmns: Vec<Plmn> = cell.key.plmn.iter().cloned().collect();
    if let Some(s1) = cell.lte.as_ref().and_then(|l| l.sib1.as_ref()) {
        for p in &s1.plmns {
            if !plmns.contains(p) {
                plmns.push(p.clone());
            }
        }
    }
    plmns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Baseline;
    use crate::model::Plmn;
    use crate::profile::Profile;
    use crate::rules::testkit::*;
    use crate::scene::Scene;
    use crate::thresholds::Thresholds;

    #[test]
    fn unknown_cell() {
        let a = gsm(0, "234-15", 100, 1, 10, 20);
        let b = gsm(0, "234-15", 100, 2, 12, 20);
        let base = baseline_of(std::slice::from_ref(&a));
        assert!(eval_last_with(&UnknownCellVsBaseline, std::slice::from_ref(&a), &base).is_empty());
        let d = eval_last_with(&UnknownCellVsBaseline, std::slice::from_ref(&b), &base);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Medium);
        // No baseline at all: reported, but at info.
        let d = eval_last(&UnknownCellVsBaseline, std::slice::from_ref(&b));
        assert_eq!(d[0].severity, Severity::Info);
        // Undecoded cell: judged by channel + BSIC against a survey baseline.
        let mut raw = CellObservation::gsm(0, 10);
        raw.bsic_pci = Some(20);
        assert!(eval_last_with(&UnknownCellVsBaseline, &[raw.clone()], &base).is_empty());
        raw.bsic_pci = Some(21);
        assert_eq!(
            eval_last_with(&UnknownCellVsBaseline, &[raw.clone()], &base).len(),
            1
        );
        // ...but not against a baseline without channels, and not with no identity at all.
        let mut ocid = Baseline::empty();
        ocid.import_cell_db_reader(&b"GSM,234,15,100,1,,0,51,1000,1,1,1,1,0\n"[..], "t", None)
            .unwrap();
        assert!(eval_last_with(&UnknownCellVsBaseline, &[raw], &ocid).is_empty());
        assert!(eval_last_with(&UnknownCellVsBaseline, &[a], &ocid).is_empty());
        assert!(eval_last(&UnknownCellVsBaseline, &[CellObservation::gsm(0, 5)]).is_empty());
    }

    use crate::model::CellObservation;

    #[test]
    fn malformed_plmn_is_judged_as_broadcast() {
        let mut o = gsm(0, "234-15", 1, 2, 62, 7);
        o.plmn = Some(Plmn::broadcast("2a4", "15"));
        let d = eval_last(&MalformedPlmn, &[o]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::High);
        assert_eq!(d[0].evidence["plmns"], json!(["2a4-15"]));
        assert!(eval_last(&MalformedPlmn, &[gsm(0, "234-15", 1, 2, 62, 7)]).is_empty());
    }

    #[test]
    fn foreign_and_test_plmn() {
        let fr = gsm(0, "208-01", 1, 2, 10, 3);
        let d = eval_last(&ForeignPlmn, &[fr]);
        assert_eq!(d[0].severity, Severity::Medium);
        let odd_mnc = gsm(0, "234-99", 1, 2, 10, 3);
        assert_eq!(
            eval_last(&ForeignPlmn, &[odd_mnc])[0].severity,
            Severity::Info
        );
        assert!(eval_last(&ForeignPlmn, &[gsm(0, "234-10", 1, 2, 10, 3)]).is_empty());
        // No profile: not evaluated.
        let s = Scene::from_observations(&[gsm(0, "208-01", 1, 2, 10, 3)]);
        assert!(eval_with(
            &ForeignPlmn,
            &s,
            0,
            &Baseline::empty(),
            None,
            &Thresholds::default()
        )
        .is_empty());

        assert_eq!(
            eval_last(&TestPlmn, &[gsm(0, "001-01", 1, 2, 10, 3)])[0].severity,
            Severity::High
        );
        assert_eq!(
            eval_last(&TestPlmn, &[gsm(0, "999-70", 1, 2, 10, 3)]).len(),
            1
        );
        assert_eq!(
            eval_last(&TestPlmn, &[gsm(0, "208-93", 1, 2, 10, 3)]).len(),
            1
        );
        assert!(eval_last(&TestPlmn, &[gsm(0, "234-15", 1, 2, 10, 3)]).is_empty());
        // 208-93 inside France is not flagged (no French profile ships; build one).
        let fr = Profile::from_json_str(
            r#"{"format":"cellsentry-profile/1","country":"France","iso3166":"FR","mccs":[208],"operators":[]}"#,
            "t",
        )
        .unwrap();
        let s = Scene::from_observations(&[gsm(0, "208-93", 1, 2, 10, 3)]);
        assert!(eval_with(
            &TestPlmn,
            &s,
            0,
            &Baseline::empty(),
            Some(&fr),
            &Thresholds::default()
        )
        .is_empty());
    }

    #[test]
    fn default_identity() {
        // OpenBTS defaults with a copied real PLMN: LAC 1000, CI 10, BSIC 2, ARFCN 51.
        let d = eval_last(&DefaultBtsIdentity, &[gsm(0, "234-15", 1000, 10, 51, 2)]);
        assert!(d.iter().any(|x| x.severity == Severity::Medium));
        // Single-field collision (LAC 1) does not fire.
        assert!(eval_last(&DefaultBtsIdentity, &[gsm(0, "234-15", 1, 77, 62, 21)]).is_empty());
        // srsRAN with test PLMN: high.
        let l = lte(0, "001-01", 7, 0x19B01, 3350, 1);
        let d = eval_last(&DefaultBtsIdentity, &[l]);
        assert_eq!(d[0].severity, Severity::High);
        assert!(eval_last(&DefaultBtsIdentity, &[lte(0, "234-20", 7, 5, 1300, 9)]).is_empty());
    }

    #[test]
    fn lac_inconsistent() {
        let mut obs = vec![
            gsm(0, "234-15", 100, 1, 10, 20),
            gsm(0, "234-15", 100, 2, 12, 21),
            gsm(0, "234-15", 101, 3, 14, 22),
        ];
        obs.push(gsm(1000, "234-15", 3101, 9, 62, 21));
        assert_eq!(eval_last(&LacInconsistentWithNeighbours, &obs).len(), 1);
        // Two neighbours only: no.
        let few = [obs[0].clone(), obs[1].clone(), obs[3].clone()];
        assert!(eval_last(&LacInconsistentWithNeighbours, &few).is_empty());
        // One neighbour shares the LAC: no.
        obs.push(gsm(1000, "234-15", 100, 5, 16, 23));
        obs.push(gsm(1000, "234-15", 100, 6, 18, 23));
        assert!(eval_last(&LacInconsistentWithNeighbours, &obs).is_empty());
    }

    #[test]
    fn single_lac() {
        let day = 86_400_000;
        let mut obs: Vec<_> = (0..10u32)
            .map(|i| gsm(0, "234-10", 100 + i / 3, i, 10 + i as u16, 5))
            .collect();
        obs.push(gsm(day, "234-10", 999, 77, 60, 5));
        assert_eq!(eval_last(&SingleCellLac, &obs).len(), 1);
        // Short run: no.
        obs.last_mut().unwrap().time_unix_ms = 1000;
        assert!(eval_last(&SingleCellLac, &obs).is_empty());
        // LAC with 3 cells (100) is fine.
        obs.push(gsm(day, "234-10", 100, 0, 10, 5));
        assert!(eval_last(&SingleCellLac, &obs).is_empty());
    }

    #[test]
    fn lac_change() {
        let a = gsm(0, "234-10", 100, 5, 10, 20);
        let b = gsm(3_600_000, "234-10", 200, 5, 10, 20);
        assert_eq!(eval_last(&LacTacChange, &[a.clone(), b.clone()]).len(), 1);
        // Baseline seen 2 h earlier with the other LAC.
        let base = baseline_of(std::slice::from_ref(&a));
        assert_eq!(
            eval_last_with(&LacTacChange, std::slice::from_ref(&b), &base).len(),
            1
        );
        // After 2 days: no.
        let mut late = b.clone();
        late.time_unix_ms = 2 * 86_400_000;
        assert!(eval_last_with(&LacTacChange, &[late], &base).is_empty());
        // Another CI: no.
        let c = gsm(3_600_000, "234-10", 200, 6, 10, 20);
        assert!(eval_last(&LacTacChange, &[a, c]).is_empty());
    }

    #[test]
    fn same_ci() {
        let a = gsm(0, "234-10", 100, 5, 10, 20);
        let mut b = gsm(10_000, "234-10", 100, 5, 40, 20);
        assert_eq!(
            eval_last(&SameCiOtherArfcn, &[a.clone(), b.clone()])[0].severity,
            Severity::High
        );
        b.time_unix_ms = 1_800_000;
        assert_eq!(
            eval_last(&SameCiOtherArfcn, &[a.clone(), b.clone()])[0].severity,
            Severity::Medium
        );
        b.time_unix_ms = 3 * 3_600_000;
        assert!(eval_last(&SameCiOtherArfcn, &[a.clone(), b]).is_empty());
        let c = gsm(10_000, "234-10", 100, 6, 40, 20);
        assert!(eval_last(&SameCiOtherArfcn, &[a, c]).is_empty());
    }

    #[test]
    fn identity_change_on_channel() {
        let a = gsm(0, "234-10", 100, 5, 10, 20);
        let b = gsm(120_000, "234-10", 100, 6, 10, 20);
        assert_eq!(
            eval_last(&ArfcnIdentityChange, &[a.clone(), b.clone()]).len(),
            1
        );
        let mut late = b.clone();
        late.time_unix_ms = 3_600_000;
        assert!(eval_last(&ArfcnIdentityChange, &[a.clone(), late]).is_empty());
        let mut other_bsic = b;
        other_bsic.bsic_pci = Some(21);
        assert!(eval_last(&ArfcnIdentityChange, &[a, other_bsic]).is_empty());
    }

    #[test]
    fn ncc_and_channel() {
        // Operator NCCs 2 (BSIC 16..23); BSIC 63 = NCC 7.
        let mut obs = vec![
            gsm(0, "234-10", 100, 1, 10, 20),
            gsm(0, "234-10", 100, 2, 12, 21),
            gsm(0, "234-10", 100, 3, 14, 22),
        ];
        obs.push(gsm(0, "234-10", 100, 4, 16, 63));
        assert_eq!(eval_last(&BsicNccUnexpected, &obs).len(), 1);
        obs.push(gsm(0, "234-10", 100, 5, 18, 17));
        assert!(eval_last(&BsicNccUnexpected, &obs).is_empty());

        // Three UK never ran GSM.
        let d = eval_last(&NewArfcnUnusualChannel, &[gsm(0, "234-20", 1, 2, 62, 3)]);
        assert_eq!(d[0].severity, Severity::Medium);
        assert!(eval_last(&NewArfcnUnusualChannel, &[gsm(0, "234-15", 1, 2, 62, 3)]).is_empty());
        // Baseline with channels: unseen channel -> low.
        let base = baseline_of(&[gsm(0, "234-15", 1, 2, 10, 3)]);
        let d = eval_last_with(
            &NewArfcnUnusualChannel,
            &[gsm(0, "234-15", 1, 3, 62, 3)],
            &base,
        );
        assert_eq!(d[0].severity, Severity::Low);
        assert!(eval_last_with(
            &NewArfcnUnusualChannel,
            &[gsm(0, "234-15", 1, 3, 10, 4)],
            &base
        )
        .is_empty());
        let _ = Plmn::parse("234-15").unwrap();
    }
}
