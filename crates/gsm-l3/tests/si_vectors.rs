//! Checks every `expect` field of the 93 shared L3 vectors (real networks + osmo-bsc output,
//! decoded by tshark 4.0.17) against this crate's parser. Provenance: captures/gsm-l3/PROVENANCE.md.

use std::collections::BTreeMap;

use cellsentry_gsm_l3::{
    parse_l2_block, parse_l3, AssignedChannel, Channel, ChannelFrequency, FrequencyList, L3Message,
    MobileIdentity, PacketAssignment, RachControl, SelectionParameters,
};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../captures/gsm-l3/si_vectors.json"
    );
    let s = std::fs::read_to_string(p).expect("si_vectors.json");
    serde_json::from_str(&s).expect("json")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Our value for one expect field, as JSON; `None` = the field is not supported (test fails).
fn ours(m: &L3Message, key: &str) -> Option<Value> {
    use serde_json::json;
    let rach: Option<&RachControl> = match m {
        L3Message::Si1(s) => Some(&s.rach_control),
        L3Message::Si2(s) => Some(&s.rach_control),
        L3Message::Si2bis(s) => Some(&s.rach_control),
        L3Message::Si3(s) => Some(&s.rach_control),
        L3Message::Si4(s) => Some(&s.rach_control),
        _ => None,
    };
    let lists: Vec<(&FrequencyList, Option<u8>, Option<bool>)> = match m {
        L3Message::Si1(s) => vec![(&s.cell_channel_description, None, None)],
        L3Message::Si2(s) => {
            vec![(
                &s.neighbour_cells.list,
                Some(s.neighbour_cells.ba_ind),
                Some(s.neighbour_cells.ext_ind),
            )]
        }
        L3Message::Si2bis(s) => vec![(
            &s.extended_neighbour_cells.list,
            Some(s.extended_neighbour_cells.ba_ind),
            Some(s.extended_neighbour_cells.ext_ind),
        )],
        L3Message::Si2ter(s) => {
            vec![(
                &s.extended_neighbour_cells.list,
                Some(s.extended_neighbour_cells.ba_ind),
                None,
            )]
        }
        L3Message::Si5(s) | L3Message::Si5bis(s) => {
            vec![(
                &s.neighbour_cells.list,
                Some(s.neighbour_cells.ba_ind),
                Some(s.neighbour_cells.ext_ind),
            )]
        }
        L3Message::Si5ter(s) => {
            vec![(
                &s.extended_neighbour_cells.list,
                Some(s.extended_neighbour_cells.ba_ind),
                None,
            )]
        }
        _ => vec![],
    };
    let (lai, ci) = match m {
        L3Message::Si3(s) => (Some(&s.lai), Some(s.cell_identity)),
        L3Message::Si4(s) => (Some(&s.lai), None),
        _ => (None, None),
    };
    let (sel, gprs, power): (Option<&SelectionParameters>, _, _) = match m {
        L3Message::Si3(s) => {
            let r = s.rest_octets.decoded.as_ref()?;
            (
                r.selection_parameters.as_ref(),
                r.gprs_indicator.as_ref(),
                r.power_offset,
            )
        }
        L3Message::Si4(s) => {
            let r = s.rest_octets.decoded.as_ref()?;
            (
                r.selection_parameters.as_ref(),
                r.gprs_indicator.as_ref(),
                r.power_offset,
            )
        }
        _ => (None, None, None),
    };
    let b = |x: bool| json!(u8::from(x));
    match key {
        "mcc" => lai.and_then(|l| l.plmn.mcc_value()).map(|v| json!(v)),
        "mnc" => lai.map(|l| json!(l.plmn.mnc)),
        "lac" => lai.map(|l| json!(l.lac)),
        "ci" => ci.map(|c| json!(c)),
        "max_retrans" => rach.map(|r| json!(r.max_retrans_coded)),
        "tx_integer" => rach.map(|r| json!(r.tx_integer_coded)),
        "cell_barr_access" => rach.map(|r| b(r.cell_bar_access)),
        "re" => rach.map(|r| b(r.re_not_allowed)),
        "acc" => rach.map(|r| json!(r.acc_raw)),
        "access_classes_barred" => rach.map(|r| json!(r.access_classes_barred)),
        "emergency_call_barred" => rach.map(|r| json!(r.emergency_call_barred)),
        "arfcn_lists" if !lists.is_empty() => Some(json!(lists
            .iter()
            .map(|l| l.0.arfcns.clone())
            .collect::<Vec<_>>())),
        "freq_list_formats" if !lists.is_empty() => Some(json!(lists
            .iter()
            .map(|l| l.0.format.name())
            .collect::<Vec<_>>())),
        "ba_ind" => match m {
            L3Message::Si2quater(q) => Some(json!(q.ba_ind)),
            _ => lists.first().and_then(|l| l.1).map(|v| json!(v)),
        },
        "ext_ind" => lists.first().and_then(|l| l.2).map(b),
        "ncc_permitted" => match m {
            L3Message::Si2(s) => Some(json!(s.ncc_permitted)),
            _ => None,
        },
        "band_indicator" => match m {
            L3Message::Si1(s) => Some(b(s.band_indicator_pcs1900)),
            _ => None,
        },
        // Control channel, cell options, cell selection (SI3 / SI4).
        "mscr" | "att" | "bs_ag_blks_res" | "ccch_conf" | "cbq3" | "bs_pa_mfrms" | "t3212"
        | "pwrc" | "dtx_bcch" | "radio_link_timeout" => {
            let L3Message::Si3(s) = m else { return None };
            let c = &s.control_channel;
            let o = &s.cell_options;
            Some(match key {
                "mscr" => b(c.mscr),
                "att" => b(c.att),
                "bs_ag_blks_res" => json!(c.bs_ag_blks_res),
                "ccch_conf" => json!(c.ccch_conf),
                "cbq3" => json!(c.cbq3),
                // tshark 4.0 shows coded+2 truncated to the 3-bit field width (so 7 -> 1).
                "bs_pa_mfrms" => json!(c.bs_pa_mfrms_multiframes & 0x07),
                "t3212" => json!(c.t3212_decihours),
                "pwrc" => b(o.pwrc),
                "dtx_bcch" => json!(o.dtx),
                _ => json!(o.radio_link_timeout_coded),
            })
        }
        "cell_reselect_hyst" | "ms_txpwr_max_cch" | "acs" | "neci" | "rxlev_access_min" => {
            let c = match m {
                L3Message::Si3(s) => &s.cell_selection,
                L3Message::Si4(s) => &s.cell_selection,
                _ => return None,
            };
            Some(match key {
                "cell_reselect_hyst" => json!(c.cell_reselect_hysteresis_coded),
                "ms_txpwr_max_cch" => json!(c.ms_txpwr_max_cch),
                "acs" => b(c.acs),
                "neci" => b(c.neci),
                _ => json!(c.rxlev_access_min_coded),
            })
        }
        "cbq" => sel.map(|s| b(s.cbq)),
        "cell_reselect_offset" => sel.map(|s| json!(s.cell_reselect_offset_coded)),
        "temporary_offset" => sel.map(|s| json!(s.temporary_offset_coded)),
        "penalty_time" => sel.map(|s| json!(s.penalty_time_coded)),
        "power_offset" => power.map(|p| json!(p)),
        "gprs_indicator" => match m {
            L3Message::Si3(_) | L3Message::Si4(_) => Some(b(gprs.is_some())),
            _ => None,
        },
        "gprs_ra_colour" => gprs.map(|g| json!(g.ra_colour)),
        "si13_position" => gprs.map(|g| json!(g.si13_position)),
        "si2quater_position" => match m {
            // tshark prints the position bit whether or not the indicator is H; we return the
            // position only when announced, so compare "absent" as 0 and check it separately.
            L3Message::Si3(s) => Some(json!(s
                .rest_octets
                .decoded
                .as_ref()?
                .si2quater_position
                .unwrap_or(0))),
            _ => None,
        },
        "early_classmark_sending" => match m {
            L3Message::Si3(s) => Some(b(s.rest_octets.decoded.as_ref()?.early_classmark_sending)),
            _ => None,
        },
        // SI13
        "bcch_change_mark"
        | "si_change_field"
        | "rac"
        | "spgc_ccch_sup"
        | "priority_access_thr"
        | "network_control_order"
        | "nmo"
        | "t3168"
        | "t3192"
        | "drx_timer_max"
        | "bs_cv_max"
        | "sgsnr"
        | "alpha"
        | "t_avg_w"
        | "t_avg_t"
        | "pc_meas_chan"
        | "n_avg_i"
            if matches!(m, L3Message::Si13(_)) =>
        {
            let L3Message::Si13(s) = m else { return None };
            let r = s.rest_octets.decoded.as_ref()?.contents.as_ref()?;
            let o = r.gprs_cell_options.as_ref()?;
            let p = r.power_control.as_ref()?;
            Some(match key {
                "bcch_change_mark" => json!(r.bcch_change_mark),
                "si_change_field" => json!(r.si_change_field),
                "rac" => json!(r.rac?),
                "spgc_ccch_sup" => b(r.spgc_ccch_sup?),
                "priority_access_thr" => json!(r.priority_access_thr?),
                "network_control_order" => json!(r.network_control_order?),
                "nmo" => json!(o.nmo),
                "t3168" => json!(o.t3168_coded),
                "t3192" => json!(o.t3192_coded),
                "drx_timer_max" => json!(o.drx_timer_max),
                "bs_cv_max" => json!(o.bs_cv_max),
                "sgsnr" => b(r.sgsnr?),
                "alpha" => json!(p.alpha),
                "t_avg_w" => json!(p.t_avg_w),
                "t_avg_t" => json!(p.t_avg_t),
                "pc_meas_chan" => json!(p.pc_meas_chan),
                _ => json!(p.n_avg_i),
            })
        }
        // SI2quater
        "3g_ba_ind"
        | "mp_change_mark"
        | "si2quater_index"
        | "si2quater_count"
        | "earfcns"
        | "eutran_meas_bandwidths"
        | "eutran_priorities"
        | "eutran_qrxlevmins"
        | "eutran_thresh_highs"
        | "eutran_thresh_lows"
        | "fdd_uarfcns"
        | "scrambling_codes"
        | "geran_priority"
        | "thresh_priority_search"
        | "thresh_gsm_low"
        | "h_prio"
        | "t_reselection" => {
            let L3Message::Si2quater(q) = m else {
                return None;
            };
            assert!(
                q.stopped_at.is_none(),
                "SI2quater decode stopped: {:?}",
                q.stopped_at
            );
            let g = &q.eutran_neighbours;
            let sp = q.serving_cell_priority.as_ref();
            Some(match key {
                "3g_ba_ind" => json!(q.ba_ind_3g),
                "mp_change_mark" => json!(q.mp_change_mark),
                "si2quater_index" => json!(q.index),
                "si2quater_count" => json!(q.count),
                "earfcns" => json!(q.earfcns()),
                "eutran_meas_bandwidths" => json!(g
                    .iter()
                    .flat_map(|x| x.measurement_bandwidths.iter().flatten().copied())
                    .collect::<Vec<_>>()),
                "eutran_priorities" => {
                    json!(g.iter().filter_map(|x| x.priority).collect::<Vec<_>>())
                }
                "eutran_qrxlevmins" => {
                    json!(g.iter().filter_map(|x| x.qrxlevmin).collect::<Vec<_>>())
                }
                "eutran_thresh_highs" => json!(g.iter().map(|x| x.thresh_high).collect::<Vec<_>>()),
                "eutran_thresh_lows" => {
                    json!(g.iter().filter_map(|x| x.thresh_low).collect::<Vec<_>>())
                }
                "fdd_uarfcns" => json!(q.utran_fdd.iter().map(|u| u.uarfcn).collect::<Vec<_>>()),
                "scrambling_codes" => json!(q
                    .utran_fdd
                    .iter()
                    .flat_map(|u| u.scrambling_codes.iter().copied())
                    .collect::<Vec<_>>()),
                "geran_priority" => json!(sp?.geran_priority),
                "thresh_priority_search" => json!(sp?.thresh_priority_search),
                "thresh_gsm_low" => json!(sp?.thresh_gsm_low),
                "h_prio" => json!(sp?.h_prio),
                _ => json!(sp?.t_reselection),
            })
        }
        // Paging
        "page_mode" | "channel_needed_1" | "channel_needed_2" | "mobile_identities"
            if matches!(m, L3Message::PagingRequest1(_)) =>
        {
            let L3Message::PagingRequest1(p) = m else {
                return None;
            };
            Some(match key {
                "page_mode" => json!(p.page_mode),
                "channel_needed_1" => json!(p.channel_needed_1),
                "channel_needed_2" => json!(p.channel_needed_2),
                _ => json!(p
                    .identities
                    .iter()
                    .filter(|i| !matches!(i, MobileIdentity::NoIdentity))
                    .map(|i| {
                        let v = serde_json::to_value(i).unwrap();
                        json!({"type": i.type_name(), "value": v["value"]})
                    })
                    .collect::<Vec<_>>()),
            })
        }
        // Immediate Assignment
        _ if matches!(m, L3Message::ImmediateAssignment(_)) => {
            let L3Message::ImmediateAssignment(a) = m else {
                return None;
            };
            let (ts, tsc, freq) = match &a.channel {
                AssignedChannel::Dedicated(c) => (c.timeslot, c.tsc, &c.frequency),
                AssignedChannel::Packet(c) => (c.timeslot, c.tsc, &c.frequency),
            };
            Some(match key {
                "page_mode" => json!(a.page_mode),
                "timing_advance" => json!(a.timing_advance),
                "request_reference_ra" => json!(a.request_reference.ra),
                "t1prime" => json!(a.request_reference.t1_prime),
                "t3" => json!(a.request_reference.t3),
                "t2" => json!(a.request_reference.t2),
                "timeslot" => json!(ts),
                "tsc" => json!(tsc),
                "assigned_arfcn" => match freq {
                    ChannelFrequency::Single { arfcn } => json!(arfcn),
                    ChannelFrequency::Hopping { .. } => return None,
                },
                "hopping" => b(matches!(freq, ChannelFrequency::Hopping { .. })),
                "dedicated_mode_or_tbf" => json!(a.dedicated_mode_or_tbf),
                "channel_type_sdcch8" => match &a.channel {
                    AssignedChannel::Dedicated(c) => json!(c.channel_type_raw),
                    _ => return None,
                },
                "packet_channel_type" => match &a.channel {
                    AssignedChannel::Packet(c) => json!(c.channel_type),
                    _ => return None,
                },
                "alpha" => match a.packet_assignment.as_ref()? {
                    PacketAssignment::UplinkDynamic { alpha, .. } => json!((*alpha)?),
                    _ => return None,
                },
                _ => return None,
            })
        }
        _ => None,
    }
}

