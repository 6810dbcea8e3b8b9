//! Downlink control information formats 1A and 1C as used for broadcast (SI-RNTI, P-RNTI):
//! payload sizes per bandwidth with the format-0 size alignment and the ambiguous-size padding
//! (TS 36.212 5.3.3.1.3, 5.3.3.1.4), field parsing and packing (packing serves the signal
//! generator), resource allocation type 2 (RIV, TS 36.213 7.1.6.3) with localized and
//! distributed virtual resource blocks (TS 36.211 6.2.3.2), N_PRB^1A from the TPC bit (TS 36.213
//! 7.1.7) and the SIB1 redundancy version (TS 36.321 5.3.1).

use crate::Duplex;
use serde::{Deserialize, Serialize};

/// DCI formats this receiver searches for in the common search space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DciFormat {
    #[serde(rename = "1a")]
    Format1A,
    #[serde(rename = "1c")]
    Format1C,
}

/// Errors of DCI interpretation; each prints as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DciError {
    #[error("DCI of {got} bits, format {format:?} needs {want} for this bandwidth")]
    Size {
        format: DciFormat,
        got: usize,
        want: usize,
    },
    #[error("format flag says format 0 (uplink grant), not 1A")]
    Format0,
    #[error("resource indication value {riv} is out of range for {n_rb} resource blocks")]
    Riv { riv: u32, n_rb: u16 },
    #[error("distributed VRB {vrb} does not map to a PRB of a {n_rb}-RB cell")]
    Distributed { vrb: u16, n_rb: u16 },
    #[error("bandwidth of {0} PRB not in 6..110")]
    Bandwidth(u16),
}

/// Payload sizes that TS 36.212 5.3.3.1.2 calls ambiguous: one zero bit is appended.
const AMBIGUOUS_SIZES: [usize; 10] = [12, 14, 16, 20, 24, 26, 32, 40, 44, 56];

/// Bits of a type-2 resource indication value, ceil(log2(N (N + 1) / 2)).
pub fn riv_bits(n_rb: u16) -> usize {
    let n = n_rb as u64;
    let v = n * (n + 1) / 2;
    (64 - (v.max(1) - 1).leading_zeros()) as usize
}

/// Format 0 size for N_RB^UL = N_RB^DL (TS 36.212 5.3.3.1.1, no optional fields).
fn format0_raw(n_rb: u16, duplex: Duplex) -> usize {
    // flag, hopping, RBA, MCS/RV 5, NDI, TPC 2, cyclic shift 3, [UL index / DAI 2], CQI req
    1 + 1 + riv_bits(n_rb) + 5 + 1 + 2 + 3 + if duplex == Duplex::Tdd { 2 } else { 0 } + 1
}

fn format1a_raw(n_rb: u16, duplex: Duplex) -> usize {
    // flag, loc/dist, RBA, MCS 5, HARQ 3/4, NDI, RV 2, TPC 2, [DAI 2]
    1 + 1
        + riv_bits(n_rb)
        + 5
        + if duplex == Duplex::Tdd { 4 } else { 3 }
        + 1
        + 2
        + 2
        + if duplex == Duplex::Tdd { 2 } else { 0 }
}

/// N_gap,1 / N_gap,2 of TS 36.211 table 6.2.3.2-1 (gap 2 is 0 below 50 RB).
pub fn n_gap(n_rb: u16) -> (u16, u16) {
    match n_rb {
        0..=10 => (n_rb.div_ceil(2), 0),
        11 => (4, 0),
        12..=19 => (8, 0),
        20..=26 => (12, 0),
        27..=44 => (18, 0),
        45..=49 => (27, 0),
        50..=63 => (27, 9),
        64..=79 => (32, 16),
        _ => (48, 16),
    }
}

/// N_VRB^DL for the gap-1 distributed mapping, 2 min(N_gap, N_RB - N_gap) (TS 36.211 6.2.3.2).
pub fn n_vrb_gap1(n_rb: u16) -> u16 {
    let g = n_gap(n_rb).0;
    2 * g.min(n_rb.saturating_sub(g))
}

/// N_step^RB of format 1C (TS 36.213 table 7.1.6.3-1).
pub fn n_step_1c(n_rb: u16) -> u16 {
    if n_rb < 50 {
        2
    } else {
        4
    }
}

fn format1c_rba_bits(n_rb: u16) -> usize {
    let n = (n_vrb_gap1(n_rb) / n_step_1c(n_rb)) as u64;
    let v = n * (n + 1) / 2;
    (64 - (v.max(1) - 1).leading_zeros()) as usize
}

