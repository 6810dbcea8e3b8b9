//! PBCH reception (TS 36.211 6.6, TS 36.212 5.3.1): OFDM demodulation of subframe 0, CRS channel
//! estimation for antenna ports 0..3 (TS 36.211 6.10.1), SFBC (Alamouti) combining for 2 and 4
//! ports (TS 36.211 6.3.4.3), descrambling for the four SFN-mod-4 phases, rate de-matching,
//! circular Viterbi decoding and the CRC-16 antenna-port mask check. Also yields the CRS based
//! measurements (RSRP, RSSI, SINR) of the same subframe.

use crate::coding::{cc_rate_match_map, crc16_bits, ports_from_crc_mask, TailBitingViterbi};
use crate::ofdm::{symbols_per_slot, useful_start, Demod, NFFT};
use crate::seq::{crs_central, sc_to_bin, Gold};
use crate::CyclicPrefix;
use num_complex::Complex32;

/// Subcarriers of the central 6 PRB.
pub const N_SC: usize = 72;
/// PBCH information bits (MIB) and CRC.
const A_BITS: usize = 24;
const K_BITS: usize = 40;
/// Largest number of PBCH bits in one radio frame (normal CP: 240 REs).
const MAX_FRAME_BITS: usize = 480;

/// PBCH bits per radio frame: 1920 / 4 for normal CP, 1728 / 4 for extended (TS 36.211 6.6.1).
pub fn bits_per_frame(cp: CyclicPrefix) -> usize {
    match cp {
        CyclicPrefix::Normal => 480,
        CyclicPrefix::Extended => 432,
    }
}

/// What one radio frame's subframe 0 gave: soft PBCH bits per port hypothesis and measurements.
#[derive(Debug, Clone)]
pub struct PbchFrame {
    /// Soft bits (positive = 0) for the 1-, 2- and 4-port hypotheses, scaled by 1/noise.
    pub soft: [[f32; MAX_FRAME_BITS]; 3],
    pub n_bits: usize,
    /// Mean |Y|^2 of port-0 CRS resource elements (linear, full scale = 1).
    pub rsrp: f64,
    /// Mean total power of the 72 subcarriers in the CRS symbols (linear).
    pub rssi: f64,
    /// Port-0 channel power and noise power per RE (linear).
    pub signal: f64,
    pub noise: f64,
    /// Sum of conj(h_slot0) * h_slot1 over the port-0 pilots of the two late CRS symbols
    /// (0.5 ms apart): its angle is the residual carrier offset times 2 pi 0.5 ms.
    pub pilot_rotation: Complex32,
    /// Same between the slot-0 late CRS symbol (interpolated in frequency) and symbol 0 of slot
    /// 1, `pilot_short_samples` apart: a coarser but wider-range (+-2.3 kHz) measurement.
    pub pilot_rotation_short: Complex32,
    pub pilot_short_samples: usize,
}

/// A decoded MIB block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PbchDecoded {
    pub bits: [u8; A_BITS],
    pub ports: u8,
    /// SFN mod 4 of the first frame used.
    pub sfn_mod4: u8,
}

/// Central CRS values per slot (0, 1) and symbol.
type CrsTable = [[[Complex32; 12]; 7]; 2];

/// PBCH receiver with cached interleaver map, Viterbi buffers and scrambling sequence.
pub struct PbchDecoder {
    rm_map: Vec<(u8, u16)>,
    vit: TailBitingViterbi,
    scr_pci: Option<(u16, Vec<u8>)>,
    grid: [[[Complex32; N_SC]; 7]; 2],
    /// CRS of the central 6 RB for (pci, normal CP) in slots 0 and 1, symbols 0..7: each costs
    /// a 1600-step Gold sequence, and a candidate cell is received in up to two dozen frames.
    crs: Vec<(u16, bool, CrsTable)>,
}

impl Default for PbchDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// 1-port, 2-port, 4-port hypotheses in the order of `PbchFrame::soft`.
/// CRS tables kept (cells decoded in turn).
const CRS_CACHE: usize = 8;

pub const PORT_HYPS: [u8; 3] = [1, 2, 4];

#[inline]
fn loc_to_bin(k_loc: usize) -> usize {
    sc_to_bin(k_loc as i32 - (N_SC as i32 / 2), NFFT)
}

