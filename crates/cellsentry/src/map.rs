//! Maps of a hunt without a tile server: the track coloured by received power, the fixed
//! sensors, the estimated transmitter with its 95 % ellipse and the centroid beside it, as a
//! self-contained SVG for the HTML report, and as GeoJSON (QGIS) and KML (Google Earth).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cellsentry_locate::{Bearing, Estimate, LocalFrame, Measurement};
use geojson::{Feature, FeatureCollection, Geometry, GeometryValue, JsonObject};
use serde_json::json;

use crate::cmd::locate::{locate_cell, CellLocation};
use crate::cmd::report::{cell_label, Report};

/// Points of the ellipse outlines.
const OUTLINE_POINTS: usize = 72;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Rows grouped by sensor, each in time order.
fn by_sensor(rows: &[Measurement]) -> BTreeMap<&str, Vec<&Measurement>> {
    let mut m: BTreeMap<&str, Vec<&Measurement>> = BTreeMap::new();
    for r in rows {
        m.entry(r.sensor.as_str()).or_default().push(r);
    }
    for v in m.values_mut() {
        v.sort_by_key(|r| r.time_unix_ms);
    }
    m
}

/// A sensor whose positions stay within 25 m (the fit's own rule) is drawn as a fixed sensor.
fn is_fixed(rows: &[&Measurement]) -> bool {
    let Some(first) = rows.first() else {
        return false;
    };
    let f = LocalFrame::new(first.point.lat_deg, first.point.lon_deg);
    rows.iter().all(|r| {
        let (x, y) = f.to_xy(r.point.lat_deg, r.point.lon_deg);
        x.hypot(y) <= 25.0
    })
}

fn props(v: serde_json::Value) -> Option<JsonObject> {
    v.as_object().cloned()
}

fn feature(geometry: GeometryValue, properties: serde_json::Value) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: props(properties),
        foreign_members: None,
    }
}

/// GeoJSON features of located cells (RFC 7946: lon, lat order): per cell the estimate
/// (Point), its 95 % ellipse (Polygon), the other candidate when the fit is ambiguous (Point),
/// the centroid (Point), each drive's track (LineString),
/// every measurement (Point with its power, for a graduated style), the fixed sensors and the
/// bearings fitted with them (LineString from where each was taken, along it).
pub fn features(locations: &[CellLocation]) -> Vec<Feature> {
    let mut out = Vec::new();
    for l in locations {
        let base = json!({"cell_id": l.cell_id, "cell": l.cell, "power_unit": l.power_unit});
        let with = |kind: &str, extra: serde_json::Value| {
            let mut p = base.clone();
            if let (Some(o), Some(e)) = (p.as_object_mut(), extra.as_object()) {
                o.insert("kind".into(), json!(kind));
                for (k, v) in e {
                    o.insert(k.clone(), v.clone());
                }
            }
            p
        };
        for (sensor, rows) in by_sensor(&l.rows) {
            if is_fixed(&rows) {
                let n = rows.len() as f64;
                let lat = rows.iter().map(|r| r.point.lat_deg).sum::<f64>() / n;
                let lon = rows.iter().map(|r| r.point.lon_deg).sum::<f64>() / n;
                let p = rows.iter().map(|r| r.power_db).sum::<f64>() / n;
                out.push(feature(
                    GeometryValue::new_point(vec![lon, lat]),
                    with(
                        "fixed_sensor",
                        json!({"sensor": sensor, "mean_power_db": p, "measurements": rows.len()}),
                    ),
                ));
                continue;
            }
            out.push(feature(
                GeometryValue::new_line_string(
                    rows.iter().map(|r| vec![r.point.lon_deg, r.point.lat_deg]),
                ),
                with("track", json!({"sensor": sensor})),
            ));
            for r in &rows {
                out.push(feature(
                    GeometryValue::new_point(vec![r.point.lon_deg, r.point.lat_deg]),
                    with("measurement", json!({"sensor": sensor, "power_db": r.power_db, "time_unix_ms": r.time_unix_ms})),
                ));
            }
        }
        if let Some((lat, lon)) = l.centroid {
            out.push(feature(
                GeometryValue::new_point(vec![lon, lat]),
                with("weighted_centroid", json!({})),
            ));
        }
        if let Some(e) = &l.estimate {
            out.push(feature(
                GeometryValue::new_point(vec![e.point.lon_deg, e.point.lat_deg]),
                with(
                    "estimate",
                    json!({"method": e.method.as_str(), "radius95_m": e.radius95_m,
                           "semi_major_m": e.ellipse.semi_major_m, "semi_minor_m": e.ellipse.semi_minor_m,
                           "orientation_deg": e.ellipse.orientation_deg, "exponent": e.exponent,
                           "residual_sd_db": e.residual_sd_db, "ambiguous": e.ambiguous}),
                ),
            ));
            let ring: Vec<Vec<f64>> = e
                .ellipse
                .outline(e.point.lat_deg, e.point.lon_deg, OUTLINE_POINTS)
                .into_iter()
                .map(|(lat, lon)| vec![lon, lat])
                .collect();
            out.push(feature(
                GeometryValue::new_polygon(vec![ring]),
                with("ellipse95", json!({})),
            ));
            if let Some((lat, lon)) = e.alternative {
                out.push(feature(
                    GeometryValue::new_point(vec![lon, lat]),
                    with("other_candidate", json!({})),
                ));
            }
        }
        for b in &l.bearings {
            let ray = bearing_ray(b, l.estimate.as_ref())
                .into_iter()
                .map(|(lat, lon)| vec![lon, lat]);
            out.push(feature(
                GeometryValue::new_line_string(ray),
                with(
                    "bearing",
                    json!({"bearing_deg": b.bearing_deg, "sd_deg": b.sd_deg}),
                ),
            ));
        }
    }
    out
}

