//! The BCCH carrier (C0) of a GSM cell as a stream of TDMA frames at 4 samples per symbol.
//!
//! Timeslot 0 follows the 51-multiframe of TS 45.002 clause 7 table 3 (FCCH, SCH, BCCH Norm,
//! CCCH, and SDCCH/4 + SACCH/C4 when combined); timeslots 1-7 carry dummy bursts (TS 45.002
//! 5.2.6: C0 transmits in every timeslot). Channel coding uses the encoder side the GSM receiver
//! crate exposes (`cellsentry_gsm::coding`: Fire code, K=5 convolutional code, block-diagonal
//! interleaving and burst mapping for xCCH; CRC + convolutional code for the SCH).
//!
//! What goes where:
//! * BCCH Norm, TC = (FN div 51) mod 8 (TS 45.002 6.3.1.3): SI1, SI2, SI3, SI4, then TC 4 =
//!   SI13 (or SI2quater, or SI2 as osmo-bts repeats it), TC 5 = SI2quater (or SI2), TC 6 = SI3,
//!   TC 7 = SI4. Osmocom's repeat pattern for the free slots was read off the shared capture.
//! * CCCH: the first BS_AG_BLKS_RES blocks (AGCH) carry the idle frame osmo-bts sends there
//!   (`03 03 01 2b ..`, seen in the shared capture); the others carry a Paging Request Type 1
//!   with the scenario's identities every `every_n_blocks` blocks, else the empty-identity
//!   filler. Paging groups (TS 45.002 6.5.2) are not modelled: pages go to any PCH block.
//! * SDCCH/4 and SACCH/C4 (combined): inactive, dummy bursts, as in the Osmocom capture.
//! * Idle frame 50: dummy burst.

use num_complex::Complex32;

use cellsentry_gsm::coding::{sch_bit_pos, sch_encode, xcch_encode, SchFields};
use cellsentry_gsm::mapping::{frame_role, FrameRole};
use cellsentry_gsm::tables::{DUMMY_BURST, HYPERFRAME, NB_TSC_START, SB_SYNC_START, SCH_SYNC, TSC};
use cellsentry_gsm::LogicalChannel;
use cellsentry_gsm_l3::encode::{paging_request_1, SDCCH_FILL_FRAME};

use crate::gmsk::{GmskModulator, SPS};
use crate::gsm_cell::{GsmBroadcast, GsmCellConfig};
use crate::SynthError;

/// Output samples per TDMA frame (1250 symbols at 4 samples per symbol).
pub const FRAME_SAMPLES: usize = 1250 * SPS;
/// Output sample rate of the generator, 4 x 1625000/6.
pub const RATE_4SPS: f64 = 4.0 * 1_625_000.0 / 6.0;

type Bursts = [[u8; 148]; 4];

/// Normal burst with tail bits 0, stealing flags 1 (TS 45.003 4.1.5: control blocks) and the
/// training sequence; the data bits are filled by the coder.
fn nb_template(tsc: u8) -> [u8; 148] {
    let mut b = [0u8; 148];
    b[60] = 1;
    b[87] = 1;
    b[NB_TSC_START..NB_TSC_START + 26].copy_from_slice(&TSC[usize::from(tsc & 7)]);
    b
}

fn coded(block: &[u8; 23], tsc: u8) -> Bursts {
    let t = nb_template(tsc);
    let mut bursts = [t; 4];
    xcch_encode(block, &mut bursts);
    bursts
}

/// TS0 content generator plus the modulator for the whole carrier.
pub struct C0Generator {
    bsic: u8,
    combined: bool,
    ag_blocks: u8,
    si: [Bursts; 8],
    agch_idle: Bursts,
    paging_idle: Bursts,
    pagings: Vec<Bursts>,
    every_n_blocks: u32,
    pch_counter: u32,
    page_index: usize,
    current: Option<Bursts>,
    fn_: u32,
    modulator: GmskModulator,
    bits: Vec<u8>,
    broadcast: GsmBroadcast,
}

