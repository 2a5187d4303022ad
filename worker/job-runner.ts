import pg from "pg";
import { config } from "../lib/config.ts";
import { log } from "../lib/log.ts";
import { sleep } from "../lib/sleep.ts";
import { JOB_LOCK_CLASS, type Job } from "./job.ts";

/** How often a worker tries to take the leases it does not hold (a dead worker's, for one). */
const LEASE_RETRY_MS = 2000;

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs each job while holding its lease: a session-level PostgreSQL advisory lock on one
 * connection of its own. Of several workers, one holds each lease and runs the job; the others
 * try again every LEASE_RETRY_MS and take over within that time of the holder's death (its
 * connection closes, PostgreSQL releases its locks). A lost connection loses every lease at
 * once: the jobs stop between steps and start again when the leases are taken anew.
 */
export class JobRunner {
  private client: pg.Client | undefined;
  private readonly running = new Map<Job, Running>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly jobs: Job[],
    private readonly retryMs = LEASE_RETRY_MS,
  ) {}

  /** The names of the jobs whose lease this worker holds. */
  held(): string[] {
    return [...this.running.keys()].map((j) => j.name);
  }

  start(): void {
    const tick = () => {
      void this.takeLeases().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.retryMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.connecting;
    await this.release();
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private async takeLeases(): Promise<void> {
    try {
      const client = await this.connection();
      for (const job of this.jobs) {
        if (this.running.has(job) || this.stopped) continue;
        const { rows } = await client.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1, $2) AS ok",
          [JOB_LOCK_CLASS, job.lockId],
        );
        if (rows[0]?.ok) this.run(job);
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not take job leases; trying again");
      await this.lose();
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: config().DATABASE_URL,
      connectionTimeoutMillis: config().DB_CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    // The leases live as long as this connection: when it goes, so do they.
    client.on("error", (err) => {
      log.warn({ err: err.message }, "job lease connection lost");
      void this.lose();
    });
    this.connecting = client.connect().then(() => {});
    try {
      await this.connecting;
    } finally {
      this.connecting = undefined;
    }
    this.client = client;
    return client;
  }

  private run(job: Job): void {
    const controller = new AbortController();
    const { signal } = controller;
    log.info({ job: job.name }, "took the job's lease");
    const done = (async () => {
      await sleep(job.firstDelayMs ?? job.intervalMs, signal);
      while (!signal.aborted) {
        try {
          await job.run(signal);
        } catch (err) {
          log.warn({ job: job.name, err: String(err) }, "job pass failed; trying again later");
        }
        await sleep(job.intervalMs, signal);
      }
    })();
    this.running.set(job, { controller, done });
  }

  /** Stops every job (between steps) and waits for them. */
  private async release(): Promise<void> {
    const running = [...this.running.values()];
    this.running.clear();
    for (const r of running) r.controller.abort();
    await Promise.all(running.map((r) => r.done));
  }

  private async lose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.running.size > 0) log.warn({ jobs: this.held() }, "job leases lost");
    await this.release();
    await client?.end().catch(() => {});
  }
}
