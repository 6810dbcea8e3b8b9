//! Spectrum, channeliser, resampler and band plans (ARFCN/EARFCN) for cellsentry.
//!
//! This crate sits between `capture` (which yields `&[Complex32]` blocks with a sample rate and a
//! centre frequency) and the GSM/LTE receivers. It only takes plain slices and numbers, so it can
//! be fed from any source:
//!
//! - [`bandplan`]: GSM ARFCN and LTE EARFCN to/from RF frequency (TS 45.005 clause 2,
//!   TS 36.101 clause 5.7.3), and which channels a captured span holds.
//! - [`spectrum`]: streaming Welch PSD in dBFS with absolute RF bin frequencies, noise floor,
//!   peaks and per-channel power.
//! - [`filter`]: Kaiser-windowed sinc low-pass design shared by the resamplers and channelisers.
//! - [`resample`]: streaming rational (L/M) polyphase and arbitrary-ratio resamplers.
//! - [`channelise`]: single-channel NCO + decimating FIR extractor and a fast-convolution
//!   (FFT overlap-save) multi-channel channeliser.
//!
//! Power convention everywhere: dBFS = 10·log10(mean |x|²) with x the complex sample scaled so
//! that full scale is |x| = 1. A complex tone `exp(j·2π·f·t)` of amplitude 1.0 is 0 dBFS.

pub mod bandplan;
pub mod channelise;
pub mod filter;
pub mod resample;
pub mod spectrum;

mod error;
mod fft;

pub use error::DspError;

pub use bandplan::{
    Duplex, GsmBand, GsmChannel, LteBandInfo, LteBandwidth, LteChannel, GSM_CHANNEL_SPACING_HZ,
};
pub use channelise::{ChannelBank, ChannelBankConfig, ChannelExtractor, Nco};
pub use resample::{ArbitraryResampler, RationalResampler, Resampler, ResamplerSpec};
pub use spectrum::{
    welch, GsmChannelPower, LteChannelPower, NoiseFloor, Peak, Spectrum, WelchAccumulator,
    WelchConfig, Window,
};

/// GSM symbol rate, 1625000/6 symbols/s (TS 45.004 2.2; TS 45.010 5.1).
pub const GSM_SYMBOL_RATE: f64 = 1_625_000.0 / 6.0;

/// Sample rate of 4 samples per GSM symbol (≈1.0833 Msps), what the GSM receiver expects.
pub const GSM_4SPS_RATE_SPS: f64 = 4.0 * GSM_SYMBOL_RATE;
