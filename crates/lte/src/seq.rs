//! Known LTE sequences: the length-31 Gold pseudo-random sequence (TS 36.211 7.2), the PSS
//! Zadoff-Chu sequences (TS 36.211 6.11.1.1), the SSS m-sequences (TS 36.211 6.11.2.1) and the
//! cell-specific reference signal values (TS 36.211 6.10.1.1). Everything a receiver correlates
//! against is generated here once and then cached by the callers.

use num_complex::Complex32;

/// Length-31 Gold sequence generator, TS 36.211 7.2.
///
/// Both m-sequence registers are kept as 31-bit words (bit `i` = x(n+i)) so one step is a few
/// shifts; the mandatory 1600-step warm-up (N_C) is done in [`Gold::new`].
#[derive(Debug, Clone)]
pub struct Gold {
    x1: u32,
    x2: u32,
}

impl Gold {
    /// N_C of TS 36.211 7.2.
    pub const NC: usize = 1600;

    /// Generator positioned at c(0) for the given `c_init` (only its 31 low bits count).
    pub fn new(c_init: u32) -> Self {
        let mut g = Gold {
            x1: 1,
            x2: c_init & 0x7FFF_FFFF,
        };
        for _ in 0..Self::NC {
            g.step();
        }
        g
    }

    #[inline]
    fn step(&mut self) {
        // x1(n+31) = x1(n+3) + x1(n); x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n)  (mod 2)
        let n1 = (self.x1 ^ (self.x1 >> 3)) & 1;
        let n2 = (self.x2 ^ (self.x2 >> 1) ^ (self.x2 >> 2) ^ (self.x2 >> 3)) & 1;
        self.x1 = (self.x1 >> 1) | (n1 << 30);
        self.x2 = (self.x2 >> 1) | (n2 << 30);
    }

    /// Next bit c(n) (0 or 1).
    #[inline]
    pub fn next_bit(&mut self) -> u8 {
        let c = ((self.x1 ^ self.x2) & 1) as u8;
        self.step();
        c
    }

    /// Fills `out` with c(0..out.len()) for `c_init`.
    pub fn fill(c_init: u32, out: &mut [u8]) {
        let mut g = Gold::new(c_init);
        for b in out.iter_mut() {
            *b = g.next_bit();
        }
    }
}

/// Maps a subcarrier index relative to the centre (`-half..half`, the DC subcarrier not counted,
/// as LTE downlink numbers them, TS 36.211 6.12) to a bin of an `nfft`-point FFT.
#[inline]
pub fn sc_to_bin(k_rel: i32, nfft: usize) -> usize {
    if k_rel < 0 {
        (nfft as i32 + k_rel) as usize
    } else {
        (k_rel + 1) as usize
    }
}

/// PSS root indices for N_ID_2 = 0, 1, 2 (TS 36.211 table 6.11.1.1-1).
pub const PSS_ROOTS: [u32; 3] = [25, 29, 34];

/// The 62-element PSS d_u(n) in frequency domain, TS 36.211 6.11.1.1.
pub fn pss_freq(n_id_2: usize) -> [Complex32; 62] {
    let u = PSS_ROOTS[n_id_2 % 3] as f64;
    let mut d = [Complex32::new(0.0, 0.0); 62];
    for (n, v) in d.iter_mut().enumerate() {
        let nf = n as f64;
        let arg = if n < 31 {
            -std::f64::consts::PI * u * nf * (nf + 1.0) / 63.0
        } else {
            -std::f64::consts::PI * u * (nf + 1.0) * (nf + 2.0) / 63.0
        };
        *v = Complex32::new(arg.cos() as f32, arg.sin() as f32);
    }
    d
}

/// FFT bin (of an `nfft`-point FFT) of element `n` (0..62) of a PSS/SSS sequence:
/// k = n - 31 relative to the centre, TS 36.211 6.11.1.2 / 6.11.2.2.
#[inline]
pub fn sync_bin(n: usize, nfft: usize) -> usize {
    sc_to_bin(n as i32 - 31, nfft)
}

fn m_sequence(taps: &[usize]) -> [i8; 31] {
    // x(0..4) = 0,0,0,0,1; x(i+5) = sum of x(i + tap) mod 2; result mapped 0 -> +1, 1 -> -1.
    let mut x = [0u8; 31];
    x[4] = 1;
    for i in 0..26 {
        let mut v = 0;
        for &t in taps {
            v ^= x[i + t];
        }
        x[i + 5] = v;
    }
    let mut s = [0i8; 31];
    for (o, &b) in s.iter_mut().zip(x.iter()) {
        *o = 1 - 2 * b as i8;
    }
    s
}

/// m0, m1 of TS 36.211 table 6.11.2.1-1 for a physical-layer cell-identity group N_ID_1.
pub fn sss_m0_m1(n_id_1: usize) -> (usize, usize) {
    let q_prime = n_id_1 / 30;
    let q = (n_id_1 + q_prime * (q_prime + 1) / 2) / 30;
    let m_prime = n_id_1 + q * (q + 1) / 2;
    let m0 = m_prime % 31;
    let m1 = (m0 + m_prime / 31 + 1) % 31;
    (m0, m1)
}

