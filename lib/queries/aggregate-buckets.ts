import {
  HOUR_MS as HOUR,
  MINUTE_MS as MINUTE,
  TEN_MINUTES_MS as TEN_MINUTES,
} from "../analytics/rollup-widths.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { BUCKET } from "./reading-index.ts";

/** One bucket of a sensor's numeric readings; `start_ms` = k · width, epoch milliseconds. */
export interface BucketRow {
  start_ms: number;
  count: number;
  min: number;
  max: number;
  avg: number;
  last: number;
}

/** What one part of the query knows about bucket k. */
interface Partial {
  k: bigint;
  count: bigint;
  min: number;
  max: number;
  sum: number;
  last_ts: Date;
  last_value: number;
}

/**
 * Buckets [k·w, (k+1)·w) of the numeric readings of one sensor with fromMs <= ts < endMs,
 * empty buckets left out, oldest first. Exact, but without reading every reading:
 *
 * - an hour of `reading_rollups` that lies wholly inside the range and inside one bucket is
 *   taken whole (one index range scan, 8 760 rows for a year);
 * - an hour that a bucket boundary (or fromMs / endMs) cuts is taken by its 10-minute
 *   windows; a cut 10-minute window by its minutes where it has minute rows (a dense window),
 *   else from `readings` itself (one index key: the readings index is by 10 minutes);
 * - a minute that a boundary cuts is read from `readings` (one probe per cut minute).
 *
 * The rollups hold the readings up to the rollup job's cursor; those after it are added from
 * `readings` (the tail, usually the last second or so). The parts run in one REPEATABLE READ
 * transaction, so rollups, cursor and readings are seen at one moment, and the raw parts read
 * only readings up to the cursor: no reading is counted twice or missed. So the work grows
 * with the number of hours in the range plus the number of buckets, not with the number of
 * readings (bucket widths from an hour up are whole minutes, from two hours whole 10 minutes,
 * so their boundaries cut no minute: see lib/analytics/buckets.ts). Parts never overlap, so
 * the newest reading of a bucket is the `last` of the part with the newest `last_ts`.
 */
