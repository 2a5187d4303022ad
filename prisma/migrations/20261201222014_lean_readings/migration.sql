-- DropForeignKey
ALTER TABLE "readings" DROP CONSTRAINT "readings_device_key_fkey";

-- DropIndex
DROP INDEX "readings_device_key_ts_id_idx";

-- DropIndex
DROP INDEX "readings_sensor_id_ts_id_idx";

-- AlterTable
ALTER TABLE "reading_rollups" ADD COLUMN     "has_minutes" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "readings" DROP COLUMN "device_key",
ALTER COLUMN "received_at" DROP NOT NULL,
ALTER COLUMN "received_at" DROP DEFAULT;

-- CreateTable
CREATE TABLE "job_cursors" (
    "job" TEXT NOT NULL,
    "reading_id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_cursors_pkey" PRIMARY KEY ("job")
);

-- AddForeignKey
ALTER TABLE "reading_rollups" ADD CONSTRAINT "reading_rollups_sensor_id_fkey" FOREIGN KEY ("sensor_id") REFERENCES "sensors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Not expressible in schema.prisma (hand-written below): the index the readings are found by,
-- the end of the rollup triggers (the worker keeps the rollups now), the order readings become
-- final in without a global lock, and the one statement that stores a batch of requests.
-- ---------------------------------------------------------------------------------------------

-- Rollups leave the ingest path: no more per-row work (and row locks) in every insert.
DROP TRIGGER IF EXISTS "readings_rollups_insert" ON "readings";
DROP TRIGGER IF EXISTS "readings_rollups_delete" ON "readings";
DROP TRIGGER IF EXISTS "readings_rollups_truncate" ON "readings";
DROP FUNCTION IF EXISTS "reading_rollups_add"();
DROP FUNCTION IF EXISTS "reading_rollups_remove"();
DROP FUNCTION IF EXISTS "reading_rollups_clear"();
DROP FUNCTION IF EXISTS bocloud_store_readings(text[], boolean, timestamptz, text[], text[], float8[], text[], boolean[], timestamptz[]);

-- A sensor's readings by time: one key per sensor and 10 minutes, which PostgreSQL's
-- deduplication stores once for all the readings under it (13 bytes a reading, against 44 for
-- (sensor_id, ts) and 72 for (sensor_id, ts, id) with readings of many sensors arriving
-- interleaved). Queries name the same expression (lib/queries/reading-index.ts).
CREATE INDEX "readings_sensor_id_ten_minutes_idx"
    ON "readings" ("sensor_id", date_bin('10 minutes', "ts", timestamptz 'epoch'));
-- Ids only grow: a full page splits off at the right, so pages can be packed full.
ALTER INDEX "readings_pkey" SET (fillfactor = 100);

-- The triggers kept 1-minute, 10-minute and hour rows for every window. Minutes stay only in
-- 10-minute windows of at least 120 readings (has_minutes), where they save reading readings.
DELETE FROM "reading_rollups" m WHERE m."width_ms" = 60000 AND NOT EXISTS (
    SELECT 1 FROM "reading_rollups" t
    WHERE t."sensor_id" = m."sensor_id" AND t."width_ms" = 600000
      AND t."start_ms" = m."start_ms" - m."start_ms" % 600000 AND t."count" >= 120);
UPDATE "reading_rollups" SET "has_minutes" = true WHERE "width_ms" = 600000 AND "count" >= 120;
-- The triggers kept them exact up to here (the ALTER TABLE above holds every insert off).
INSERT INTO "job_cursors" ("job", "reading_id")
SELECT 'rollups', coalesce(max("id"), 0) FROM "readings";

-- Every reading with an id up to the horizon is final: committed, or never to be. A store
-- transaction announces, before it takes ids, a lower bound of them: a shared advisory lock on
-- 2^62 + the sequence's last value (writers never wait for each other on it). So the horizon is
-- the smallest bound still held, or the last id handed out when none is: read the sequence
-- first, the locks second, and the readings up to it in a statement after (a new snapshot).
CREATE FUNCTION bocloud_reading_horizon() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_handed_out bigint;
    v_in_flight bigint;
