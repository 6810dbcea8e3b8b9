//! Error type of every fallible DSP constructor and call in this crate.

/// What went wrong; every variant prints as one line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DspError {
    #[error("invalid FFT size {size}: must be between {min} and {max}")]
    InvalidFftSize { size: usize, min: usize, max: usize },
    #[error("invalid overlap of {overlap} samples for FFT size {fft_size}: must be smaller than the FFT size")]
    InvalidOverlap { overlap: usize, fft_size: usize },
    #[error("invalid sample rate {0} sps: must be finite and positive")]
    InvalidRate(f64),
    #[error("invalid resampling ratio: {0}")]
    InvalidRatio(String),
    #[error("invalid filter specification: {0}")]
    InvalidFilter(String),
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    #[error("not enough samples for one FFT segment: need {needed}, have {have}")]
    NotEnoughSamples { needed: usize, have: usize },
    #[error("channel offset {offset_hz} Hz is outside the usable span of ±{half_span_hz} Hz")]
    ChannelOutsideSpan { offset_hz: f64, half_span_hz: f64 },
    #[error("expected {expected} output buffers (one per channel), got {got}")]
    OutputCount { expected: usize, got: usize },
}

pub(crate) fn check_rate(rate_sps: f64) -> Result<f64, DspError> {
    if rate_sps.is_finite() && rate_sps > 0.0 {
        Ok(rate_sps)
    } else {
        Err(DspError::InvalidRate(rate_sps))
    }
}
