//! Bearings files a field team (or anyone handing one over) writes: CSV parsed, every bearing
//! checked against what the parser promises, then fitted with a fixed drive as `locate
//! --bearings` and the hunt do.

use std::sync::OnceLock;

use cellsentry_locate::{
    locate_with_bearings, read_bearings_csv, GeoPoint, LocalFrame, LocateConfig, Measurement,
};

/// A short noiseless drive past a transmitter 150 m off the road (built once).
fn drive() -> &'static [Measurement] {
    static ROWS: OnceLock<Vec<Measurement>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let f = LocalFrame::new(51.5, -0.12);
        (0..60)
            .map(|i| {
                let x = -600.0 + 20.0 * f64::from(i);
                let d = (x * x + 150.0f64.powi(2) + 100.0).sqrt();
                let (lat_deg, lon_deg) = f.to_lat_lon(x, -150.0);
                Measurement {
                    point: GeoPoint::new(lat_deg, lon_deg),
                    power_db: -20.0 - 30.0 * d.log10(),
                    time_unix_ms: i64::from(i) * 1000,
                    sensor: "fuzz".into(),
                }
            })
            .collect()
    })
}

/// A bearings CSV file (the whole input, as text).
pub fn bearings_csv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(bearings) = read_bearings_csv(&text) else {
        return;
    };
    for b in &bearings {
        assert!(
            (0.0..360.0).contains(&b.bearing_deg)
                && b.sd_deg > 0.0
                && b.sd_deg <= 90.0
                && b.point.is_valid(),
            "a bearing the parser accepted is out of range: {b:?}"
        );
    }
    // Far-away bearings only widen the search; a handful keeps each input fast.
    let few = &bearings[..bearings.len().min(4)];
    if let Ok(e) = locate_with_bearings(drive(), few, &LocateConfig::default()) {
        assert!(
            e.point.lat_deg.is_finite() && e.point.lon_deg.is_finite() && e.radius95_m.is_finite(),
            "an estimate that is not a place: {e:?}"
        );
    }
}