BEGIN
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO v_handed_out
    FROM readings_id_seq;
    SELECT min(((l.classid::bigint << 32) | l.objid::bigint) - 4611686018427387904)
    INTO v_in_flight
    FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.classid >= 1073741824
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN least(v_handed_out, coalesce(v_in_flight, v_handed_out));
END
$$;

-- Every statement that inserts readings announces, before it takes any id, a lower bound of
-- them (see the horizon above): a statement trigger, so no writer can forget (a bulk load, a
-- restore, psql), enabled ALWAYS so that session_replication_role = replica keeps it too.
CREATE FUNCTION bocloud_announce_reading_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(4611686018427387904 +
        (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM readings_id_seq));
    RETURN NULL;
END
$$;
CREATE TRIGGER "readings_announce_ids" BEFORE INSERT ON "readings"
    FOR EACH STATEMENT EXECUTE FUNCTION bocloud_announce_reading_ids();
ALTER TABLE "readings" ENABLE ALWAYS TRIGGER "readings_announce_ids";

-- Stores a batch of requests in one statement (lib/queries/store-readings.ts): each request is
-- authorised on its own, and one that may not write stores nothing while the others do.
--   p_auth / p_credential, per request: 'open' (anyone; devices are registered), 'token' and the
--   SHA-256 of a device or gateway token, 'device' and a device_id, 'gateway' and a gateway_id
--   (the MQTT listener, which checked the token when the device connected);
--   p_received_at, per request; the p_r_* arrays, per reading: its request (1-based), device,
--   sensor type, value (one of num / text / bool) and the ts the device sent (null: received).
-- Returns {failures: [null | {kind, device, gateway}] per request, devices: [{device_id,
-- old_status}], ids, sensor_ids (per stored reading, in input order), commands}.
CREATE FUNCTION bocloud_store(
    p_auth text[], p_credential text[], p_received_at timestamptz[],
    p_r_req int[], p_r_device text[], p_r_type text[], p_r_num float8[], p_r_text text[],
    p_r_bool boolean[], p_r_ts timestamptz[]
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_kind text[];
    v_device text[];
    v_gateway bigint[];
    v_gateway_id text[];
    v_failures jsonb[];
    v_failed boolean[];
    v_register text[];
    v_existing text[];
    v_register_seen timestamptz[];
    v_existing_seen timestamptz[];
    v_devices jsonb;
    v_ok_devices text[];
    v_ids bigint[];
    v_sensor_ids bigint[];
    v_commands jsonb;
BEGIN
    -- Who wrote each request: a device (device_id), a gateway (key and id), anyone, or nobody.
    SELECT array_agg(w.kind ORDER BY q.i), array_agg(w.device ORDER BY q.i),
           array_agg(w.gateway ORDER BY q.i), array_agg(w.gateway_id ORDER BY q.i)
    INTO v_kind, v_device, v_gateway, v_gateway_id
    FROM unnest(p_auth, p_credential) WITH ORDINALITY AS q(auth, cred, i)
    LEFT JOIN LATERAL (
        SELECT 'open'::text AS kind, NULL::text AS device, NULL::bigint AS gateway, NULL::text AS gateway_id
        WHERE q.auth = 'open'
        UNION ALL SELECT 'device', d.device_id, NULL, NULL FROM devices d
        WHERE q.auth = 'token' AND d.token_hash = q.cred
        UNION ALL SELECT 'gateway', NULL, g.id, g.gateway_id FROM gateways g
        WHERE q.auth = 'token' AND g.token_hash = q.cred
        UNION ALL SELECT 'device', q.cred, NULL, NULL WHERE q.auth = 'device'
        UNION ALL SELECT 'gateway', NULL, g.id, g.gateway_id FROM gateways g
        WHERE q.auth = 'gateway' AND g.gateway_id = q.cred
    ) w ON true;

    -- The first reason each request may not be stored, if any (in the order of its readings).
    SELECT array_agg(f.failure ORDER BY q.i), array_agg(f.failure IS NOT NULL ORDER BY q.i)
    INTO v_failures, v_failed
    FROM generate_subscripts(p_auth, 1) AS q(i)
    LEFT JOIN (
        SELECT x.req, (array_agg(x.failure ORDER BY x.ord) FILTER (WHERE x.failure IS NOT NULL))[1]
            AS failure
        FROM (
            SELECT r.req, r.ord, CASE
                WHEN v_kind[r.req] IS NULL THEN jsonb_build_object('kind', 'unauthorized')
                WHEN v_kind[r.req] = 'device' AND r.dev <> v_device[r.req]
                    THEN jsonb_build_object('kind', 'forbidden', 'device', r.dev)
                WHEN v_kind[r.req] = 'device' AND d.id IS NULL
                    THEN jsonb_build_object('kind', 'missing', 'device', r.dev)
                WHEN v_kind[r.req] = 'gateway' AND d.gateway_key IS DISTINCT FROM v_gateway[r.req]
                    THEN jsonb_build_object('kind', 'forbidden', 'device', r.dev,
                                            'gateway', v_gateway_id[r.req])
            END AS failure
            FROM unnest(p_r_req, p_r_device) WITH ORDINALITY AS r(req, dev, ord)
            LEFT JOIN devices d ON d.device_id = r.dev
        ) x
        GROUP BY x.req
    ) f ON f.req = q.i;

    -- The devices of the requests that may be stored: seen now and online (registered first in
    -- open mode), with the status they had. Rows are locked in device_id order, so concurrent
    -- batches never deadlock on them.
    SELECT array_agg(n.dev ORDER BY n.dev) FILTER (WHERE n.register),
           array_agg(n.dev ORDER BY n.dev) FILTER (WHERE NOT n.register),
           array_agg(n.seen ORDER BY n.dev) FILTER (WHERE n.register),
           array_agg(n.seen ORDER BY n.dev) FILTER (WHERE NOT n.register)
    INTO v_register, v_existing, v_register_seen, v_existing_seen
    FROM (
        SELECT r.dev, max(p_received_at[r.req]) AS seen, bool_or(v_kind[r.req] = 'open') AS register
        FROM unnest(p_r_req, p_r_device) AS r(req, dev)
        WHERE NOT v_failed[r.req]
        GROUP BY r.dev
    ) n;
    PERFORM 1 FROM devices d WHERE d.device_id = ANY(v_existing) ORDER BY d.device_id FOR UPDATE;
    WITH registered AS (
        INSERT INTO devices AS d (device_id, name, last_seen_at, status)
        SELECT dev, dev, seen, 'online' FROM unnest(v_register, v_register_seen) AS x(dev, seen)
        ORDER BY dev
        ON CONFLICT (device_id) DO UPDATE
            SET last_seen_at = greatest(d.last_seen_at, EXCLUDED.last_seen_at), status = 'online'
        RETURNING d.device_id, (SELECT o.status::text FROM devices o WHERE o.id = d.id) AS old_status
    ),
    updated AS (
        UPDATE devices d SET last_seen_at = greatest(d.last_seen_at, x.seen), status = 'online'
        FROM unnest(v_existing, v_existing_seen) AS x(dev, seen)
        WHERE d.device_id = x.dev
        RETURNING d.device_id, (SELECT o.status::text FROM devices o WHERE o.id = d.id) AS old_status
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('device_id', x.device_id, 'old_status', x.old_status)), '[]'),
           array_agg(x.device_id)
    INTO v_devices, v_ok_devices
    FROM (SELECT * FROM registered UNION ALL SELECT * FROM updated) x;

    INSERT INTO sensors (device_key, type)
    SELECT DISTINCT d.id, r.t
    FROM unnest(p_r_req, p_r_device, p_r_type) AS r(req, dev, t)
    JOIN devices d ON d.device_id = r.dev
    WHERE NOT v_failed[r.req]
      AND NOT EXISTS (SELECT 1 FROM sensors s WHERE s.device_key = d.id AND s.type = r.t)
    ORDER BY 1, 2
    ON CONFLICT (device_key, type) DO NOTHING;

    SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.id), '[]'::jsonb) INTO v_commands
    FROM bocloud_take_commands(coalesce(v_ok_devices, '{}'), false) AS c;

    -- The table's statement trigger announces the ids this takes (bocloud_reading_horizon).
    WITH inserted AS (
        INSERT INTO readings (sensor_id, num_value, text_value, bool_value, ts, received_at)
        SELECT s.id, r.n, r.txt, r.b, coalesce(r.ts, p_received_at[r.req]),
               CASE WHEN r.ts IS NOT NULL THEN p_received_at[r.req] END
        FROM unnest(p_r_req, p_r_device, p_r_type, p_r_num, p_r_text, p_r_bool, p_r_ts)
             WITH ORDINALITY AS r(req, dev, t, n, txt, b, ts, ord)
        JOIN devices d ON d.device_id = r.dev
        JOIN sensors s ON s.device_key = d.id AND s.type = r.t
        WHERE NOT v_failed[r.req]
        ORDER BY r.ord
        RETURNING readings.id, readings.sensor_id
    )
    -- Ids are taken in the order of the rows, so sorted they follow the input.
    SELECT array_agg(inserted.id ORDER BY inserted.id), array_agg(inserted.sensor_id ORDER BY inserted.id)
    INTO v_ids, v_sensor_ids FROM inserted;

    RETURN jsonb_build_object(
        'failures', to_jsonb(v_failures), 'devices', v_devices,
        'ids', coalesce(to_jsonb(v_ids), '[]'), 'sensor_ids', coalesce(to_jsonb(v_sensor_ids), '[]'),
        'commands', v_commands
    );
