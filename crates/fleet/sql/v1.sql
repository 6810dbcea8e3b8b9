-- cellsentry central schema, version 1: sensors, their runs, the cells they saw (one row per
-- cell however many sensors saw it), observations and messages partitioned by month,
-- detections, verdicts, paging counters, and the ingest functions sensors call.
--
-- Sensors never write tables directly: they COPY into temporary staging tables of their own
-- session and call the SECURITY DEFINER ingest functions below, which check that the sensor
-- belongs to the logged-in role and resolve the sensor's local run/cell ids to central ones.
-- That keeps a least-privilege sensor role (see roles.sql) to "insert its own rows" and lets
-- every insert be idempotent (ON CONFLICT DO NOTHING on the sensor's own row ids).

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE cellsentry.sensors (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sensor_uuid        uuid NOT NULL UNIQUE,
    name               text,
    organisation       text,
    country            text CHECK (country ~ '^[a-z]{2}$'),
    -- The login role that registered the sensor: only it (or the schema owner) may add rows.
    db_role            name NOT NULL,
    cellsentry_version text,
    registered_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cellsentry.runs (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sensor_id          bigint NOT NULL REFERENCES cellsentry.sensors (id),
    sensor_run_id      bigint NOT NULL,
    started_at         timestamptz NOT NULL,
    ended_at           timestamptz,
    kind               text NOT NULL,
    source             text NOT NULL,
    device             text,
    settings           jsonb NOT NULL DEFAULT '{}',
    sample_rate_hz     double precision,
    center_freq_hz     double precision,
    cellsentry_version text NOT NULL,
    host_position      geography(Point, 4326),
    -- The run's country profile (replay --country) or else the sensor's country.
    country            text,
    status             text NOT NULL,
    note               text,
    UNIQUE (sensor_id, sensor_run_id)
);
CREATE INDEX runs_started ON cellsentry.runs (started_at);
CREATE INDEX runs_host_position ON cellsentry.runs USING gist (host_position);

-- One row per cell identity across all sensors; natural_key is the store's canonical text
-- (rat|mcc|mnc|lac-or-tac|ci-or-eci|arfcn-or-earfcn|bsic-or-pci, empty where unknown).
CREATE TABLE cellsentry.cells (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rat            text NOT NULL CHECK (rat IN ('gsm', 'lte')),
    natural_key    text NOT NULL UNIQUE,
    mcc            text,
    mnc            text,
    area_code      bigint,
    cell_identity  bigint,
    channel_number bigint NOT NULL,
    phys_id        integer,
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL
);
CREATE INDEX cells_channel ON cellsentry.cells (rat, channel_number, phys_id);
CREATE INDEX cells_identity ON cellsentry.cells (mcc, mnc, area_code, cell_identity);

-- Each sensor's local cell ids, mapped to the central cell.
CREATE TABLE cellsentry.sensor_cells (
    sensor_id      bigint NOT NULL REFERENCES cellsentry.sensors (id),
    sensor_cell_id bigint NOT NULL,
    cell_id        bigint NOT NULL REFERENCES cellsentry.cells (id),
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    label          text,
    PRIMARY KEY (sensor_id, sensor_cell_id)
);
CREATE INDEX sensor_cells_cell ON cellsentry.sensor_cells (cell_id);

-- Position: the observation's own fix, else the sensor's position for the run.
CREATE TABLE cellsentry.observations (
    sensor_id             bigint NOT NULL,
    sensor_observation_id bigint NOT NULL,
    run_id                bigint NOT NULL,
    cell_id               bigint NOT NULL,
    observed_at           timestamptz NOT NULL,
    freq_hz               double precision NOT NULL,
    channel_number        bigint,
    power_dbfs            double precision,
    power_dbm             double precision,
    snr_db                double precision,
    freq_offset_hz        double precision,
    freq_offset_ppm       double precision,
    blocks_ok             integer NOT NULL,
    blocks_failed         integer NOT NULL,
    position              geography(Point, 4326),
    summary               jsonb NOT NULL,
    PRIMARY KEY (sensor_id, sensor_observation_id, observed_at)
) PARTITION BY RANGE (observed_at);
CREATE INDEX observations_cell_time ON cellsentry.observations (cell_id, observed_at);
CREATE INDEX observations_position ON cellsentry.observations USING gist (position);
-- The few observations that carry a cell's system-information fingerprint (detect's
-- SiFingerprint, in the summary), found per cell by the central report to merge blasters.
CREATE INDEX observations_fingerprint ON cellsentry.observations (cell_id, observed_at)
    WHERE (summary -> 'si_fingerprint' ->> 'id') IS NOT NULL;

CREATE TABLE cellsentry.messages (
    sensor_id             bigint NOT NULL,
    sensor_message_id     bigint NOT NULL,
    run_id                bigint NOT NULL,
    cell_id               bigint NOT NULL,
    sensor_observation_id bigint,
    received_at           timestamptz NOT NULL,
    frame_number          bigint,
    channel               text NOT NULL,
    message_type          text NOT NULL,
    raw                   bytea NOT NULL,
    decoded               jsonb,
    error                 text,
    PRIMARY KEY (sensor_id, sensor_message_id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX messages_cell_time ON cellsentry.messages (cell_id, received_at);

CREATE TABLE cellsentry.detections (
    sensor_id           bigint NOT NULL REFERENCES cellsentry.sensors (id),
    sensor_detection_id bigint NOT NULL,
    run_id              bigint NOT NULL REFERENCES cellsentry.runs (id),
    cell_id             bigint REFERENCES cellsentry.cells (id),
    rule_id             text NOT NULL,
    rule_version        integer NOT NULL,
    severity            text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high')),
    score               double precision NOT NULL,
    detected_at         timestamptz NOT NULL,
    summary             text,
    evidence            jsonb NOT NULL,
    PRIMARY KEY (sensor_id, sensor_detection_id)
);
CREATE INDEX detections_cell_time ON cellsentry.detections (cell_id, detected_at);
CREATE INDEX detections_time ON cellsentry.detections (detected_at);

CREATE TABLE cellsentry.verdicts (
    sensor_id         bigint NOT NULL REFERENCES cellsentry.sensors (id),
    sensor_verdict_id bigint NOT NULL,
    run_id            bigint NOT NULL REFERENCES cellsentry.runs (id),
    cell_id           bigint NOT NULL REFERENCES cellsentry.cells (id),
    level             text NOT NULL CHECK (level IN ('clean', 'suspicious', 'likely_fake')),
    score             double precision NOT NULL,
    judged_at         timestamptz NOT NULL,
    rules_fired       jsonb NOT NULL,
    PRIMARY KEY (sensor_id, sensor_verdict_id)
);
CREATE INDEX verdicts_cell_time ON cellsentry.verdicts (cell_id, judged_at);
-- The central report starts from the non-clean verdicts of a time window.
CREATE INDEX verdicts_flagged ON cellsentry.verdicts (judged_at) WHERE level <> 'clean';

-- Paging is counted, not identified: distinct_* are counts of the sensor's salted hashes.
CREATE TABLE cellsentry.paging_counts (
    sensor_id       bigint NOT NULL REFERENCES cellsentry.sensors (id),
    run_id          bigint NOT NULL REFERENCES cellsentry.runs (id),
    cell_id         bigint NOT NULL REFERENCES cellsentry.cells (id),
    paging_messages bigint NOT NULL,
    imsi_pages      bigint NOT NULL,
    tmsi_pages      bigint NOT NULL,
    other_pages     bigint NOT NULL,
    distinct_imsis  bigint NOT NULL,
    distinct_tmsis  bigint NOT NULL,
    first_at        timestamptz NOT NULL,
    last_at         timestamptz NOT NULL,
    PRIMARY KEY (run_id, cell_id)
);

-- Only filled by `sync --include-identities`: salted hashes (per sensor salt, so they cannot
-- be matched across sensors), clear text only if the sensor itself stored it.
CREATE TABLE cellsentry.paging_identities (
    sensor_id      bigint NOT NULL REFERENCES cellsentry.sensors (id),
    run_id         bigint NOT NULL REFERENCES cellsentry.runs (id),
    cell_id        bigint NOT NULL REFERENCES cellsentry.cells (id),
    kind           text NOT NULL,
    identity_hash  text NOT NULL,
    identity_clear text,
    count          bigint NOT NULL,
    first_at       timestamptz NOT NULL,
    last_at        timestamptz NOT NULL,
    PRIMARY KEY (run_id, cell_id, kind, identity_hash)
);

-- Where each sensor's sync stands: the highest local row id committed per append-only table,
-- and a digest of the small mutable tables (runs, cells, paging) as last sent, so that a
-- sync with nothing new sends nothing. Updated in the same transaction as the rows.
CREATE TABLE cellsentry.sync_state (
    sensor_id      bigint NOT NULL REFERENCES cellsentry.sensors (id),
    table_name     text NOT NULL,
    last_sensor_id bigint NOT NULL DEFAULT 0,
    row_count      bigint NOT NULL DEFAULT 0,
    digest         text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sensor_id, table_name)
);

-- Cells the fleet agrees are legitimate: judged by at least one sensor, never judged anything
-- but clean by any, and no detection above 'low' severity. `cellsentry fleet baseline` picks
-- those seen by enough sensors.
CREATE VIEW cellsentry.baseline_cells AS
SELECT c.id, c.rat, c.natural_key, c.mcc, c.mnc, c.area_code, c.cell_identity,
       c.channel_number, c.phys_id, c.first_seen_at, c.last_seen_at,
       count(DISTINCT v.sensor_id) AS sensors,
       count(*) AS verdicts
FROM cellsentry.cells c
JOIN cellsentry.verdicts v ON v.cell_id = c.id
GROUP BY c.id
HAVING bool_and(v.level = 'clean')
   AND NOT EXISTS (SELECT 1 FROM cellsentry.detections d
                   WHERE d.cell_id = c.id AND d.severity IN ('medium', 'high'));

------------------------------------------------------------------------------------------------
-- Functions. All run as the schema owner with a fixed search_path; sensors get EXECUTE only.

-- The sensor row of the logged-in role, or an error: a role may only write as sensors it
-- registered; the schema owner and superusers may write as any.
CREATE FUNCTION cellsentry.check_sensor(p_sensor bigint) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner_role name;
BEGIN
    SELECT db_role INTO owner_role FROM cellsentry.sensors WHERE id = p_sensor;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no sensor %', p_sensor;
    END IF;
    IF owner_role <> session_user
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
       AND NOT pg_has_role(session_user,
                           (SELECT nspowner FROM pg_namespace WHERE nspname = 'cellsentry'),
                           'MEMBER') THEN
        RAISE EXCEPTION 'sensor % belongs to role %, not to %', p_sensor, owner_role, session_user;
    END IF;
END $$;

-- Registers a sensor (first sync) or updates its name/organisation/country when they changed;
-- returns its central id.
CREATE FUNCTION cellsentry.register_sensor(p_uuid uuid, p_name text, p_org text,
                                           p_country text, p_version text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sid bigint;
BEGIN
    INSERT INTO cellsentry.sensors (sensor_uuid, name, organisation, country, db_role,
                                    cellsentry_version)
    VALUES (p_uuid, p_name, p_org, p_country, session_user, p_version)
    ON CONFLICT (sensor_uuid) DO NOTHING
    RETURNING id INTO sid;
    IF sid IS NULL THEN
        SELECT id INTO sid FROM cellsentry.sensors WHERE sensor_uuid = p_uuid;
        PERFORM cellsentry.check_sensor(sid);
        UPDATE cellsentry.sensors
           SET name = p_name, organisation = p_org, country = p_country,
               cellsentry_version = p_version
         WHERE id = sid
           AND (name, organisation, country, cellsentry_version)
               IS DISTINCT FROM (p_name, p_org, p_country, p_version);
    END IF;
    RETURN sid;
END $$;

-- The sensor's sync state rows.
CREATE FUNCTION cellsentry.sync_state_of(p_sensor bigint)
RETURNS TABLE (table_name text, last_sensor_id bigint, row_count bigint, digest text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    RETURN QUERY SELECT s.table_name, s.last_sensor_id, s.row_count, s.digest
                 FROM cellsentry.sync_state s WHERE s.sensor_id = p_sensor;
END $$;

-- Internal (not granted to sensors): called by the ingest functions after their own check.
CREATE FUNCTION cellsentry.note_sync(p_sensor bigint, p_table text, p_last bigint,
                                     p_rows bigint, p_digest text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO cellsentry.sync_state AS s (sensor_id, table_name, last_sensor_id, row_count,
                                            digest)
    VALUES (p_sensor, p_table, coalesce(p_last, 0), p_rows, p_digest)
    ON CONFLICT (sensor_id, table_name) DO UPDATE
       SET last_sensor_id = greatest(s.last_sensor_id, excluded.last_sensor_id),
           row_count = s.row_count + excluded.row_count,
           digest = coalesce(excluded.digest, s.digest),
           updated_at = now()
     WHERE excluded.last_sensor_id > s.last_sensor_id
        OR excluded.row_count > 0
        OR excluded.digest IS DISTINCT FROM s.digest AND excluded.digest IS NOT NULL;
$$;

-- Records the digest of a small table (runs, cells, paging) as just sent.
CREATE FUNCTION cellsentry.note_digest(p_sensor bigint, p_table text, p_digest text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    IF p_table NOT IN ('runs', 'cells', 'paging', 'paging_identities') THEN
        RAISE EXCEPTION 'no digest for table %', p_table;
    END IF;
    PERFORM cellsentry.note_sync(p_sensor, p_table, NULL, 0, p_digest);
END $$;

-- Monthly partitions of observations and messages for the given months ('YYYY-MM-01'),
-- created when missing. Called in its own short transaction before a batch that needs them:
-- creating a partition locks the parent, which must not be held across a long COPY.
CREATE FUNCTION cellsentry.ensure_partitions(p_months text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m date;
    t text;
    part text;
    made integer := 0;
BEGIN
    FOREACH m IN ARRAY p_months::date[] LOOP
        m := date_trunc('month', m)::date;
        FOREACH t IN ARRAY ARRAY['observations', 'messages'] LOOP
            part := format('%s_y%sm%s', t, to_char(m, 'YYYY'), to_char(m, 'MM'));
            IF to_regclass(format('cellsentry.%I', part)) IS NULL THEN
                PERFORM pg_advisory_xact_lock(hashtext('cellsentry.ensure_partitions'));
                IF to_regclass(format('cellsentry.%I', part)) IS NULL THEN
                    EXECUTE format(
                        'CREATE TABLE cellsentry.%I PARTITION OF cellsentry.%I '
                        'FOR VALUES FROM (%L) TO (%L)',
                        part, t, to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                        to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
                    made := made + 1;
                END IF;
            END IF;
        END LOOP;
    END LOOP;
    RETURN made;
END $$;

-- Staged rows whose run or cell the sensor has not synced: the client syncs runs and cells
-- first, so any is a bug or a sensor database changed underneath; refuse rather than drop.
CREATE FUNCTION cellsentry.refuse_unmapped(p_what text, p_count bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_count > 0 THEN
        RAISE EXCEPTION '% staged % refer to runs or cells this sensor has not synced',
            p_count, p_what;
    END IF;
END $$;

CREATE FUNCTION cellsentry.ingest_runs(p_sensor bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    n bigint;
    bad bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    -- A local run id that now names a different run (deleted and reused on the sensor).
    SELECT s.sensor_run_id INTO bad
      FROM pg_temp.stage_runs s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
     WHERE r.started_at <> s.started_at OR r.source <> s.source
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'run % on the sensor is not the run % synced before (deleted and its id reused?)',
            bad, bad;
    END IF;
    INSERT INTO cellsentry.runs AS r (sensor_id, sensor_run_id, started_at, ended_at, kind,
        source, device, settings, sample_rate_hz, center_freq_hz, cellsentry_version,
        host_position, country, status, note)
    SELECT p_sensor, s.sensor_run_id, s.started_at, s.ended_at, s.kind, s.source, s.device,
           s.settings, s.sample_rate_hz, s.center_freq_hz, s.cellsentry_version,
           CASE WHEN s.host_lat_deg IS NOT NULL AND s.host_lon_deg IS NOT NULL
                THEN ST_SetSRID(ST_MakePoint(s.host_lon_deg, s.host_lat_deg), 4326)::geography
           END,
           s.country, s.status, s.note
      FROM pg_temp.stage_runs s
     ORDER BY s.sensor_run_id
    ON CONFLICT (sensor_id, sensor_run_id) DO UPDATE
       SET ended_at = excluded.ended_at, status = excluded.status, note = excluded.note,
           device = excluded.device, settings = excluded.settings,
           host_position = excluded.host_position, country = excluded.country
     WHERE (r.ended_at, r.status, r.note, r.device, r.settings, r.country)
           IS DISTINCT FROM (excluded.ended_at, excluded.status, excluded.note,
                             excluded.device, excluded.settings, excluded.country)
        OR NOT (r.host_position IS NOT DISTINCT FROM excluded.host_position);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_cells(p_sensor bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
    m bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    -- In natural-key order, so that sensors upserting overlapping cells lock them in the same
    -- order and cannot deadlock each other.
    INSERT INTO cellsentry.cells AS c (rat, natural_key, mcc, mnc, area_code, cell_identity,
        channel_number, phys_id, first_seen_at, last_seen_at)
    SELECT s.rat, s.natural_key, s.mcc, s.mnc, s.area_code, s.cell_identity, s.channel_number,
           s.phys_id, s.first_seen_at, s.last_seen_at
      FROM pg_temp.stage_cells s
     ORDER BY s.natural_key
    ON CONFLICT (natural_key) DO UPDATE
       SET first_seen_at = least(c.first_seen_at, excluded.first_seen_at),
           last_seen_at = greatest(c.last_seen_at, excluded.last_seen_at)
     WHERE c.first_seen_at > excluded.first_seen_at OR c.last_seen_at < excluded.last_seen_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO cellsentry.sensor_cells AS sc (sensor_id, sensor_cell_id, cell_id,
        first_seen_at, last_seen_at, label)
    SELECT p_sensor, s.sensor_cell_id, c.id, s.first_seen_at, s.last_seen_at, s.label
      FROM pg_temp.stage_cells s
      JOIN cellsentry.cells c ON c.natural_key = s.natural_key
     ORDER BY s.sensor_cell_id
    ON CONFLICT (sensor_id, sensor_cell_id) DO UPDATE
       SET cell_id = excluded.cell_id, first_seen_at = excluded.first_seen_at,
           last_seen_at = excluded.last_seen_at, label = excluded.label
     WHERE (sc.cell_id, sc.first_seen_at, sc.last_seen_at, sc.label)
           IS DISTINCT FROM (excluded.cell_id, excluded.first_seen_at, excluded.last_seen_at,
                             excluded.label);
    GET DIAGNOSTICS m = ROW_COUNT;
    RETURN n + m;
END $$;

CREATE FUNCTION cellsentry.ingest_observations(p_sensor bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    staged bigint;
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.observations (sensor_id, sensor_observation_id, run_id, cell_id,
        observed_at, freq_hz, channel_number, power_dbfs, power_dbm, snr_db, freq_offset_hz,
        freq_offset_ppm, blocks_ok, blocks_failed, position, summary)
    SELECT p_sensor, s.sensor_observation_id, r.id, sc.cell_id, s.observed_at, s.freq_hz,
           s.channel_number, s.power_dbfs, s.power_dbm, s.snr_db, s.freq_offset_hz,
           s.freq_offset_ppm, s.blocks_ok, s.blocks_failed,
           CASE WHEN s.lat_deg IS NOT NULL AND s.lon_deg IS NOT NULL
                THEN ST_SetSRID(ST_MakePoint(s.lon_deg, s.lat_deg), 4326)::geography
                ELSE r.host_position
           END,
           s.summary
      FROM pg_temp.stage_observations s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.stage_observations;
    IF n < staged THEN
        PERFORM cellsentry.refuse_unmapped('observations', (
            SELECT count(*) FROM pg_temp.stage_observations s
             WHERE NOT EXISTS (SELECT 1 FROM cellsentry.runs r
                                WHERE r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id)
                OR NOT EXISTS (SELECT 1 FROM cellsentry.sensor_cells sc
                                WHERE sc.sensor_id = p_sensor
                                  AND sc.sensor_cell_id = s.sensor_cell_id)));
    END IF;
    PERFORM cellsentry.note_sync(p_sensor, 'observations', p_last, n, NULL);
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_messages(p_sensor bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    staged bigint;
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.messages (sensor_id, sensor_message_id, run_id, cell_id,
        sensor_observation_id, received_at, frame_number, channel, message_type, raw, decoded,
        error)
    SELECT p_sensor, s.sensor_message_id, r.id, sc.cell_id, s.sensor_observation_id,
           s.received_at, s.frame_number, s.channel, s.message_type, s.raw, s.decoded, s.error
      FROM pg_temp.stage_messages s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.stage_messages;
    IF n < staged THEN
        PERFORM cellsentry.refuse_unmapped('messages', (
            SELECT count(*) FROM pg_temp.stage_messages s
             WHERE NOT EXISTS (SELECT 1 FROM cellsentry.runs r
                                WHERE r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id)
                OR NOT EXISTS (SELECT 1 FROM cellsentry.sensor_cells sc
                                WHERE sc.sensor_id = p_sensor
                                  AND sc.sensor_cell_id = s.sensor_cell_id)));
    END IF;
    PERFORM cellsentry.note_sync(p_sensor, 'messages', p_last, n, NULL);
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_detections(p_sensor bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    staged bigint;
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.detections (sensor_id, sensor_detection_id, run_id, cell_id, rule_id,
        rule_version, severity, score, detected_at, summary, evidence)
    SELECT p_sensor, s.sensor_detection_id, r.id, sc.cell_id, s.rule_id, s.rule_version,
           s.severity, s.score, s.detected_at, s.summary, s.evidence
      FROM pg_temp.stage_detections s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      LEFT JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
     WHERE s.sensor_cell_id IS NULL OR sc.cell_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.stage_detections;
    IF n < staged THEN
        PERFORM cellsentry.refuse_unmapped('detections', (
            SELECT count(*) FROM pg_temp.stage_detections s
             WHERE NOT EXISTS (SELECT 1 FROM cellsentry.runs r
                                WHERE r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id)
                OR (s.sensor_cell_id IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM cellsentry.sensor_cells sc
                         WHERE sc.sensor_id = p_sensor
                           AND sc.sensor_cell_id = s.sensor_cell_id))));
    END IF;
    PERFORM cellsentry.note_sync(p_sensor, 'detections', p_last, n, NULL);
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_verdicts(p_sensor bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    staged bigint;
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.verdicts (sensor_id, sensor_verdict_id, run_id, cell_id, level, score,
        judged_at, rules_fired)
    SELECT p_sensor, s.sensor_verdict_id, r.id, sc.cell_id, s.level, s.score, s.judged_at,
           s.rules_fired
      FROM pg_temp.stage_verdicts s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO staged FROM pg_temp.stage_verdicts;
    IF n < staged THEN
        PERFORM cellsentry.refuse_unmapped('verdicts', (
            SELECT count(*) FROM pg_temp.stage_verdicts s
             WHERE NOT EXISTS (SELECT 1 FROM cellsentry.runs r
                                WHERE r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id)
                OR NOT EXISTS (SELECT 1 FROM cellsentry.sensor_cells sc
                                WHERE sc.sensor_id = p_sensor
                                  AND sc.sensor_cell_id = s.sensor_cell_id)));
    END IF;
    PERFORM cellsentry.note_sync(p_sensor, 'verdicts', p_last, n, NULL);
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_paging(p_sensor bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.paging_counts AS p (sensor_id, run_id, cell_id, paging_messages,
        imsi_pages, tmsi_pages, other_pages, distinct_imsis, distinct_tmsis, first_at, last_at)
    SELECT p_sensor, r.id, sc.cell_id, s.paging_messages, s.imsi_pages, s.tmsi_pages,
           s.other_pages, s.distinct_imsis, s.distinct_tmsis, s.first_at, s.last_at
      FROM pg_temp.stage_paging s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
     ORDER BY r.id, sc.cell_id
    ON CONFLICT (run_id, cell_id) DO UPDATE
       SET paging_messages = excluded.paging_messages, imsi_pages = excluded.imsi_pages,
           tmsi_pages = excluded.tmsi_pages, other_pages = excluded.other_pages,
           distinct_imsis = excluded.distinct_imsis, distinct_tmsis = excluded.distinct_tmsis,
           first_at = excluded.first_at, last_at = excluded.last_at
     WHERE p.sensor_id = excluded.sensor_id
       AND (p.paging_messages, p.imsi_pages, p.tmsi_pages, p.other_pages, p.distinct_imsis,
            p.distinct_tmsis, p.first_at, p.last_at)
           IS DISTINCT FROM (excluded.paging_messages, excluded.imsi_pages, excluded.tmsi_pages,
                             excluded.other_pages, excluded.distinct_imsis,
                             excluded.distinct_tmsis, excluded.first_at, excluded.last_at);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

CREATE FUNCTION cellsentry.ingest_paging_identities(p_sensor bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM cellsentry.check_sensor(p_sensor);
    INSERT INTO cellsentry.paging_identities AS p (sensor_id, run_id, cell_id, kind,
        identity_hash, identity_clear, count, first_at, last_at)
    SELECT p_sensor, r.id, sc.cell_id, s.kind, s.identity_hash, s.identity_clear, s.count,
           s.first_at, s.last_at
      FROM pg_temp.stage_paging_identities s
      JOIN cellsentry.runs r ON r.sensor_id = p_sensor AND r.sensor_run_id = s.sensor_run_id
      JOIN cellsentry.sensor_cells sc
        ON sc.sensor_id = p_sensor AND sc.sensor_cell_id = s.sensor_cell_id
     ORDER BY r.id, sc.cell_id, s.kind, s.identity_hash
    ON CONFLICT (run_id, cell_id, kind, identity_hash) DO UPDATE
       SET identity_clear = excluded.identity_clear, count = excluded.count,
           first_at = excluded.first_at, last_at = excluded.last_at
     WHERE p.sensor_id = excluded.sensor_id
       AND (p.identity_clear, p.count, p.first_at, p.last_at)
           IS DISTINCT FROM (excluded.identity_clear, excluded.count, excluded.first_at,
                             excluded.last_at);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- PostgreSQL grants EXECUTE on new functions to PUBLIC; only roles.sql hands them out.
REVOKE ALL ON SCHEMA cellsentry FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cellsentry FROM PUBLIC;
