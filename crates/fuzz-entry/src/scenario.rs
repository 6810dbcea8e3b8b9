//! Scenario files (JSON) of the scene generator and the simulated radio: parsed, validated,
//! and a few thousand samples rendered.

use cellsentry_synth::{Scenario, SceneRenderer};

/// A scenario document (the whole input).
pub fn scenario_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(s) = Scenario::from_json_str(&text) else {
        return;
    };
    for i in 0..s.cells.len() {
        let _ = s.cell_freq_hz(i);
        let _ = s.cell_label(i);
    }
    let Ok(mut r) = SceneRenderer::new(&s, s.center_freq_hz, 0) else {
        return;
    };
    let mut out = Vec::new();
    r.render(4096, &mut out);
    assert_eq!(out.len(), 4096);
}