END
$$;

-- The rollup rows of the windows given (sensor, width, start in epoch ms), computed from the
-- numeric readings with ids up to p_upto; a window without any is left out.
CREATE FUNCTION bocloud_window_rollups(p_sensor bigint[], p_width int[], p_start bigint[], p_upto bigint)
RETURNS TABLE (sensor_id bigint, width_ms int, start_ms bigint, count int, min float8, max float8,
               sum float8, last_ts timestamptz, last_id bigint, last_value float8)
LANGUAGE sql STABLE AS $$
    -- One index range scan per window, whatever plan the function's parameters get.
    SELECT w.sensor, w.width, w.start, x.*
    FROM unnest(p_sensor, p_width, p_start) AS w(sensor, width, start)
    CROSS JOIN LATERAL (
        SELECT count(*)::int, min(r.num_value), max(r.num_value), sum(r.num_value),
               (array_agg(r.ts ORDER BY r.ts DESC, r.id DESC))[1],
               (array_agg(r.id ORDER BY r.ts DESC, r.id DESC))[1],
               (array_agg(r.num_value ORDER BY r.ts DESC, r.id DESC))[1]
        FROM readings r
        WHERE r.sensor_id = w.sensor
          AND date_bin('10 minutes', r.ts, timestamptz 'epoch') >= to_timestamp((w.start - w.start % 600000) / 1000.0)
          AND date_bin('10 minutes', r.ts, timestamptz 'epoch') < to_timestamp((w.start + w.width) / 1000.0)
          AND r.ts >= to_timestamp(w.start / 1000.0) AND r.ts < to_timestamp((w.start + w.width) / 1000.0)
          AND r.id <= p_upto AND r.num_value IS NOT NULL
    ) AS x
    WHERE x.count > 0
