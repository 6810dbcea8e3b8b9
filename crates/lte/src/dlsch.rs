//! DL-SCH transport channel coding, TS 36.212 5.3.2, both ways: the transmitter chain (used by
//! the signal generator) and the receiver chain that turns demodulated PDSCH soft bits into a
//! transport block (SIBs, paging). Steps: CRC24A on the transport block (5.1.1), code block
//! segmentation with filler bits and CRC24B (5.1.2), turbo coding (5.1.3.2, [`crate::turbo`]),
//! rate matching with the sub-block interleaver, bit collection and redundancy versions
//! (5.1.4.1), code block concatenation (5.1.5). The receiver de-rate-matches into per-code-block
//! soft buffers, so receptions of one transport block with different RVs add up (HARQ / SIB
//! repetition combining, [`SoftCombiner`]).
//!
//! Bits are one per byte (0/1); soft values are LLRs, positive meaning bit 0 is more likely.

use crate::turbo::{self, TurboDecoder, MAX_K};

/// gCRC24A(D) = D^24 + D^23 + D^18 + D^17 + D^14 + D^11 + D^10 + D^7 + D^6 + D^5 + D^4 + D^3
/// + D + 1, TS 36.212 5.1.1.
const CRC24A_POLY: u32 = 0x86_4CFB;
/// gCRC24B(D) = D^24 + D^23 + D^6 + D^5 + D + 1, TS 36.212 5.1.1.
const CRC24B_POLY: u32 = 0x80_0063;
/// Marks a <NULL> (dummy or filler) position of the circular buffer.
const NULL: u32 = u32::MAX;
/// Inter-column permutation of the sub-block interleaver, TS 36.212 table 5.1.4-1.
const SUBBLOCK_PERM: [usize; 32] = [
    0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30, 1, 17, 9, 25, 5, 21, 13, 29, 3, 19,
    11, 27, 7, 23, 15, 31,
];
/// CRC length L of code blocks and transport blocks.
const CRC_LEN: usize = 24;
/// Largest soft value fed to the turbo decoder.
const MAX_LLR: f32 = 1.0e12;
/// Default number of full turbo iterations.
pub const DEFAULT_MAX_ITERATIONS: usize = 8;

/// Byte-at-a-time CRC-24 table (MSB-first register) for `poly`.
const fn crc24_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut reg = (i as u32) << 16;
        let mut b = 0;
        while b < 8 {
            reg = if reg & 0x80_0000 != 0 {
                ((reg << 1) ^ poly) & 0xFF_FFFF
            } else {
                (reg << 1) & 0xFF_FFFF
            };
            b += 1;
        }
        t[i] = reg;
        i += 1;
    }
    t
}

static CRC24A_TABLE: [u32; 256] = crc24_table(CRC24A_POLY);
static CRC24B_TABLE: [u32; 256] = crc24_table(CRC24B_POLY);

#[inline]
fn crc24_byte(reg: u32, byte: u8, table: &[u32; 256]) -> u32 {
    ((reg << 8) & 0xFF_FFFF) ^ table[(((reg >> 16) as u8) ^ byte) as usize]
}

/// CRC over bits (one per byte): eight bits are packed and run through the table at once (the
/// early-stop test of the turbo decoder runs this after every half-iteration).
fn crc24(bits: &[u8], poly: u32, table: &[u32; 256]) -> u32 {
    let mut reg: u32 = 0;
    let mut chunks = bits.chunks_exact(8);
    for c in &mut chunks {
        let byte = c.iter().fold(0u8, |acc, &b| (acc << 1) | (b & 1));
        reg = crc24_byte(reg, byte, table);
    }
    for &b in chunks.remainder() {
        let fb = ((reg >> 23) ^ u32::from(b & 1)) & 1;
        reg = (reg << 1) & 0xFF_FFFF;
        if fb == 1 {
            reg ^= poly;
        }
    }
    reg
}

/// CRC24A of a bit sequence (one bit per byte), TS 36.212 5.1.1; the value holds p_0 in bit 23.
/// Run over data followed by its parity bits it returns 0.
pub fn crc24a(bits: &[u8]) -> u32 {
    crc24(bits, CRC24A_POLY, &CRC24A_TABLE)
}

/// CRC24B (code block CRC) of a bit sequence, TS 36.212 5.1.1; p_0 in bit 23.
pub fn crc24b(bits: &[u8]) -> u32 {
    crc24(bits, CRC24B_POLY, &CRC24B_TABLE)
}

