//! Rendering a whole scenario to a SigMF recording: `cellsentry:` global keys describe the
//! scene, and each rendered cell gets one annotation per on-interval (sample range, channel
//! edges, label "GSM ARFCN 62 234-15 LAC 3101 CI 40961", comment "fake" or "legitimate").

use std::collections::BTreeMap;
use std::path::Path;

use cellsentry_capture::sigmf::SigmfPaths;
use cellsentry_capture::{Annotation, SigmfWriter, SigmfWriterConfig};
use serde_json::Value;

use crate::render::{SceneRenderer, GSM_HALF_BW_HZ};
use crate::scenario::Scenario;
use crate::SynthError;

/// Samples rendered per block.
const BLOCK: usize = 1 << 16;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Scenario {
    /// Total samples of the scene.
    pub fn total_samples(&self) -> u64 {
        (self.duration_s * self.sample_rate_hz).round() as u64
    }

    /// Renders the scene to `BASE.sigmf-data` / `BASE.sigmf-meta` (`out` may name either file
    /// or the base) in constant memory.
    pub fn render_to_sigmf(&self, out: impl AsRef<Path>) -> Result<SigmfPaths, SynthError> {
        let mut r = SceneRenderer::new(self, self.center_freq_hz, 0)?;
        let total = self.total_samples();
        let mut extra: BTreeMap<String, Value> = BTreeMap::new();
        let scenario = serde_json::to_value(self)
            .map_err(|e| SynthError::Scenario(format!("cannot serialise scenario: {e}")))?;
        extra.insert("cellsentry:scenario".into(), scenario);
        extra.insert(
            "cellsentry:scenario_name".into(),
            Value::from(self.name.clone()),
        );
        extra.insert("cellsentry:synthetic".into(), Value::from(true));
        extra.insert("cellsentry:seed".into(), Value::from(self.seed));
        extra.insert(
            "cellsentry:expected_rules".into(),
            Value::from(self.expected_rules.clone()),
        );
        let mut cfg = SigmfWriterConfig::new(self.sample_rate_hz);
        cfg.format = self.format;
        cfg.description = Some(format!(
            "cellsentry-synth scenario {}: {}",
            self.name, self.description
        ));
        cfg.license = Some("MIT OR Apache-2.0".into());
        cfg.extra_global = extra;
        let mut w = SigmfWriter::create(out.as_ref(), cfg)?;
        for rc in r.rendered_cells().to_vec() {
            let Some(spec) = self.cells.get(rc.index) else {
                continue;
            };
            let ranges: Vec<(f64, Option<f64>)> =
                spec.on.clone().unwrap_or_else(|| vec![(0.0, None)]);
            for (a, b) in ranges {
                let s = ((a.max(0.0)) * self.sample_rate_hz).round() as u64;
                let e = b
                    .map(|b| (b * self.sample_rate_hz).round() as u64)
                    .unwrap_or(total)
                    .min(total);
                if e <= s {
                    continue;
                }
                let mut ann = Annotation::new(s, e - s, self.cell_label(rc.index));
                let half_bw_hz = match &rc.lte {
                    Some(l) => 0.5 * l.config.occupied_bw_hz(),
                    None => GSM_HALF_BW_HZ,
                };
                ann.freq_lower_edge_hz = Some(rc.carrier_hz - half_bw_hz);
                ann.freq_upper_edge_hz = Some(rc.carrier_hz + half_bw_hz);
                ann.comment = Some(if spec.fake { "fake" } else { "legitimate" }.into());
                ann.generator = Some("cellsentry-synth".into());
                let ex = &mut ann.extra;
                ex.insert("cellsentry:fake".into(), Value::from(spec.fake));
                ex.insert(
                    "cellsentry:expected_rules".into(),
                    Value::from(spec.expected_rules.clone()),
                );
                ex.insert("cellsentry:power_dbfs".into(), Value::from(spec.power_db));
                if let Some(l) = &rc.lte {
                    ex.insert("cellsentry:rat".into(), Value::from("lte"));
                    if let Some(e) = spec.earfcn {
                        ex.insert("cellsentry:earfcn".into(), Value::from(e));
                    }
                    ex.insert("cellsentry:pci".into(), Value::from(l.config.pci));
                    ex.insert("cellsentry:n_prb".into(), Value::from(l.config.n_prb));
                    ex.insert("cellsentry:ports".into(), Value::from(l.config.ports));
                    ex.insert("cellsentry:start_sfn".into(), Value::from(l.start_sfn));
                    let tbs: Vec<Value> = l
                        .transport_blocks
                        .iter()
                        .map(|b| Value::from(hex(b)))
                        .collect();
                    ex.insert("cellsentry:transport_blocks".into(), Value::from(tbs));
                } else {
                    ex.insert("cellsentry:rat".into(), Value::from("gsm"));
                    if let Some(a) = spec.arfcn {
                        ex.insert("cellsentry:arfcn".into(), Value::from(a));
                    }
                    let g = spec.gsm.clone().unwrap_or_default();
                    ex.insert("cellsentry:bsic".into(), Value::from(g.bsic));
                    let si: serde_json::Map<String, Value> = rc
                        .si_blocks
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(hex(v))))
                        .collect();
                    ex.insert("cellsentry:si_blocks".into(), Value::Object(si));
                }
                w.add_annotation(ann);
            }
        }
        let mut buf = Vec::with_capacity(BLOCK);
        let mut done = 0u64;
        while done < total {
            let n = (total - done).min(BLOCK as u64) as usize;
            r.render(n, &mut buf);
            w.write_samples(&buf, self.center_freq_hz)?;
            done += n as u64;
        }
        Ok(w.finish()?)
    }
}
