//! The central report against a real server: blasters merged by identity across sensors and
//! channels, where each sensor saw it, and the time, area and country filters.

mod common;

use cellsentry_fleet::cluster::Cluster;
use cellsentry_fleet::report::{self, ReportFilter};
use cellsentry_fleet::{render, sync, SyncOptions};
use common::*;

const LONDON: (f64, f64) = (51.5007, -0.1246);
const MANCHESTER: (f64, f64) = (53.4808, -2.2426);
const DAY_MS: i64 = 86_400_000;

fn fleet(dir: &std::path::Path) -> Option<(Cluster, String, String)> {
    let cluster = Cluster::start_or_skip(dir)?;
    let target = cluster.target().unwrap();
    let a = dir.join("london.sqlite");
    let b = dir.join("manchester.sqlite");
    make_sensor_on(&a, Some(LONDON), 400, T0, 70);
    // Two days later in Manchester, the same blaster identity on another ARFCN.
    make_sensor_on(&b, Some(MANCHESTER), 300, T0 + 2 * DAY_MS, 75);
    let opts = |name: &str| SyncOptions {
        name: Some(name.into()),
        organisation: Some("Ofcom".into()),
        ..SyncOptions::default()
    };
    let ra = sync(&a, &target, &opts("london"), &mut |_| {}).unwrap();
    let rb = sync(&b, &target, &opts("manchester"), &mut |_| {}).unwrap();
    Some((cluster, ra.sensor.id, rb.sensor.id))
}

#[test]
fn one_blaster_with_every_sensor_that_saw_it_and_the_filters() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cluster, london, manchester)) = fleet(dir.path()) else {
        return;
    };
    let mut client = cluster.target().unwrap().connect().unwrap();

    let all = report::load(&mut client, &ReportFilter::default()).unwrap();
    assert_eq!(all.fleet_sensors, 2);
    // The legitimate cell (clean verdicts) is not there; the blaster is there once.
    assert_eq!(all.blasters.len(), 1, "{all:#?}");
    let b = &all.blasters[0];
    assert_eq!(b.merged_by, "identity");
    assert_eq!(b.identity, "GSM 234-15 LAC 1000 CI 4321");
    assert_eq!(b.level, "likely_fake");
    assert_eq!(b.sensors, 2);
    assert_eq!(b.rules, vec!["gsm.cro_extreme".to_string()]);
    let channels: Vec<i64> = b.cells.iter().map(|c| c.channel_number).collect();
    assert_eq!(channels, vec![70, 75]);
    // Sightings in time order: London then Manchester, each over its own observations.
    let s = &b.sightings;
    assert_eq!(
        (s[0].sensor_id.as_str(), s[1].sensor_id.as_str()),
        (london.as_str(), manchester.as_str())
    );
    assert_eq!(s[0].sensor_name.as_deref(), Some("london"));
    assert_eq!(s[0].observations, 400);
    assert_eq!(s[0].first_seen_unix_ms, T0);
    assert_eq!(s[0].last_seen_unix_ms, T0 + 399 * 500);
    assert_eq!(s[1].first_seen_unix_ms, T0 + 2 * DAY_MS);
    assert_eq!(b.first_seen, "2026-03-31T23:59:00.000Z");
    // Where: the strongest observation. The blaster's power is -25 + (i mod 7) dB, highest
    // first at sample 6, which has no fix of its own: the run's position.
    assert_eq!(s[0].power_dbfs, Some(-19.0));
    assert!((s[0].lat_deg.unwrap() - LONDON.0).abs() < 1e-9);
    assert!((s[1].lon_deg.unwrap() - MANCHESTER.1).abs() < 1e-9);

    // Area: 25 km around London keeps London's sighting only; a box around Manchester keeps
    // Manchester's; a box over the sea keeps nothing.
    let near_london = report::load(
        &mut client,
        &ReportFilter {
            near: Some((51.45, -0.2, 25_000.0)),
            ..ReportFilter::default()
        },
    )
    .unwrap();
    assert_eq!(near_london.blasters.len(), 1);
    assert_eq!(near_london.blasters[0].sightings.len(), 1);
    assert_eq!(near_london.blasters[0].sightings[0].sensor_id, london);
    let boxed = report::load(
        &mut client,
        &ReportFilter {
            bbox: Some([-2.5, 53.3, -2.0, 53.6]),
            ..ReportFilter::default()
        },
    )
    .unwrap();
    assert_eq!(boxed.blasters[0].sightings.len(), 1);
    assert_eq!(boxed.blasters[0].sightings[0].sensor_id, manchester);
    let sea = report::load(
        &mut client,
        &ReportFilter {
            bbox: Some([-5.0, 50.0, -4.5, 50.2]),
            ..ReportFilter::default()
        },
    )
    .unwrap();
    assert!(sea.blasters.is_empty());

    // Time: from one day after T0 only Manchester's verdicts and observations count.
    let later = report::load(
        &mut client,
        &ReportFilter {
            since: Some("2026-04-02T00:00:00Z".into()),
            ..ReportFilter::default()
        },
    )
    .unwrap();
    assert_eq!(later.blasters[0].sensors, 1);
    assert_eq!(later.blasters[0].sightings[0].sensor_id, manchester);
    let before = report::load(
        &mut client,
        &ReportFilter {
            until: Some("2026-03-01".into()),
            ..ReportFilter::default()
        },
    )
    .unwrap();
    assert!(before.blasters.is_empty());
    // Country: the runs were made with the uk profile.
    for (c, n) in [("uk", 1), ("GB", 1), ("jp", 0)] {
        let r = report::load(
            &mut client,
            &ReportFilter {
                country: Some(c.into()),
                ..ReportFilter::default()
            },
        )
        .unwrap();
        assert_eq!(r.blasters.len(), n, "{c}");
    }
    // Bad filters are input errors, not SQL errors.
    assert!(matches!(
        report::load(
            &mut client,
            &ReportFilter {
                since: Some("yesterday-ish".into()),
                ..ReportFilter::default()
            }
        ),
        Err(cellsentry_fleet::FleetError::InvalidInput(_))
    ));
    assert!(report::load(
        &mut client,
        &ReportFilter {
            bbox: Some([1.0, 1.0, 0.0, 0.0]),
            ..ReportFilter::default()
        }
    )
    .is_err());

    // Renderings carry the same facts.
    let table = render::render_table(&all);
    assert!(
        table.contains("GSM 234-15 LAC 1000 CI 4321") && table.contains("london (Ofcom)"),
        "{table}"
    );
    let geo = render::render_geojson(&all);
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(
        features[0]["geometry"]["coordinates"][0],
        serde_json::json!(LONDON.1)
    );
    let html = render::render_html(&all, "t");
    assert!(html.contains("<h3>GSM 234-15 LAC 1000 CI 4321</h3>") && html.contains("manchester"));
}