fn normalise(key: &str, v: &Value) -> Value {
    if key == "freq_list_formats" {
        // "variable bit map (0x47)" -> "variable bit map"
        if let Value::Array(a) = v {
            return Value::Array(
                a.iter()
                    .map(|x| {
                        let s = x.as_str().unwrap_or("");
                        Value::String(s.split(" (").next().unwrap_or(s).to_string())
                    })
                    .collect(),
            );
        }
    }
    v.clone()
}

#[test]
fn all_si_vectors_match_expect() {
    let v = vectors();
    assert_eq!(v.len(), 93);
    let mut compared: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_message: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (i, e) in v.iter().enumerate() {
        let name = e["message"].as_str().unwrap();
        let bytes = hex(e["hex"].as_str().unwrap());
        let layer = e["layer"].as_str().unwrap();
        let m = if layer.starts_with("L3") {
            parse_l3(Channel::Sacch, &bytes)
        } else if name.starts_with("SI") {
            parse_l2_block(Channel::Bcch, &bytes)
        } else {
            parse_l2_block(Channel::Ccch, &bytes)
        };
        if m.message_type_name() != name {
            failures.push(format!(
                "#{i} {name}: parsed as {} ({m:?})",
                m.message_type_name()
            ));
            continue;
        }
        *per_message.entry(name.to_string()).or_default() += 1;
        for (key, want) in e["expect"].as_object().unwrap() {
            match ours(&m, key) {
                None => failures.push(format!("#{i} {name}: field {key} not supported/absent")),
                Some(got) => {
                    let want = normalise(key, want);
                    if got != want {
                        failures.push(format!(
                            "#{i} {name} {}: {key}: got {got} want {want}",
                            e["hex"]
                        ));
                    } else {
                        *compared.entry(format!("{name}.{key}")).or_default() += 1;
                    }
                }
            }
        }
    }
    let total: usize = compared.values().sum();
    println!("messages: {per_message:?}");
    println!(
        "compared {total} field values in {} distinct fields",
        compared.len()
    );
    for (k, n) in &compared {
        println!("  {k}: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// tshark shows `si2quater_indicator`; check our announcement matches it for every SI3.
#[test]
fn si3_si2quater_indicator_matches_tshark() {
    for e in vectors() {
        if e["message"] != "SI3" {
            continue;
        }
        let m = parse_l2_block(Channel::Bcch, &hex(e["hex"].as_str().unwrap()));
        let L3Message::Si3(s) = m else {
            panic!("not SI3")
        };
        let ro = s.rest_octets.decoded.unwrap();
        let t = &e["tshark_fields"];
        assert_eq!(
            u64::from(ro.si2quater_position.is_some()),
            t["gsm_a.rr.si2quater_indicator"].as_u64().unwrap(),
            "{}",
            e["hex"]
        );
        assert_eq!(
            u64::from(ro.si2ter_indicator),
            t["gsm_a.rr.system_information_type_2ter"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(ro.scheduling_where.is_some()),
            t["gsm_a.rr.scheduling_if_and_where"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(ro.early_classmark_sending_restriction_3g),
            t["gsm_a.rr.3g_early_classmark_sending_restriction"]
                .as_u64()
                .unwrap()
        );
    }
}