impl PbchDecoder {
    pub fn new() -> Self {
        PbchDecoder {
            rm_map: cc_rate_match_map(K_BITS),
            vit: TailBitingViterbi::new(),
            scr_pci: None,
            grid: [[[Complex32::new(0.0, 0.0); N_SC]; 7]; 2],
            crs: Vec::new(),
        }
    }

    /// Demodulates subframe 0 of the frame starting at `frame_start` and prepares soft bits.
    /// `None` when the subframe does not fit in `x`.
    pub fn receive_frame(
        &mut self,
        demod: &mut Demod,
        x: &[Complex32],
        frame_start: usize,
        cfo_hz: f64,
        pci: u16,
        cp: CyclicPrefix,
    ) -> Option<PbchFrame> {
        let nsym = symbols_per_slot(cp);
        let mut y = [Complex32::new(0.0, 0.0); NFFT];
        for slot in 0..2 {
            for l in 0..nsym {
                if !demod.symbol(x, frame_start + useful_start(cp, slot, l), cfo_hz, &mut y) {
                    return None;
                }
                for k in 0..N_SC {
                    self.grid[slot][l][k] = y[loc_to_bin(k)];
                }
            }
        }
        let normal = cp == CyclicPrefix::Normal;
        // Several cells are received in turn on one carrier: keep the tables of a few.
        let crs = match self.crs.iter().find(|(p, n, _)| *p == pci && *n == normal) {
            Some((_, _, t)) => *t,
            None => {
                let mut t = [[[Complex32::new(0.0, 0.0); 12]; 7]; 2];
                for (slot, ts) in t.iter_mut().enumerate() {
                    for (l, tl) in ts.iter_mut().enumerate().take(nsym) {
                        *tl = crs_central(pci, slot as u32, l as u32, normal);
                    }
                }
                if self.crs.len() >= CRS_CACHE {
                    self.crs.remove(0);
                }
                self.crs.push((pci, normal, t));
                t
            }
        };
        let vshift = (pci % 6) as usize;
        let l_late = nsym - 3; // second CRS symbol of ports 0/1 in a slot
                               // Channel estimates per port at every subcarrier.
        let mut h = [[Complex32::new(0.0, 0.0); N_SC]; 4];
        let mut rsrp_acc = 0f64;
        let mut rsrp_n = 0usize;
        let mut noise_acc = 0f64;
        let mut sig_acc = 0f64;
        let mut pilot_rotation = Complex32::new(0.0, 0.0);
        let mut pilot_rotation_short = Complex32::new(0.0, 0.0);
        for (p, hp) in h.iter_mut().enumerate() {
            // (slot, l) of the CRS used for this port around slot 1 symbols 0..3
            let syms: &[(usize, usize)] = if p < 2 {
                &[(0, l_late), (1, 0), (1, l_late)]
            } else {
                &[(0, 1), (1, 1)]
            };
            let mut sum = [Complex32::new(0.0, 0.0); N_SC];
            let mut cnt = [0u8; N_SC];
            let mut per_sym = [[Complex32::new(0.0, 0.0); 12]; 3];
            for (si, &(slot, l)) in syms.iter().enumerate() {
                let v = crs_v(p, slot, l);
                let r = &crs[slot][l];
                for (m, rv) in r.iter().enumerate() {
                    let k = 6 * m + (v + vshift) % 6;
                    let yv = self.grid[slot][l][k];
                    let est = yv * rv.conj();
                    per_sym[si][m] = est;
                    sum[k] += est;
                    cnt[k] += 1;
                    if p == 0 {
                        rsrp_acc += yv.norm_sqr() as f64;
                        rsrp_n += 1;
                    }
                }
            }
            if p == 0 {
                // Slot 0 and slot 1 late symbols carry port 0 on the same subcarriers.
                for m in 0..12 {
                    let a = per_sym[0][m];
                    let b = per_sym[2][m];
                    noise_acc += (a - b).norm_sqr() as f64 / 2.0;
                    sig_acc += ((a + b) * 0.5).norm_sqr() as f64;
                    pilot_rotation += a.conj() * b;
                }
                // per_sym[1] (slot 1, l 0, v 0) sits halfway between per_sym[0] entries m-1, m.
                for m in 1..12 {
                    let a = (per_sym[0][m - 1] + per_sym[0][m]) * 0.5;
                    pilot_rotation_short += a.conj() * per_sym[1][m];
                }
            }
            let mut raw = [Complex32::new(0.0, 0.0); N_SC];
            interpolate(&sum, &cnt, &mut raw);
            smooth(&raw, hp);
        }
        let noise = (noise_acc / 12.0).max(1e-12);
        let signal = (sig_acc / 12.0 - noise / 2.0).max(0.0);
        let rsrp = rsrp_acc / rsrp_n.max(1) as f64;
        let mut rssi = 0f64;
        let crs_syms = [(0usize, l_late), (1, 0), (1, l_late)];
        for &(slot, l) in &crs_syms {
            rssi += self.grid[slot][l]
                .iter()
                .map(|c| c.norm_sqr() as f64)
                .sum::<f64>();
        }
        rssi /= crs_syms.len() as f64;

        // PBCH resource elements in mapping order: k first, then l (TS 36.211 6.6.4).
        let mut re_y = [Complex32::new(0.0, 0.0); 240];
        let mut re_h = [[Complex32::new(0.0, 0.0); 240]; 4];
        let mut n_re = 0;
        for l in 0..4 {
            let crs_sym = l == 0 || l == 1 || (!normal && l == 3);
            for k in 0..N_SC {
                if crs_sym && k % 3 == vshift % 3 {
                    continue;
                }
                if n_re >= 240 {
                    return None;
                }
                re_y[n_re] = self.grid[1][l][k];
                for p in 0..4 {
                    re_h[p][n_re] = h[p][k];
                }
                n_re += 1;
            }
        }
        let n_bits = 2 * n_re;
        let scale = (1.0 / noise) as f32;
        let mut soft = [[0f32; MAX_FRAME_BITS]; 3];
        let mut d = [Complex32::new(0.0, 0.0); 240];
        for (hi, &ports) in PORT_HYPS.iter().enumerate() {
            match ports {
                1 => {
                    for i in 0..n_re {
                        d[i] = re_h[0][i].conj() * re_y[i];
                    }
                }
                2 => {
                    for i in (0..n_re).step_by(2) {
                        let (r0, r1) = (re_y[i], re_y[i + 1]);
                        d[i] = re_h[0][i].conj() * r0 + re_h[1][i + 1] * r1.conj();
                        d[i + 1] = re_h[0][i + 1].conj() * r1 - re_h[1][i] * r0.conj();
                    }
                }
                _ => {
                    for i in (0..n_re).step_by(4) {
                        for (off, pa, pb) in [(0usize, 0usize, 2usize), (2, 1, 3)] {
                            let j = i + off;
                            let (r0, r1) = (re_y[j], re_y[j + 1]);
                            d[j] = re_h[pa][j].conj() * r0 + re_h[pb][j + 1] * r1.conj();
                            d[j + 1] = re_h[pa][j + 1].conj() * r1 - re_h[pb][j] * r0.conj();
                        }
                    }
                }
            }
            for i in 0..n_re {
                soft[hi][2 * i] = d[i].re * scale;
                soft[hi][2 * i + 1] = d[i].im * scale;
            }
        }
        Some(PbchFrame {
            soft,
            n_bits,
            rsrp,
            rssi,
            signal,
            noise,
            pilot_rotation,
            pilot_rotation_short,
            pilot_short_samples: useful_start(cp, 1, 0) - useful_start(cp, 0, l_late),
        })
    }