export async function aggregateBuckets(
  sensorId: bigint,
  fromMs: number,
  endMs: number,
  w: number,
): Promise<BucketRow[]> {
  const s = sensorId;
  const f = BigInt(fromMs);
  const e = BigInt(endMs);
  const W = BigInt(w);
  // Where the range is cut: its two ends and every bucket boundary inside it; the cut
  // 10-minute windows, and whether each has minute rows.
  const cuts = Prisma.sql`
    WITH cuts AS (
      SELECT ${f}::bigint AS b UNION SELECT ${e}::bigint
      UNION SELECT k * ${W}::bigint
      FROM generate_series(${f}::bigint / ${W}::bigint + 1, (${e}::bigint - 1) / ${W}::bigint) AS k
    ),
    cut_tens AS (
      SELECT t.c, coalesce(r.has_minutes, false) AS dense
      FROM (SELECT DISTINCT b - b % ${TEN_MINUTES} AS c FROM cuts WHERE b % ${TEN_MINUTES} <> 0) AS t
      LEFT JOIN reading_rollups r
        ON r.sensor_id = ${s} AND r.width_ms = ${TEN_MINUTES} AND r.start_ms = t.c
    ),
    rolled AS (
      SELECT coalesce((SELECT reading_id FROM job_cursors WHERE job = 'rollups'), 0) AS id
    )`;

  const hours = prisma.$queryRaw<Partial[]>`
    SELECT r.start_ms / ${W}::bigint AS k, sum(r.count)::bigint AS count, min(r.min) AS min,
           max(r.max) AS max, sum(r.sum) AS sum, max(r.last_ts) AS last_ts,
           (array_agg(r.last_value ORDER BY r.last_ts DESC, r.last_id DESC))[1] AS last_value
    FROM reading_rollups r
    WHERE r.sensor_id = ${s} AND r.width_ms = ${HOUR}
      AND r.start_ms >= ${f}::bigint AND r.start_ms <= ${e}::bigint - ${HOUR}
      AND r.start_ms / ${W}::bigint = (r.start_ms + ${HOUR - 1}) / ${W}::bigint
    GROUP BY 1`;

  /** The uncut windows of `width` inside the cut windows `cut` (a select of `c`) of `cutWidth`. */
  const within = (cut: Prisma.Sql, cutWidth: number, width: number) => prisma.$queryRaw<Partial[]>`
    ${cuts}
    SELECT x.* FROM (${cut}) AS cut
    CROSS JOIN LATERAL (
      SELECT r.start_ms / ${W}::bigint AS k, sum(r.count)::bigint AS count, min(r.min) AS min,
             max(r.max) AS max, sum(r.sum) AS sum, max(r.last_ts) AS last_ts,
             (array_agg(r.last_value ORDER BY r.last_ts DESC, r.last_id DESC))[1] AS last_value
      FROM reading_rollups r
      WHERE r.sensor_id = ${s} AND r.width_ms = ${width}
        AND r.start_ms >= greatest(cut.c, ${f}::bigint)
        AND r.start_ms < least(cut.c + ${cutWidth}, ${e}::bigint - ${width - 1})
        AND r.start_ms / ${W}::bigint = (r.start_ms + ${width - 1}) / ${W}::bigint
      GROUP BY 1
    ) AS x`;

  /** Readings (numeric, up to `upTo`) of `windows` (a select of `c`, each `width` long). */
  const raw = (windows: Prisma.Sql, width: number) => prisma.$queryRaw<Partial[]>`
    ${cuts}
    SELECT x.* FROM (${windows}) AS cut, rolled
    CROSS JOIN LATERAL (
      SELECT (extract(epoch FROM r.ts) * 1000)::bigint / ${W}::bigint AS k, count(*) AS count,
             min(r.num_value) AS min, max(r.num_value) AS max, sum(r.num_value) AS sum,
             max(r.ts) AS last_ts,
             (array_agg(r.num_value ORDER BY r.ts DESC, r.id DESC))[1] AS last_value
      FROM readings r
      WHERE r.sensor_id = ${s} AND r.num_value IS NOT NULL AND r.id <= rolled.id
        AND ${BUCKET} = to_timestamp((cut.c - cut.c % ${TEN_MINUTES}) / 1000.0)
        AND r.ts >= to_timestamp(greatest(cut.c, ${f}::bigint) / 1000.0)
        AND r.ts < to_timestamp(least(cut.c + ${width}, ${e}::bigint) / 1000.0)
      GROUP BY 1
    ) AS x`;

  // The readings the rollup job has not reached yet.
  const tail = prisma.$queryRaw<Partial[]>`
    ${cuts}
    SELECT (extract(epoch FROM r.ts) * 1000)::bigint / ${W}::bigint AS k, count(*) AS count,
           min(r.num_value) AS min, max(r.num_value) AS max, sum(r.num_value) AS sum,
           max(r.ts) AS last_ts, (array_agg(r.num_value ORDER BY r.ts DESC, r.id DESC))[1] AS last_value
    FROM readings r, rolled
    WHERE r.id > rolled.id AND r.sensor_id = ${s} AND r.num_value IS NOT NULL
      AND r.ts >= to_timestamp(${f}::bigint / 1000.0) AND r.ts < to_timestamp(${e}::bigint / 1000.0)
    GROUP BY 1`;

  const denseTens = Prisma.sql`SELECT c FROM cut_tens WHERE dense`;
  const sparseTens = Prisma.sql`SELECT c FROM cut_tens WHERE NOT dense`;
  const cutMinutesOfDense = Prisma.sql`
    SELECT DISTINCT b - b % ${MINUTE} AS c FROM cuts
    WHERE b % ${MINUTE} <> 0 AND b - b % ${TEN_MINUTES} IN (SELECT c FROM cut_tens WHERE dense)`;
  // JIT compilation would cost more than the whole query: the planner's estimates for the
  // probes are far too high, and it would compile.
  const [, ...parts] = await prisma.$transaction(
    [
      prisma.$executeRaw`SET LOCAL jit = off`,
      hours,
      within(
        Prisma.sql`SELECT DISTINCT b - b % ${HOUR} AS c FROM cuts WHERE b % ${HOUR} <> 0`,
        HOUR,
        TEN_MINUTES,
      ),
      within(denseTens, TEN_MINUTES, MINUTE),
      raw(cutMinutesOfDense, MINUTE),
      raw(sparseTens, TEN_MINUTES),
      tail,
    ],
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  const buckets = new Map<bigint, Omit<Partial, "k">>();
  for (const part of parts) {
    for (const p of part) {
      const b = buckets.get(p.k);
      if (!b) buckets.set(p.k, { ...p });
      else {
        b.count += p.count;
        b.min = Math.min(b.min, p.min);
        b.max = Math.max(b.max, p.max);
        b.sum += p.sum;
        if (p.last_ts > b.last_ts) {
          b.last_ts = p.last_ts;
          b.last_value = p.last_value;
        }
      }
    }
  }
  return [...buckets]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, b]) => ({
      start_ms: Number(k * W),
      count: Number(b.count),
      min: b.min,
      max: b.max,
      avg: b.sum / Number(b.count),
      last: b.last_value,
    }));
}
