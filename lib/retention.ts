import { config } from "./config.ts";
import { log } from "./log.ts";
import { deleteOldReadings } from "./queries/delete-old-readings.ts";
import { retentionTargets } from "./queries/retention-targets.ts";

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
  /** Devices whose readings expire (whether or not any were old enough). */
  devices: number;
  batches: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * One retention pass: for every device whose readings expire, deletes the readings measured
 * more than its period ago (ts < now − days), oldest first, `batchSize` at a time, each batch
 * its own short transaction, with a pause after each. Ingestion goes on meanwhile: it only
 * inserts, so it never waits for a batch (see deleteOldReadings for the one exception).
 */
export async function runRetention(opts: RetentionOptions = {}): Promise<RetentionResult> {
  const days = opts.days ?? config().RETENTION_DAYS;
  const batchSize = opts.batchSize ?? 5000;
  const pauseMs = opts.pauseMs ?? 100;
  const now = opts.now ?? (() => new Date());
  const result: RetentionResult = { deleted: 0, devices: 0, batches: 0 };
  const targets = await retentionTargets(days);
  result.devices = targets.length;
  for (const device of targets) {
    const before = new Date(now().getTime() - device.days * DAY_MS);
    for (;;) {
      if (opts.signal?.aborted) return result;
      const deleted = await deleteOldReadings(device.id, before, batchSize);
      result.batches++;
      result.deleted += deleted;
      if (deleted < batchSize) break;
      await sleep(pauseMs, opts.signal);
    }
  }
  return result;
}

export interface RetentionLoop {
  /** Stops the loop; resolves once a pass under way has stopped (between two batches). */
  stop(): Promise<void>;
}

/**
 * Runs a retention pass `firstDelayMs` after the call and then every `intervalMs` (default
 * 10 minutes after the previous pass ended). A failed pass (the database down) is logged and
 * tried again at the next interval. For the stream sidecar: `startRetention()` in start(),
 * `await retention.stop()` in stop() before the database is disconnected.
 */
export function startRetention(
  opts: RetentionOptions & { intervalMs?: number; firstDelayMs?: number } = {},
): RetentionLoop {
  const intervalMs = opts.intervalMs ?? 10 * 60_000;
  const controller = new AbortController();
  const signal = controller.signal;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const pass = async () => {
    const started = performance.now();
    try {
      const r = await runRetention({ ...opts, signal });
      if (r.deleted > 0) {
        log.info(
          { ...r, ms: Math.round(performance.now() - started) },
          "retention deleted old readings",
        );
      }
    } catch (err) {
      log.warn({ err: String(err) }, "retention pass failed; trying again later");
    }
  };
  const schedule = (ms: number) => {
    if (signal.aborted) return;
    timer = setTimeout(() => {
      running = pass().then(() => schedule(intervalMs));
    }, ms);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? 5_000);

  return {
    async stop() {
      controller.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
