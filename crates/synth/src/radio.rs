//! A simulated radio: the scene rendered live in blocks around the tuned centre frequency, so
//! `scan` / `monitor` run end to end without hardware. Cells outside the tuned band are absent;
//! after `retune()` every cell re-appears at its offset from the new centre, with time (frame
//! numbers, profiles, on-times) running on. Receive only.

use cellsentry_capture::{CaptureError, IqBlock, IqSource, SampleFormat, SourceInfo};

use crate::render::SceneRenderer;
use crate::scenario::Scenario;
use crate::SynthError;

/// [`IqSource`] backed by a [`Scenario`]; the stream ends after `duration_s`.
pub struct SimulatedRadio {
    scenario: Scenario,
    renderer: SceneRenderer,
    info: SourceInfo,
    total: u64,
}

impl SimulatedRadio {
    /// Tuned to the scenario's centre frequency.
    pub fn new(scenario: Scenario) -> Result<SimulatedRadio, SynthError> {
        let renderer = SceneRenderer::new(&scenario, scenario.center_freq_hz, 0)?;
        let info = SourceInfo {
            sample_rate_hz: scenario.sample_rate_hz,
            center_freq_hz: scenario.center_freq_hz,
            format: SampleFormat::Cf32Le,
            description: format!("sim:{}", scenario.name),
            device: Some("cellsentry-synth".into()),
            gain_db: None,
            total_samples: None,
            start_unix_ns: None,
        };
        Ok(SimulatedRadio {
            total: scenario.total_samples(),
            scenario,
            renderer,
            info,
        })
    }

    /// The renderer currently in use (cells in band, their SI).
    pub fn renderer(&self) -> &SceneRenderer {
        &self.renderer
    }
}

impl IqSource for SimulatedRadio {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, max_samples: usize) -> Result<Option<IqBlock>, CaptureError> {
        let first = self.renderer.next_sample();
        if first >= self.total || max_samples == 0 {
            return Ok(None);
        }
        let n = (self.total - first).min(max_samples as u64) as usize;
        let mut samples = Vec::with_capacity(n);
        self.renderer.render(n, &mut samples);
        Ok(Some(IqBlock {
            samples,
            first_sample: first,
            center_freq_hz: self.info.center_freq_hz,
            dropped_total: 0,
        }))
    }

    fn retune(&mut self, center_freq_hz: f64) -> Result<(), CaptureError> {
        if !(center_freq_hz.is_finite() && center_freq_hz > 0.0) {
            return Err(CaptureError::Device(format!(
                "simulated radio: invalid centre frequency {center_freq_hz}"
            )));
        }
        let at = self.renderer.next_sample();
        self.renderer = SceneRenderer::new(&self.scenario, center_freq_hz, at)
            .map_err(|e| CaptureError::Device(format!("simulated radio: {e}")))?;
        self.info.center_freq_hz = center_freq_hz;
        Ok(())
    }
}
