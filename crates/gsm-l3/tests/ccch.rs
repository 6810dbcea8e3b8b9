//! CCCH messages against independent decodes: the GSMSP 2007 paging blocks (gr-gsm + tshark truth)
//! and hand-built Paging Request 1/2/3, Immediate Assignment (hopping, SDCCH/4) and Immediate
//! Assignment Reject blocks whose tshark 4.0.17 decode is frozen in captures/gsm-l3/ccch_tshark.json.

use cellsentry_gsm_l3::ccch::count_identities;
use cellsentry_gsm_l3::{
    parse_l2_block, AssignedChannel, Channel, ChannelFrequency, L3Message, MobileIdentity,
};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn load(name: &str) -> Value {
    let p = format!(
        "{}/../../captures/gsm-l3/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn list(v: &Value) -> Vec<u64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_u64().unwrap()).collect(),
        Value::Null => vec![],
        x => vec![x.as_u64().unwrap()],
    }
}

#[test]
fn gsmsp2007_paging_truth() {
    let mut n = 0;
    let mut fills = 0;
    for f in [
        "gsmsp2007_941.0M_500ksps_arfcn30.truth.json",
        "gsmsp2007_953.6M_500ksps_arfcn93.truth.json",
    ] {
        let t = load(f);
        for cell in t["cells"].as_array().unwrap() {
            for msg in cell["messages"].as_array().unwrap() {
                let m = parse_l2_block(Channel::Ccch, &hex(msg["l2_hex"].as_str().unwrap()));
                let ty = msg["type"].as_str().unwrap();
                if ty.starts_with("L2 fill frame") {
                    assert_eq!(
                        m,
                        L3Message::Fill {
                            channel: Channel::Ccch
                        }
                    );
                    fills += 1;
                    continue;
                }
                assert_eq!(m.message_type_name(), ty);
                let L3Message::PagingRequest1(p) = &m else {
                    panic!()
                };
                assert_eq!(p.page_mode, 0, "normal paging");
                if let Some(cn) = msg.get("channel_needed") {
                    let names: Vec<&str> = cn
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap())
                        .collect();
                    assert_eq!(
                        cellsentry_gsm_l3::ccch::channel_needed_name(p.channel_needed_1),
                        names[0]
                    );
                    assert_eq!(
                        cellsentry_gsm_l3::ccch::channel_needed_name(p.channel_needed_2),
                        names[1]
                    );
                }
                let want: Vec<(String, Option<String>)> = msg["identities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| {
                        (
                            i["type"].as_str().unwrap().to_string(),
                            i.get("value")
                                .map(|v| v.as_str().unwrap().trim_start_matches("0x").to_string()),
                        )
                    })
                    .collect();
                let got: Vec<(String, Option<String>)> = p
                    .identities
                    .iter()
                    .map(|i| match i {
                        MobileIdentity::Tmsi(t) => ("TMSI".to_string(), Some(t.clone())),
                        other => (other.type_name().to_string(), None),
                    })
                    .collect();
                assert_eq!(got, want);
                n += 1;
            }
        }
    }
    assert_eq!((n, fills), (5, 1));
}