$$;

-- Gives the 10-minute windows given (sensor, start) minute rows of their own, computed from the
-- readings with ids up to p_upto, and marks them has_minutes.
CREATE FUNCTION bocloud_fill_minutes(p_sensor bigint[], p_start bigint[], p_upto bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_sensor bigint[];
    v_width int[];
    v_start bigint[];
BEGIN
    DELETE FROM reading_rollups r USING unnest(p_sensor, p_start) AS t(sensor, start)
    WHERE r.sensor_id = t.sensor AND r.width_ms = 60000
      AND r.start_ms >= t.start AND r.start_ms < t.start + 600000;
    -- The ten minutes of each window.
    SELECT array_agg(t.sensor), array_agg(60000), array_agg(t.start + m * 60000)
    INTO v_sensor, v_width, v_start
    FROM unnest(p_sensor, p_start) AS t(sensor, start) CROSS JOIN generate_series(0, 9) AS m;
    INSERT INTO reading_rollups (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
    SELECT * FROM bocloud_window_rollups(v_sensor, v_width, v_start, p_upto);
    UPDATE reading_rollups r SET has_minutes = true
    FROM unnest(p_sensor, p_start) AS t(sensor, start)
    WHERE r.sensor_id = t.sensor AND r.width_ms = 600000 AND r.start_ms = t.start;
END
$$;

-- One pass of the worker's rollup job (worker/jobs/rollups.ts): takes the next p_limit final
-- readings after the job's cursor into the rollups and moves the cursor past them, in one
-- transaction. A 10-minute window that reaches 120 readings gets minute rows. The cursor row's
-- lock makes passes (and retention, which also changes rollups) take turns.
CREATE FUNCTION bocloud_roll_up(p_limit int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_from bigint;
    v_to bigint;
    v_horizon bigint;
    v_taken int;
    v_dense_sensor bigint[];
    v_dense_start bigint[];
BEGIN
    INSERT INTO job_cursors (job, reading_id) VALUES ('rollups', 0) ON CONFLICT (job) DO NOTHING;
    SELECT reading_id INTO v_from FROM job_cursors WHERE job = 'rollups' FOR UPDATE;
    v_horizon := bocloud_reading_horizon();
    SELECT max(b.id), count(*) INTO v_to, v_taken
    FROM (SELECT id FROM readings WHERE id > v_from AND id <= v_horizon ORDER BY id LIMIT p_limit) b;
    -- A short batch holds every final reading: the cursor may jump to the horizon.
    IF v_taken < p_limit THEN v_to := greatest(v_from, v_horizon); END IF;
    IF v_to <= v_from THEN
        RETURN jsonb_build_object('from', v_from, 'to', v_from, 'readings', 0);
    END IF;

    WITH batch AS (
        SELECT r.sensor_id, r.id, r.ts, r.num_value, (extract(epoch FROM r.ts) * 1000)::bigint AS ms
        FROM readings r WHERE r.id > v_from AND r.id <= v_to AND r.num_value IS NOT NULL
    ),
    agg AS (
        SELECT b.sensor_id, w.width_ms, b.ms - b.ms % w.width_ms AS start_ms, count(*)::int AS count,
               min(b.num_value) AS min, max(b.num_value) AS max, sum(b.num_value) AS sum,
               (array_agg(b.ts ORDER BY b.ts DESC, b.id DESC))[1] AS last_ts,
               (array_agg(b.id ORDER BY b.ts DESC, b.id DESC))[1] AS last_id,
               (array_agg(b.num_value ORDER BY b.ts DESC, b.id DESC))[1] AS last_value
        FROM batch b CROSS JOIN (VALUES (60000), (600000), (3600000)) AS w(width_ms)
        GROUP BY 1, 2, 3
    ),
    coarse AS (
        INSERT INTO reading_rollups AS r
            (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
        SELECT sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value
        FROM agg WHERE width_ms <> 60000 ORDER BY 1, 2, 3
        ON CONFLICT (sensor_id, width_ms, start_ms) DO UPDATE SET
            count = r.count + EXCLUDED.count,
            min = least(r.min, EXCLUDED.min),
            max = greatest(r.max, EXCLUDED.max),
            sum = r.sum + EXCLUDED.sum,
            last_ts = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                           THEN EXCLUDED.last_ts ELSE r.last_ts END,
            last_id = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                           THEN EXCLUDED.last_id ELSE r.last_id END,
            last_value = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                              THEN EXCLUDED.last_value ELSE r.last_value END
        RETURNING r.sensor_id, r.width_ms, r.start_ms, r.count, r.has_minutes
    ),
    -- Minutes of the windows that have them already (has_minutes is not changed above).
    fine AS (
        INSERT INTO reading_rollups AS r
            (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
        SELECT a.sensor_id, a.width_ms, a.start_ms, a.count, a.min, a.max, a.sum, a.last_ts,
               a.last_id, a.last_value
        FROM agg a JOIN coarse c ON c.sensor_id = a.sensor_id AND c.width_ms = 600000
         AND c.start_ms = a.start_ms - a.start_ms % 600000 AND c.has_minutes
        WHERE a.width_ms = 60000
        ORDER BY 1, 3
        ON CONFLICT (sensor_id, width_ms, start_ms) DO UPDATE SET
            count = r.count + EXCLUDED.count,
            min = least(r.min, EXCLUDED.min),
            max = greatest(r.max, EXCLUDED.max),
            sum = r.sum + EXCLUDED.sum,
            last_ts = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                           THEN EXCLUDED.last_ts ELSE r.last_ts END,
            last_id = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                           THEN EXCLUDED.last_id ELSE r.last_id END,
            last_value = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                              THEN EXCLUDED.last_value ELSE r.last_value END
        RETURNING 1
    )
    SELECT array_agg(c.sensor_id), array_agg(c.start_ms) INTO v_dense_sensor, v_dense_start
    FROM coarse c WHERE c.width_ms = 600000 AND NOT c.has_minutes AND c.count >= 120;

    IF v_dense_sensor IS NOT NULL THEN
        PERFORM bocloud_fill_minutes(v_dense_sensor, v_dense_start, v_to);
    END IF;
    UPDATE job_cursors SET reading_id = v_to, updated_at = now() WHERE job = 'rollups';
    RETURN jsonb_build_object('from', v_from, 'to', v_to, 'readings', v_taken);
END
$$;

-- Retention (worker/jobs/retention.ts): deletes up to p_limit of a sensor's readings measured
-- before p_before, oldest first, and corrects the rollups of the windows they leave, from the
-- readings that remain, in one transaction; returns how many were deleted. Readings the rollup
-- job has not reached yet were never in a rollup. Ingestion never waits for it: it only inserts.
CREATE FUNCTION bocloud_forget_readings(p_sensor bigint, p_before timestamptz, p_limit int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v_cursor bigint;
    v_deleted int;
    v_sensor bigint[];
    v_width int[];
    v_start bigint[];
    v_dense_sensor bigint[];
    v_dense_start bigint[];
BEGIN
    INSERT INTO job_cursors (job, reading_id) VALUES ('rollups', 0) ON CONFLICT (job) DO NOTHING;
    SELECT reading_id INTO v_cursor FROM job_cursors WHERE job = 'rollups' FOR UPDATE;
    WITH gone AS (
        DELETE FROM readings WHERE ctid = ANY(ARRAY(
            SELECT r.ctid FROM readings r
            WHERE r.sensor_id = p_sensor
              AND date_bin('10 minutes', r.ts, timestamptz 'epoch') <= date_bin('10 minutes', p_before, timestamptz 'epoch')
              AND r.ts < p_before
            -- The index's own order (oldest 10 minutes first): the scan stops at the limit.
            ORDER BY date_bin('10 minutes', r.ts, timestamptz 'epoch')
            LIMIT p_limit))
        RETURNING sensor_id, id, num_value, (extract(epoch FROM ts) * 1000)::bigint AS ms
    ),
    touched AS (
        SELECT DISTINCT g.sensor_id, w.width_ms, g.ms - g.ms % w.width_ms AS start_ms
        FROM gone g CROSS JOIN (VALUES (600000), (3600000)) AS w(width_ms)
        WHERE g.id <= v_cursor AND g.num_value IS NOT NULL
    )
    SELECT (SELECT count(*) FROM gone), array_agg(t.sensor_id), array_agg(t.width_ms), array_agg(t.start_ms)
    INTO v_deleted, v_sensor, v_width, v_start FROM touched t;

    IF v_sensor IS NOT NULL THEN
        -- The windows and the minutes of the 10-minute ones (two statements: each an index probe).
        DELETE FROM reading_rollups r USING unnest(v_sensor, v_width, v_start) AS t(sensor, width, start)
        WHERE r.sensor_id = t.sensor AND r.width_ms = t.width AND r.start_ms = t.start;
        DELETE FROM reading_rollups r USING unnest(v_sensor, v_width, v_start) AS t(sensor, width, start)
        WHERE t.width = 600000 AND r.sensor_id = t.sensor AND r.width_ms = 60000
          AND r.start_ms >= t.start AND r.start_ms < t.start + 600000;
        WITH fresh AS (
            INSERT INTO reading_rollups (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
            SELECT * FROM bocloud_window_rollups(v_sensor, v_width, v_start, v_cursor)
            RETURNING sensor_id, width_ms, start_ms, count
        )
        SELECT array_agg(f.sensor_id), array_agg(f.start_ms) INTO v_dense_sensor, v_dense_start
        FROM fresh f WHERE f.width_ms = 600000 AND f.count >= 120;
        IF v_dense_sensor IS NOT NULL THEN
            PERFORM bocloud_fill_minutes(v_dense_sensor, v_dense_start, v_cursor);
        END IF;
    END IF;
    RETURN v_deleted;
END
$$;
