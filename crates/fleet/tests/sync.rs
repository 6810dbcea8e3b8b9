//! Sync against a real PostgreSQL + PostGIS server (a private cluster per test): exactly-once
//! delivery, one central cell per identity, positions, idempotence, least privilege.

mod common;

use cellsentry_fleet::cluster::Cluster;
use cellsentry_fleet::{sync, FleetError, Source, SyncOptions, Target};
use common::*;

fn quiet() -> impl FnMut(cellsentry_fleet::Progress<'_>) {
    |_| {}
}

#[test]
fn two_sensors_sync_exactly_once_and_a_second_sync_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let target = cluster.target().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    let made_a = make_sensor(&a, Some((51.5007, -0.1246)), 1500, T0);
    let made_b = make_sensor(&b, None, 700, T0 + 3_600_000);
    let opts = SyncOptions {
        batch_rows: 500,
        name: Some("london-1".into()),
        organisation: Some("Ofcom".into()),
        country: Some("GB".into()),
        ..SyncOptions::default()
    };
    let ra = sync(&a, &target, &opts, &mut quiet()).unwrap();
    let rb = sync(&b, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    assert_eq!(ra.tables["observations"].sent, made_a.observations);
    assert_eq!(ra.tables["observations"].written, made_a.observations);
    assert_eq!(rb.tables["messages"].written, made_b.messages);

    // Every row once, per sensor.
    let per_sensor = |table: &str, id: i64| {
        count(
            &cluster,
            &format!("SELECT count(*) FROM cellsentry.{table} WHERE sensor_id = {id}"),
        )
    };
    for (r, m) in [(&ra, made_a), (&rb, made_b)] {
        assert_eq!(
            per_sensor("observations", r.central_sensor_id),
            m.observations as i64
        );
        assert_eq!(
            per_sensor("messages", r.central_sensor_id),
            m.messages as i64
        );
        assert_eq!(
            per_sensor("detections", r.central_sensor_id),
            m.detections as i64
        );
        assert_eq!(
            per_sensor("verdicts", r.central_sensor_id),
            m.verdicts as i64
        );
    }
    // The same two cells seen by both sensors are two central cells, each mapped twice.
    assert_eq!(count(&cluster, "SELECT count(*) FROM cellsentry.cells"), 2);
    assert_eq!(
        count(&cluster, "SELECT count(*) FROM cellsentry.sensor_cells"),
        4
    );
    // Cell first/last seen widened over both sensors.
    let span = cluster
        .psql(
            "fleet",
            "SELECT (extract(epoch FROM min(first_seen_at)) * 1000)::bigint || ' ' ||
                    (extract(epoch FROM max(last_seen_at)) * 1000)::bigint FROM cellsentry.cells",
        )
        .unwrap();
    assert_eq!(span, format!("{} {}", T0, T0 + 3_600_000 + 700 * 500));
    // Observations straddle March/April 2026: two monthly partitions, rows in the right one.
    assert_eq!(
        cluster
            .psql(
                "fleet",
                "SELECT string_agg(c.relname || '=' || (SELECT count(*) FROM cellsentry.observations o
                     WHERE o.tableoid = c.oid), ',' ORDER BY c.relname)
                 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'cellsentry.observations'::regclass"
            )
            .unwrap(),
        // Sensor A: 1500 samples x 2 cells from 23:59:00, 120 samples (60 s) in March.
        format!(
            "observations_y2026m03={},observations_y2026m04={}",
            120 * 2,
            made_a.observations + made_b.observations - 240
        )
    );
    // Positions: an observation's own fix where it has one (every 10th sample), else the run's.
    let pos = cluster
        .psql(
            "fleet",
            &format!(
                "SELECT round(ST_Y(position::geometry)::numeric, 5) || ',' ||
                        round(ST_X(position::geometry)::numeric, 4)
                 FROM cellsentry.observations WHERE sensor_id = {} AND sensor_observation_id IN (21, 3)
                 ORDER BY sensor_observation_id",
                ra.central_sensor_id
            ),
        )
        .unwrap();
    // Local observation 3 is sample 1 (run position); 21 is sample 10 (own fix, +10e-5 deg).
    assert_eq!(pos, "51.50070,-0.1246\n51.50080,-0.1246");
    assert_eq!(
        count(
            &cluster,
            &format!(
                "SELECT count(*) FROM cellsentry.observations WHERE sensor_id = {} AND position IS NULL",
                rb.central_sensor_id
            )
        ),
        made_b.observations as i64
    );
    // The sensor's name, organisation and country (GB read as the uk profile) are stored.
    assert_eq!(
        cluster
            .psql(
                "fleet",
                &format!(
                    "SELECT name || '/' || organisation || '/' || country || '/' || sensor_uuid
                     FROM cellsentry.sensors WHERE id = {}",
                    ra.central_sensor_id
                )
            )
            .unwrap(),
        format!("london-1/Ofcom/uk/{}", ra.sensor.id)
    );
    // Paging is counted (two distinct IMSIs) but no identity left the sensor.
    assert_eq!(
        cluster
            .psql(
                "fleet",
                "SELECT string_agg(imsi_pages || ':' || distinct_imsis, ',') FROM cellsentry.paging_counts"
            )
            .unwrap(),
        "2:2,2:2"
    );
    assert_eq!(
        count(
            &cluster,
            "SELECT count(*) FROM cellsentry.paging_identities"
        ),
        0
    );

    // A second sync of both: nothing sent, no row changed (checksums include xmin).
    let before = checksums(&cluster);
    let again_a = sync(&a, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    let again_b = sync(&b, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    assert_eq!((again_a.sent(), again_b.sent()), (0, 0), "{again_a:?}");
    assert_eq!(again_a.sensor.name.as_deref(), Some("london-1"));
    assert_eq!(checksums(&cluster), before);

    // --full sends everything again and still stores every row once.
    let full = sync(
        &a,
        &target,
        &SyncOptions {
            full: true,
            ..SyncOptions::default()
        },
        &mut quiet(),
    )
    .unwrap();
    assert_eq!(full.tables["observations"].sent, made_a.observations);
    assert_eq!(full.tables["observations"].written, 0);
    assert_eq!(
        per_sensor("observations", ra.central_sensor_id),
        made_a.observations as i64
    );
}

#[test]
fn new_rows_on_the_sensor_are_sent_on_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let target = cluster.target().unwrap();
    let a = dir.path().join("a.sqlite");
    let first = make_sensor(&a, Some((52.2, 0.12)), 300, T0);
    let r1 = sync(&a, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    // A second run on the same sensor: only its rows travel.
    let second = make_sensor(&a, Some((52.2, 0.12)), 200, T0 + 86_400_000);
    let r2 = sync(&a, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    assert_eq!(r2.central_sensor_id, r1.central_sensor_id);
    assert_eq!(r2.tables["observations"].sent, second.observations);
    assert_eq!(r2.tables["runs"].written, 1);
    assert_eq!(
        count(&cluster, "SELECT count(*) FROM cellsentry.observations"),
        (first.observations + second.observations) as i64
    );
    assert_eq!(count(&cluster, "SELECT count(*) FROM cellsentry.runs"), 2);
    assert_eq!(
        r2.tables["observations"].central_rows,
        Some(first.observations + second.observations)
    );
}

#[test]
fn least_privilege_sensor_role_syncs_its_own_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    // The owner migrates; the DBA runs the roles script and makes two sensor logins.
    let mut owner = cluster.target().unwrap().connect().unwrap();
    cellsentry_fleet::schema::migrate(&mut owner).unwrap();
    let roles = dir.path().join("roles.sql");
    std::fs::write(&roles, cellsentry_fleet::schema::ROLES_SQL).unwrap();
    cluster.psql_file("fleet", &roles).unwrap();
    cluster
        .psql(
            "fleet",
            "CREATE ROLE sensor_a LOGIN PASSWORD 'pa' IN ROLE cellsentry_sensor;
             CREATE ROLE sensor_b LOGIN PASSWORD 'pb' IN ROLE cellsentry_sensor;
             CREATE ROLE analyst LOGIN PASSWORD 'pr' IN ROLE cellsentry_reader;",
        )
        .unwrap();
    let as_a = Target::resolve(&Source::Literal(cluster.url_for("sensor_a", "pa"))).unwrap();
    let as_b = Target::resolve(&Source::Literal(cluster.url_for("sensor_b", "pb"))).unwrap();
    let a = dir.path().join("a.sqlite");
    let made = make_sensor(&a, Some((51.5, -0.12)), 400, T0);
    let r = sync(&a, &as_a, &SyncOptions::default(), &mut quiet()).unwrap();
    assert_eq!(r.tables["observations"].written, made.observations);
    assert_eq!(
        count(&cluster, "SELECT count(*) FROM cellsentry.observations"),
        made.observations as i64
    );
    // Another sensor's login may not write as sensor A.
    let err = sync(&a, &as_b, &SyncOptions::default(), &mut quiet()).unwrap_err();
    assert!(matches!(err, FleetError::Refused(_)), "{err}");
    assert!(
        err.to_string().contains("belongs to role sensor_a"),
        "{err}"
    );
    // A sensor login reads no table directly, nor writes one; it may read the baseline.
    let mut client_a = as_a.connect().unwrap();
    for sql in [
        "SELECT count(*) FROM cellsentry.observations",
        "SELECT count(*) FROM cellsentry.sensors",
        "DELETE FROM cellsentry.verdicts",
    ] {
        let e = client_a.simple_query(sql).unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}"
        );
    }
    client_a
        .simple_query("SELECT count(*) FROM cellsentry.baseline_cells")
        .unwrap();
    // The schema cannot be migrated by a sensor: a too-old schema is one clear error.
    assert!(cellsentry_fleet::schema::migrate(&mut client_a).is_err());
    // The reader sees everything but the (hashed) identities.
    let reader = Target::resolve(&Source::Literal(cluster.url_for("analyst", "pr"))).unwrap();
    let mut rc = reader.connect().unwrap();
    let n: i64 = rc
        .query_one("SELECT count(*) FROM cellsentry.observations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, made.observations as i64);
    assert!(rc
        .simple_query("SELECT count(*) FROM cellsentry.paging_identities")
        .is_err());
}

