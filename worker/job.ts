/** A background job of the worker: one pass at a time, by one worker at a time. */
export interface Job {
  /** In logs and the worker's /health. */
  name: string;
  /**
   * The job's lease: the PostgreSQL advisory lock (JOB_LOCK_CLASS, lockId) that the worker
   * running it holds. Fixed forever: two versions of the worker must agree on it.
   */
  lockId: number;
  /** Pause after each pass (and before the first, unless firstDelayMs says otherwise). */
  intervalMs: number;
  firstDelayMs?: number;
  /** One pass. `signal` aborts when the worker stops or loses the lease: stop between steps. */
  run(signal: AbortSignal): Promise<void>;
}

/** The advisory-lock class of job leases ("BoJb"); the job's lockId is the object. */
export const JOB_LOCK_CLASS = 0x426f4a62;