/// Payload size (without CRC) of a format for a bandwidth and duplex mode, TS 36.212 5.3.3.1.3
/// (1A, padded to format 0's size and then past the ambiguous sizes) and 5.3.3.1.4 (1C).
pub fn dci_size(format: DciFormat, n_rb: u16, duplex: Duplex) -> Option<usize> {
    if !(6..=110).contains(&n_rb) {
        return None;
    }
    Some(match format {
        DciFormat::Format1A => {
            let mut n = format1a_raw(n_rb, duplex).max(format0_raw(n_rb, duplex));
            if AMBIGUOUS_SIZES.contains(&n) {
                n += 1;
            }
            n
        }
        DciFormat::Format1C => usize::from(n_rb >= 50) + format1c_rba_bits(n_rb) + 5,
    })
}

/// Format 1A fields (TS 36.212 5.3.3.1.3) for a broadcast RNTI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dci1A {
    /// Localized (false) or distributed (true) VRB assignment.
    pub distributed: bool,
    pub riv: u32,
    pub mcs: u8,
    pub harq: u8,
    /// New data indicator; with SI/P/RA-RNTI, N_RB >= 50 and distributed it selects N_gap,2.
    pub ndi: u8,
    pub rv: u8,
    /// TPC command; with SI/P/RA-RNTI its LSB selects N_PRB^1A (TS 36.213 7.1.7).
    pub tpc: u8,
    /// Downlink assignment index (TDD only).
    pub dai: Option<u8>,
}

/// Format 1C fields (TS 36.212 5.3.3.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dci1C {
    /// Gap value bit (N_RB >= 50 only): false = N_gap,1.
    pub gap2: bool,
    pub riv: u32,
    /// I_TBS for TS 36.213 table 7.1.7.2.3-1.
    pub tbs_index: u8,
}

struct BitReader<'a> {
    bits: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn take(&mut self, n: usize) -> u32 {
        let mut v = 0u32;
        for _ in 0..n {
            v = (v << 1) | u32::from(self.bits.get(self.pos).copied().unwrap_or(0) & 1);
            self.pos += 1;
        }
        v
    }
}

fn push_bits(out: &mut Vec<u8>, v: u32, n: usize) {
    for i in (0..n).rev() {
        out.push(((v >> i) & 1) as u8);
    }
}

/// Parses a format 1A payload (bits 0/1, first transmitted bit first).
pub fn parse_1a(bits: &[u8], n_rb: u16, duplex: Duplex) -> Result<Dci1A, DciError> {
    let want = dci_size(DciFormat::Format1A, n_rb, duplex).ok_or(DciError::Bandwidth(n_rb))?;
    if bits.len() != want {
        return Err(DciError::Size {
            format: DciFormat::Format1A,
            got: bits.len(),
            want,
        });
    }
    let mut r = BitReader { bits, pos: 0 };
    if r.take(1) == 0 {
        return Err(DciError::Format0);
    }
    let distributed = r.take(1) == 1;
    let riv = r.take(riv_bits(n_rb));
    let mcs = r.take(5) as u8;
    let harq = r.take(if duplex == Duplex::Tdd { 4 } else { 3 }) as u8;
    let ndi = r.take(1) as u8;
    let rv = r.take(2) as u8;
    let tpc = r.take(2) as u8;
    let dai = (duplex == Duplex::Tdd).then(|| r.take(2) as u8);
    Ok(Dci1A {
        distributed,
        riv,
        mcs,
        harq,
        ndi,
        rv,
        tpc,
        dai,
    })
}

/// Packs a format 1A payload (zero padding to [`dci_size`]).
pub fn pack_1a(d: &Dci1A, n_rb: u16, duplex: Duplex) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    push_bits(&mut out, 1, 1);
    push_bits(&mut out, u32::from(d.distributed), 1);
    push_bits(&mut out, d.riv, riv_bits(n_rb));
    push_bits(&mut out, d.mcs as u32, 5);
    push_bits(
        &mut out,
        d.harq as u32,
        if duplex == Duplex::Tdd { 4 } else { 3 },
    );
    push_bits(&mut out, d.ndi as u32, 1);
    push_bits(&mut out, d.rv as u32, 2);
    push_bits(&mut out, d.tpc as u32, 2);
    if duplex == Duplex::Tdd {
        push_bits(&mut out, d.dai.unwrap_or(0) as u32, 2);
    }
    let want = dci_size(DciFormat::Format1A, n_rb, duplex).unwrap_or(out.len());
    out.resize(want.max(out.len()), 0);
    out
}

