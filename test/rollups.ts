// Checks reading_rollups against a recomputation from the readings themselves.
import { sql } from "./db.ts";

export interface RollupCheck {
  /** Windows with readings but no rollup row. */
  missing: number;
  /** Rollup rows with no readings left in their window. */
  extra: number;
  /** Rows whose count, min, max or last differ. */
  differ: number;
  /** Largest relative difference of a sum (they are added up in another order). */
  sumError: number;
  rows: number;
}

export async function checkRollups(sensorIds: bigint[]): Promise<RollupCheck> {
  const [row] = await sql<Record<keyof RollupCheck, number>>(
    `WITH ref AS (
       SELECT sensor_id, w.width_ms, ms - ms % w.width_ms AS start_ms, count(*)::int AS count,
              min(num_value) AS min, max(num_value) AS max, sum(num_value) AS sum,
              (array_agg(ts ORDER BY ts DESC, id DESC))[1] AS last_ts,
              (array_agg(id ORDER BY ts DESC, id DESC))[1] AS last_id,
              (array_agg(num_value ORDER BY ts DESC, id DESC))[1] AS last_value
       FROM (SELECT sensor_id, ts, id, num_value, (extract(epoch FROM ts) * 1000)::bigint AS ms
             FROM readings WHERE sensor_id = ANY($1::bigint[]) AND num_value IS NOT NULL) x
       CROSS JOIN (VALUES (60000), (600000), (3600000)) AS w(width_ms)
       GROUP BY 1, 2, 3
     ),
     got AS (SELECT * FROM reading_rollups WHERE sensor_id = ANY($1::bigint[]))
     SELECT count(*) FILTER (WHERE got.sensor_id IS NULL)::int AS missing,
            count(*) FILTER (WHERE ref.sensor_id IS NULL)::int AS extra,
            count(*) FILTER (WHERE got.count <> ref.count OR got.min <> ref.min OR got.max <> ref.max
              OR got.last_ts <> ref.last_ts OR got.last_id <> ref.last_id
              OR got.last_value <> ref.last_value)::int AS differ,
            coalesce(max(abs(got.sum - ref.sum) / greatest(abs(ref.sum), 1e-300)), 0)::float8 AS "sumError",
            count(*)::int AS rows
     FROM ref FULL JOIN got USING (sensor_id, width_ms, start_ms)`,
    [sensorIds.map(String)],
  );
  return row;
}
