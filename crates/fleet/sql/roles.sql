-- Least-privilege roles for a cellsentry fleet database. Run once as the schema owner (or a
-- superuser) after `cellsentry fleet migrate`, and again after each upgrade that adds
-- functions:   psql "$OWNER_URL" -f roles.sql
--
-- cellsentry_sensor: what a sensor's login needs to sync, and no more. It cannot read or write
--   any table directly; it stages rows in its own temporary tables and calls the ingest
--   functions, which accept rows only for sensors registered by the same login. It can read
--   the schema version and the fleet baseline (cells all sensors agree are legitimate).
-- cellsentry_reader: read-only access for `cellsentry report --db postgresql://...` and
--   `cellsentry fleet baseline`.
--
-- Give each sensor its own login (so one stolen laptop cannot write as another sensor):
--   CREATE ROLE sensor_london_3 LOGIN PASSWORD '...' IN ROLE cellsentry_sensor;
-- and analysts a reader login:
--   CREATE ROLE analyst_1 LOGIN PASSWORD '...' IN ROLE cellsentry_reader;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cellsentry_sensor') THEN
        CREATE ROLE cellsentry_sensor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cellsentry_reader') THEN
        CREATE ROLE cellsentry_reader NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO cellsentry_sensor',
                   current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO cellsentry_reader', current_database());
END $$;

GRANT USAGE ON SCHEMA cellsentry TO cellsentry_sensor, cellsentry_reader;

GRANT SELECT ON cellsentry.schema_migrations, cellsentry.baseline_cells TO cellsentry_sensor;
GRANT EXECUTE ON FUNCTION
    cellsentry.register_sensor(uuid, text, text, text, text),
    cellsentry.sync_state_of(bigint),
    cellsentry.note_digest(bigint, text, text),
    cellsentry.ensure_partitions(text[]),
    cellsentry.ingest_runs(bigint),
    cellsentry.ingest_cells(bigint),
    cellsentry.ingest_observations(bigint, bigint),
    cellsentry.ingest_messages(bigint, bigint),
    cellsentry.ingest_detections(bigint, bigint),
    cellsentry.ingest_verdicts(bigint, bigint),
    cellsentry.ingest_paging(bigint),
    cellsentry.ingest_paging_identities(bigint)
TO cellsentry_sensor;

GRANT SELECT ON ALL TABLES IN SCHEMA cellsentry TO cellsentry_reader;
-- Bystander identities (even hashed) are not for every analyst.
REVOKE SELECT ON cellsentry.paging_identities FROM cellsentry_reader;
