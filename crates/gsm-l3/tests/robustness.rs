//! Bad input never panics and is never dropped: every prefix and every single-octet corruption of
//! every test vector, and random blocks (with and without valid RR headers) on every channel,
//! give either a typed message, a fill frame, or `Unparsed` holding the raw input.

use cellsentry_gsm_l3::{parse_l2_block, parse_l3, Channel, L3Message};
use serde_json::Value;

const CHANNELS: [Channel; 7] = [
    Channel::Bcch,
    Channel::Ccch,
    Channel::Pch,
    Channel::Agch,
    Channel::Sdcch,
    Channel::Facch,
    Channel::Sacch,
];

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2 * 2)
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

fn all_vectors() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for e in load("si_vectors.json").as_array().unwrap() {
        out.push(hex(e["hex"].as_str().unwrap()));
    }
    for f in [
        "freq_list_tshark.json",
        "ccch_tshark.json",
        "si2quater_eutran_tshark.json",
    ] {
        for v in load(f)["vectors"].as_array().unwrap() {
            out.push(hex(v["l2_block_hex"].as_str().unwrap()));
        }
    }
    for f in [
        "osmocom_blaster_234-15_gsm900_arfcn62.truth.json",
        "osmocom_default_dcs1800_arfcn871.truth.json",
    ] {
        for b in load(f)["decoded_blocks_in_order"].as_array().unwrap() {
            out.push(hex(b["l2_block_hex"].as_str().unwrap()));
        }
    }
    out
}

fn check(ch: Channel, b: &[u8]) {
    let m = parse_l2_block(ch, b);
    if let L3Message::Unparsed { raw, reason, .. } = &m {
        assert_eq!(raw.as_slice(), b);
        assert!(!reason.to_string().is_empty());
    }
    let _ = m.message_type_name();
    // Everything must serialise (the store/report stages print and persist these).
    let js = serde_json::to_string(&m).unwrap();
    let back: L3Message = serde_json::from_str(&js).unwrap();
    assert_eq!(back, m);
    let m3 = parse_l3(ch, b);
    if let L3Message::Unparsed { raw, .. } = &m3 {
        assert_eq!(raw.as_slice(), b);
    }
}

#[test]
fn prefixes_and_corruptions_of_all_vectors() {
    let vs = all_vectors();
    assert!(vs.len() > 150);
    let mut n = 0usize;
    for v in &vs {
        for ch in CHANNELS {
            for len in 0..=v.len() {
                check(ch, &v[..len]);
                n += 1;
            }
            for i in 0..v.len() {
                for x in [0xffu8, 0x01, 0x80] {
                    let mut c = v.clone();
                    c[i] ^= x;
                    check(ch, &c);
                    n += 1;
                }
            }
        }
    }
    println!("{n} mutated blocks parsed");
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_blocks() {
    let mut rng = XorShift(0x44018_44006);
    let types = [
        0x00u8, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        0x20, 0x21, 0x22, 0x24, 0x3a, 0x3f,
    ];
    for i in 0..60_000 {
        let len = (rng.next() % 40) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 && len >= 3 {
            // Valid framing and RR header so the message decoders themselves get random input.
            b[0] = (b[0] & 0xfc) | 0x01;
            b[1] = 0x06;
            b[2] = types[(rng.next() as usize) % types.len()];
        }
        let ch = CHANNELS[(rng.next() as usize) % CHANNELS.len()];
        check(ch, &b);
        if len >= 3 {
            check(Channel::Bcch, &b);
        }
    }
}

/// Throughput on the real vectors (run with `--ignored --nocapture`; reported, not asserted).
#[test]
#[ignore]
fn throughput() {
    let vs: Vec<Vec<u8>> = load("si_vectors.json")
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["layer"].as_str().unwrap().starts_with("L2"))
        .map(|e| hex(e["hex"].as_str().unwrap()))
        .collect();
    let rounds = 2000;
    let t0 = std::time::Instant::now();
    let mut typed = 0usize;
    for _ in 0..rounds {
        for v in &vs {
            let m = parse_l2_block(Channel::Bcch, std::hint::black_box(v));
            typed += usize::from(!matches!(m, L3Message::Unparsed { .. }));
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    let n = rounds * vs.len();
    println!(
        "{n} blocks in {dt:.3} s: {:.0} blocks/s ({typed} typed)",
        n as f64 / dt
    );
}
