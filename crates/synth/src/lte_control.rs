//! Control region and system-information transmission of a generated LTE cell: PCFICH in every
//! downlink subframe (TS 36.211 6.7, TS 36.212 5.3.4), PHICH groups reserved but empty
//! (TS 36.211 6.9), and in subframes that carry a BCCH-DL-SCH block a DCI format 1A for SI-RNTI
//! in the common search space (TS 36.212 5.3.3, TS 36.213 9.1.1: aggregation 4 at CCE 0) and
//! the PDSCH with the transport block (TS 36.212 5.3.2, TS 36.211 6.3-6.4, transmit diversity
//! for two ports).
//!
//! Scheduling (TS 36.331 5.2.1.2, 5.2.3; TS 36.321 5.3.1): SIB1 in subframe 5 of every even
//! SFN with RV = ceil(3k/2) mod 4, k = (SFN / 2) mod 4; the n-th SI message in its SI window
//! (starting x = (n-1) w ms into every period of `periodicity_rf` frames), sent once, in the
//! window's first full downlink subframe that does not carry SIB1, with RV = ceil(3k/2) mod 4,
//! k = i mod 4, i its subframe index in the window.
//!
//! Resource mapping, DCI packing, TBS and DL-SCH coding are the receiver crate's public
//! functions (`cellsentry_lte::{pcfich, pdcch, pdsch, dci, tbs, dlsch}`), so transmitter and
//! receiver share one reading of the specification; the DCI channel coding chain (CRC16 with
//! the RNTI mask, tail-biting code, rate matching) is put together here from
//! `cellsentry_lte::coding`.

use num_complex::Complex32;

use cellsentry_lte::dci::{n_prb_1a, pack_1a, riv_encode, sib1_rv, Dci1A, PrbAllocation};
use cellsentry_lte::dlsch::dlsch_encode;
use cellsentry_lte::grid::DlCell;
use cellsentry_lte::pcfich::{control_symbols, pcfich_bits, pcfich_regs};
use cellsentry_lte::pdcch::{
    encode_dci, pdcch_scrambling_init, phich_mapping_units, tdd_phich_m, ControlMap, Reg, SI_RNTI,
};
use cellsentry_lte::pdsch::{pdsch_res, pdsch_scrambling_init};
use cellsentry_lte::seq::Gold;
use cellsentry_lte::tbs::tbs_bits;
use cellsentry_lte::Duplex;

use crate::lte_cell::{parse_hex, qpsk, sfbc_pair, CellParams, SubframeGrid};

/// Which BCCH-DL-SCH message a subframe carries: `message` 0 = SIB1, n = n-th SI message;
/// `rv` its redundancy version (TS 36.321 5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiSchedule {
    pub message: u8,
    pub rv: u8,
}

/// Aggregation level of the SI DCI (common search space: 4 or 8).
pub const SI_AGGREGATION: usize = 4;
/// Highest code rate the PDSCH allocation is sized for; more PRBs are taken until it is met.
const TARGET_CODE_RATE: f64 = 0.4;
/// Highest code rate accepted at all (a UE is not required to decode above 0.93).
const MAX_CODE_RATE: f64 = 0.93;

/// One BCCH-DL-SCH message ready to send.
#[derive(Debug, Clone)]
struct SiMessage {
    /// Transport block: the message padded with zero bytes to the TBS.
    tb: Vec<u8>,
    mcs: u8,
    tpc: u8,
    /// Period in radio frames (SIB1: 2) and, for SI messages, the window start x in ms and the
    /// offset in the window of the subframe used (both unused for SIB1).
    period_rf: u16,
    window_start_ms: u32,
    send_offset_ms: u32,
}

/// Control region and SI content of a cell.
pub struct ControlPlan {
    cell: DlCell,
    /// Per subframe number: all symbols are downlink (not uplink, not a TDD special subframe).
    full_dl: [bool; 10],
    /// Per subframe number: control map (None for uplink subframes) and its CFI.
    maps: Vec<Option<(u8, ControlMap)>>,
    /// SIB1 (index 0) and SI messages (1..), or empty.
    messages: Vec<SiMessage>,
    has_sib1: bool,
    res: Vec<(u8, u16)>,
}

