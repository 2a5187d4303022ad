import { rollUp } from "../../lib/queries/roll-up.ts";
import type { Job } from "../job.ts";

/** Readings one pass takes: a pass is one transaction of about this many rows. */
const BATCH = 20_000;

/**
 * Keeps reading_rollups: every half second, the readings that became final since the last
 * pass, in their final order, from a durable cursor (job_cursors 'rollups'). Late data — a
 * gateway uploading what it buffered offline — is just more readings after the cursor: its
 * old windows are updated like any other. The aggregates add what the job has not reached yet,
 * so they stay exact whatever it lags by.
 */
export const rollups: Job = {
  name: "rollups",
  lockId: 10,
  intervalMs: 500,
  firstDelayMs: 0,
  async run(signal) {
    // A full batch means more is waiting (a backlog after a restart): go on at once.
    while (!signal.aborted && (await rollUp(BATCH)).readings >= BATCH) {}
  },
};