#[test]
fn the_fleet_baseline_holds_cells_every_sensor_found_clean() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cluster, _, _)) = fleet(dir.path()) else {
        return;
    };
    let mut client = cluster.target().unwrap().connect().unwrap();
    let b = cellsentry_fleet::baseline::export(&mut client, &Default::default()).unwrap();
    // The legitimate cell, judged clean by both sensors; never the blaster.
    assert_eq!(b.cells.len(), 1, "{b:#?}");
    let k = &b.cells[0].key;
    assert_eq!(
        (k.lac_tac, k.cell_id, k.channel, k.bsic_pci),
        (Some(1000), Some(4321), Some(62), Some(7))
    );
    assert_eq!(k.plmn.as_ref().unwrap().to_string(), "234-15");
    // It reads back as a detector baseline file.
    let path = dir.path().join("b.json");
    b.save(&path).unwrap();
    assert_eq!(cellsentry_detect::Baseline::load(&path).unwrap(), b);
    // Three sensors required: none; near Manchester only (both saw it, one there): still it.
    let strict = cellsentry_fleet::baseline::export(
        &mut client,
        &cellsentry_fleet::baseline::BaselineFilter {
            min_sensors: 3,
            near: None,
        },
    )
    .unwrap();
    assert!(strict.cells.is_empty());
    let near = cellsentry_fleet::baseline::export(
        &mut client,
        &cellsentry_fleet::baseline::BaselineFilter {
            min_sensors: 2,
            near: Some((MANCHESTER.0, MANCHESTER.1, 5_000.0)),
        },
    )
    .unwrap();
    assert_eq!(near.cells.len(), 1);
    let nowhere = cellsentry_fleet::baseline::export(
        &mut client,
        &cellsentry_fleet::baseline::BaselineFilter {
            min_sensors: 1,
            near: Some((0.0, 0.0, 5_000.0)),
        },
    )
    .unwrap();
    assert!(nowhere.cells.is_empty());
}

#[test]
fn a_blaster_under_a_new_identity_is_merged_by_its_si_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let target = cluster.target().unwrap();
    let fp = "gsm-si1:370bffb93e744c52aaaaaaaaaaaaaaaa";
    // London: CI 40961 on ARFCN 62. Manchester, a week later: CI 777 in LAC 2000 on ARFCN 80,
    // same configuration. Leeds: an unrelated flagged cell with no fingerprint.
    let sensors = [
        (
            "london",
            LONDON,
            gsm("234", "15", 1000, 40961, 62, 12),
            Some(fp),
            0,
        ),
        (
            "manchester",
            MANCHESTER,
            gsm("234", "15", 2000, 777, 80, 21),
            Some(fp),
            7,
        ),
        (
            "leeds",
            (53.8, -1.55),
            gsm("234", "10", 3000, 555, 90, 3),
            None,
            8,
        ),
    ];
    for (name, pos, key, f, day) in sensors {
        let db = dir.path().join(format!("{name}.sqlite"));
        make_sensor_with(&db, Some(pos), 100, T0 + day * DAY_MS, key, f);
        let opts = SyncOptions {
            name: Some(name.into()),
            ..SyncOptions::default()
        };
        sync(&db, &target, &opts, &mut |_| {}).unwrap();
    }
    let mut client = target.connect().unwrap();
    let r = report::load(&mut client, &ReportFilter::default()).unwrap();
    assert_eq!(r.blasters.len(), 2, "{r:#?}");
    let merged = r.blasters.iter().find(|b| b.sensors == 2).unwrap();
    assert_eq!(merged.merged_by, "fingerprint");
    assert_eq!(merged.fingerprints, vec![fp.to_string()]);
    let cis: Vec<&str> = merged.sightings.iter().map(|s| s.cell.as_str()).collect();
    assert_eq!(
        cis,
        vec!["gsm|234|15|1000|40961|62|12", "gsm|234|15|2000|777|80|21"]
    );
    let alone = r.blasters.iter().find(|b| b.sensors == 1).unwrap();
    assert_eq!(alone.identity, "GSM 234-10 LAC 3000 CI 555");
    assert!(alone.fingerprints.is_empty());
    assert!(render::render_table(&r).contains("merged by fingerprint; SI fingerprint gsm-si1:370b"));
}