/// CRC24A of a byte string taken MSB first (a transport block as the MAC hands it over).
pub fn crc24a_bytes(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0, |reg, &b| crc24_byte(reg, b, &CRC24A_TABLE))
}

/// Errors of the DL-SCH coding chain; each prints as one line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DlschError {
    #[error("transport block size {0} bits: must be a positive multiple of 8")]
    BadTbs(usize),
    #[error("modulation order {0} not supported (2, 4, 6 or 8)")]
    BadModulation(u8),
    #[error("number of layers N_L = {0} not supported (1 to 4; 2 for transmit diversity)")]
    BadLayers(u8),
    #[error("redundancy version {0} out of range 0..3")]
    BadRv(u8),
    #[error("G = {g_bits} coded bits is not a multiple of N_L * Q_m = {step}")]
    BadG { g_bits: usize, step: usize },
    #[error("G = {g_bits} coded bits leaves code block {block} of {blocks} without any bit")]
    GTooSmall {
        g_bits: usize,
        block: usize,
        blocks: usize,
    },
    #[error("soft buffer N_IR = {0} bits too small for the code blocks")]
    SoftBufferTooSmall(usize),
    #[error("soft input holds a non-finite value at index {0}")]
    NonFinite(usize),
    #[error("soft input carries no information (all LLRs zero)")]
    NoSignal,
    #[error("code block {block} of {blocks} failed its CRC24B after decoding")]
    CodeBlockCrc { block: usize, blocks: usize },
    #[error("transport block CRC24A failed after decoding")]
    TbCrc,
    #[error("nothing added to the soft combiner yet")]
    Empty,
    #[error("turbo coder: {0}")]
    Turbo(#[from] turbo::TurboError),
}

/// Code block segmentation of TS 36.212 5.1.2 for B = TBS + 24 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segmentation {
    /// Input bits B (transport block plus CRC24A).
    pub b_bits: usize,
    /// Number of code blocks C.
    pub c: usize,
    pub k_plus: usize,
    pub k_minus: usize,
    pub c_plus: usize,
    pub c_minus: usize,
    /// Filler bits F at the start of the first code block.
    pub f: usize,
    /// Code block CRC length L (0 when C = 1).
    pub l: usize,
}

impl Segmentation {
    /// TS 36.212 5.1.2 for a transport block of `tbs_bits` (the CRC24A is added here).
    pub fn for_tbs(tbs_bits: usize) -> Result<Self, DlschError> {
        if tbs_bits == 0 || !tbs_bits.is_multiple_of(8) {
            return Err(DlschError::BadTbs(tbs_bits));
        }
        Self::new(tbs_bits + CRC_LEN)
    }

    /// TS 36.212 5.1.2 for B input bits.
    pub fn new(b_bits: usize) -> Result<Self, DlschError> {
        let (c, l, b_prime) = if b_bits <= MAX_K {
            (1, 0, b_bits)
        } else {
            let c = b_bits.div_ceil(MAX_K - CRC_LEN);
            (c, CRC_LEN, b_bits + c * CRC_LEN)
        };
        let k_plus = turbo::block_size_at_least(b_prime.div_ceil(c))
            .ok_or(DlschError::BadTbs(b_bits.saturating_sub(CRC_LEN)))?;
        let (k_minus, c_plus, c_minus) = if c == 1 {
            (0, 1, 0)
        } else {
            let k_minus = turbo::block_size_below(k_plus).unwrap_or(0);
            let dk = k_plus - k_minus;
            let c_minus = (c * k_plus - b_prime).checked_div(dk).unwrap_or(0);
            (k_minus, c - c_minus, c_minus)
        };
        let f = c_plus * k_plus + c_minus * k_minus - b_prime;
        Ok(Segmentation {
            b_bits,
            c,
            k_plus,
            k_minus,
            c_plus,
            c_minus,
            f,
            l,
        })
    }

    /// Size K_r of code block r (the C_- smaller blocks come first).
    pub fn k(&self, r: usize) -> usize {
        if r < self.c_minus {
            self.k_minus
        } else {
            self.k_plus
        }
    }

    /// Filler bits in code block r.
    pub fn filler(&self, r: usize) -> usize {
        if r == 0 {
            self.f
        } else {
            0
        }
    }

