//! Channel coding used by the PBCH (and later by DCI): CRC-16 with the antenna-port mask
//! (TS 36.212 5.1.1, 5.3.1.1), the tail-biting convolutional code K=7 rate 1/3
//! (TS 36.212 5.1.3.1) with a circular (wrap-around) Viterbi decoder, and the sub-block
//! interleaver / rate matching for convolutionally coded channels (TS 36.212 5.1.4.2).
//!
//! Soft values everywhere are LLR-like: positive means bit 0 is more likely.

/// gCRC16(D) = D^16 + D^12 + D^5 + 1, TS 36.212 5.1.1.
const CRC16_POLY: u16 = 0x1021;

/// CRC-16 of a bit sequence (one bit per byte, first bit first), shift register starting at 0.
/// The returned value holds p_0 in its most significant bit.
pub fn crc16_bits(bits: &[u8]) -> u16 {
    let mut reg: u16 = 0;
    for &b in bits {
        let fb = ((reg >> 15) as u8 ^ (b & 1)) & 1;
        reg <<= 1;
        if fb == 1 {
            reg ^= CRC16_POLY;
        }
    }
    reg
}

/// PBCH CRC mask x_ant for 1, 2 and 4 transmit antenna ports, TS 36.212 table 5.3.1.1-1
/// (x_ant,0 is the most significant bit).
pub const PBCH_CRC_MASKS: [(u8, u16); 3] = [(1, 0x0000), (2, 0xFFFF), (4, 0x5555)];

/// Number of antenna ports whose mask turns `crc_xor` (received parity XOR computed CRC) into
/// zero, or `None` when no mask fits (the block is corrupt).
pub fn ports_from_crc_mask(crc_xor: u16) -> Option<u8> {
    PBCH_CRC_MASKS
        .iter()
        .find(|(_, m)| *m == crc_xor)
        .map(|(p, _)| *p)
}

/// Generator polynomials 133, 171, 165 (octal), TS 36.212 5.1.3.1, as 7-bit masks whose bit `l`
/// is the tap on c_{k-l} (the octal MSB is the tap on the current input).
const POLYS: [u8; 3] = [reverse7(0o133), reverse7(0o171), reverse7(0o165)];

const fn reverse7(g: u8) -> u8 {
    let mut r = 0u8;
    let mut i = 0;
    while i < 7 {
        if (g >> i) & 1 == 1 {
            r |= 1 << (6 - i);
        }
        i += 1;
    }
    r
}

#[inline]
fn parity(x: u8) -> u8 {
    (x.count_ones() & 1) as u8
}

/// Outputs (d^(0), d^(1), d^(2)) for the 7-bit register value `reg` (bit l = c_{k-l}).
#[inline]
fn branch_bits(reg: u8) -> [u8; 3] {
    [
        parity(reg & POLYS[0]),
        parity(reg & POLYS[1]),
        parity(reg & POLYS[2]),
    ]
}

/// Tail-biting convolutional encoder, TS 36.212 5.1.3.1: the register starts with the last six
/// input bits. Returns the three output streams d^(0), d^(1), d^(2).
pub fn conv_encode_tb(bits: &[u8]) -> [Vec<u8>; 3] {
    let k = bits.len();
    let mut state: u8 = 0; // bit j = c_{k-1-j}
    for j in 0..6.min(k) {
        state |= (bits[k - 1 - j] & 1) << j;
    }
    let mut out = [vec![0u8; k], vec![0u8; k], vec![0u8; k]];
    for (i, &b) in bits.iter().enumerate() {
        let reg = ((state << 1) | (b & 1)) & 0x7F;
        let o = branch_bits(reg);
        for s in 0..3 {
            out[s][i] = o[s];
        }
        state = reg & 0x3F;
    }
    out
}

/// Maximum information length the fixed-size Viterbi buffers accept (PBCH 40, DCI <= 70).
pub const VITERBI_MAX_BITS: usize = 128;

/// Circular Viterbi decoder for the tail-biting K=7 rate-1/3 code.
///
/// The trellis runs three times around the received block from an all-equal start; the
/// decisions of the middle turn are taken after a traceback from the best final state, which
/// is the usual wrap-around approximation of the maximum-likelihood tail-biting path.
/// Holds its buffers so repeated decoding does not allocate.
///
/// All three generators tap both the newest and the oldest register bit, so the two branches
/// into a state pair (2j, 2j+1) from (j, j+32) carry the metric +g and -g of one value g
/// (an add-compare-select butterfly); g per j is a fixed +-l0 +-l1 +-l2, which the compiler
/// vectorises over the 32 butterflies.
pub struct TailBitingViterbi {
    /// Sign (+1 for output bit 0, -1 for 1) of each stream for the branch j -> 2j.
    signs: [[f32; 32]; 3],
    /// Survivor decisions per trellis step (bit ns set: predecessor ns/2 + 32 won).
    decisions: Vec<u64>,
}

