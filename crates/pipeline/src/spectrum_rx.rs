//! The spectrum of a session's stream: a Welch estimate over everything read, summarised at
//! the end (total power, noise floor, GSM channels above it, peaks).

use cellsentry_capture::IqBlock;
use cellsentry_dsp::{WelchAccumulator, WelchConfig, Window};

use crate::receiver::{Receiver, RxEvent};
use crate::spectrum::summarise;

/// Welch spectrum of the whole stream.
pub struct SpectrumRx {
    welch: WelchAccumulator,
    rate_sps: f64,
    center_freq_hz: f64,
    samples: u64,
}

impl SpectrumRx {
    pub fn new(rate_sps: f64, center_freq_hz: f64, fft_size: usize) -> Result<Self, String> {
        // Segments side by side, not half-overlapped: a run gives millions of them, so the
        // overlap bought no variance worth its cost (6 % of the whole sensor's CPU at 20 Msps).
        let cfg = WelchConfig {
            overlap: 0,
            ..WelchConfig::new(fft_size).with_window(Window::Hann)
        };
        let welch = WelchAccumulator::new(cfg).map_err(|e| e.to_string())?;
        Ok(SpectrumRx {
            welch,
            rate_sps,
            center_freq_hz,
            samples: 0,
        })
    }
}

impl Receiver for SpectrumRx {
    fn name(&self) -> &'static str {
        "spectrum"
    }

    fn push(&mut self, block: &IqBlock, _events: &mut Vec<RxEvent>) {
        self.welch.push(&block.samples);
        self.samples += block.samples.len() as u64;
    }

    fn finish(&mut self, events: &mut Vec<RxEvent>) {
        if self.welch.segments() == 0 {
            return;
        }
        if let Ok(s) = self.welch.spectrum(self.center_freq_hz, self.rate_sps) {
            let mut summary = summarise(&s, false);
            summary.seconds_analysed = self.samples as f64 / self.rate_sps;
            events.push(RxEvent::Spectrum(Box::new(summary)));
        }
    }
}
