//! Hostile input: every truncation and every single-bit flip of every vector, plus random bytes,
//! must give a summary or a one-line error, never a panic escaping the decoder.

use std::path::PathBuf;

use cellsentry_lte_rrc::{decode_bcch_dl_sch, RrcError};

fn all_vectors() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../captures/lte");
    let mut out = Vec::new();
    for name in ["sib_vectors.json", "pycrate_encoded_sib_vectors.json"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for entry in v.as_array().unwrap() {
            let hex = entry["hex"].as_str().unwrap();
            out.push(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            );
        }
    }
    assert_eq!(out.len(), 16);
    out
}

#[derive(Default, Debug)]
struct Tally {
    ok: usize,
    err: usize,
    caught_panics: usize,
}

impl Tally {
    fn run(&mut self, bytes: &[u8]) {
        match decode_bcch_dl_sch(bytes) {
            Ok(msg) => {
                self.ok += 1;
                // A summary must always serialise (it goes to the store and reports).
                serde_json::to_string(&msg).unwrap();
            }
            Err(e) => {
                self.err += 1;
                if matches!(e, RrcError::DecoderPanic { .. }) {
                    self.caught_panics += 1;
                }
                let text = e.to_string();
                assert!(!text.contains('\n'), "multi-line error: {text}");
                assert!(!text.is_empty());
            }
        }
    }
}

#[test]
fn truncations_never_panic() {
    let mut t = Tally::default();
    for v in all_vectors() {
        for len in 0..v.len() {
            t.run(&v[..len]);
        }
    }
    eprintln!("truncations: {t:?}");
    assert!(t.err > 0);
    assert_eq!(
        t.caught_panics, 0,
        "decoder panicked (caught) on truncated input"
    );
}

#[test]
fn bit_flips_never_panic() {
    let mut t = Tally::default();
    for v in all_vectors() {
        for bit in 0..v.len() * 8 {
            let mut m = v.clone();
            m[bit / 8] ^= 0x80 >> (bit % 8);
            t.run(&m);
        }
    }
    eprintln!("bit flips: {t:?}");
    assert!(t.ok > 0 && t.err > 0);
    assert_eq!(
        t.caught_panics, 0,
        "decoder panicked (caught) on corrupted input"
    );
}

#[test]
fn random_bytes_never_panic() {
    // xorshift64: deterministic, no dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut t = Tally::default();
    for _ in 0..20_000 {
        let len = 1 + (next() % 64) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        t.run(&bytes);
    }
    eprintln!("random: {t:?}");
    assert_eq!(
        t.caught_panics, 0,
        "decoder panicked (caught) on random input"
    );
}

#[test]
fn empty_input_is_an_error() {
    assert_eq!(decode_bcch_dl_sch(&[]), Err(RrcError::Empty));
}

#[test]
fn decode_speed() {
    let vectors = all_vectors();
    let start = std::time::Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        for v in &vectors {
            decode_bcch_dl_sch(v).unwrap();
        }
    }
    let per_msg_us = start.elapsed().as_secs_f64() * 1e6 / (rounds * vectors.len()) as f64;
    eprintln!("decode: {per_msg_us:.1} us per message (mean over the 16 vectors)");
}
