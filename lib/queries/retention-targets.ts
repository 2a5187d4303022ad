import { prisma } from "../db.ts";

export interface RetentionTarget {
  sensor_id: bigint;
  device_id: string;
  days: number;
}

/**
 * Every sensor whose readings expire: its device's own retention_days, else `globalDays`; a
 * period of 0 (or less) keeps readings forever.
 */
export async function retentionTargets(globalDays: number): Promise<RetentionTarget[]> {
  return prisma.$queryRaw<RetentionTarget[]>`
    SELECT s.id AS sensor_id, d.device_id, coalesce(d.retention_days, ${globalDays}::int)::int AS days
    FROM devices d JOIN sensors s ON s.device_key = d.id
    WHERE coalesce(d.retention_days, ${globalDays}::int) > 0
    ORDER BY s.id`;
}