    fn scrambling(&mut self, pci: u16) -> &[u8] {
        if self.scr_pci.as_ref().map(|(p, _)| *p) != Some(pci) {
            let mut c = vec![0u8; 1920];
            Gold::fill(pci as u32, &mut c);
            self.scr_pci = Some((pci, c));
        }
        match &self.scr_pci {
            Some((_, c)) => c,
            None => &[],
        }
    }

    /// Tries to decode the MIB from consecutive frames `frames` (frames[i] is one radio frame
    /// after frames[i-1]) for every SFN-mod-4 phase they fit in and every port hypothesis.
    pub fn decode(&mut self, frames: &[&PbchFrame], pci: u16) -> Option<PbchDecoded> {
        let first = frames.first()?;
        let n_bits = first.n_bits;
        if frames.len() > 4 || frames.iter().any(|f| f.n_bits != n_bits) {
            return None;
        }
        // Filled once per PCI; taken out of `self` while the Viterbi decoder is borrowed.
        self.scrambling(pci);
        let (scr_pci, scr) = self.scr_pci.take()?;
        let res = self.decode_with(frames, n_bits, &scr, None);
        self.scr_pci = Some((scr_pci, scr));
        res
    }

    /// [`PbchDecoder::decode`] for a cell whose antenna ports and SFN are known from an earlier
    /// MIB: one Viterbi run (`ports`, SFN mod 4 of the first frame = `phase`) instead of up to
    /// twelve.
    pub fn decode_known(
        &mut self,
        frames: &[&PbchFrame],
        pci: u16,
        ports: u8,
        phase: usize,
    ) -> Option<PbchDecoded> {
        let first = frames.first()?;
        let n_bits = first.n_bits;
        if frames.len() + phase > 4 || frames.iter().any(|f| f.n_bits != n_bits) {
            return None;
        }
        let hi = PORT_HYPS.iter().position(|&p| p == ports)?;
        self.scrambling(pci);
        let (scr_pci, scr) = self.scr_pci.take()?;
        let res = self.decode_with(frames, n_bits, &scr, Some((hi, phase)));
        self.scr_pci = Some((scr_pci, scr));
        res
    }