#[test]
fn identities_travel_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let target = cluster.target().unwrap();
    let a = dir.path().join("a.sqlite");
    make_sensor(&a, None, 50, T0);
    sync(&a, &target, &SyncOptions::default(), &mut quiet()).unwrap();
    assert_eq!(
        count(
            &cluster,
            "SELECT count(*) FROM cellsentry.paging_identities"
        ),
        0
    );
    let r = sync(
        &a,
        &target,
        &SyncOptions {
            include_identities: true,
            ..SyncOptions::default()
        },
        &mut quiet(),
    )
    .unwrap();
    assert_eq!(r.tables["paging_identities"].written, 2);
    // Salted SHA-256 only: the store kept no clear text, so none is sent.
    assert_eq!(
        cluster
            .psql(
                "fleet",
                "SELECT count(*) || ' ' || bool_and(length(identity_hash) = 64 AND identity_clear IS NULL)
                 FROM cellsentry.paging_identities"
            )
            .unwrap(),
        "2 true"
    );
}

#[test]
fn server_restart_mid_sync_resumes_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let target = cluster.target().unwrap();
    let a = dir.path().join("a.sqlite");
    let made = make_sensor(&a, Some((51.5, -0.12)), 60_000, T0);
    let path = a.clone();
    let t = target.clone();
    let worker = std::thread::spawn(move || {
        sync(
            &path,
            &t,
            &SyncOptions {
                batch_rows: 2_000,
                ..SyncOptions::default()
            },
            &mut |_| {},
        )
    });
    // Crash the server once some batches are in (an immediate stop is a crash for PostgreSQL:
    // it recovers from its WAL at the next start), then bring it back.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let n = cluster
            .psql(
                "fleet",
                "SELECT coalesce((SELECT sum(row_count) FROM cellsentry.sync_state
                   WHERE table_name = 'observations'), 0)",
            )
            .unwrap_or_default();
        if n.parse::<i64>().unwrap_or(0) > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "sync never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    cluster.stop("immediate").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    cluster.restart().unwrap();
    let report = worker.join().unwrap().unwrap();
    assert!(report.reconnects >= 1, "{report:?}");
    assert_eq!(
        count(&cluster, "SELECT count(*) FROM cellsentry.observations"),
        made.observations as i64
    );
    assert_eq!(
        count(
            &cluster,
            "SELECT count(DISTINCT sensor_observation_id) FROM cellsentry.observations"
        ),
        made.observations as i64
    );
    assert_eq!(
        count(&cluster, "SELECT count(*) FROM cellsentry.messages"),
        made.messages as i64
    );
}

#[test]
fn wrong_password_and_unreachable_server_fail_at_once_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cluster) = Cluster::start_or_skip(dir.path()) else {
        return;
    };
    let a = dir.path().join("a.sqlite");
    make_sensor(&a, None, 10, T0);
    let wrong = Target::resolve(&Source::Literal(
        cluster.url_for("postgres", "not-the-S3cret"),
    ))
    .unwrap();
    let started = std::time::Instant::now();
    let err = sync(&a, &wrong, &SyncOptions::default(), &mut quiet()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, FleetError::Connect(_)), "{text}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(
        !text.contains("not-the-S3cret") && !text.contains('\n'),
        "{text}"
    );
    assert!(started.elapsed().as_secs() < 5);
    // A port nobody listens on.
    let url = format!(
        "postgresql://postgres:S3cret@127.0.0.1:{}/fleet?sslmode=disable",
        cluster.port + 1
    );
    let err = sync(
        &a,
        &Target::resolve(&Source::Literal(url)).unwrap(),
        &SyncOptions::default(),
        &mut quiet(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, FleetError::Connect(_)), "{text}");
    assert!(
        text.contains("refused") && !text.contains("S3cret"),
        "{text}"
    );
}
