-- A third rollup width between the minute and the hour: 10 minutes (width_ms 600000). A bucket
-- boundary that cuts an hour then costs at most 6 ten-minute rows and 10 minute rows instead of
-- 60 minute rows (GET /api/aggregates, lib/queries/aggregate-buckets.ts). Not expressible in
-- schema.prisma: the trigger functions of 20261129060932_reading_rollups, now with three widths,
-- and the 10-minute rows of the readings already stored, built from their minutes.

-- No reading is inserted or deleted while the functions change and the rows are built.
LOCK TABLE "readings" IN SHARE MODE;

CREATE OR REPLACE FUNCTION "reading_rollups_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH w AS (
    SELECT n.sensor_id, w.width_ms, date_bin(w.width, n.ts, timestamptz 'epoch') AS start,
           n.ts, n.id, n.num_value
    FROM new_readings n
    CROSS JOIN (VALUES (60000, interval '1 minute'), (600000, interval '10 minutes'),
                       (3600000, interval '1 hour')) AS w(width_ms, width)
    WHERE n.num_value IS NOT NULL
  ),
  agg AS (
    SELECT sensor_id, width_ms, start, count(*)::int AS count,
           min(num_value) AS min, max(num_value) AS max, sum(num_value) AS sum
    FROM w GROUP BY sensor_id, width_ms, start
  ),
  newest AS (
    SELECT DISTINCT ON (sensor_id, width_ms, start) sensor_id, width_ms, start, ts, id, num_value
    FROM w ORDER BY sensor_id, width_ms, start, ts DESC, id DESC
  )
  INSERT INTO "reading_rollups" AS r
    (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
  SELECT a.sensor_id, a.width_ms, (extract(epoch FROM a.start) * 1000)::bigint, a.count, a.min,
         a.max, a.sum, l.ts, l.id, l.num_value
  FROM agg a JOIN newest l USING (sensor_id, width_ms, start)
  ORDER BY a.sensor_id, a.width_ms, a.start
  ON CONFLICT (sensor_id, width_ms, start_ms) DO UPDATE SET
    count = r.count + EXCLUDED.count,
    min = LEAST(r.min, EXCLUDED.min),
    max = GREATEST(r.max, EXCLUDED.max),
    sum = r.sum + EXCLUDED.sum,
    last_ts = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                   THEN EXCLUDED.last_ts ELSE r.last_ts END,
    last_id = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                   THEN EXCLUDED.last_id ELSE r.last_id END,
    last_value = CASE WHEN (EXCLUDED.last_ts, EXCLUDED.last_id) > (r.last_ts, r.last_id)
                      THEN EXCLUDED.last_value ELSE r.last_value END;
  RETURN NULL;
END $$;

-- Windows that lost readings are locked first, then recomputed: minutes from the readings that
-- remain, 10-minute and hour windows from their minutes. Computing only after the lock (a new snapshot per statement)
-- sees every committed insert; an insert still in flight adds itself to the new values afterwards.
CREATE OR REPLACE FUNCTION "reading_rollups_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "reading_rollups" r
  JOIN (
    SELECT sensor_id, width_ms, (extract(epoch FROM start) * 1000)::bigint AS start_ms
    FROM (SELECT DISTINCT o.sensor_id, w.width_ms, date_bin(w.width, o.ts, timestamptz 'epoch') AS start
          FROM old_readings o
          CROSS JOIN (VALUES (60000, interval '1 minute'), (600000, interval '10 minutes'),
                       (3600000, interval '1 hour')) AS w(width_ms, width)
          WHERE o.num_value IS NOT NULL) AS windows
  ) k USING (sensor_id, width_ms, start_ms)
  ORDER BY r.sensor_id, r.width_ms, r.start_ms
  FOR UPDATE OF r;

  WITH k AS (
    SELECT sensor_id, width_ms, (extract(epoch FROM start) * 1000)::bigint AS start_ms
    FROM (SELECT DISTINCT o.sensor_id, w.width_ms, date_bin(w.width, o.ts, timestamptz 'epoch') AS start
          FROM old_readings o
          CROSS JOIN (VALUES (60000, interval '1 minute'), (600000, interval '10 minutes'),
                       (3600000, interval '1 hour')) AS w(width_ms, width)
          WHERE o.num_value IS NOT NULL) AS windows
  ),
  fresh AS (
    SELECT k.sensor_id, k.width_ms, k.start_ms, a.count, a.min, a.max, a.sum, l.ts, l.id, l.num_value
    FROM k
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS count, min(x.num_value) AS min, max(x.num_value) AS max, sum(x.num_value) AS sum
      FROM "readings" x
      WHERE x.sensor_id = k.sensor_id AND x.num_value IS NOT NULL
        AND x.ts >= to_timestamp(k.start_ms / 1000.0) AND x.ts < to_timestamp((k.start_ms + 60000) / 1000.0)
    ) a
    LEFT JOIN LATERAL (
      SELECT x.ts, x.id, x.num_value FROM "readings" x
      WHERE x.sensor_id = k.sensor_id AND x.num_value IS NOT NULL
        AND x.ts >= to_timestamp(k.start_ms / 1000.0) AND x.ts < to_timestamp((k.start_ms + 60000) / 1000.0)
      ORDER BY x.ts DESC, x.id DESC LIMIT 1
    ) l ON true
    WHERE k.width_ms = 60000
  ),
  emptied AS (
    DELETE FROM "reading_rollups" r USING fresh f
    WHERE f.count = 0 AND r.sensor_id = f.sensor_id AND r.width_ms = f.width_ms AND r.start_ms = f.start_ms
  )
  UPDATE "reading_rollups" r
  SET count = f.count, min = f.min, max = f.max, sum = f.sum,
      last_ts = f.ts, last_id = f.id, last_value = f.num_value
  FROM fresh f
  WHERE f.count > 0 AND r.sensor_id = f.sensor_id AND r.width_ms = f.width_ms AND r.start_ms = f.start_ms;

  WITH k AS (
    SELECT sensor_id, width_ms, (extract(epoch FROM start) * 1000)::bigint AS start_ms
    FROM (SELECT DISTINCT o.sensor_id, w.width_ms, date_bin(w.width, o.ts, timestamptz 'epoch') AS start
          FROM old_readings o
          CROSS JOIN (VALUES (60000, interval '1 minute'), (600000, interval '10 minutes'),
                       (3600000, interval '1 hour')) AS w(width_ms, width)
          WHERE o.num_value IS NOT NULL) AS windows
  ),
  fresh AS (
    SELECT k.sensor_id, k.width_ms, k.start_ms, a.count, a.min, a.max, a.sum, l.last_ts, l.last_id, l.last_value
    FROM k
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(m.count), 0)::int AS count, min(m.min) AS min, max(m.max) AS max, sum(m.sum) AS sum
      FROM "reading_rollups" m
      WHERE m.sensor_id = k.sensor_id AND m.width_ms = 60000
        AND m.start_ms >= k.start_ms AND m.start_ms < k.start_ms + k.width_ms
    ) a
    LEFT JOIN LATERAL (
      SELECT m.last_ts, m.last_id, m.last_value FROM "reading_rollups" m
      WHERE m.sensor_id = k.sensor_id AND m.width_ms = 60000
        AND m.start_ms >= k.start_ms AND m.start_ms < k.start_ms + k.width_ms
      ORDER BY m.last_ts DESC, m.last_id DESC LIMIT 1
    ) l ON true
    WHERE k.width_ms > 60000
  ),
  emptied AS (
    DELETE FROM "reading_rollups" r USING fresh f
    WHERE f.count = 0 AND r.sensor_id = f.sensor_id AND r.width_ms = f.width_ms AND r.start_ms = f.start_ms
  )
  UPDATE "reading_rollups" r
  SET count = f.count, min = f.min, max = f.max, sum = f.sum,
      last_ts = f.last_ts, last_id = f.last_id, last_value = f.last_value
  FROM fresh f
  WHERE f.count > 0 AND r.sensor_id = f.sensor_id AND r.width_ms = f.width_ms AND r.start_ms = f.start_ms;

  RETURN NULL;
END $$;

INSERT INTO "reading_rollups"
  (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
SELECT sensor_id, 600000, start_ms - ((start_ms % 600000) + 600000) % 600000, sum(count)::int,
       min(min), max(max), sum(sum), max(last_ts),
       (array_agg(last_id ORDER BY last_ts DESC, last_id DESC))[1],
       (array_agg(last_value ORDER BY last_ts DESC, last_id DESC))[1]
FROM "reading_rollups"
WHERE width_ms = 60000
GROUP BY sensor_id, start_ms - ((start_ms % 600000) + 600000) % 600000
ON CONFLICT DO NOTHING;