    fn decode_with(
        &mut self,
        frames: &[&PbchFrame],
        n_bits: usize,
        scr: &[u8],
        only: Option<(usize, usize)>,
    ) -> Option<PbchDecoded> {
        let period = self.rm_map.len();
        if scr.len() < 4 * n_bits || period == 0 {
            return None;
        }
        for (hi, &ports) in PORT_HYPS.iter().enumerate() {
            for phase in 0..=(4 - frames.len()) {
                if only.is_some_and(|o| o != (hi, phase)) {
                    continue;
                }
                let mut w = [[0f32; K_BITS]; 3];
                for (fi, f) in frames.iter().enumerate() {
                    let base = (phase + fi) * n_bits;
                    let soft = &f.soft[hi][..n_bits];
                    let c = &scr[base..base + n_bits];
                    // the rate-matching buffer repeats every `period` bits from the block start
                    let mut j0 = base % period;
                    for (&v, &cb) in soft.iter().zip(c.iter()) {
                        let (s, k) = self.rm_map[j0];
                        w[s as usize][k as usize] += if cb == 1 { -v } else { v };
                        j0 += 1;
                        if j0 == period {
                            j0 = 0;
                        }
                    }
                }
                let mut out = [0u8; K_BITS];
                self.vit.decode([&w[0], &w[1], &w[2]], &mut out)?;
                let crc = crc16_bits(&out[..A_BITS]);
                let rx = out[A_BITS..].iter().fold(0u16, |a, &b| (a << 1) | b as u16);
                if ports_from_crc_mask(crc ^ rx) == Some(ports)
                    && codeword_agreement(&out, &w) >= MIN_AGREEMENT
                {
                    let mut bits = [0u8; A_BITS];
                    bits.copy_from_slice(&out[..A_BITS]);
                    return Some(PbchDecoded {
                        bits,
                        ports,
                        sfn_mod4: phase as u8,
                    });
                }
            }
        }
        None
    }
}

/// Smallest soft agreement between the re-encoded block and the received soft values that a
/// CRC-passing block must also show. Random input that happens to pass the CRC (about 2^-16 per
/// try, and a cell search makes hundreds of tries) scores near 0.3; real blocks score 0.6+.
const MIN_AGREEMENT: f32 = 0.5;

