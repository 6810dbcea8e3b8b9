//! Downlink OFDM frame layout at 1.92 Msps (128-point FFT, TS 36.211 6.12 table 6.12-1) and a
//! symbol demodulator with carrier-offset removal. All positions are "useful part" starts, i.e.
//! the first sample after the cyclic prefix, counted from the frame start (CP of symbol 0).

use crate::{CyclicPrefix, Duplex, SEARCH_RATE_SPS};
use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

pub const NFFT: usize = 128;
pub const SLOT_SAMPLES: usize = 960;
pub const SUBFRAME_SAMPLES: usize = 1920;
pub const HALF_FRAME_SAMPLES: usize = 9600;
pub const FRAME_SAMPLES: usize = 19200;

/// OFDM symbols per slot (TS 36.211 table 6.2.3-1).
pub fn symbols_per_slot(cp: CyclicPrefix) -> usize {
    match cp {
        CyclicPrefix::Normal => 7,
        CyclicPrefix::Extended => 6,
    }
}

/// Cyclic prefix length in 1.92 Msps samples of symbol `l` (TS 36.211 table 6.12-1: 160/144 and
/// 512 Ts, Ts = 1/30.72 MHz, divided by 16).
pub fn cp_len(cp: CyclicPrefix, l: usize) -> usize {
    match cp {
        CyclicPrefix::Normal if l == 0 => 10,
        CyclicPrefix::Normal => 9,
        CyclicPrefix::Extended => 32,
    }
}

/// Useful-part start of symbol `l` of slot `slot` (0..20), from the frame start.
pub fn useful_start(cp: CyclicPrefix, slot: usize, l: usize) -> usize {
    let in_slot = match cp {
        CyclicPrefix::Normal => {
            if l == 0 {
                10
            } else {
                138 + (l - 1) * 137 + 9
            }
        }
        CyclicPrefix::Extended => l * 160 + 32,
    };
    slot * SLOT_SAMPLES + in_slot
}

/// Where the first PSS of a frame starts (TS 36.211 6.11.1.2): last symbol of slot 0 for FDD,
/// third symbol of slot 2 (DwPTS of subframe 1) for TDD.
pub fn pss_start(duplex: Duplex, cp: CyclicPrefix) -> usize {
    match duplex {
        Duplex::Fdd => useful_start(cp, 0, symbols_per_slot(cp) - 1),
        Duplex::Tdd => useful_start(cp, 2, 2),
    }
}

/// Where the first SSS of a frame starts (TS 36.211 6.11.2.2): the symbol before the PSS for
/// FDD, the last symbol of slot 1 for TDD (three symbols before the PSS).
pub fn sss_start(duplex: Duplex, cp: CyclicPrefix) -> usize {
    match duplex {
        Duplex::Fdd => useful_start(cp, 0, symbols_per_slot(cp) - 2),
        Duplex::Tdd => useful_start(cp, 1, symbols_per_slot(cp) - 1),
    }
}

/// FFT demodulator for one OFDM symbol: removes the carrier offset (phase referenced to input
/// sample 0, so successive symbols stay coherent), starts the FFT window `backoff` samples
/// inside the cyclic prefix for timing margin and undoes the resulting phase ramp. Output bins
/// are scaled by 1/N, so |Y|^2 is the power a subcarrier adds to the time signal.
pub struct Demod {
    fft: Arc<dyn Fft<f32>>,
    scratch: Vec<Complex32>,
    ramp: Vec<Complex32>,
    backoff: usize,
}

/// Per-bin phase ramp that undoes starting the FFT window `backoff` samples early (a delay of
/// `backoff` is a linear phase across the bins), times `scale` (the FFT normalisation).
pub fn backoff_ramp(nfft: usize, backoff: usize, scale: f64) -> Vec<Complex32> {
    (0..nfft)
        .map(|b| {
            let k = if b < nfft / 2 {
                b as f64
            } else {
                b as f64 - nfft as f64
            };
            let p = 2.0 * std::f64::consts::PI * k * backoff as f64 / nfft as f64;
            Complex32::new((p.cos() * scale) as f32, (p.sin() * scale) as f32)
        })
        .collect()
}

impl Demod {
    pub fn new(planner: &mut FftPlanner<f32>, backoff: usize) -> Self {
        let fft = planner.plan_fft_forward(NFFT);
        let scratch = vec![Complex32::new(0.0, 0.0); fft.get_inplace_scratch_len()];
        let ramp = backoff_ramp(NFFT, backoff, 1.0 / NFFT as f64);
        Demod {
            fft,
            scratch,
            ramp,
            backoff,
        }
    }

    /// Demodulates the symbol whose useful part starts at `useful`. Returns false (and leaves
    /// `out` unspecified) when the window does not fit in `x`.
    pub fn symbol(
        &mut self,
        x: &[Complex32],
        useful: usize,
        cfo_hz: f64,
        out: &mut [Complex32; NFFT],
    ) -> bool {
        let Some(start) = useful.checked_sub(self.backoff) else {
            return false;
        };
        let Some(seg) = x.get(start..start + NFFT) else {
            return false;
        };
        derotate(seg, start, cfo_hz, out);
        self.fft.process_with_scratch(out, &mut self.scratch);
        for (o, r) in out.iter_mut().zip(self.ramp.iter()) {
            *o *= r;
        }
        true
    }
}

/// Copies `seg` (which starts at absolute sample `start`) into `out`, multiplied by
/// exp(-j 2 pi cfo n / fs) with n absolute.
pub fn derotate(seg: &[Complex32], start: usize, cfo_hz: f64, out: &mut [Complex32]) {
    let w = -2.0 * std::f64::consts::PI * cfo_hz / SEARCH_RATE_SPS;
    let p0 = (w * start as f64).rem_euclid(2.0 * std::f64::consts::PI);
    let mut ph = Complex32::new(p0.cos() as f32, p0.sin() as f32);
    let step = Complex32::new(w.cos() as f32, w.sin() as f32);
    for (o, s) in out.iter_mut().zip(seg.iter()) {
        *o = s * ph;
        ph *= step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_positions_normal_cp() {
        assert_eq!(pss_start(Duplex::Fdd, CyclicPrefix::Normal), 832);
        assert_eq!(sss_start(Duplex::Fdd, CyclicPrefix::Normal), 695);
        assert_eq!(pss_start(Duplex::Tdd, CyclicPrefix::Normal), 2204);
        assert_eq!(sss_start(Duplex::Tdd, CyclicPrefix::Normal), 1792);
        // A slot is 960 samples: symbol 6 ends exactly at the slot end.
        assert_eq!(useful_start(CyclicPrefix::Normal, 0, 6) + 128, SLOT_SAMPLES);
        assert_eq!(
            useful_start(CyclicPrefix::Extended, 0, 5) + 128,
            SLOT_SAMPLES
        );
    }

    #[test]
    fn sync_positions_extended_cp() {
        assert_eq!(
            pss_start(Duplex::Fdd, CyclicPrefix::Extended)
                - sss_start(Duplex::Fdd, CyclicPrefix::Extended),
            160
        );
        assert_eq!(
            pss_start(Duplex::Tdd, CyclicPrefix::Extended)
                - sss_start(Duplex::Tdd, CyclicPrefix::Extended),
            480
        );
    }
}
