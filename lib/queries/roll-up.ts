import { pool } from "../db.ts";

export interface RollUpPass {
  /** The cursor before and after the pass: readings with from < id <= to were taken. */
  from: number;
  to: number;
  /** How many readings the pass read (numeric or not). */
  readings: number;
}

/**
 * Takes the next `limit` final readings after the rollup cursor into reading_rollups and moves
 * the cursor past them, in one transaction (the SQL function bocloud_roll_up).
 */
export async function rollUp(limit: number): Promise<RollUpPass> {
  const { rows } = await pool.query<{ pass: RollUpPass }>("SELECT bocloud_roll_up($1) AS pass", [
    limit,
  ]);
  const { from, to, readings } = rows[0].pass;
  return { from: Number(from), to: Number(to), readings: Number(readings) };
}

/**
 * Rolls up every final reading not yet in the rollups, now, in passes of `batch` (what the
 * worker's rollup job does over time): after a bulk load or restore, and in tests and
 * benchmarks. Safe beside a running worker: the passes take turns on the cursor's row lock.
 */
export async function catchUpRollups(batch = 100_000): Promise<void> {
  while ((await rollUp(batch)).readings >= batch) {}
}