#[test]
fn hand_built_ccch_against_tshark() {
    let doc = load("ccch_tshark.json");
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let t = &v["tshark_fields"];
        assert!(!v["tshark_malformed"].as_bool().unwrap());
        let m = parse_l2_block(Channel::Ccch, &hex(v["l2_block_hex"].as_str().unwrap()));
        let mt = t["gsm_a.dtap.msg_rr_type"].as_u64().unwrap();
        let tmsis: Vec<u64> = m
            .paged_identities()
            .iter()
            .filter_map(|i| match i {
                MobileIdentity::Tmsi(h) => Some(u64::from_str_radix(h, 16).unwrap()),
                _ => None,
            })
            .collect();
        let imsis: Vec<u64> = m
            .paged_identities()
            .iter()
            .filter_map(|i| match i {
                MobileIdentity::Imsi(d) => Some(d.parse().unwrap()),
                _ => None,
            })
            .collect();
        match &m {
            L3Message::PagingRequest1(p) => {
                assert_eq!(mt, 0x21);
                assert_eq!(
                    u64::from(p.channel_needed_1),
                    t["gsm_a.rr.chnl_needed_ch1"].as_u64().unwrap()
                );
                assert_eq!(
                    u64::from(p.channel_needed_2),
                    t["gsm_a.rr.chnl_needed_ch2"].as_u64().unwrap()
                );
            }
            L3Message::PagingRequest2(p) => {
                assert_eq!(mt, 0x22);
                assert_eq!(
                    u64::from(p.channel_needed_1),
                    t["gsm_a.rr.chnl_needed_ch1"].as_u64().unwrap()
                );
                assert_eq!(
                    u64::from(p.channel_needed_2),
                    t["gsm_a.rr.chnl_needed_ch2"].as_u64().unwrap()
                );
            }
            L3Message::PagingRequest3(p) => {
                assert_eq!(mt, 0x24);
                assert_eq!(
                    u64::from(p.channel_needed_1),
                    t["gsm_a.rr.chnl_needed_ch1"].as_u64().unwrap()
                );
                assert_eq!(
                    u64::from(p.channel_needed_2),
                    t["gsm_a.rr.chnl_needed_ch2"].as_u64().unwrap()
                );
            }
            L3Message::ImmediateAssignmentReject(r) => {
                assert_eq!(mt, 0x3a);
                let ras: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.request_reference.ra))
                    .collect();
                assert_eq!(ras, list(&t["gsm_a.rr.ra"]));
                let t1: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.request_reference.t1_prime))
                    .collect();
                assert_eq!(t1, list(&t["gsm_a.rr.T1prim"]));
                let t3: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.request_reference.t3))
                    .collect();
                assert_eq!(t3, list(&t["gsm_a.rr.T3"]));
                let t2: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.request_reference.t2))
                    .collect();
                assert_eq!(t2, list(&t["gsm_a.rr.T2"]));
                let rfn: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.request_reference.fn_mod_42432()))
                    .collect();
                assert_eq!(rfn, list(&t["gsm_a.rr.rfn"]));
                let w: Vec<u64> = r
                    .rejected
                    .iter()
                    .map(|x| u64::from(x.wait_indication_s))
                    .collect();
                assert_eq!(w, list(&t["gsm_a.rr.wait_indication"]));
            }
            L3Message::ImmediateAssignment(a) => {
                assert_eq!(mt, 0x3f);
                let AssignedChannel::Dedicated(c) = &a.channel else {
                    panic!()
                };
                assert_eq!(
                    u64::from(c.timeslot),
                    t["gsm_a.rr.timeslot"].as_u64().unwrap()
                );
                assert_eq!(
                    u64::from(c.tsc),
                    t["gsm_a.rr.training_sequence"].as_u64().unwrap()
                );
                match c.frequency {
                    ChannelFrequency::Single { arfcn } => {
                        assert_eq!(t["gsm_a.rr.hopping_channel"], 0);
                        assert_eq!(
                            u64::from(arfcn),
                            t["gsm_a.rr.single_channel_arfcn"].as_u64().unwrap()
                        );
                        assert_eq!(
                            c.subchannel.map(u64::from),
                            t["gsm_a.rr.tch_facch_sacchm"].as_u64()
                        );
                    }
                    ChannelFrequency::Hopping { maio, hsn } => {
                        assert_eq!(t["gsm_a.rr.hopping_channel"], 1);
                        assert_eq!(
                            u64::from(maio),
                            t["gsm_a.rr.hopping_channel_maio"].as_u64().unwrap()
                        );
                        assert_eq!(u64::from(hsn), t["gsm_a.rr.hsn"].as_u64().unwrap());
                        assert_eq!(
                            a.mobile_allocation_hex,
                            t["gsm_a.rr.inc_arfcn_bitmap"]
                                .as_str()
                                .unwrap()
                                .replace(':', "")
                        );
                        let st = a.starting_time.as_ref().unwrap();
                        assert_eq!(u64::from(st.fn_mod_42432()), list(&t["gsm_a.rr.rfn"])[1]);
                    }
                }
                assert_eq!(
                    u64::from(a.request_reference.ra),
                    list(&t["gsm_a.rr.ra"])[0]
                );
                assert_eq!(
                    u64::from(a.request_reference.fn_mod_42432()),
                    list(&t["gsm_a.rr.rfn"])[0]
                );
                assert_eq!(
                    u64::from(a.timing_advance),
                    t["gsm_a.rr.timing_adv"].as_u64().unwrap()
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            u64::from(page_mode(&m)),
            t["gsm_a.rr.page_mode"].as_u64().unwrap()
        );
        // TMSIs in V format are `gsm_a.tmsi`, inside a Mobile Identity IE `3gpp.tmsi`.
        let mut want_tmsis = list(&t["gsm_a.tmsi"]);
        want_tmsis.extend(list(&t["3gpp.tmsi"]));
        assert_eq!(tmsis, want_tmsis, "{}", v["description"]);
        assert_eq!(imsis, list(&t["e212.imsi"]), "{}", v["description"]);
        let (ni, nt) = count_identities(m.paged_identities());
        assert_eq!((ni, nt), (imsis.len(), tmsis.len()));
        checked += 1;
    }
    assert_eq!(checked, 8);
}

fn page_mode(m: &L3Message) -> u8 {
    match m {
        L3Message::PagingRequest1(p) => p.page_mode,
        L3Message::PagingRequest2(p) => p.page_mode,
        L3Message::PagingRequest3(p) => p.page_mode,
        L3Message::ImmediateAssignment(a) => a.page_mode,
        L3Message::ImmediateAssignmentReject(r) => r.page_mode,
        _ => 255,
    }
}
