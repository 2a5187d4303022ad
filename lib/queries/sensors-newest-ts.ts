import type { Prisma } from "../generated/prisma/client.ts";
import { NEWEST_FIRST } from "./reading-index.ts";

/**
 * For each sensor, the newest ts (epoch ms) among its readings with id up to `upTo`; sensors
 * without one are left out. One index probe per sensor (its newest 10 minutes).
 */
export async function sensorsNewestTs(
  tx: Prisma.TransactionClient,
  sensorIds: readonly number[],
  upTo: number,
): Promise<Map<number, number>> {
  if (sensorIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ sensor_id: bigint; ts: Date | null }[]>`
    SELECT x.id AS sensor_id,
           (SELECT r.ts FROM readings r WHERE r.sensor_id = x.id AND r.id <= ${upTo}
            ${NEWEST_FIRST} LIMIT 1) AS ts
    FROM unnest(${sensorIds}::bigint[]) AS x(id)`;
  const newest = new Map<number, number>();
  for (const r of rows) if (r.ts) newest.set(Number(r.sensor_id), r.ts.getTime());
  return newest;
}