/// Parses a format 1C payload.
pub fn parse_1c(bits: &[u8], n_rb: u16) -> Result<Dci1C, DciError> {
    let want = dci_size(DciFormat::Format1C, n_rb, Duplex::Fdd).ok_or(DciError::Bandwidth(n_rb))?;
    if bits.len() != want {
        return Err(DciError::Size {
            format: DciFormat::Format1C,
            got: bits.len(),
            want,
        });
    }
    let mut r = BitReader { bits, pos: 0 };
    let gap2 = n_rb >= 50 && r.take(1) == 1;
    let riv = r.take(format1c_rba_bits(n_rb));
    let tbs_index = r.take(5) as u8;
    Ok(Dci1C {
        gap2,
        riv,
        tbs_index,
    })
}

/// Packs a format 1C payload.
pub fn pack_1c(d: &Dci1C, n_rb: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    if n_rb >= 50 {
        push_bits(&mut out, u32::from(d.gap2), 1);
    }
    push_bits(&mut out, d.riv, format1c_rba_bits(n_rb));
    push_bits(&mut out, d.tbs_index as u32, 5);
    out
}

/// Resource indication value of a type-2 allocation (TS 36.213 7.1.6.3) for `n` resource
/// blocks: start RB and length (`len` >= 1; 0 is treated as 1).
pub fn riv_encode(start: u16, len: u16, n: u16) -> u32 {
    let (s, l, n) = (start as u32, len.max(1) as u32, n as u32);
    if l - 1 <= n / 2 {
        n * (l - 1) + s
    } else {
        (n * (n + 1)).saturating_sub(n * l) + n.saturating_sub(1 + s)
    }
}

/// Inverse of [`riv_encode`]: (start, length) with start + length <= `limit`, `None` for a
/// value no allocation encodes to.
pub fn riv_decode(riv: u32, n: u16, limit: u16) -> Option<(u16, u16)> {
    let n64 = n as i64;
    if n64 == 0 {
        return None;
    }
    let r = riv as i64;
    let mut l = r / n64 + 1;
    let mut s = r % n64;
    // The second branch of the definition folds long allocations into the same range.
    if l + s > n64 {
        l = n64 + 2 - l;
        s = n64 - 1 - s;
    }
    if l < 1 || s < 0 || s + l > limit as i64 || s + l > n64 {
        return None;
    }
    (riv_encode(s as u16, l as u16, n) == riv).then_some((s as u16, l as u16))
}

/// Physical resource blocks of a DCI, per slot of the subframe (bit n = PRB n). Localized
/// allocations use the same PRBs in both slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrbAllocation {
    pub slot: [u128; 2],
}

impl PrbAllocation {
    /// Contiguous PRBs `start..start + len` in both slots.
    pub fn localized(start: u16, len: u16) -> Self {
        let mut m = 0u128;
        for p in start..(start + len).min(128) {
            m |= 1u128 << p;
        }
        PrbAllocation { slot: [m, m] }
    }

    pub fn first_prb(&self) -> u16 {
        self.slot[0].trailing_zeros().min(127) as u16
    }

    pub fn n_prb(&self) -> u16 {
        self.slot[0].count_ones() as u16
    }

    pub fn contains(&self, slot: usize, prb: usize) -> bool {
        prb < 128 && (self.slot[slot & 1] >> prb) & 1 == 1
    }
}

/// N_VRB^DL for the gap-2 distributed mapping, floor(N_RB / 2 N_gap,2) 2 N_gap,2 (0 below 50
/// RB), TS 36.211 6.2.3.2.
pub fn n_vrb_gap2(n_rb: u16) -> u16 {
    let g = n_gap(n_rb).1;
    if g == 0 {
        0
    } else {
        (n_rb / (2 * g)) * 2 * g
    }
}

/// RBG size P of TS 36.213 table 7.1.6.1-1.
pub fn rbg_size(n_rb: u16) -> u16 {
    match n_rb {
        0..=10 => 1,
        11..=26 => 2,
        27..=63 => 3,
        _ => 4,
    }
}