impl Default for TailBitingViterbi {
    fn default() -> Self {
        Self::new()
    }
}

impl TailBitingViterbi {
    pub fn new() -> Self {
        let mut signs = [[0f32; 32]; 3];
        for j in 0..32 {
            // register for next state 2j from predecessor j: input bit 0, oldest bit 0
            let o = branch_bits((j << 1) as u8);
            for s in 0..3 {
                signs[s][j] = if o[s] == 0 { 1.0 } else { -1.0 };
            }
        }
        TailBitingViterbi {
            signs,
            decisions: vec![0; 3 * VITERBI_MAX_BITS],
        }
    }

    /// Decodes `soft[s][k]` (stream s = 0..3, k < n) into `out[..n]` (bits 0/1). Returns the
    /// path metric of the survivor (larger is better) or `None` when `n` is out of range.
    pub fn decode(&mut self, soft: [&[f32]; 3], out: &mut [u8]) -> Option<f32> {
        let n = out.len();
        if !(7..=VITERBI_MAX_BITS).contains(&n) || soft.iter().any(|s| s.len() < n) {
            return None;
        }
        let turns = 3;
        let steps = turns * n;
        let mut metric = [0f32; 64];
        let mut even = [0f32; 32];
        let mut odd = [0f32; 32];
        let mut g = [0f32; 32];
        for t in 0..steps {
            let k = t % n;
            let (l0, l1, l2) = (soft[0][k], soft[1][k], soft[2][k]);
            for j in 0..32 {
                g[j] = self.signs[0][j] * l0 + self.signs[1][j] * l1 + self.signs[2][j] * l2;
            }
            let (lo, hi) = metric.split_at(32);
            let mut dec_even: u32 = 0;
            let mut dec_odd: u32 = 0;
            for j in 0..32 {
                let a0 = lo[j] + g[j];
                let a1 = hi[j] - g[j];
                let b0 = lo[j] - g[j];
                let b1 = hi[j] + g[j];
                even[j] = if a1 > a0 { a1 } else { a0 };
                odd[j] = if b1 > b0 { b1 } else { b0 };
                dec_even |= u32::from(a1 > a0) << j;
                dec_odd |= u32::from(b1 > b0) << j;
            }
            self.decisions[t] = spread_bits(dec_even) | (spread_bits(dec_odd) << 1);
            // Keep metrics bounded. Max is exact in any order, so eight lanes (which vectorise)
            // give the same value as a serial fold.
            let mut lanes = [f32::MIN; 8];
            for (c0, c1) in even.chunks_exact(8).zip(odd.chunks_exact(8)) {
                for i in 0..8 {
                    let v = if c0[i] > c1[i] { c0[i] } else { c1[i] };
                    lanes[i] = if v > lanes[i] { v } else { lanes[i] };
                }
            }
            let mx = lanes
                .iter()
                .fold(f32::MIN, |a, &b| if b > a { b } else { a });
            for j in 0..32 {
                metric[2 * j] = even[j] - mx;
                metric[2 * j + 1] = odd[j] - mx;
            }
        }
        let (mut state, _) = metric
            .iter()
            .enumerate()
            .fold(
                (0usize, f32::MIN),
                |acc, (i, &m)| {
                    if m > acc.1 {
                        (i, m)
                    } else {
                        acc
                    }
                },
            );
        let best = metric[state];
        for t in (0..steps).rev() {
            if t >= n && t < 2 * n {
                out[t - n] = (state & 1) as u8;
            }
            let top = (self.decisions[t] >> state) & 1;
            state = (state >> 1) | ((top as usize) << 5);
        }
        Some(best)
    }
}