/// A bearing drawn as a line from where it was taken along its direction, past the estimate
/// (twice its distance, at least 500 m), as (lat, lon) points.
fn bearing_ray(b: &Bearing, estimate: Option<&Estimate>) -> [(f64, f64); 2] {
    let (lat, lon) = (b.point.lat_deg, b.point.lon_deg);
    let reach_m = estimate
        .map_or(0.0, |e| 2.0 * e.distance_to_m(lat, lon))
        .max(500.0);
    let th = b.bearing_deg.to_radians();
    let f = LocalFrame::new(lat, lon);
    [
        (lat, lon),
        f.to_lat_lon(reach_m * th.sin(), reach_m * th.cos()),
    ]
}

/// A FeatureCollection of [`features`].
pub fn geojson(locations: &[CellLocation]) -> FeatureCollection {
    FeatureCollection {
        bbox: None,
        features: features(locations),
        foreign_members: None,
    }
}

/// The same as KML 2.2: per cell a folder with the estimate, ellipse, other candidate,
/// centroid, tracks and fixed sensors.
pub fn kml(locations: &[CellLocation]) -> String {
    let mut k = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>cellsentry locate</name>\n\
         <Style id=\"est\"><IconStyle><color>ff0000ff</color></IconStyle></Style>\n\
         <Style id=\"ell\"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle><PolyStyle><color>330000ff</color></PolyStyle></Style>\n\
         <Style id=\"trk\"><LineStyle><color>ffff7f00</color><width>3</width></LineStyle></Style>\n",
    );
    let coords = |pts: &mut dyn Iterator<Item = (f64, f64)>| {
        pts.map(|(lat, lon)| format!("{lon:.7},{lat:.7},0"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for l in locations {
        let _ = writeln!(k, "<Folder><name>{}</name>", escape(&l.cell));
        if let Some(e) = &l.estimate {
            let _ = writeln!(k,
                "<Placemark><name>estimate ({}, 95 % radius {:.0} m)</name><styleUrl>#est</styleUrl><Point><coordinates>{:.7},{:.7},0</coordinates></Point></Placemark>",
                e.method.as_str(), e.radius95_m, e.point.lon_deg, e.point.lat_deg
            );
            let ring = e
                .ellipse
                .outline(e.point.lat_deg, e.point.lon_deg, OUTLINE_POINTS);
            let _ = writeln!(k,
                "<Placemark><name>95 % ellipse</name><styleUrl>#ell</styleUrl><Polygon><outerBoundaryIs><LinearRing><coordinates>{}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
                coords(&mut ring.into_iter())
            );
            if let Some((lat, lon)) = e.alternative {
                let _ = writeln!(k, "<Placemark><name>other candidate (ambiguous: fits nearly as well)</name><styleUrl>#est</styleUrl><Point><coordinates>{lon:.7},{lat:.7},0</coordinates></Point></Placemark>");
            }
        }
        for b in &l.bearings {
            let _ = writeln!(k,
                "<Placemark><name>bearing {:.0} deg (+/- {:.0})</name><styleUrl>#ell</styleUrl><LineString><coordinates>{}</coordinates></LineString></Placemark>",
                b.bearing_deg, b.sd_deg, coords(&mut bearing_ray(b, l.estimate.as_ref()).into_iter())
            );
        }
        if let Some((lat, lon)) = l.centroid {
            let _ = writeln!(k, "<Placemark><name>weighted centroid</name><Point><coordinates>{lon:.7},{lat:.7},0</coordinates></Point></Placemark>");
        }
        for (sensor, rows) in by_sensor(&l.rows) {
            if is_fixed(&rows) {
                let r = rows[0];
                let _ = writeln!(k, "<Placemark><name>fixed sensor {}</name><Point><coordinates>{:.7},{:.7},0</coordinates></Point></Placemark>", escape(sensor), r.point.lon_deg, r.point.lat_deg);
            } else {
                let _ = writeln!(k,
                    "<Placemark><name>track {}</name><styleUrl>#trk</styleUrl><LineString><coordinates>{}</coordinates></LineString></Placemark>",
                    escape(sensor),
                    coords(&mut rows.iter().map(|r| (r.point.lat_deg, r.point.lon_deg)))
                );
            }
        }
        k.push_str("</Folder>\n");
    }
    k.push_str("</Document></kml>\n");
    k
}

/// Viridis-like colour ramp (dark blue -> green -> yellow) for 0..=1.
fn ramp(f: f64) -> String {
    const STOPS: [(f64, [u8; 3]); 5] = [
        (0.0, [68, 1, 84]),
        (0.25, [59, 82, 139]),
        (0.5, [33, 145, 140]),
        (0.75, [94, 201, 98]),
        (1.0, [253, 231, 37]),
    ];
    let f = f.clamp(0.0, 1.0);
    for w in STOPS.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if f <= b {
            let t = (f - a) / (b - a);
            let c: Vec<u8> = (0..3)
                .map(|i| {
                    (f64::from(ca[i]) + t * (f64::from(cb[i]) - f64::from(ca[i]))).round() as u8
                })
                .collect();
            return format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        }
    }
    "#fde725".into()
}

/// Metres per scale-bar step: 1, 2 or 5 times a power of ten, about a fifth of the width.
fn scale_step(width_m: f64) -> f64 {
    let target = (width_m / 5.0).max(1.0);
    let p = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|k| k * p)
        .rfind(|s| *s <= target)
        .unwrap_or(p)
}

