//! Detection inputs from outside: OpenCellID / Mozilla Location Service CSV exports (plain or
//! gzip), saved baselines (survey output, JSON), and the observations the receivers hand the
//! detector (every field of which a fake cell chooses), run through the rules.

use cellsentry_detect::{
    Baseline, BaselineIndex, CellKey, CellObservation, Engine, GeoPoint, Plmn, Profile, Scene,
    Survey, Thresholds,
};

use crate::soft::split;

/// A baseline must survive being saved and loaded again (`--survey-out` then `--baseline`).
fn check_saved_form(b: &Baseline) {
    let json = match b.to_json() {
        Ok(j) => j,
        Err(e) => panic!("a baseline cannot be saved: {e}"),
    };
    if let Err(e) = Baseline::from_json_str(&json, "saved baseline") {
        panic!("a saved baseline does not load back: {e}");
    }
}

/// A few cells a sensor might see: a GSM cell of 234-15, a test-PLMN cell, an LTE cell.
fn sample_scene() -> Scene {
    let mut obs = Vec::new();
    for (i, t) in [0i64, 30_000, 60_000].iter().enumerate() {
        let mut g = CellObservation::gsm(1_700_000_000_000 + t, 62);
        g.plmn = Plmn::parse("234-15").ok();
        g.lac_tac = Some(3101);
        g.cell_id = Some(40961);
        g.bsic_pci = Some(21);
        g.power_dbfs = Some(-30.0 - i as f64);
        g.freq_offset_ppm = Some(0.1);
        obs.push(g);
        let mut t1 = CellObservation::gsm(1_700_000_000_000 + t, 871);
        t1.plmn = Plmn::parse("001-01").ok();
        t1.lac_tac = Some(1);
        t1.cell_id = Some(0);
        obs.push(t1);
        let mut l = CellObservation::lte(1_700_000_000_000 + t, 1300);
        l.plmn = Plmn::parse("234-10").ok();
        l.lac_tac = Some(0x1127);
        l.cell_id = Some(0x1234567);
        l.bsic_pci = Some(301);
        l.power_dbfs = Some(-50.0);
        obs.push(l);
    }
    Scene::from_observations(&obs)
}

/// Runs every rule over `scene` with `baseline` and the UK profile.
fn evaluate(baseline: Baseline, scene: &Scene) {
    let index = BaselineIndex::new(&baseline);
    for cell in scene.cells() {
        let _ = index.matches(&baseline, &cell.key);
    }
    let engine = Engine::new(Profile::builtin("uk").ok(), baseline, Thresholds::default());
    let _ = engine.evaluate(scene);
}

/// An OpenCellID / MLS CSV export (control byte bit 0: keep only cells within 50 km of London,
/// as `--near` does).
pub fn cell_db_csv(data: &[u8]) {
    let (ctrl, csv) = split(data);
    let filter = (ctrl & 1 != 0).then_some((GeoPoint::new(51.5, -0.12), 50_000.0));
    let mut b = Baseline::empty();
    let Ok(report) = b.import_cell_db_reader(csv, "fuzz.csv", filter) else {
        return;
    };
    assert_eq!(
        report.imported,
        b.cells.len() as u64,
        "imported count differs from the cells"
    );
    assert!(report.bad_rows <= report.rows);
    check_saved_form(&b);
    let index = BaselineIndex::new(&b);
    for c in &b.cells {
        let key: &CellKey = &c.key;
        assert!(
            !index.by_global(&b, key).is_empty() || !key.has_global_id(),
            "an imported cell is not found by its own identity"
        );
    }
    evaluate(b, &sample_scene());
}

/// A saved baseline (JSON), checked against a small scene.
pub fn baseline_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(b) = Baseline::from_json_str(&text, "fuzz.json") else {
        return;
    };
    check_saved_form(&b);
    let _ = b.span_ms();
    for k in b.operators.keys() {
        if let Ok(p) = Plmn::parse(k) {
            let _ = b.norms(&p);
        }
    }
    evaluate(b, &sample_scene());
}

/// Observations as the receivers would report them (a JSON array of `CellObservation`): every
/// rule runs over them, and a survey learnt from them must save and load.
pub fn observations(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(obs) = serde_json::from_str::<Vec<CellObservation>>(&text) else {
        return;
    };
    let scene = Scene::from_observations(&obs);
    let mut survey = Survey::new();
    for o in &obs {
        survey.add(o);
    }
    let learnt = survey.finish();
    check_saved_form(&learnt);
    evaluate(learnt, &scene);
    evaluate(Baseline::empty(), &scene);
}
