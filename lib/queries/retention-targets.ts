import { prisma } from "../db.ts";

export interface RetentionTarget {
  key: bigint;
  device_id: string;
  days: number;
}

/**
 * Every device whose readings expire: its own retention_days, else `globalDays`; a period of
 * 0 (or less) keeps readings forever.
 */
export async function retentionTargets(globalDays: number): Promise<RetentionTarget[]> {
  return prisma.$queryRaw<RetentionTarget[]>`
    SELECT id AS key, device_id, coalesce(retention_days, ${globalDays}::int)::int AS days
    FROM devices
    WHERE coalesce(retention_days, ${globalDays}::int) > 0
    ORDER BY id`;
}