/// Smallest transport block size (bits) of DCI 1A for SI-RNTI that holds `bytes`, as
/// (I_MCS, TPC): TS 36.213 7.1.7 (I_TBS = I_MCS, column N_PRB^1A = 2 or 3 from the TPC LSB).
fn pick_mcs(bytes: usize, mcs: Option<u8>) -> Option<(u8, u8, u32)> {
    let need = 8 * bytes as u32;
    let mut best: Option<(u8, u8, u32)> = None;
    let range = match mcs {
        Some(m) => m..=m,
        None => 0..=26,
    };
    for m in range {
        for tpc in [0u8, 1] {
            if let Some(t) = tbs_bits(m, n_prb_1a(tpc)) {
                if t >= need && best.is_none_or(|b| t < b.2) {
                    best = Some((m, tpc, t));
                }
            }
        }
    }
    best
}

impl ControlPlan {
    pub fn new(params: &CellParams) -> Result<ControlPlan, String> {
        let cfg = &params.cfg;
        let cell = DlCell {
            pci: cfg.pci,
            n_prb: cfg.n_prb,
            ports: cfg.ports,
            cp: cfg.cp,
            duplex: cfg.duplex,
            phich_ng: cfg.phich_ng,
            phich_duration: cfg.phich_duration,
            tdd_config: cfg.tdd_config.map(|t| t[0]),
        };
        cell.validate().map_err(|e| e.to_string())?;
        let maps = (0..10)
            .map(|sf| {
                let dl = cfg.dl_symbols(sf);
                if dl == 0 {
                    return None;
                }
                // TS 36.211 table 6.7-1: at most 2 control symbols in a TDD special subframe.
                let cfi = if dl < 2 * cfg.symbols_per_slot() {
                    cfg.cfi.min(if cfg.n_prb <= 10 { 1 } else { 2 })
                } else {
                    cfg.cfi
                };
                let n_ctrl = control_symbols(cfi, cfg.n_prb);
                let tdd_m = match cfg.tdd_config {
                    Some([sa, _]) => tdd_phich_m(sa, sf),
                    None if cfg.duplex == Duplex::Tdd => tdd_phich_m(2, sf),
                    None => 1,
                };
                let units = phich_mapping_units(&cell, tdd_m);
                Some((cfi, ControlMap::new(&cell, n_ctrl, units)))
            })
            .collect::<Vec<_>>();
        let mut full_dl = [false; 10];
        for (sf, f) in full_dl.iter_mut().enumerate() {
            *f = cfg.dl_symbols(sf) == 2 * cfg.symbols_per_slot();
        }
        let mut plan = ControlPlan {
            full_dl,
            maps,
            messages: Vec::new(),
            has_sib1: cfg.sib1_hex.is_some(),
            res: Vec::new(),
            cell,
        };
        let Some(sib1_hex) = &cfg.sib1_hex else {
            return Ok(plan);
        };
        let mut raw = vec![(
            parse_hex(sib1_hex).map_err(|e| format!("sib1_hex: {e}"))?,
            2u16,
        )];
        for (i, m) in cfg.si.iter().enumerate() {
            raw.push((
                parse_hex(&m.hex).map_err(|e| format!("si[{i}].hex: {e}"))?,
                m.periodicity_rf,
            ));
        }
        let w = u32::from(cfg.si_window_ms);
        for (i, (bytes, period_rf)) in raw.into_iter().enumerate() {
            let name = if i == 0 {
                "sib1_hex".to_string()
            } else {
                format!("si[{}]", i - 1)
            };
            let (mcs, tpc, tbs) = pick_mcs(bytes.len(), cfg.mcs).ok_or_else(|| {
                format!(
                    "{name}: {} bytes do not fit a DCI 1A transport block{} (at most 277 bytes)",
                    bytes.len(),
                    cfg.mcs.map(|m| format!(" at mcs {m}")).unwrap_or_default()
                )
            })?;
            let mut tb = bytes;
            tb.resize(tbs as usize / 8, 0);
            let (window_start_ms, send_offset_ms) = if i == 0 {
                (0, 0)
            } else {
                let x = (i as u32 - 1) * w;
                let off = (0..w).find(|&o| plan.eligible_si(x + o)).ok_or_else(|| {
                    format!("{name}: its SI window has no downlink subframe free of SIB1")
                })?;
                (x, off)
            };
            plan.messages.push(SiMessage {
                tb,
                mcs,
                tpc,
                period_rf,
                window_start_ms,
                send_offset_ms,
            });
        }
        if plan
            .maps
            .iter()
            .flatten()
            .any(|(_, m)| m.n_cce < SI_AGGREGATION)
        {
            return Err(format!(
                "cfi {} leaves fewer than {SI_AGGREGATION} CCEs for the SI DCI at {} PRB: raise cfi",
                cfg.cfi, cfg.n_prb
            ));
        }
        // Every message must fit (code rate <= 0.93) in each subframe it is sent in.
        for sf in 0..10 {
            for (i, m) in plan.messages.iter().enumerate() {
                let sends = if i == 0 {
                    sf == 5
                } else {
                    (m.window_start_ms + m.send_offset_ms) % 10 == sf as u32
                };
                if sends {
                    plan.allocation(sf, m.tb.len())?;
                }
            }
        }
        Ok(plan)
    }