/// The map of one located cell as an inline SVG (north up, metres to scale).
pub fn svg(l: &CellLocation) -> Option<String> {
    let first = l.rows.first()?;
    let frame = LocalFrame::new(first.point.lat_deg, first.point.lon_deg);
    let mut pts: Vec<(f64, f64)> = l
        .rows
        .iter()
        .map(|r| frame.to_xy(r.point.lat_deg, r.point.lon_deg))
        .collect();
    let ellipse: Vec<(f64, f64)> = l
        .estimate
        .as_ref()
        .map(|e| {
            e.ellipse
                .outline(e.point.lat_deg, e.point.lon_deg, OUTLINE_POINTS)
                .into_iter()
                .map(|(a, b)| frame.to_xy(a, b))
                .collect()
        })
        .unwrap_or_default();
    pts.extend(&ellipse);
    // The other side of the road, when the fit cannot tell: on the map too.
    let other = l
        .estimate
        .as_ref()
        .and_then(|e| e.alternative)
        .map(|(a, b)| frame.to_xy(a, b));
    pts.extend(other);
    if let Some((a, b)) = l.centroid {
        pts.push(frame.to_xy(a, b));
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in &pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let span = (x1 - x0).max(y1 - y0).max(100.0) * 1.1;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (w, h, pad) = (640.0, 640.0, 40.0);
    let s = (w - 2.0 * pad) / span;
    let px = |x: f64, y: f64| (w / 2.0 + (x - cx) * s, h / 2.0 - (y - cy) * s);
    let (pmin, pmax) = l.rows.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
        (a.min(r.power_db), b.max(r.power_db))
    });
    let prange = (pmax - pmin).max(1.0);
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\" \
         role=\"img\" aria-label=\"map of {}\"><rect width=\"100%\" height=\"100%\" fill=\"#f7f7f2\"/>",
        h + 50.0,
        h + 50.0,
        escape(&l.cell)
    );
    // Track(s) and fixed sensors.
    for (sensor, rows) in by_sensor(&l.rows) {
        if is_fixed(&rows) {
            let n = rows.len() as f64;
            let (x, y) = frame.to_xy(
                rows.iter().map(|r| r.point.lat_deg).sum::<f64>() / n,
                rows.iter().map(|r| r.point.lon_deg).sum::<f64>() / n,
            );
            let p = rows.iter().map(|r| r.power_db).sum::<f64>() / n;
            let (u, v) = px(x, y);
            let _ = write!(
                o,
                "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{}\" stroke=\"#000\"><title>fixed sensor {}: {:.1} {}</title></polygon>",
                u, v - 9.0, u - 8.0, v + 6.0, u + 8.0, v + 6.0,
                ramp((p - pmin) / prange), escape(sensor), p, l.power_unit
            );
            continue;
        }
        let line: Vec<String> = rows
            .iter()
            .map(|r| {
                let (x, y) = frame.to_xy(r.point.lat_deg, r.point.lon_deg);
                let (u, v) = px(x, y);
                format!("{u:.1},{v:.1}")
            })
            .collect();
        let _ = write!(
            o,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\"/>",
            line.join(" ")
        );
        for r in &rows {
            let (x, y) = frame.to_xy(r.point.lat_deg, r.point.lon_deg);
            let (u, v) = px(x, y);
            let _ = write!(
                o,
                "<circle cx=\"{u:.1}\" cy=\"{v:.1}\" r=\"3\" fill=\"{}\"/>",
                ramp((r.power_db - pmin) / prange)
            );
        }
    }
    if let Some(e) = &l.estimate {
        let ring: Vec<String> = ellipse
            .iter()
            .map(|(x, y)| {
                let (u, v) = px(*x, *y);
                format!("{u:.1},{v:.1}")
            })
            .collect();
        let _ = write!(
            o,
            "<polygon points=\"{}\" fill=\"rgba(200,0,0,0.12)\" stroke=\"#c00\" stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>95 % region</title></polygon>",
            ring.join(" ")
        );
        let (x, y) = frame.to_xy(e.point.lat_deg, e.point.lon_deg);
        let (u, v) = px(x, y);
        let _ = write!(
            o,
            "<g stroke=\"#c00\" stroke-width=\"3\"><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/></g>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#c00\">transmitter ({})</text>",
            u - 8.0, v - 8.0, u + 8.0, v + 8.0, u - 8.0, v + 8.0, u + 8.0, v - 8.0,
            u + 11.0, v - 10.0, e.method.as_str()
        );
    }
    if let Some((x, y)) = other {
        let (u, v) = px(x, y);
        let _ = write!(
            o,
            "<g stroke=\"#c00\" stroke-width=\"2\" stroke-dasharray=\"3 2\" fill=\"none\"><circle cx=\"{u:.1}\" cy=\"{v:.1}\" r=\"9\"/>\
             <title>other candidate: fits nearly as well (ambiguous)</title></g>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#c00\">or here?</text>",
            u + 11.0,
            v - 10.0
        );
    }
    if let Some((a, b)) = l.centroid {
        let (x, y) = frame.to_xy(a, b);
        let (u, v) = px(x, y);
        let _ = write!(
            o,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" transform=\"rotate(45 {u:.1} {v:.1})\" fill=\"#555\"><title>weighted centroid of the strongest readings</title></rect>",
            u - 4.5, v - 4.5
        );
    }
    // North arrow, scale bar, power legend.
    let _ = write!(
        o,
        "<g font-size=\"12\" font-family=\"sans-serif\"><path d=\"M{:.0},{:.0} l8,20 l-8,-6 l-8,6 z\" fill=\"#333\"/><text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">N</text>",
        w - 30.0, 12.0, w - 30.0, 46.0
    );
    let step_m = scale_step(span);
    let bar = step_m * s;
    let _ = write!(
        o,
        "<line x1=\"20\" y1=\"{:.0}\" x2=\"{:.1}\" y2=\"{:.0}\" stroke=\"#000\" stroke-width=\"3\"/><text x=\"20\" y=\"{:.0}\">{} m</text>",
        h - 12.0, 20.0 + bar, h - 12.0, h - 18.0, step_m
    );
    for i in 0..50 {
        let _ = write!(
            o,
            "<rect x=\"{:.0}\" y=\"{:.0}\" width=\"6\" height=\"12\" fill=\"{}\"/>",
            150.0 + i as f64 * 6.0,
            h + 12.0,
            ramp(i as f64 / 49.0)
        );
    }
    let _ = write!(
        o,
        "<text x=\"145\" y=\"{:.0}\" text-anchor=\"end\">{:.0} {}</text><text x=\"455\" y=\"{:.0}\">{:.0} {}</text>\
         <text x=\"20\" y=\"{:.0}\">received power</text></g></svg>",
        h + 22.0, pmin, l.power_unit, h + 22.0, pmax, l.power_unit, h + 22.0
    );
    Some(o)
}

