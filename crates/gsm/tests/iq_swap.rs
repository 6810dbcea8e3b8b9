//! I/Q-swap detection on the real Osmocom recording with its I and Q lines exchanged: the
//! swapped file must be recognised, and once undone every gr-gsm block must decode again.
mod common;
use cellsentry_gsm::{detect_iq_swap, GsmEvent, GsmReceiver};
use common::*;
use num_complex::Complex32;

#[test]
fn swapped_iq_is_detected_and_undone() {
    let x = load_cs16("osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    let swapped: Vec<Complex32> = x.iter().map(|s| Complex32::new(s.im, s.re)).collect();
    assert_eq!(detect_iq_swap(&x, OSMO_RATE, 0.5).unwrap(), Some(false));
    assert_eq!(
        detect_iq_swap(&swapped, OSMO_RATE, 0.5).unwrap(),
        Some(true)
    );
    // Noise only: no decision.
    let mut g = Gauss::new(11);
    let noise: Vec<Complex32> = (0..300_000).map(|_| g.cn() * 0.3).collect();
    assert_eq!(detect_iq_swap(&noise, OSMO_RATE, 0.5).unwrap(), None);

    // As given, the swapped file syncs with a carrier offset near -135 kHz (half the symbol
    // rate); with the swap undone the offset is back near zero and all of gr-gsm's blocks come.
    let decode = |swap: bool| {
        let mut rx = GsmReceiver::new(OSMO_RATE, None)
            .unwrap()
            .with_iq_swapped(swap);
        let mut ev = Vec::new();
        for c in swapped.chunks(1 << 16) {
            ev.extend(rx.push(c));
        }
        ev
    };
    let offset = |ev: &[GsmEvent]| {
        ev.iter()
            .find_map(|e| match e {
                GsmEvent::SyncAcquired { freq_offset_hz, .. } => Some(*freq_offset_hz),
                _ => None,
            })
            .unwrap()
    };
    assert!((offset(&decode(false)) + 135_416.7).abs() < 2_000.0);
    let ev = decode(true);
    assert!(offset(&ev).abs() < 2_000.0);
    let t = truth(
        "osmocom",
        "osmocom_blaster_234-15_gsm900_arfcn62.truth.json",
    );
    for tb in t["decoded_blocks_in_order"].as_array().unwrap() {
        let fn_ = tb["frame_nr"].as_u64().unwrap() as u32;
        let want = hex_to_bytes(tb["l2_block_hex"].as_str().unwrap());
        assert!(
            ev.iter().any(
                |e| matches!(e, GsmEvent::Block(b) if b.fn_ == fn_ && b.bytes.to_vec() == want)
            ),
            "FN {fn_}"
        );
    }
}
