import { config } from "../../lib/config.ts";
import { log } from "../../lib/log.ts";
import { deleteOldReadings } from "../../lib/queries/delete-old-readings.ts";
import { retentionTargets } from "../../lib/queries/retention-targets.ts";
import { sleep } from "../../lib/sleep.ts";
import type { Job } from "../job.ts";

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** Days readings are kept where a device has no retention_days; 0 = forever. Default RETENTION_DAYS. */
  days?: number;
  /** Readings deleted per statement (and transaction). Default 5000. */
  batchSize?: number;
  /** Pause after each full batch, so the deletion never hogs the database. Default 100 ms. */
  pauseMs?: number;
  /** The clock; the cutoff of each device is fixed at the start of its pass. */
  now?: () => Date;
  /** Stops the pass between two batches. */
  signal?: AbortSignal;
}

export interface RetentionResult {
  /** Readings deleted. */
  deleted: number;
  /** Sensors whose readings expire (whether or not any were old enough). */
  sensors: number;
  batches: number;
}

/**
 * One retention pass: for every sensor whose readings expire (its device's period), deletes
 * the readings measured more than the period ago (ts < now − days), oldest first, `batchSize`
 * at a time, each batch its own short transaction (rollups corrected in it), with a pause
 * after each. Ingestion goes on meanwhile: it only inserts, so it never waits for a batch.
 */
export async function runRetention(opts: RetentionOptions = {}): Promise<RetentionResult> {
  const days = opts.days ?? config().RETENTION_DAYS;
  const batchSize = opts.batchSize ?? 5000;
  const pauseMs = opts.pauseMs ?? 100;
  const now = opts.now ?? (() => new Date());
  const result: RetentionResult = { deleted: 0, sensors: 0, batches: 0 };
  const targets = await retentionTargets(days);
  result.sensors = targets.length;
  for (const sensor of targets) {
    const before = new Date(now().getTime() - sensor.days * DAY_MS);
    for (;;) {
      if (opts.signal?.aborted) return result;
      const deleted = await deleteOldReadings(sensor.sensor_id, before, batchSize);
      result.batches++;
      result.deleted += deleted;
      if (deleted < batchSize) break;
      await sleep(pauseMs, opts.signal);
    }
  }
  return result;
}

/** Retention as a worker job: a pass 5 s after the lease is taken, then 10 minutes after each. */
export function retentionJob(
  opts: Omit<RetentionOptions, "signal"> & { intervalMs?: number } = {},
): Job {
  return {
    name: "retention",
    lockId: 2,
    intervalMs: opts.intervalMs ?? 10 * 60_000,
    firstDelayMs: 5_000,
    async run(signal) {
      const started = performance.now();
      const r = await runRetention({ ...opts, signal });
      if (r.deleted > 0) {
        log.info(
          { ...r, ms: Math.round(performance.now() - started) },
          "retention deleted old readings",
        );
      }
    },
  };
}