/// The report's map section: for every cell with positioned measurements (worst verdict
/// first, at most six), its map and the estimate in words.
pub fn html_section(report: &Report) -> String {
    let mut h = String::new();
    let located: Vec<CellLocation> = report
        .cells
        .iter()
        .map(|c| locate_cell(c.cell.id.0, cell_label(&c.cell.key), &c.observations))
        .filter(|l| !l.rows.is_empty())
        .take(6)
        .collect();
    if located.is_empty() {
        return h;
    }
    h.push_str(
        "<h2>Where the transmitters are</h2><p>Sensor track coloured by received power, fixed \
         sensors as triangles, the estimated transmitter (red cross) with its 95 % region \
         (dashed), the other candidate when the fit cannot tell the two apart (dashed circle), \
         and the weighted centroid of the strongest readings (grey diamond) for comparison. Method and assumptions: docs/locating.md.</p>",
    );
    for l in &located {
        let _ = write!(h, "<h3>{}</h3>", escape(&l.cell));
        match &l.estimate {
            Some(e) => {
                let _ = write!(
                    h,
                    "<p>Estimate {:.6}, {:.6} ({}): 95 % within {:.0} m (ellipse {:.0} x {:.0} m, \
                     axis {:.0} deg); path-loss exponent {:.2}, residual {:.1} dB over {} places.{}</p>",
                    e.point.lat_deg,
                    e.point.lon_deg,
                    e.method.as_str().replace('_', " "),
                    e.radius95_m,
                    e.ellipse.semi_major_m,
                    e.ellipse.semi_minor_m,
                    e.ellipse.orientation_deg,
                    e.exponent,
                    e.residual_sd_db,
                    e.bins,
                    e.alternative.map_or(String::new(), |(lat, lon)| format!(
                        " Ambiguous: {lat:.6}, {lon:.6} (dashed circle) fits nearly as well; \
                         drive near both to tell."
                    )),
                );
            }
            None => {
                let _ = write!(
                    h,
                    "<p>No estimate: {}.</p>",
                    escape(l.reason.as_deref().unwrap_or("-"))
                );
            }
        }
        if let Some(s) = svg(l) {
            h.push_str(&s);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_steps_and_ramp() {
        assert_eq!(scale_step(1000.0), 200.0);
        assert_eq!(scale_step(2600.0), 500.0);
        assert_eq!(ramp(0.0), "#440154");
        assert_eq!(ramp(1.0), "#fde725");
    }

    #[test]
    fn ambiguous_estimate_shows_the_other_side_of_the_road() {
        // A straight road along y = 0 past a transmitter 150 m north of it, noiseless
        // log-distance power: its mirror image 150 m south fits as well.
        let f = LocalFrame::new(51.5, -0.12);
        let rows: Vec<Measurement> = (0..400)
            .map(|i| {
                let (x, y) = (i as f64 * 5.0, 0.0);
                let d = ((x - 900.0f64).powi(2) + (y - 150.0f64).powi(2) + 100.0).sqrt();
                let (lat, lon) = f.to_lat_lon(x, y);
                Measurement {
                    point: cellsentry_locate::GeoPoint::new(lat, lon),
                    power_db: 10.0 - 30.0 * d.log10(),
                    time_unix_ms: i * 500,
                    sensor: "run1".into(),
                }
            })
            .collect();
        let e = cellsentry_locate::locate(&rows, &Default::default()).unwrap();
        assert!(e.ambiguous);
        let loc = CellLocation {
            cell_id: 7,
            cell: "GSM ARFCN 62".into(),
            power_unit: "dBFS",
            estimate: Some(e.clone()),
            reason: None,
            centroid: None,
            bearings: Vec::new(),
            rows,
        };
        // GeoJSON: the other candidate is a point at the mirror image of the estimate.
        let other: Vec<_> = features(std::slice::from_ref(&loc))
            .into_iter()
            .filter(|ft| {
                ft.properties
                    .as_ref()
                    .and_then(|p| p.get("kind"))
                    .is_some_and(|k| k == "other_candidate")
            })
            .collect();
        assert_eq!(other.len(), 1);
        let Some(GeometryValue::Point { coordinates: p }) =
            other[0].geometry.as_ref().map(|g| &g.value)
        else {
            panic!("not a point");
        };
        let (ox, oy) = f.to_xy(p[1], p[0]);
        let (ex, ey) = f.to_xy(e.point.lat_deg, e.point.lon_deg);
        assert!(
            (ox - 900.0).abs() < 10.0 && (oy.abs() - 150.0).abs() < 10.0,
            "{ox} {oy}"
        );
        assert!(oy * ey < 0.0 && (ex - 900.0).abs() < 10.0, "{ex} {ey}");
        assert!(kml(std::slice::from_ref(&loc)).contains("<name>other candidate"));
        let map = svg(&loc).unwrap();
        assert!(map.contains("or here?") && map.contains("other candidate"));
    }
}
