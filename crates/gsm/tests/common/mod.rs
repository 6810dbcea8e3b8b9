//! Shared helpers of the integration tests: capture loading, truth parsing, impairments.
#![allow(dead_code)]

use num_complex::Complex32;
use std::path::PathBuf;

/// Internal/Osmocom rate: 4 samples per symbol.
pub const OSMO_RATE: f64 = 1_625_000.0 / 6.0 * 4.0;

pub fn captures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../captures")
}

pub fn load_cs16(name: &str) -> Vec<Complex32> {
    let raw = std::fs::read(captures().join("osmocom").join(name)).unwrap();
    raw.chunks_exact(4)
        .map(|c| {
            let i = i16::from_le_bytes([c[0], c[1]]);
            let q = i16::from_le_bytes([c[2], c[3]]);
            Complex32::new(f32::from(i) / 32768.0, f32::from(q) / 32768.0)
        })
        .collect()
}

pub fn load_cf32(name: &str) -> Vec<Complex32> {
    let raw = std::fs::read(captures().join("gsm").join(name)).unwrap();
    raw.chunks_exact(8)
        .map(|c| {
            Complex32::new(
                f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            )
        })
        .collect()
}

pub fn truth(sub: &str, name: &str) -> serde_json::Value {
    let s = std::fs::read_to_string(captures().join(sub).join(name)).unwrap();
    serde_json::from_str(&s).unwrap()
}

pub fn hex_to_bytes(h: &str) -> Vec<u8> {
    let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Deterministic Gaussian noise (xorshift64* + Box-Muller), so tests are repeatable.
pub struct Gauss(u64);
impl Gauss {
    pub fn new(seed: u64) -> Self {
        Gauss(seed | 1)
    }
    fn u(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((v >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Complex sample with E|n|^2 = 1.
    pub fn cn(&mut self) -> Complex32 {
        let r = (-2.0 * self.u().ln()).sqrt() * std::f64::consts::FRAC_1_SQRT_2;
        let t = 2.0 * std::f64::consts::PI * self.u();
        Complex32::new((r * t.cos()) as f32, (r * t.sin()) as f32)
    }
}

/// Mean |x|^2.
pub fn mean_power(x: &[Complex32]) -> f64 {
    x.iter().map(|c| f64::from(c.norm_sqr())).sum::<f64>() / x.len() as f64
}