    /// Whether ms `t` of an SI period (counted from its frame 0, even SFN) may carry an SI
    /// message: a full downlink subframe not holding SIB1.
    fn eligible_si(&self, t: u32) -> bool {
        let sf = (t % 10) as usize;
        let frame_even = (t / 10).is_multiple_of(2);
        self.full_dl[sf] && !(self.has_sib1 && sf == 5 && frame_even)
    }

    /// The SI block sent in `subframe` of frame `sfn`, if any.
    pub fn schedule(&self, sfn: u16, subframe: usize) -> Option<SiSchedule> {
        if self.messages.is_empty() {
            return None;
        }
        if subframe == 5 && sfn.is_multiple_of(2) {
            return Some(SiSchedule {
                message: 0,
                rv: sib1_rv(sfn),
            });
        }
        for (i, m) in self.messages.iter().enumerate().skip(1) {
            let t = u32::from(sfn % m.period_rf) * 10 + subframe as u32;
            if t == m.window_start_ms + m.send_offset_ms {
                let k = m.send_offset_ms % 4;
                return Some(SiSchedule {
                    message: i as u8,
                    rv: ((3 * k).div_ceil(2) % 4) as u8,
                });
            }
        }
        None
    }

    /// The transport blocks (SIB1 first), padded to their TBS.
    pub fn transport_blocks(&self) -> Vec<Vec<u8>> {
        self.messages.iter().map(|m| m.tb.clone()).collect()
    }

    /// Localized allocation (start PRB 0) with the fewest PRBs that brings the code rate to
    /// the target (or as close as the bandwidth allows, at most 0.93).
    fn allocation(&self, sf: usize, tb_bytes: usize) -> Result<(PrbAllocation, usize), String> {
        let Some((_, map)) = &self.maps[sf % 10] else {
            return Err(format!("subframe {sf} is not a downlink subframe"));
        };
        let payload = (8 * tb_bytes + 24) as f64;
        let mut res = Vec::new();
        let mut last = None;
        for len in 1..=self.cell.n_prb {
            let a = PrbAllocation::localized(0, len);
            pdsch_res(&self.cell, sf, map.n_ctrl, &a, &mut res);
            let rate = payload / (2 * res.len()).max(1) as f64;
            if rate <= MAX_CODE_RATE {
                last = Some((a, len as usize));
                if rate <= TARGET_CODE_RATE {
                    break;
                }
            }
        }
        last.ok_or_else(|| {
            format!(
                "a {tb_bytes}-byte SI block does not fit in {} PRB of subframe {sf} at code rate \
                 0.93",
                self.cell.n_prb
            )
        })
    }

    /// Writes the PCFICH of subframe `sf`: 32 scrambled bits, 16 QPSK symbols, four REGs.
    pub fn fill_pcfich(&self, p: &CellParams, grid: &mut SubframeGrid, sf: usize) {
        let Some((cfi, _)) = &self.maps[sf % 10] else {
            return;
        };
        if let Some(bits) = pcfich_bits(self.cell.pci, sf % 10, *cfi) {
            let syms: Vec<Complex32> = (0..16)
                .map(|i| qpsk((bits >> (31 - 2 * i)) as u8, (bits >> (30 - 2 * i)) as u8))
                .collect();
            let regs = pcfich_regs(&self.cell);
            put_regs(grid, p, &regs, &syms, p.amp);
        }
    }

