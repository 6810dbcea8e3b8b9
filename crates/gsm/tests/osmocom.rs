//! The bundled Osmocom BTS recordings against gr-gsm's decode (truth.json).
mod common;
use cellsentry_gsm::{decode_all_at, GsmEvent, LogicalChannel};
use common::*;

fn check(name: &str, carrier_hz: f64, bsic: u8) {
    let x = load_cs16(&format!("{name}.cs16"));
    let t = truth("osmocom", &format!("{name}.truth.json"));
    let d = decode_all_at(&x, OSMO_RATE, Some(carrier_hz)).unwrap();
    let blocks: Vec<_> = d.blocks().collect();
    let truth_blocks = t["decoded_blocks_in_order"].as_array().unwrap();
    let mut missing = 0;
    for tb in truth_blocks {
        let fn_ = tb["frame_nr"].as_u64().unwrap() as u32;
        let want = hex_to_bytes(tb["l2_block_hex"].as_str().unwrap());
        let ct = tb["gsmtap_chan_type"].as_u64().unwrap();
        let sub = tb["sub_slot"].as_u64().unwrap() as u8;
        match blocks.iter().find(|b| b.fn_ == fn_) {
            Some(b) => {
                assert_eq!(b.bytes.to_vec(), want, "bytes at FN {fn_}");
                // The capture is noise-free: every hard-decided coded bit on the air must equal
                // our re-encoding (Fire parity + convolutional code + interleaving, TS 45.003
                // 4.1) of gr-gsm's bytes. This checks our encoder against osmo-bts's.
                assert_eq!(
                    b.coded_bit_errors, 0,
                    "on-air coded bits differ at FN {fn_}"
                );
                assert_eq!(u64::from(b.fn_mod51), tb["fn_mod_51"].as_u64().unwrap());
                match ct {
                    1 => assert!(matches!(b.channel, LogicalChannel::Bcch { .. })),
                    2 => assert_eq!(b.channel, LogicalChannel::Ccch { block: sub }),
                    _ => panic!("unexpected truth channel type {ct}"),
                }
            }
            None => missing += 1,
        }
    }
    println!(
        "{name}: ours {} blocks ok, {} failed, {} idle; gr-gsm {}; missing {missing}; {:?}",
        d.measurement.blocks_ok,
        d.measurement.blocks_failed,
        d.measurement.blocks_idle,
        truth_blocks.len(),
        d.measurement
    );
    assert_eq!(missing, 0, "every gr-gsm block must be decoded");
    // SCH: the truth lists the first SCH bursts gr-gsm demodulated (channel-decoded by
    // libosmocoding) with T1/T2/T3 and FN; ours must agree, and we must find at least as many.
    let sch_truth = &t["sch_decode"];
    let mut sch_matched = 0;
    for st in sch_truth["first"].as_array().unwrap() {
        let fn_ = st["fn_from_sch"].as_u64().unwrap() as u32;
        let ours = d.events.iter().find_map(|e| match e {
            GsmEvent::Sch(s) if s.fn_ == fn_ => Some(*s),
            _ => None,
        });
        if let Some(s) = ours {
            assert_eq!(u64::from(s.t1), st["t1"].as_u64().unwrap());
            assert_eq!(u64::from(s.t2), st["t2"].as_u64().unwrap());
            assert_eq!(u64::from(s.t3), st["t3"].as_u64().unwrap());
            assert_eq!(u64::from(s.ncc), st["ncc"].as_u64().unwrap());
            assert_eq!(u64::from(s.bcc), st["bcc"].as_u64().unwrap());
            sch_matched += 1;
        }
    }
    assert_eq!(sch_matched, 3, "the truth's first three SCH bursts");
    let sch_bursts = sch_truth["sch_bursts"].as_u64().unwrap() as u32;
    assert!(
        d.measurement.sch_ok >= sch_bursts,
        "SCH {} < {sch_bursts}",
        d.measurement.sch_ok
    );
    assert_eq!(d.measurement.bsic, Some(bsic));
    for e in &d.events {
        if let GsmEvent::Sch(s) = e {
            assert_eq!(s.bsic, bsic);
        }
    }
    // BCCH TC = (FN div 51) mod 8, and TS 45.002 6.3.1.3 fixes SI1 at TC 0, SI2 at TC 1,
    // SI3 at TC 2 and 6, SI4 at TC 3 and 7 (RR message types 0x19..0x1c, TS 44.018 10.4).
    for b in &blocks {
        if let LogicalChannel::Bcch { tc } = b.channel {
            assert_eq!(u32::from(tc), (b.fn_ / 51) % 8);
            let want = match tc {
                0 => Some(0x19),
                1 => Some(0x1a),
                2 | 6 => Some(0x1b),
                3 | 7 => Some(0x1c),
                _ => None,
            };
            if let Some(t) = want {
                assert_eq!(b.bytes[2], t, "SI type at TC {tc}, FN {}", b.fn_);
            }
        }
    }
    // The L3 parser sees the SI3 of the cell in our blocks.
    assert!(blocks
        .iter()
        .any(|b| matches!(b.parse_l3(), cellsentry_gsm_l3::L3Message::Si3(_))));
}

#[test]
fn osmocom_default_matches_gr_gsm() {
    check("osmocom_default_dcs1800_arfcn871", 1877.0e6, 63);
}

#[test]
fn osmocom_blaster_matches_gr_gsm() {
    check("osmocom_blaster_234-15_gsm900_arfcn62", 947.4e6, 21);
}
