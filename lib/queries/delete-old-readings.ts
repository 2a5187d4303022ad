import { prisma } from "../db.ts";

/** Retention passes in several processes take turns batch by batch instead of colliding. */
const RETENTION_LOCK = 0x426f5265; // "BoRe"

/**
 * Deletes up to `limit` of a device's readings measured before `before`, oldest first, in one
 * short transaction; returns how many. The rows are found on the (device_id, ts, id) index and
 * deleted by id; the DELETE trigger on `readings` corrects their rollups in the same
 * transaction. Takes no lock that ingestion waits for (ingestion only inserts), except the
 * rollup rows of the windows it empties, for the moment of this transaction.
 */
export async function deleteOldReadings(
  deviceDbId: bigint,
  before: Date,
  limit: number,
): Promise<number> {
  const [, deleted] = await prisma.$transaction([
    prisma.$executeRaw`SELECT pg_advisory_xact_lock(${RETENTION_LOCK})`,
    prisma.$executeRaw`
      DELETE FROM readings WHERE id IN (
        SELECT id FROM readings
        WHERE device_id = ${deviceDbId} AND ts < ${before}
        ORDER BY ts, id
        LIMIT ${limit})`,
  ]);
  return deleted;
}
