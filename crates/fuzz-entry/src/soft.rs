//! Bytes to soft bits (log-likelihood ratios, positive = bit 0) for the channel decoders.
//!
//! One byte per soft bit, read as a signed value, keeps inputs short and lets the fuzzer flip
//! single decisions. With `special` set, the extreme byte values stand for the non-finite
//! values a cf32 recording can smuggle through the receiver (NaN and infinities).

/// Soft value of one byte.
pub fn llr(byte: u8, special: bool) -> f32 {
    let v = byte as i8;
    if special {
        match v {
            -128 => return f32::NAN,
            127 => return f32::INFINITY,
            -127 => return f32::NEG_INFINITY,
            _ => {}
        }
    }
    f32::from(v)
}

/// Fills `out` from `bytes` (missing bytes are erasures, 0.0).
pub fn fill(out: &mut [f32], bytes: &[u8], special: bool) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = bytes.get(i).map_or(0.0, |&b| llr(b, special));
    }
}

/// Splits off the control byte; an empty input gives control 0 and no payload.
pub fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&c, rest)) => (c, rest),
        None => (0, &[]),
    }
}
