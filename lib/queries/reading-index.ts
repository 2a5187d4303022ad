import { Prisma } from "../generated/prisma/client.ts";

// How a sensor's readings are found by time: the index on (sensor_id, date_bin('10 minutes', ts,
// epoch)) (see the lean_readings migration). PostgreSQL only uses an expression index for the
// very same expression, so every query of a sensor's readings by time names it through these
// (for `readings r`), with the bucket bounds beside the ts bounds.

/** The 10-minute bucket of `r.ts`: the second key of the index. */
export const BUCKET = Prisma.raw("date_bin('10 minutes', r.ts, timestamptz 'epoch')");

/** The bucket of a time given as a parameter. */
export const bucketOf = (t: Date) =>
  Prisma.sql`date_bin('10 minutes', ${t}::timestamptz, timestamptz 'epoch')`;

/** r.ts within [from, to] (either end optional), in a form the index can use. */
export function timeRange(from?: Date, to?: Date): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (from)
    conditions.push(Prisma.sql`${BUCKET} >= ${bucketOf(from)}`, Prisma.sql`r.ts >= ${from}`);
  if (to) conditions.push(Prisma.sql`${BUCKET} <= ${bucketOf(to)}`, Prisma.sql`r.ts <= ${to}`);
  return conditions;
}

/** Readings before (ts, id), newest first: the fetch endpoints' cursor. */
export function before(c: { ts: Date; id: bigint }): Prisma.Sql[] {
  return [
    Prisma.sql`${BUCKET} <= ${bucketOf(c.ts)}`,
    Prisma.sql`r.ts <= ${c.ts}`,
    Prisma.sql`(r.ts, r.id) < (${c.ts}, ${c.id})`,
  ];
}

/** Readings after (ts, id), oldest first: the export's keyset. */
export function after(c: { ts: Date; id: bigint }): Prisma.Sql[] {
  return [
    Prisma.sql`${BUCKET} >= ${bucketOf(c.ts)}`,
    Prisma.sql`r.ts >= ${c.ts}`,
    Prisma.sql`(r.ts, r.id) > (${c.ts}, ${c.id})`,
  ];
}

export const NEWEST_FIRST = Prisma.sql`ORDER BY ${BUCKET} DESC, r.ts DESC, r.id DESC`;
export const OLDEST_FIRST = Prisma.sql`ORDER BY ${BUCKET}, r.ts, r.id`;