/// PRB of distributed VRB `n_vrb` in the even (first) and odd (second) slot of a subframe,
/// TS 36.211 6.2.3.2: block interleaver of 4 columns and N_row rows with nulls, then the
/// half-band shift by N_gap in the second slot.
pub fn distributed_vrb_to_prb(n_vrb: u16, n_rb: u16, gap2: bool) -> Option<(u16, u16)> {
    let (g1, g2) = n_gap(n_rb);
    let (n_gap_v, n_tilde) = if gap2 {
        if g2 == 0 {
            return None;
        }
        (g2 as i64, 2 * g2 as i64)
    } else {
        (g1 as i64, n_vrb_gap1(n_rb) as i64)
    };
    if n_tilde == 0 {
        return None;
    }
    let p = rbg_size(n_rb) as i64;
    let n_row = (n_tilde + 4 * p - 1) / (4 * p) * p;
    let n_null = 4 * n_row - n_tilde;
    let v = n_vrb as i64;
    let vt = v % n_tilde;
    let base = n_tilde * (v / n_tilde);
    let p1 = 2 * n_row * (vt % 2) + vt / 2 + base;
    let p2 = n_row * (vt % 4) + vt / 4 + base;
    let tail = n_null != 0 && vt >= n_tilde - n_null;
    let even = if tail && vt % 2 == 1 {
        p1 - n_row
    } else if tail {
        p1 - n_row + n_null / 2
    } else if n_null != 0 && vt % 4 >= 2 {
        p2 - n_null / 2
    } else {
        p2
    };
    let odd = (even + n_tilde / 2) % n_tilde + base;
    let to_prb = |t: i64| -> Option<u16> {
        let prb = if t < n_tilde / 2 {
            t
        } else {
            t + n_gap_v - n_tilde / 2
        };
        (0..n_rb as i64).contains(&prb).then_some(prb as u16)
    };
    Some((to_prb(even)?, to_prb(odd)?))
}

/// PRBs of distributed VRBs `start..start + len`.
pub fn alloc_distributed(
    start: u16,
    len: u16,
    n_rb: u16,
    gap2: bool,
) -> Result<PrbAllocation, DciError> {
    let mut a = PrbAllocation { slot: [0, 0] };
    for v in start..start + len {
        let (p0, p1) =
            distributed_vrb_to_prb(v, n_rb, gap2).ok_or(DciError::Distributed { vrb: v, n_rb })?;
        a.slot[0] |= 1u128 << p0;
        a.slot[1] |= 1u128 << p1;
    }
    Ok(a)
}

/// PRBs of a format 1A assignment for SI-, P- or RA-RNTI (TS 36.213 7.1.6.3; for N_RB >= 50
/// and distributed VRBs the NDI bit selects N_gap,2, TS 36.212 5.3.3.1.3).
pub fn alloc_1a(d: &Dci1A, n_rb: u16) -> Result<PrbAllocation, DciError> {
    if d.distributed {
        let gap2 = n_rb >= 50 && d.ndi == 1;
        let n_vrb = if gap2 {
            n_vrb_gap2(n_rb)
        } else {
            n_vrb_gap1(n_rb)
        };
        let (s, l) = riv_decode(d.riv, n_rb, n_vrb).ok_or(DciError::Riv { riv: d.riv, n_rb })?;
        return alloc_distributed(s, l, n_rb, gap2);
    }
    let (s, l) = riv_decode(d.riv, n_rb, n_rb).ok_or(DciError::Riv { riv: d.riv, n_rb })?;
    Ok(PrbAllocation::localized(s, l))
}

/// PRBs of a format 1C assignment: distributed VRBs in steps of N_step (TS 36.213 7.1.6.3).
pub fn alloc_1c(d: &Dci1C, n_rb: u16) -> Result<PrbAllocation, DciError> {
    let step = n_step_1c(n_rb);
    let n_vrb = if d.gap2 {
        n_vrb_gap2(n_rb)
    } else {
        n_vrb_gap1(n_rb)
    };
    let n_prime = n_vrb / step;
    let (s, l) = riv_decode(d.riv, n_prime, n_prime).ok_or(DciError::Riv { riv: d.riv, n_rb })?;
    alloc_distributed(s * step, l * step, n_rb, d.gap2)
}

/// N_PRB^1A for format 1A with SI/P/RA-RNTI: 2 when the TPC LSB is 0, else 3 (TS 36.212
/// 5.3.3.1.3, TS 36.213 7.1.7).
pub fn n_prb_1a(tpc: u8) -> u16 {
    if tpc & 1 == 0 {
        2
    } else {
        3
    }
}