    /// Offset of block r's three turbo streams (3 (K_r + 4) values) in a concatenated buffer.
    fn soft_offset(&self, r: usize) -> usize {
        (0..r).map(|i| 3 * (self.k(i) + 4)).sum()
    }

    fn soft_len(&self) -> usize {
        self.soft_offset(self.c)
    }
}

fn check_params(qm: u8, n_l: u8, rv: u8) -> Result<(), DlschError> {
    if !matches!(qm, 2 | 4 | 6 | 8) {
        return Err(DlschError::BadModulation(qm));
    }
    if !(1..=4).contains(&n_l) {
        return Err(DlschError::BadLayers(n_l));
    }
    if rv > 3 {
        return Err(DlschError::BadRv(rv));
    }
    Ok(())
}

/// Rate-matching output length E_r of every code block, TS 36.212 5.1.4.1.2.
fn e_lengths(
    seg: &Segmentation,
    g_bits: usize,
    qm: u8,
    n_l: u8,
) -> Result<impl Iterator<Item = usize>, DlschError> {
    let step = usize::from(qm) * usize::from(n_l);
    if !g_bits.is_multiple_of(step) {
        return Err(DlschError::BadG { g_bits, step });
    }
    let g_prime = g_bits / step;
    let c = seg.c;
    let gamma = g_prime % c;
    if g_prime / c == 0 {
        return Err(DlschError::GTooSmall {
            g_bits,
            block: 0,
            blocks: c,
        });
    }
    Ok((0..c).map(move |r| {
        if r + gamma < c {
            step * (g_prime / c)
        } else {
            step * g_prime.div_ceil(c)
        }
    }))
}

/// Circular buffer of one code block, TS 36.212 5.1.4.1.1-5.1.4.1.2: `map[w]` is the index
/// (stream · (K + 4) + k) of the turbo output bit at buffer position w, or NULL.
struct CircularBuffer {
    map: Vec<u32>,
    r_sub: usize,
    /// (K, filler bits) the map was last built for.
    built_for: Option<(usize, usize)>,
}

impl CircularBuffer {
    fn new() -> Self {
        CircularBuffer {
            map: Vec::with_capacity(3 * (MAX_K + 4 + 31)),
            r_sub: 0,
            built_for: None,
        }
    }

    /// Builds the map for code block size `k` with `filler` leading filler bits.
    fn build(&mut self, k: usize, filler: usize) {
        if self.built_for == Some((k, filler)) {
            return;
        }
        self.built_for = Some((k, filler));
        let d = k + 4;
        let r_sub = d.div_ceil(32);
        let k_pi = 32 * r_sub;
        let n_dummy = k_pi - d;
        self.r_sub = r_sub;
        self.map.clear();
        self.map.resize(3 * k_pi, NULL);
        for (j, &col) in SUBBLOCK_PERM.iter().enumerate() {
            for row in 0..r_sub {
                let kk = j * r_sub + row;
                let y = col + 32 * row;
                // d^(0) and d^(1): plain column permutation (5.1.4.1.1).
                if y >= n_dummy && y - n_dummy >= filler {
                    let idx = y - n_dummy;
                    self.map[kk] = idx as u32;
                    self.map[k_pi + 2 * kk] = (d + idx) as u32;
                }
                // d^(2): the permutation shifted by one position.
                let y2 = (y + 1) % k_pi;
                if y2 >= n_dummy {
                    self.map[k_pi + 2 * kk + 1] = (2 * d + y2 - n_dummy) as u32;
                }
            }
        }
    }

    /// N_cb for a code block, TS 36.212 5.1.4.1.2.
    fn n_cb(&self, c: usize, n_ir_bits: Option<usize>) -> usize {
        let k_w = self.map.len();
        match n_ir_bits {
            None => k_w,
            Some(n_ir) => (n_ir / c).min(k_w),
        }
    }

    /// Starting position k0 of redundancy version `rv`.
    fn k0(&self, n_cb: usize, rv: u8) -> usize {
        let r = self.r_sub;
        r * (2 * n_cb.div_ceil(8 * r) * usize::from(rv) + 2)
    }

