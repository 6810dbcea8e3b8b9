// Shared helpers of the synth integration tests (included with `mod common;`).
#![allow(dead_code)]

use num_complex::Complex32;

use cellsentry_synth::{Scenario, SceneRenderer};

pub fn scenario_path(name: &str) -> String {
    format!(
        "{}/../../captures/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

pub fn load(name: &str) -> Scenario {
    Scenario::load(scenario_path(name)).unwrap()
}

pub fn render(s: &Scenario, center_hz: f64, n: usize) -> (Vec<Complex32>, SceneRenderer) {
    let mut r = SceneRenderer::new(s, center_hz, 0).unwrap();
    let mut out = Vec::with_capacity(n);
    let mut buf = Vec::new();
    while out.len() < n {
        let k = (n - out.len()).min(1 << 16);
        r.render(k, &mut buf);
        out.extend_from_slice(&buf);
    }
    (out, r)
}

pub fn power_db(x: &[Complex32]) -> f64 {
    let p: f64 = x.iter().map(|c| f64::from(c.norm_sqr())).sum::<f64>() / x.len() as f64;
    10.0 * p.log10()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SI1-SI4 payloads from a shared-truth copy in the repository (captures/gsm-l3).
pub fn truth_si(name: &str) -> Vec<(String, String)> {
    let p = format!(
        "{}/../../captures/gsm-l3/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    ["SI1", "SI2", "SI3", "SI4"]
        .iter()
        .map(|k| {
            (
                k.to_string(),
                t["system_information"][k]["payloads_hex"][0]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}