impl C0Generator {
    /// A generator for `cfg` on `arfcn` starting at TDMA frame `start_fn`.
    pub fn new(
        cfg: &GsmCellConfig,
        arfcn: u16,
        pcs1900: bool,
        start_fn: u32,
    ) -> Result<Self, SynthError> {
        let b = cfg.broadcast(arfcn, pcs1900)?;
        let tsc = cfg.bcc();
        let tc4 = b.si13.or(b.si2quater).unwrap_or(b.si2);
        let tc5 = b.si2quater.unwrap_or(b.si2);
        let order = [b.si1, b.si2, b.si3, b.si4, tc4, tc5, b.si3, b.si4];
        let si = order.map(|m| coded(&m, tsc));
        let idle = paging_request_1(&[]).map_err(|e| SynthError::Scenario(e.to_string()))?;
        Ok(C0Generator {
            bsic: cfg.bsic,
            combined: cfg.ccch_combined,
            ag_blocks: cfg.bs_ag_blks_res,
            si,
            agch_idle: coded(&SDCCH_FILL_FRAME, tsc),
            paging_idle: coded(&idle, tsc),
            pagings: b.pagings.iter().map(|m| coded(m, tsc)).collect(),
            every_n_blocks: cfg.paging.every_n_blocks,
            pch_counter: 0,
            page_index: 0,
            current: None,
            fn_: start_fn % HYPERFRAME,
            modulator: GmskModulator::new(),
            bits: Vec::with_capacity(1250),
            broadcast: b,
        })
    }

    /// The encoded System Information this cell broadcasts.
    pub fn broadcast(&self) -> &GsmBroadcast {
        &self.broadcast
    }

    /// TDMA frame number of the next frame [`Self::next_frame`] produces.
    pub fn frame_number(&self) -> u32 {
        self.fn_
    }

    fn ts0_bits(&mut self) -> [u8; 148] {
        let fn_ = self.fn_;
        match frame_role(fn_, self.combined) {
            FrameRole::Fcch => [0u8; 148],
            FrameRole::Sch => {
                let t3 = fn_ % 51;
                let f = SchFields {
                    bsic: self.bsic,
                    t1: ((fn_ / 1326) & 0x7ff) as u16,
                    t2: (fn_ % 26) as u8,
                    t3p: ((t3 - 1) / 10) as u8,
                };
                let c = sch_encode(&f);
                let mut b = [0u8; 148];
                b[SB_SYNC_START..SB_SYNC_START + 64].copy_from_slice(&SCH_SYNC);
                for (k, &bit) in c.iter().enumerate() {
                    b[sch_bit_pos(k)] = bit;
                }
                b
            }
            FrameRole::Idle => DUMMY_BURST,
            FrameRole::Data { channel, index } => {
                if index == 0 {
                    self.current = self.pick_block(channel);
                }
                match &self.current {
                    Some(bursts) => bursts[usize::from(index & 3)],
                    None => DUMMY_BURST,
                }
            }
        }
    }

    fn pick_block(&mut self, channel: LogicalChannel) -> Option<Bursts> {
        match channel {
            LogicalChannel::Bcch { tc } => Some(self.si[usize::from(tc & 7)]),
            LogicalChannel::Ccch { block } => {
                if block < self.ag_blocks {
                    return Some(self.agch_idle);
                }
                let n = self.every_n_blocks;
                let page = n > 0 && !self.pagings.is_empty() && self.pch_counter.is_multiple_of(n);
                self.pch_counter = self.pch_counter.wrapping_add(1);
                if page {
                    let p = self.pagings[self.page_index % self.pagings.len()];
                    self.page_index += 1;
                    Some(p)
                } else {
                    Some(self.paging_idle)
                }
            }
            LogicalChannel::Sdcch4 { .. } | LogicalChannel::Sacch4 { .. } => None,
        }
    }

    /// Appends one TDMA frame (8 timeslots, `FRAME_SAMPLES` samples, unit amplitude).
    pub fn next_frame(&mut self, out: &mut Vec<Complex32>) {
        self.bits.clear();
        let ts0 = self.ts0_bits();
        for tn in 0..8 {
            let burst = if tn == 0 { &ts0 } else { &DUMMY_BURST };
            self.bits.extend_from_slice(burst);
            // 156.25-symbol timeslots: 157 symbols in TS0 and TS4, 156 in the others, so a
            // frame is exactly 1250 symbols. Guard bits are 1s (TS 45.004 2.3 assumes 1
            // outside a burst).
            let guard = if tn % 4 == 0 { 9 } else { 8 };
            self.bits.extend(std::iter::repeat_n(1u8, guard));
        }
        self.modulator.modulate(&self.bits, out);
        self.fn_ = (self.fn_ + 1) % HYPERFRAME;
    }
}