    /// Calls `f(j, map index)` for the E selected bits (5.1.4.1.2 bit selection).
    fn select(
        &self,
        n_cb: usize,
        rv: u8,
        e: usize,
        n_ir: Option<usize>,
        mut f: impl FnMut(usize, usize),
    ) -> Result<(), DlschError> {
        let map = &self.map[..n_cb];
        if !map.iter().any(|&m| m != NULL) {
            return Err(DlschError::SoftBufferTooSmall(n_ir.unwrap_or(0)));
        }
        let mut pos = self.k0(n_cb, rv) % n_cb;
        let mut j = 0;
        while j < e {
            let m = map[pos];
            if m != NULL {
                f(j, m as usize);
                j += 1;
            }
            pos += 1;
            if pos == n_cb {
                pos = 0;
            }
        }
        Ok(())
    }
}

fn bytes_to_bits(bytes: &[u8], out: &mut Vec<u8>) {
    out.clear();
    for &b in bytes {
        for i in (0..8).rev() {
            out.push((b >> i) & 1);
        }
    }
}

fn push_crc(bits: &mut Vec<u8>, crc: u32) {
    for i in (0..24).rev() {
        bits.push(((crc >> i) & 1) as u8);
    }
}

/// Encodes one transport block (bytes, MSB first; TBS = 8 · `tb.len()`) into `g_bits` coded bits
/// (0/1 bytes) for redundancy version `rv`, TS 36.212 5.3.2.1-5.3.2.4 (5.1.1-5.1.5).
/// `qm` is the modulation order, `n_l` the N_L of 5.1.4.1.2 (1 for one layer, 2 for transmit
/// diversity), `n_ir_bits` the soft buffer size N_IR (None: N_cb = K_w, as for SI and paging).
pub fn dlsch_encode(
    tb: &[u8],
    g_bits: usize,
    qm: u8,
    n_l: u8,
    rv: u8,
    n_ir_bits: Option<usize>,
) -> Result<Vec<u8>, DlschError> {
    check_params(qm, n_l, rv)?;
    let seg = Segmentation::for_tbs(8 * tb.len())?;
    let e_list: Vec<usize> = e_lengths(&seg, g_bits, qm, n_l)?.collect();
    let mut b = Vec::with_capacity(seg.b_bits);
    bytes_to_bits(tb, &mut b);
    push_crc(&mut b, crc24a_bytes(tb));
    let mut out = Vec::with_capacity(g_bits);
    let mut cbuf = CircularBuffer::new();
    let mut taken = 0;
    for (r, &e) in e_list.iter().enumerate() {
        let k = seg.k(r);
        let f = seg.filler(r);
        // 5.1.2: filler bits (encoded as 0), data, then CRC24B when there are several blocks.
        let mut c = vec![0u8; f];
        let n_data = k - f - seg.l;
        c.extend_from_slice(&b[taken..taken + n_data]);
        taken += n_data;
        if seg.l > 0 {
            let crc = crc24b(&c);
            push_crc(&mut c, crc);
        }
        let d = turbo::turbo_encode(&c)?;
        cbuf.build(k, f);
        let n_cb = cbuf.n_cb(seg.c, n_ir_bits);
        let dk = k + 4;
        cbuf.select(n_cb, rv, e, n_ir_bits, |_, m| {
            out.push(d[m / dk][m % dk]);
        })?;
    }
    Ok(out)
}

/// Transmission format of one reception: modulation order, N_L, RV, soft buffer size.
#[derive(Clone, Copy)]
struct RxFormat {
    qm: u8,
    n_l: u8,
    rv: u8,
    n_ir_bits: Option<usize>,
}

/// Adds the G received LLRs `llr` into the per-code-block soft buffers `soft` (d-stream order).
fn accumulate(
    seg: &Segmentation,
    cbuf: &mut CircularBuffer,
    soft: &mut [f32],
    llr: &[f32],
    fmt: RxFormat,
) -> Result<(), DlschError> {
    let RxFormat {
        qm,
        n_l,
        rv,
        n_ir_bits,
    } = fmt;
    check_params(qm, n_l, rv)?;
    if let Some(i) = llr.iter().position(|v| !v.is_finite()) {
        return Err(DlschError::NonFinite(i));
    }
    let mut at = 0;
    for (r, e) in e_lengths(seg, llr.len(), qm, n_l)?.enumerate() {
        let k = seg.k(r);
        cbuf.build(k, seg.filler(r));
        let n_cb = cbuf.n_cb(seg.c, n_ir_bits);
        let off = seg.soft_offset(r);
        let block = &mut soft[off..off + 3 * (k + 4)];
        let seg_llr = &llr[at..at + e];
        cbuf.select(n_cb, rv, e, n_ir_bits, |j, m| {
            block[m] += seg_llr[j];
        })?;
        at += e;
    }
    Ok(())
}

