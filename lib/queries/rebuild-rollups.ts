import { HOUR_MS, MINUTE_MS, TEN_MINUTES_MS } from "../analytics/rollup-widths.ts";
import { prisma } from "../db.ts";

/**
 * Recomputes the rollups of the given sensors from their readings, in one transaction that
 * holds a SHARE lock on `readings` (inserts and deletes wait for it). For data loaded with the
 * triggers off (a bulk load or restore with session_replication_role = replica) and for tests
 * and benchmarks; the triggers keep rollups right on their own otherwise.
 */
export async function rebuildRollups(sensorIds: bigint[]): Promise<void> {
  const ids = sensorIds.map(String);
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`LOCK TABLE readings IN SHARE MODE`;
      await tx.$executeRaw`SET LOCAL work_mem = '256MB'`;
      await tx.$executeRaw`DELETE FROM reading_rollups WHERE sensor_id = ANY(${ids}::bigint[])`;
      await tx.$executeRaw`
        INSERT INTO reading_rollups
          (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
        SELECT sensor_id, ${MINUTE_MS}::int, (extract(epoch FROM minute) * 1000)::bigint, count(*)::int,
               min(num_value), max(num_value), sum(num_value), max(ts),
               (array_agg(id ORDER BY ts DESC, id DESC))[1],
               (array_agg(num_value ORDER BY ts DESC, id DESC))[1]
        FROM readings, LATERAL (SELECT date_bin('1 minute', ts, timestamptz 'epoch') AS minute) m
        WHERE sensor_id = ANY(${ids}::bigint[]) AND num_value IS NOT NULL
        GROUP BY sensor_id, minute`;
      // 10-minute and hour windows from the minutes.
      await tx.$executeRaw`
        INSERT INTO reading_rollups
          (sensor_id, width_ms, start_ms, count, min, max, sum, last_ts, last_id, last_value)
        SELECT sensor_id, w.width_ms, start_ms - start_ms % w.width_ms, sum(count)::int, min(min),
               max(max), sum(sum), max(last_ts),
               (array_agg(last_id ORDER BY last_ts DESC, last_id DESC))[1],
               (array_agg(last_value ORDER BY last_ts DESC, last_id DESC))[1]
        FROM reading_rollups CROSS JOIN unnest(${[TEN_MINUTES_MS, HOUR_MS]}::int[]) AS w(width_ms)
        WHERE sensor_id = ANY(${ids}::bigint[]) AND reading_rollups.width_ms = ${MINUTE_MS}
        GROUP BY sensor_id, w.width_ms, start_ms - start_ms % w.width_ms`;
    },
    { timeout: 30 * 60_000, maxWait: 10_000 },
  );
}
