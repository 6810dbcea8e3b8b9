//! A source delivered at its sample rate: each block is handed over no earlier than a radio
//! would have finished receiving its last sample, so a simulated radio (or a recording played
//! as one) exercises live timing: queue drops when decoding falls behind, alert latency in
//! real seconds.

use std::time::{Duration, Instant};

use crate::{CaptureError, IqBlock, IqSource, SourceInfo};

/// Wraps a source so that blocks come at the sample rate.
pub struct PacedSource<S: IqSource> {
    inner: S,
    /// Wall-clock time of stream sample `origin`.
    start: Option<(Instant, u64)>,
}

impl<S: IqSource> PacedSource<S> {
    pub fn new(inner: S) -> Self {
        PacedSource { inner, start: None }
    }
}

impl<S: IqSource> IqSource for PacedSource<S> {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        let block = self.inner.read_block(max_samples)?;
        if let Some(b) = &block {
            let rate = self.inner.info().sample_rate_hz;
            let (t0, origin) = *self.start.get_or_insert((Instant::now(), b.first_sample));
            let end = b.first_sample + b.samples.len() as u64;
            if rate > 0.0 {
                let due = Duration::from_secs_f64(end.saturating_sub(origin) as f64 / rate);
                let now = t0.elapsed();
                if due > now {
                    std::thread::sleep(due - now);
                }
            }
        }
        Ok(block)
    }

    fn retune(&mut self, center_freq_hz: f64) -> Result<(), CaptureError> {
        self.inner.retune(center_freq_hz)
    }

    fn sigmf_meta(&self) -> Option<&crate::sigmf::SigmfMeta> {
        self.inner.sigmf_meta()
    }
}
