//! Shared FFT planner: plans are cached per thread so that many spectra, resamplers and
//! channelisers of the same size reuse twiddle tables instead of re-planning.

use std::cell::RefCell;
use std::sync::Arc;

use rustfft::{Fft, FftPlanner};

thread_local! {
    static PLANNER: RefCell<FftPlanner<f32>> = RefCell::new(FftPlanner::new());
}

/// Forward (unnormalised) FFT of length `n` from the per-thread cached planner.
pub(crate) fn forward(n: usize) -> Arc<dyn Fft<f32>> {
    PLANNER.with(|p| p.borrow_mut().plan_fft_forward(n))
}

/// Inverse (unnormalised) FFT of length `n` from the per-thread cached planner.
pub(crate) fn inverse(n: usize) -> Arc<dyn Fft<f32>> {
    PLANNER.with(|p| p.borrow_mut().plan_fft_inverse(n))
}
