import { pool } from "../db.ts";

/**
 * Deletes up to `limit` of a sensor's readings measured before `before`, oldest first, and
 * corrects the rollups of the windows they leave, in one short transaction (the SQL function
 * bocloud_forget_readings); returns how many were deleted. Ingestion never waits for it (it
 * only inserts); the rollup job waits for the moment of this transaction. One worker at a time
 * runs retention (its job lease), so passes never collide.
 */
export async function deleteOldReadings(
  sensorId: bigint,
  before: Date,
  limit: number,
): Promise<number> {
  const { rows } = await pool.query<{ deleted: number }>(
    "SELECT bocloud_forget_readings($1, $2, $3) AS deleted",
    [sensorId, before, limit],
  );
  return rows[0].deleted;
}