/// The 62-element SSS d(n) (values +-1) for subframe 0 (`subframe5 == false`) or 5,
/// TS 36.211 6.11.2.1.
pub fn sss_seq(n_id_1: usize, n_id_2: usize, subframe5: bool) -> [i8; 62] {
    let s_t = m_sequence(&[0, 2]); // x(i+5) = x(i+2) + x(i)
    let c_t = m_sequence(&[0, 3]); // x(i+5) = x(i+3) + x(i)
    let z_t = m_sequence(&[0, 1, 2, 4]); // x(i+5) = x(i+4) + x(i+2) + x(i+1) + x(i)
    let (m0, m1) = sss_m0_m1(n_id_1);
    let mut d = [0i8; 62];
    for n in 0..31 {
        let s0 = s_t[(n + m0) % 31];
        let s1 = s_t[(n + m1) % 31];
        let c0 = c_t[(n + n_id_2) % 31];
        let c1 = c_t[(n + n_id_2 + 3) % 31];
        let z1_m0 = z_t[(n + (m0 % 8)) % 31];
        let z1_m1 = z_t[(n + (m1 % 8)) % 31];
        if subframe5 {
            d[2 * n] = s1 * c0;
            d[2 * n + 1] = s0 * c1 * z1_m1;
        } else {
            d[2 * n] = s0 * c0;
            d[2 * n + 1] = s1 * c1 * z1_m0;
        }
    }
    d
}

/// Maximum downlink bandwidth in RB, N_RB^max,DL of TS 36.211 6.10.1.1.
pub const N_RB_MAX: usize = 110;

/// The 12 CRS values r(m') (m' = 104..115) that fall in the central 6 RB for a given slot
/// `ns` (0..20), symbol `l`, cell id and CP, TS 36.211 6.10.1.1. The central 6 RB always use
/// m' = N_RB^max - 6 + m for m = 0..11 whatever the cell bandwidth, so the MIB is not needed.
pub fn crs_central(pci: u16, ns: u32, l: u32, normal_cp: bool) -> [Complex32; 12] {
    let n = pci as u32;
    let n_cp = u32::from(normal_cp);
    let c_init = (1u32 << 10) * (7 * (ns + 1) + l + 1) * (2 * n + 1) + 2 * n + n_cp;
    let mut g = Gold::new(c_init);
    let first = N_RB_MAX - 6; // m' of the first CRS in the central 6 RB
    for _ in 0..2 * first {
        g.next_bit();
    }
    let a = std::f32::consts::FRAC_1_SQRT_2;
    let mut out = [Complex32::new(0.0, 0.0); 12];
    for v in out.iter_mut() {
        let b0 = g.next_bit();
        let b1 = g.next_bit();
        *v = Complex32::new(a * (1.0 - 2.0 * b0 as f32), a * (1.0 - 2.0 * b1 as f32));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TS 36.211 7.2 written out literally with arrays, to check the register implementation.
    fn gold_by_definition(c_init: u32, len: usize) -> Vec<u8> {
        let nc = 1600;
        let total = nc + len + 31;
        let mut x1 = vec![0u8; total];
        let mut x2 = vec![0u8; total];
        x1[0] = 1;
        for i in 0..31 {
            x2[i] = ((c_init >> i) & 1) as u8;
        }
        for n in 0..total - 31 {
            x1[n + 31] = (x1[n + 3] + x1[n]) % 2;
            x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2;
        }
        (0..len).map(|n| (x1[n + nc] + x2[n + nc]) % 2).collect()
    }

    #[test]
    fn gold_matches_36211_definition() {
        for &c_init in &[0u32, 1, 150, 503, 0x7FFF_FFFF, 123_456_789, 1 << 30] {
            let mut fast = vec![0u8; 2000];
            Gold::fill(c_init, &mut fast);
            assert_eq!(fast, gold_by_definition(c_init, 2000), "c_init {c_init}");
        }
    }

    #[test]
    fn sss_m0_m1_table_entries() {
        // Spot checks against TS 36.211 table 6.11.2.1-1.
        assert_eq!(sss_m0_m1(0), (0, 1));
        assert_eq!(sss_m0_m1(29), (29, 30));
        assert_eq!(sss_m0_m1(30), (0, 2));
        assert_eq!(sss_m0_m1(58), (28, 30));
        assert_eq!(sss_m0_m1(59), (0, 3));
        assert_eq!(sss_m0_m1(87), (0, 4));
        assert_eq!(sss_m0_m1(165), (0, 7));
        assert_eq!(sss_m0_m1(167), (2, 9));
    }

    #[test]
    fn pss_is_unit_modulus_and_roots_differ() {
        let a = pss_freq(0);
        let b = pss_freq(1);
        let mut cross = Complex32::new(0.0, 0.0);
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x.norm() - 1.0).abs() < 1e-5);
            cross += x * y.conj();
        }
        assert!(cross.norm() < 62.0 * 0.3);
    }

    #[test]
    fn sync_bins_skip_dc() {
        assert_eq!(sync_bin(30, 128), 127);
        assert_eq!(sync_bin(31, 128), 1);
        assert_eq!(sync_bin(0, 128), 128 - 31);
        assert_eq!(sync_bin(61, 128), 31);
    }
}