/// Reusable DL-SCH receiver: de-rate-matching buffers and the turbo decoder.
pub struct DlschDecoder {
    turbo: TurboDecoder,
    cbuf: CircularBuffer,
    soft: Vec<f32>,
    block_soft: Vec<f32>,
    hard: Vec<u8>,
    b: Vec<u8>,
    max_iterations: usize,
    last_half_iterations: usize,
}

impl Default for DlschDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DlschDecoder {
    pub fn new() -> Self {
        DlschDecoder {
            turbo: TurboDecoder::new(),
            cbuf: CircularBuffer::new(),
            soft: Vec::new(),
            block_soft: vec![0.0; 3 * (MAX_K + 4)],
            hard: vec![0; MAX_K],
            b: Vec::new(),
            max_iterations: DEFAULT_MAX_ITERATIONS,
            last_half_iterations: 0,
        }
    }

    /// Largest number of full turbo iterations per code block (default 8).
    pub fn set_max_iterations(&mut self, n: usize) {
        self.max_iterations = n.max(1);
    }

    /// Turbo half-iterations spent by the last decode, summed over its code blocks.
    pub fn last_half_iterations(&self) -> usize {
        self.last_half_iterations
    }

    /// Decodes one reception: `llr` holds the G soft bits after demodulation and descrambling
    /// (positive = bit 0). Returns the TB bytes when the CRC24A (and every CRC24B) passes.
    pub fn decode(
        &mut self,
        llr: &[f32],
        tbs_bits: usize,
        qm: u8,
        n_l: u8,
        rv: u8,
        n_ir_bits: Option<usize>,
    ) -> Result<Vec<u8>, DlschError> {
        let seg = Segmentation::for_tbs(tbs_bits)?;
        let mut soft = std::mem::take(&mut self.soft);
        soft.clear();
        soft.resize(seg.soft_len(), 0.0);
        let fmt = RxFormat {
            qm,
            n_l,
            rv,
            n_ir_bits,
        };
        let res = accumulate(&seg, &mut self.cbuf, &mut soft, llr, fmt)
            .and_then(|_| self.decode_soft(&seg, &soft));
        self.soft = soft;
        res
    }

    /// Turbo-decodes every code block from its soft buffer and checks the CRCs.
    fn decode_soft(&mut self, seg: &Segmentation, soft: &[f32]) -> Result<Vec<u8>, DlschError> {
        if soft.iter().all(|&v| v == 0.0) {
            return Err(DlschError::NoSignal);
        }
        self.last_half_iterations = 0;
        self.b.clear();
        for r in 0..seg.c {
            let k = seg.k(r);
            let f = seg.filler(r);
            let d = k + 4;
            let off = seg.soft_offset(r);
            let bs = &mut self.block_soft[..3 * d];
            // Clamped so that path metric sums stay finite whatever the input scale.
            for (o, &v) in bs.iter_mut().zip(&soft[off..off + 3 * d]) {
                *o = v.clamp(-MAX_LLR, MAX_LLR);
            }
            if f > 0 {
                // Filler bits are known zeros (their d^(0), d^(1) are <NULL> on the air).
                let big = 2.0 * bs.iter().fold(0.0f32, |m, v| m.max(v.abs())) + 1.0;
                bs[..f].fill(big);
                bs[d..d + f].fill(big);
            }
            let (s0, rest) = bs.split_at(d);
            let (s1, s2) = rest.split_at(d);
            let single = seg.c == 1;
            let outcome = self.turbo.decode(
                [s0, s1, s2],
                self.max_iterations,
                &mut self.hard[..k],
                |bits| {
                    if single {
                        crc24a(&bits[f..]) == 0
                    } else {
                        crc24b(bits) == 0
                    }
                },
            )?;
            self.last_half_iterations += outcome.half_iterations;
            if !outcome.converged {
                return Err(if single {
                    DlschError::TbCrc
                } else {
                    DlschError::CodeBlockCrc {
                        block: r,
                        blocks: seg.c,
                    }
                });
            }
            self.b.extend_from_slice(&self.hard[f..k - seg.l]);
        }
        if self.b.len() != seg.b_bits || crc24a(&self.b) != 0 {
            return Err(DlschError::TbCrc);
        }
        let a = seg.b_bits - CRC_LEN;
        Ok(self.b[..a]
            .chunks_exact(8)
            .map(|c| c.iter().fold(0u8, |acc, &bit| (acc << 1) | bit))
            .collect())
    }
}