/// Redundancy version of SIB1 in radio frame `sfn` (TS 36.321 5.3.1): RV = ceil(3k/2) mod 4,
/// k = (SFN / 2) mod 4.
pub fn sib1_rv(sfn: u16) -> u8 {
    let k = (sfn / 2) % 4;
    ((3 * k).div_ceil(2) % 4) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_36212_per_bandwidth() {
        // Well-known FDD sizes: 1A 21/22/25/27/27/28, 1C 8/10/12/13/14/15 for 6..100 RB.
        let bw = [6u16, 15, 25, 50, 75, 100];
        let a = [21usize, 22, 25, 27, 27, 28];
        let c = [8usize, 10, 12, 13, 14, 15];
        for i in 0..6 {
            assert_eq!(
                dci_size(DciFormat::Format1A, bw[i], Duplex::Fdd),
                Some(a[i])
            );
            assert_eq!(
                dci_size(DciFormat::Format1C, bw[i], Duplex::Fdd),
                Some(c[i])
            );
        }
        // TDD 20 MHz: 18 + 13 = 31 bits (format 0 is 29).
        assert_eq!(dci_size(DciFormat::Format1A, 100, Duplex::Tdd), Some(31));
    }

    #[test]
    fn riv_round_trip_and_known_value() {
        for n in [6u16, 25, 100] {
            for s in 0..n {
                for l in 1..=(n - s) {
                    let r = riv_encode(s, l, n);
                    assert_eq!(riv_decode(r, n, n), Some((s, l)), "n {n} s {s} l {l}");
                }
            }
        }
        // RB0-RB3 of 100: RIV = 100 * 3 + 0.
        assert_eq!(riv_encode(0, 4, 100), 300);
        // Every 13-bit pattern either decodes consistently or is rejected, without panicking.
        for riv in 0..(1u32 << 13) {
            if let Some((s, l)) = riv_decode(riv, 100, 100) {
                assert_eq!(riv_encode(s, l, 100), riv);
            }
        }
    }

    #[test]
    fn pack_parse_round_trip() {
        let d = Dci1A {
            distributed: false,
            riv: 300,
            mcs: 3,
            harq: 0,
            ndi: 0,
            rv: 1,
            tpc: 1,
            dai: None,
        };
        let bits = pack_1a(&d, 100, Duplex::Fdd);
        assert_eq!(bits.len(), 28);
        assert_eq!(parse_1a(&bits, 100, Duplex::Fdd), Ok(d));
        let c = Dci1C {
            gap2: false,
            riv: 17,
            tbs_index: 9,
        };
        assert_eq!(parse_1c(&pack_1c(&c, 100), 100), Ok(c));
    }

    #[test]
    fn sib1_rv_sequence() {
        // k = 0, 1, 2, 3 -> RV 0, 2, 3, 1
        assert_eq!([0u16, 2, 4, 6, 8, 14].map(sib1_rv), [0, 2, 3, 1, 0, 1]);
    }

    #[test]
    fn distributed_mapping_is_a_permutation_per_slot() {
        for n_rb in [6u16, 15, 25, 50, 75, 100] {
            for gap2 in [false, true] {
                let n_tilde = if gap2 {
                    2 * n_gap(n_rb).1
                } else {
                    n_vrb_gap1(n_rb)
                };
                if n_tilde == 0 {
                    assert!(distributed_vrb_to_prb(0, n_rb, gap2).is_none());
                    continue;
                }
                let n_vrb = if gap2 {
                    n_vrb_gap2(n_rb)
                } else {
                    n_vrb_gap1(n_rb)
                };
                let mut seen = [[false; 110]; 2];
                for v in 0..n_vrb {
                    let (a, b) = distributed_vrb_to_prb(v, n_rb, gap2).unwrap();
                    assert!(
                        !seen[0][a as usize] && !seen[1][b as usize],
                        "{n_rb} {gap2} {v}"
                    );
                    seen[0][a as usize] = true;
                    seen[1][b as usize] = true;
                }
            }
        }
        // 6 RB (N_gap 3, P 1, N_row 2, 2 nulls): VRB 0 -> PRB 0 then PRB 3 (half band + gap).
        assert_eq!(distributed_vrb_to_prb(0, 6, false), Some((0, 3)));
        // A 1C grant of 100 RB covers 4 VRBs per RIV step.
        let c = Dci1C {
            gap2: false,
            riv: 0,
            tbs_index: 0,
        };
        assert_eq!(alloc_1c(&c, 100).unwrap().n_prb(), 4);
    }
}
