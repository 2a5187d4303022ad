import { prisma } from "../db.ts";

/**
 * Deletes up to `limit` of a device's readings measured before `before`, oldest first, in one
 * short statement; returns how many. The rows are found on the (device_key, ts, id) index and
 * deleted by id; the DELETE trigger on `readings` corrects their rollups in the same
 * transaction. Takes no lock that ingestion waits for (ingestion only inserts), except the
 * rollup rows of the windows it empties, for the moment of this transaction. One worker at a
 * time runs retention (its job lease), so passes never collide.
 */
export async function deleteOldReadings(
  deviceKey: bigint,
  before: Date,
  limit: number,
): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM readings WHERE id IN (
      SELECT id FROM readings
      WHERE device_key = ${deviceKey} AND ts < ${before}
      ORDER BY ts, id
      LIMIT ${limit})`;
}
