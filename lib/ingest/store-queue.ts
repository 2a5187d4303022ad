import { isDatabaseUnavailable } from "../errors.ts";
import { log } from "../log.ts";
import { commandEvents, publishEvents, publishReadings } from "../publish.ts";
import {
  type StoredBatch,
  type StoredRequest,
  type StoreRequest,
  storeRequests,
} from "../queries/store-readings.ts";

interface Waiting {
  request: StoreRequest;
  readings: number;
  resolve: (stored: StoredRequest) => void;
  reject: (err: unknown) => void;
}

export interface StoreQueueOptions {
  /** Store statements of this process under way at once. */
  maxInFlight: number;
  /** Readings one statement takes at most (a single request larger than that goes alone). */
  maxReadings: number;
}

/** PostgreSQL's deadlock_detected and serialization_failure: trying again is the cure. */
const RETRYABLE = new Set(["40P01", "40001"]);

/**
 * Combines the requests of a process that arrive while a store is under way into the next
 * statement: one round trip, one transaction and one commit (and one publish) for all of them,
 * however many devices post at once. Each request still gets its own answer: its readings and
 * commands, or its own refusal; one that fails the statement is stored alone, so it never
 * fails another.
 */
export class StoreQueue {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly opts: StoreQueueOptions) {}

  store(request: StoreRequest): Promise<StoredRequest> {
    const readings = request.items.reduce((n, item) => n + Object.keys(item.sensors).length, 0);
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, readings, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.waiting.length > 0) {
      const batch: Waiting[] = [];
      let readings = 0;
      while (this.waiting.length > 0) {
        const next = this.waiting[0];
        if (batch.length > 0 && readings + next.readings > this.opts.maxReadings) break;
        batch.push(next);
        readings += next.readings;
        this.waiting.shift();
      }
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    let stored: StoredBatch;
    try {
      stored = await this.storeWithRetry(batch);
    } catch (err) {
      if (batch.length > 1 && !isDatabaseUnavailable(err)) {
        log.warn(
          { err: String(err), requests: batch.length },
          "a combined store failed; storing each alone",
        );
        await Promise.all(batch.map((w) => this.run([w])));
        return;
      }
      for (const w of batch) w.reject(err);
      return;
    }
    // Live viewers hear of them before the devices do; a reading that misses Redis is still
    // served from the database.
    await Promise.all([
      publishReadings(stored.readings),
      publishEvents([...stored.cameOnline, ...commandEvents(stored.commands)]),
    ]);
    stored.outcomes.forEach((outcome, i) => {
      if ("stored" in outcome) batch[i].resolve(outcome.stored);
      else batch[i].reject(outcome.refused);
    });
  }

  private async storeWithRetry(batch: Waiting[]): Promise<StoredBatch> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await storeRequests(batch.map((w) => w.request));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw err;
      }
    }
  }
}