/// HARQ-style soft buffer of one transport block: adds receptions with any RV (SIB1 is sent four
/// times with RV 0, 2, 3, 1; TS 36.321 5.3.1) and decodes the sum.
pub struct SoftCombiner {
    seg: Segmentation,
    n_ir_bits: Option<usize>,
    cbuf: CircularBuffer,
    soft: Vec<f32>,
    receptions: usize,
}

impl SoftCombiner {
    /// Empty soft buffer for a transport block of `tbs_bits` with soft buffer size `n_ir_bits`.
    pub fn new(tbs_bits: usize, n_ir_bits: Option<usize>) -> Result<Self, DlschError> {
        let seg = Segmentation::for_tbs(tbs_bits)?;
        Ok(SoftCombiner {
            seg,
            n_ir_bits,
            cbuf: CircularBuffer::new(),
            soft: vec![0.0; seg.soft_len()],
            receptions: 0,
        })
    }

    /// Adds one reception (G LLRs, any G) with its modulation, layers and RV.
    pub fn add(&mut self, llr: &[f32], qm: u8, n_l: u8, rv: u8) -> Result<(), DlschError> {
        accumulate(
            &self.seg,
            &mut self.cbuf,
            &mut self.soft,
            llr,
            RxFormat {
                qm,
                n_l,
                rv,
                n_ir_bits: self.n_ir_bits,
            },
        )?;
        self.receptions += 1;
        Ok(())
    }

    /// Number of receptions added so far.
    pub fn receptions(&self) -> usize {
        self.receptions
    }

    /// Clears the buffer (new transport block of the same size).
    pub fn reset(&mut self) {
        self.soft.fill(0.0);
        self.receptions = 0;
    }

    /// Decodes the combined soft bits.
    pub fn decode(&mut self, dec: &mut DlschDecoder) -> Result<Vec<u8>, DlschError> {
        if self.receptions == 0 {
            return Err(DlschError::Empty);
        }
        dec.decode_soft(&self.seg, &self.soft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmentation_examples() {
        // B <= 6144: one block, fillers up to the next K of table 5.1.3-3.
        let s = Segmentation::for_tbs(176).unwrap();
        assert_eq!((s.c, s.k_plus, s.f, s.l), (1, 200, 0, 0));
        let s = Segmentation::new(530).unwrap();
        assert_eq!((s.c, s.k_plus, s.f), (1, 544, 14));
        let s = Segmentation::new(1190).unwrap();
        assert_eq!((s.c, s.k_plus, s.f), (1, 1216, 26));
        let s = Segmentation::for_tbs(16).unwrap();
        assert_eq!((s.c, s.k_plus, s.f), (1, 40, 0));
        let s = Segmentation::for_tbs(6120).unwrap();
        assert_eq!((s.c, s.k_plus, s.f), (1, 6144, 0));
        // B = 6152 + 24: two blocks; B' = 6224, K+ = 3136, K- = 3072, C- = 0 ...
        let s = Segmentation::for_tbs(6152).unwrap();
        assert_eq!(s.c, 2);
        assert_eq!(
            s.c_plus * s.k_plus + s.c_minus * s.k_minus,
            s.b_bits + 48 + s.f
        );
        // Largest Rel-8 single-layer TBS 75376: B' = 75712 = 13 blocks of exactly 5824.
        let s = Segmentation::for_tbs(75376).unwrap();
        assert_eq!(s.c, 13);
        assert_eq!((s.k_plus, s.c_minus, s.f), (5824, 0, 0));
        assert!(Segmentation::for_tbs(0).is_err());
        assert!(Segmentation::for_tbs(12).is_err());
    }

    #[test]
    fn circular_buffer_is_a_bijection() {
        let mut cb = CircularBuffer::new();
        for &(k, f) in &[(40usize, 0usize), (208, 8), (6144, 0), (1056, 33)] {
            cb.build(k, f);
            let mut seen = vec![false; 3 * (k + 4)];
            let mut nonnull = 0;
            for &m in &cb.map {
                if m != NULL {
                    assert!(!seen[m as usize]);
                    seen[m as usize] = true;
                    nonnull += 1;
                }
            }
            assert_eq!(nonnull, 3 * (k + 4) - 2 * f);
        }
    }
}