/// Moves bit j of `v` to bit 2j.
#[inline]
fn spread_bits(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Inter-column permutation of the sub-block interleaver for convolutional codes,
/// TS 36.212 table 5.1.4-2.
const CC_PERM: [usize; 32] = [
    1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31, 0, 16, 8, 24, 4, 20, 12, 28, 2, 18,
    10, 26, 6, 22, 14, 30,
];

/// For a convolutionally coded block of `d` bits per stream, the (stream, bit index) that each
/// non-null entry of the circular buffer w holds, in buffer order (TS 36.212 5.1.4.2.1-2):
/// rate matching output e_j is then w_{j mod len}.
pub fn cc_rate_match_map(d: usize) -> Vec<(u8, u16)> {
    let c = 32;
    let r = d.div_ceil(c);
    let nd = r * c - d;
    let mut map = Vec::with_capacity(3 * d);
    for s in 0..3u8 {
        for k in 0..r * c {
            let y = CC_PERM[k / r] + c * (k % r);
            if y >= nd {
                map.push((s, (y - nd) as u16));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn unit(&mut self) -> f32 {
            (self.next() as f32 + 0.5) / (1u64 << 31) as f32
        }
        fn gauss(&mut self) -> f32 {
            let u1 = self.unit();
            let u2 = self.unit();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
        }
    }

    #[test]
    fn polynomials_are_the_36212_octal_values() {
        // Tap on c_k is bit 0; 133o = 1 011 011 -> taps at delays 0,2,3,5,6.
        assert_eq!(POLYS[0], 0b1101101);
        assert_eq!(POLYS[1], 0b1001111);
        assert_eq!(POLYS[2], 0b1010111);
    }

    #[test]
    fn encoder_impulse_response_is_the_generators() {
        // A single 1 at position 6 (with tail-biting, earlier bits zero) gives the generator
        // taps on outputs 6..12.
        let mut bits = vec![0u8; 40];
        bits[6] = 1;
        let out = conv_encode_tb(&bits);
        for (s, g) in [0o133u8, 0o171, 0o165].iter().enumerate() {
            for l in 0..7 {
                assert_eq!(out[s][6 + l], (g >> (6 - l)) & 1, "stream {s} delay {l}");
            }
        }
    }

    #[test]
    fn viterbi_round_trip_with_noise() {
        let mut rng = Lcg(12345);
        let mut vit = TailBitingViterbi::new();
        let mut errors_total = 0;
        for trial in 0..200 {
            let n = if trial % 2 == 0 { 40 } else { 57 };
            let bits: Vec<u8> = (0..n).map(|_| (rng.next() & 1) as u8).collect();
            let enc = conv_encode_tb(&bits);
            // Es/N0 around 0 dB per coded bit: sigma 1 on +-1.
            let soft: Vec<Vec<f32>> = enc
                .iter()
                .map(|st| {
                    st.iter()
                        .map(|&b| (1.0 - 2.0 * b as f32) + 0.9 * rng.gauss())
                        .collect()
                })
                .collect();
            let mut out = vec![0u8; n];
            vit.decode([&soft[0], &soft[1], &soft[2]], &mut out)
                .unwrap();
            errors_total += out.iter().zip(bits.iter()).filter(|(a, b)| a != b).count();
        }
        assert!(errors_total <= 10, "bit errors {errors_total}");
    }

    #[test]
    fn viterbi_noiseless_is_exact() {
        let mut rng = Lcg(99);
        let mut vit = TailBitingViterbi::new();
        for _ in 0..50 {
            let bits: Vec<u8> = (0..40).map(|_| (rng.next() & 1) as u8).collect();
            let enc = conv_encode_tb(&bits);
            let soft: Vec<Vec<f32>> = enc
                .iter()
                .map(|st| st.iter().map(|&b| 1.0 - 2.0 * b as f32).collect())
                .collect();
            let mut out = vec![0u8; 40];
            vit.decode([&soft[0], &soft[1], &soft[2]], &mut out)
                .unwrap();
            assert_eq!(out, bits);
        }
    }

    #[test]
    fn crc16_masks_table_5_3_1_1_1() {
        // The srsRAN test-vector MIB payload (n50, normal, one, SFN MSBs 7).
        let mib: Vec<u8> = "011010000001110000000000"
            .bytes()
            .map(|c| c - b'0')
            .collect();
        let crc = crc16_bits(&mib);
        // A block with its own CRC appended has remainder 0.
        let mut block = mib.clone();
        for i in 0..16 {
            block.push(((crc >> (15 - i)) & 1) as u8);
        }
        assert_eq!(crc16_bits(&block), 0);
        for (ports, mask) in [(1u8, 0u16), (2, 0xFFFF), (4, 0x5555)] {
            let rx = crc ^ mask;
            assert_eq!(ports_from_crc_mask(rx ^ crc), Some(ports));
        }
        // Mask for 4 ports is <0,1,0,1,...,0,1>: x_ant,0 = 0 is the MSB.
        assert_eq!(PBCH_CRC_MASKS[2].1 >> 15, 0);
        assert_eq!(PBCH_CRC_MASKS[2].1 & 1, 1);
        assert_eq!(ports_from_crc_mask(0x1234), None);
    }

    #[test]
    fn crc16_known_value() {
        // CRC-16/XMODEM (poly 0x1021, init 0, no reflection) of ASCII "123456789" is 0x31C3.
        let mut bits = Vec::new();
        for byte in b"123456789" {
            for i in (0..8).rev() {
                bits.push((byte >> i) & 1);
            }
        }
        assert_eq!(crc16_bits(&bits), 0x31C3);
    }

    #[test]
    fn rate_match_map_covers_every_bit_once() {
        let map = cc_rate_match_map(40);
        assert_eq!(map.len(), 120);
        let mut seen = [[false; 40]; 3];
        for &(s, k) in &map {
            assert!(!seen[s as usize][k as usize]);
            seen[s as usize][k as usize] = true;
        }
        // R = 2 rows, 24 nulls: the first column read is column 1 -> y_1 (null), y_33 -> d_9.
        assert_eq!(map[0], (0, 9));
    }
}
