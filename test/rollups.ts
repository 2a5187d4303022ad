// Checks reading_rollups against a recomputation from the readings themselves.
import { sql } from "./db.ts";

export interface RollupCheck {
  /** Windows with readings but no rollup row. */
  missing: number;
  /** Rollup rows with no readings left in their window. */
  extra: number;
  /** Rows whose count, min, max or last differ. */
  differ: number;
  /** 10-minute rows whose has_minutes is not "at least 120 readings". */
  density: number;
  /** Largest relative difference of a sum (they are added up in another order). */
  sumError: number;
  rows: number;
}

/** Rolls up everything final now, as the worker's rollup job would in its own time. */
export async function catchUpRollups(): Promise<void> {
  for (;;) {
    const [{ pass }] = await sql<{ pass: { readings: number } }>(
      "SELECT bocloud_roll_up(100000) AS pass",
    );
    if (pass.readings < 100_000) return;
  }
}

/**
 * After catching up: every 10-minute and hour window of the sensors' numeric readings, and the
 * minutes of the 10-minute windows of at least 120 readings (and only those), equal the rollups.
 */
export async function checkRollups(sensorIds: bigint[]): Promise<RollupCheck> {
  await catchUpRollups();
  const [row] = await sql<Record<keyof RollupCheck, number>>(
    `WITH raw AS (
       SELECT sensor_id, ts, id, num_value, (extract(epoch FROM ts) * 1000)::bigint AS ms
       FROM readings WHERE sensor_id = ANY($1::bigint[]) AND num_value IS NOT NULL
     ),
     ref_all AS (
       SELECT sensor_id, w.width_ms, ms - ms % w.width_ms AS start_ms, count(*)::int AS count,
              min(num_value) AS min, max(num_value) AS max, sum(num_value) AS sum,
              (array_agg(ts ORDER BY ts DESC, id DESC))[1] AS last_ts,
              (array_agg(id ORDER BY ts DESC, id DESC))[1] AS last_id,
              (array_agg(num_value ORDER BY ts DESC, id DESC))[1] AS last_value
       FROM raw CROSS JOIN (VALUES (60000), (600000), (3600000)) AS w(width_ms)
       GROUP BY 1, 2, 3
     ),
     ref AS (
       SELECT m.* FROM ref_all m
       WHERE m.width_ms <> 60000 OR EXISTS (
         SELECT 1 FROM ref_all t WHERE t.sensor_id = m.sensor_id AND t.width_ms = 600000
           AND t.start_ms = m.start_ms - m.start_ms % 600000 AND t.count >= 120)
     ),
     got AS (SELECT * FROM reading_rollups WHERE sensor_id = ANY($1::bigint[]))
     SELECT count(*) FILTER (WHERE got.sensor_id IS NULL)::int AS missing,
            count(*) FILTER (WHERE ref.sensor_id IS NULL)::int AS extra,
            count(*) FILTER (WHERE got.count <> ref.count OR got.min <> ref.min OR got.max <> ref.max
              OR got.last_ts <> ref.last_ts OR got.last_id <> ref.last_id
              OR got.last_value <> ref.last_value)::int AS differ,
            count(*) FILTER (WHERE got.width_ms = 600000 AND got.has_minutes <> (got.count >= 120))::int
              AS density,
            coalesce(max(abs(got.sum - ref.sum) / greatest(abs(ref.sum), 1e-300)), 0)::float8 AS "sumError",
            count(*)::int AS rows
     FROM ref FULL JOIN got USING (sensor_id, width_ms, start_ms)`,
    [sensorIds.map(String)],
  );
  return row;
}
