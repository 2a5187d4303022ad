import type { WireReading } from "../lib/reading.ts";

export interface SequencerOptions {
  /** The reading horizon: every reading with an id up to it is committed or never will be. */
  horizon: () => Promise<number>;
  /** Reads stored readings with afterId < id <= upTo, oldest first. */
  readingsAfter: (afterId: number, opts: { upTo: number; limit: number }) => Promise<WireReading[]>;
  /** Called with each run of readings, ids strictly increasing across calls, none skipped. */
  deliver: (readings: WireReading[]) => void;
  onError: (err: unknown) => void;
  /** How long an out-of-order reading waits for the ones before it before the database is asked. */
  gapWaitMs?: number;
  pageSize?: number;
  /** Readings held while waiting for a gap; past this they are read from the database instead. */
  maxPending?: number;
  retryMs?: number;
}

/**
 * Turns the readings that arrive over Redis (late, out of order, twice, or not at all) into
 * one ordered stream with no gap: the database is the source of truth, Redis the fast path.
 * A reading whose predecessor has been delivered goes out at once; a gap is filled from the
 * database up to the reading horizon, below which nothing can still appear (stores commit in
 * any order, so a gap may also be a store still under way: it waits for that one).
 */
export class Sequencer {
  private readonly pending = new Map<number, WireReading>();
  private chain: Promise<void> = Promise.resolve();
  private fillQueued = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly gapWaitMs: number;
  private readonly pageSize: number;
  private readonly maxPending: number;
  private readonly retryMs: number;

  constructor(
    /** The highest id delivered so far; readings up to it are served from the database. */
    public head: number,
    private readonly opts: SequencerOptions,
  ) {
    this.gapWaitMs = opts.gapWaitMs ?? 25;
    this.pageSize = opts.pageSize ?? 1000;
    this.maxPending = opts.maxPending ?? 10_000;
    this.retryMs = opts.retryMs ?? 1000;
  }

  /** Readings published on Redis, in any order, possibly seen before. */
  receive(readings: WireReading[]): void {
    for (const r of readings) {
      if (r.id > this.head && this.pending.size < this.maxPending) this.pending.set(r.id, r);
    }
    this.deliverContiguous();
    this.scheduleGapFill();
  }

  /**
   * Reads from the database everything final after `head` and delivers it. Used for gaps,
   * after Redis comes back, and by a periodic poll that catches readings whose publish failed.
   */
  fill(): Promise<void> {
    if (this.fillQueued) return this.chain;
    this.fillQueued = true;
    this.chain = this.chain.then(async () => {
      this.fillQueued = false;
      if (this.stopped) return;
      try {
        await this.fillOnce();
      } catch (err) {
        this.opts.onError(err);
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          void this.fill();
        }, this.retryMs);
      }
    });
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
  }

  private async fillOnce(): Promise<void> {
    const horizon = await this.opts.horizon();
    while (this.head < horizon) {
      const rows = await this.opts.readingsAfter(this.head, {
        upTo: horizon,
        limit: this.pageSize,
      });
      // Readings may have arrived over Redis and been delivered while the query ran.
      const fresh = rows.filter((r) => r.id > this.head);
      if (fresh.length > 0) {
        this.head = fresh[fresh.length - 1].id;
        this.opts.deliver(fresh);
      }
      // Ids up to the horizon that the database does not have were rolled back: never coming.
      if (rows.length < this.pageSize) this.head = Math.max(this.head, horizon);
    }
    for (const id of this.pending.keys()) if (id <= this.head) this.pending.delete(id);
    this.deliverContiguous();
    this.scheduleGapFill();
  }

  private scheduleGapFill(): void {
    if (this.pending.size === 0 || this.gapTimer || this.stopped) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      void this.fill();
    }, this.gapWaitMs);
  }

  private deliverContiguous(): void {
    const run: WireReading[] = [];
    for (let next = this.pending.get(this.head + 1); next; next = this.pending.get(this.head + 1)) {
      this.pending.delete(next.id);
      this.head = next.id;
      run.push(next);
    }
    if (run.length > 0) this.opts.deliver(run);
  }
}