impl PbchDecoder {
    /// How well one frame's soft bits agree with the PBCH codeword of a MIB: `payload` (the 24
    /// MIB bits, whose SFN field is set here to `sfn`'s 8 MSBs) with the CRC masked for
    /// `ports`, coded, rate matched and scrambled at `sfn` mod 4. About 0 for a frame that does
    /// not carry this MIB; positive when it does, even when the frame alone is too weak to
    /// decode. Confirms a MIB decoded from other frames (a chance CRC pass agrees with nothing
    /// but the frames it came from).
    pub fn frame_agreement(
        &mut self,
        frame: &PbchFrame,
        pci: u16,
        payload: &[u8; A_BITS],
        ports: u8,
        sfn: u16,
    ) -> Option<f32> {
        let hi = PORT_HYPS.iter().position(|&p| p == ports)?;
        let mask = crate::coding::PBCH_CRC_MASKS
            .iter()
            .find(|(p, _)| *p == ports)
            .map(|(_, m)| *m)?;
        let mut bits = [0u8; K_BITS];
        bits[..A_BITS].copy_from_slice(payload);
        // systemFrameNumber: bits 6..14 of the MIB (after dl-Bandwidth and phich-Config)
        let sfn8 = (sfn >> 2) & 0xff;
        for i in 0..8 {
            bits[6 + i] = ((sfn8 >> (7 - i)) & 1) as u8;
        }
        let crc = crc16_bits(&bits[..A_BITS]) ^ mask;
        for i in 0..16 {
            bits[A_BITS + i] = ((crc >> (15 - i)) & 1) as u8;
        }
        let n_bits = frame.n_bits;
        let period = self.rm_map.len();
        self.scrambling(pci);
        let (scr_pci, scr) = self.scr_pci.take()?;
        let base = usize::from(sfn % 4) * n_bits;
        let mut w = [[0f32; K_BITS]; 3];
        if scr.len() >= base + n_bits && period > 0 {
            let mut j0 = base % period;
            for (&v, &cb) in frame.soft[hi][..n_bits]
                .iter()
                .zip(&scr[base..base + n_bits])
            {
                let (st, k) = self.rm_map[j0];
                w[st as usize][k as usize] += if cb == 1 { -v } else { v };
                j0 += 1;
                if j0 == period {
                    j0 = 0;
                }
            }
        }
        self.scr_pci = Some((scr_pci, scr));
        Some(codeword_agreement(&bits, &w))
    }
}

/// sum(soft * (1 - 2 c)) / sum |soft| over the 120 coded bits of the re-encoded block.
fn codeword_agreement(bits: &[u8; K_BITS], w: &[[f32; K_BITS]; 3]) -> f32 {
    let enc = crate::coding::conv_encode_tb(bits);
    let mut num = 0f32;
    let mut den = 0f32;
    for s in 0..3 {
        for k in 0..K_BITS {
            let v = w[s][k];
            num += if enc[s][k] == 1 { -v } else { v };
            den += v.abs();
        }
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// v of TS 36.211 6.10.1.2 for port `p`, slot parity `slot`, symbol `l`.
fn crs_v(p: usize, slot: usize, l: usize) -> usize {
    match p {
        0 => {
            if l == 0 {
                0
            } else {
                3
            }
        }
        1 => {
            if l == 0 {
                3
            } else {
                0
            }
        }
        2 => 3 * (slot % 2),
        _ => 3 + 3 * (slot % 2),
    }
}

/// Moving average over +-SMOOTH_SC subcarriers (135 kHz in all): the pilots are noisy at the
/// SNRs where cells must still be found, and the channel changes little over that width.
const SMOOTH_SC: usize = 4;

fn smooth(h: &[Complex32; N_SC], out: &mut [Complex32; N_SC]) {
    for (k, o) in out.iter_mut().enumerate() {
        let lo = k.saturating_sub(SMOOTH_SC);
        let hi = (k + SMOOTH_SC + 1).min(N_SC);
        let s: Complex32 = h[lo..hi].iter().sum();
        *o = s / (hi - lo) as f32;
    }
}

/// Averages the pilots present and interpolates linearly between them (flat at the edges).
fn interpolate(sum: &[Complex32; N_SC], cnt: &[u8; N_SC], out: &mut [Complex32; N_SC]) {
    let mut known: [(usize, Complex32); N_SC] = [(0, Complex32::new(0.0, 0.0)); N_SC];
    let mut nk = 0;
    for k in 0..N_SC {
        if cnt[k] > 0 {
            known[nk] = (k, sum[k] / cnt[k] as f32);
            nk += 1;
        }
    }
    if nk == 0 {
        return;
    }
    let known = &known[..nk];
    let mut j = 0;
    for (k, o) in out.iter_mut().enumerate() {
        while j + 1 < nk && known[j + 1].0 <= k {
            j += 1;
        }
        let (k0, h0) = known[j];
        *o = if k <= k0 || j + 1 >= nk {
            h0
        } else {
            let (k1, h1) = known[j + 1];
            let t = (k - k0) as f32 / (k1 - k0) as f32;
            h0 * (1.0 - t) + h1 * t
        };
    }
}
