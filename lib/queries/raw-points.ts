import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { OLDEST_FIRST, timeRange } from "./reading-index.ts";

export interface RawPointRow {
  id: bigint;
  ts: Date;
  num_value: number | null;
}

/**
 * The first `limit` readings (of any type) of one sensor with from <= ts <= to, oldest first:
 * the aggregates ask for points + 1 to learn whether the range is small enough to draw raw.
 */
export async function rawPoints(
  sensorId: bigint,
  from: Date,
  to: Date,
  limit: number,
): Promise<RawPointRow[]> {
  return prisma.$queryRaw<RawPointRow[]>`
    SELECT r.id, r.ts, r.num_value FROM readings r
    WHERE ${Prisma.join([Prisma.sql`r.sensor_id = ${sensorId}`, ...timeRange(from, to)], " AND ")}
    ${OLDEST_FIRST}
    LIMIT ${limit}`;
}