    /// Writes PCFICH, PDCCH and PDSCH of `subframe` into `grid`.
    pub fn fill(&mut self, p: &CellParams, grid: &mut SubframeGrid, sfn: u16, subframe: usize) {
        let sf = subframe % 10;
        if self.maps[sf].is_none() {
            return;
        }
        self.fill_pcfich(p, grid, sf);
        let Some(s) = self.schedule(sfn, sf) else {
            return;
        };
        let Some(m) = self.messages.get(usize::from(s.message)).cloned() else {
            return;
        };
        let Ok((alloc, len)) = self.allocation(sf, m.tb.len()) else {
            return;
        };
        // DCI 1A for SI-RNTI: localized PRBs 0..len, HARQ/NDI unused for SI (TS 36.212
        // 5.3.3.1.3), TPC LSB selecting N_PRB^1A.
        let grant = SiGrant {
            dci: Dci1A {
                distributed: false,
                riv: riv_encode(0, len as u16, self.cell.n_prb),
                mcs: m.mcs,
                harq: 0,
                ndi: 0,
                rv: s.rv,
                tpc: m.tpc,
                dai: (self.cell.duplex == Duplex::Tdd).then_some(0),
            },
            alloc,
            first_cce: 0,
            aggregation: SI_AGGREGATION,
            tb: m.tb,
        };
        self.put_si_grant(p, grid, sf, &grant);
    }

    /// Writes the PDCCH (DCI 1A for SI-RNTI at `grant.first_cce`) and the PDSCH of one SI
    /// grant into `grid` (subframe number `sf`; its control map must exist).
    pub fn put_si_grant(
        &mut self,
        p: &CellParams,
        grid: &mut SubframeGrid,
        sf: usize,
        grant: &SiGrant,
    ) {
        let Some((_, map)) = &self.maps[sf % 10] else {
            return;
        };
        let sf = sf % 10;
        let amp = p.amp;
        let payload = pack_1a(&grant.dci, self.cell.n_prb, self.cell.duplex);
        let coded = encode_dci(&payload, SI_RNTI, 72 * grant.aggregation);
        // PDCCH block: the DCI's CCEs carry it, the others are <NIL> (nothing sent);
        // scrambling runs over the whole block from CCE 0 (TS 36.211 6.8.2).
        let first_bit = 72 * grant.first_cce;
        let mut scr = vec![0u8; first_bit + coded.len()];
        Gold::fill(pdcch_scrambling_init(self.cell.pci, sf), &mut scr);
        let syms: Vec<Complex32> = coded
            .chunks_exact(2)
            .zip(scr[first_bit..].chunks_exact(2))
            .map(|(b, c)| qpsk(b[0] ^ c[0], b[1] ^ c[1]))
            .collect();
        let regs: Vec<Reg> = (grant.first_cce..grant.first_cce + grant.aggregation)
            .flat_map(|n| map.cce_regs(n).copied().collect::<Vec<_>>())
            .collect();
        put_regs(grid, p, &regs, &syms, amp);
        // PDSCH: TS 36.212 5.3.2 coding for the grant's RV, scrambling with SI-RNTI, QPSK.
        pdsch_res(&self.cell, sf, map.n_ctrl, &grant.alloc, &mut self.res);
        let n_l = if self.cell.ports > 1 { 2 } else { 1 };
        let g_bits = 2 * self.res.len();
        let Ok(bits) = dlsch_encode(&grant.tb, g_bits, 2, n_l, grant.dci.rv, None) else {
            return;
        };
        let mut scr = vec![0u8; g_bits];
        Gold::fill(pdsch_scrambling_init(SI_RNTI, sf, self.cell.pci), &mut scr);
        let syms: Vec<Complex32> = bits
            .chunks_exact(2)
            .zip(scr.chunks_exact(2))
            .map(|(b, c)| qpsk(b[0] ^ c[0], b[1] ^ c[1]))
            .collect();
        let n_sc = p.layout.n_sc;
        let at = |l: u8, k: u16| usize::from(l) * n_sc + usize::from(k);
        put_symbols(grid, self.res.iter().map(|&(l, k)| at(l, k)), &syms, amp);
    }

    /// The PDSCH resource elements `(l, k)` of `alloc` in subframe `sf`, in mapping order.
    pub fn pdsch_res(&self, sf: usize, alloc: &PrbAllocation) -> Vec<(u8, u16)> {
        let mut out = Vec::new();
        if let Some((_, map)) = &self.maps[sf % 10] {
            pdsch_res(&self.cell, sf % 10, map.n_ctrl, alloc, &mut out);
        }
        out
    }

    /// The REGs of CCEs `first..first + n` in subframe `sf`, in mapping order.
    pub fn cce_regs(&self, sf: usize, first: usize, n: usize) -> Vec<Reg> {
        match &self.maps[sf % 10] {
            Some((_, map)) => (first..first + n)
                .flat_map(|c| map.cce_regs(c).copied().collect::<Vec<_>>())
                .collect(),
            None => Vec::new(),
        }
    }
}

/// One SI transmission: the DCI 1A sent for SI-RNTI, where, and the transport block.
#[derive(Debug, Clone, PartialEq)]
pub struct SiGrant {
    pub dci: Dci1A,
    /// The PRBs the DCI's RIV describes.
    pub alloc: PrbAllocation,
    /// First CCE and aggregation level of the PDCCH.
    pub first_cce: usize,
    pub aggregation: usize,
    /// Transport block (TBS / 8 bytes).
    pub tb: Vec<u8>,
}

/// Writes QPSK symbols (four per REG, in REG order) to `regs`, with SFBC for two ports.
fn put_regs(grid: &mut SubframeGrid, p: &CellParams, regs: &[Reg], syms: &[Complex32], amp: f32) {
    let n_sc = p.layout.n_sc;
    put_symbols(
        grid,
        regs.iter().flat_map(|r| {
            r.k.iter()
                .map(move |&k| usize::from(r.l) * n_sc + usize::from(k))
        }),
        syms,
        amp,
    );
}

/// Maps symbols to grid indices in order: directly for one port; as SFBC pairs over
/// consecutive REs for two (TS 36.211 6.3.4.3).
fn put_symbols(
    grid: &mut SubframeGrid,
    idx: impl Iterator<Item = usize>,
    syms: &[Complex32],
    amp: f32,
) {
    if grid.ports.len() == 1 {
        for (i, &s) in idx.zip(syms.iter()) {
            if let Some(v) = grid.ports[0].get_mut(i) {
                *v = s * amp;
            }
        }
        return;
    }
    let idx: Vec<usize> = idx.collect();
    for (ri, si) in idx.chunks_exact(2).zip(syms.chunks_exact(2)) {
        let (y0, y1) = sfbc_pair(si[0], si[1]);
        for j in 0..2 {
            if let Some(v) = grid.ports[0].get_mut(ri[j]) {
                *v = y0[j] * amp;
            }
            if let Some(v) = grid.ports[1].get_mut(ri[j]) {
                *v = y1[j] * amp;
            }
        }
    }
}

/// DCI channel coding, TS 36.212 5.3.3.2-5.3.3.4: CRC16 with its parity XORed with the RNTI
/// (MSB first), tail-biting convolutional code, rate matching to `e_bits`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcs_choice_follows_table_7_1_7_2_1() {
        // 18 bytes = 144 bits: I_TBS 2 with N_PRB^1A 3 is 144, reached before I_TBS 5 with
        // N_PRB^1A 2 (TS 36.213 table 7.1.7.2.1-1).
        assert_eq!(pick_mcs(18, None), Some((2, 1, 144)));
        // 17 bytes: 144 is still the smallest TBS >= 136.
        assert_eq!(pick_mcs(17, None).map(|m| m.2), Some(144));
        // Too large for any DCI 1A SI grant (max 2216 bits at I_TBS 26, 3 PRB).
        assert_eq!(pick_mcs(278, None), None);
        assert_eq!(pick_mcs(277, None).map(|m| m.2), Some(2216));
    }
}
