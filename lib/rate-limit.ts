import type { Redis } from "ioredis";
import { config, usesRedis } from "./config.ts";
import { DomainError } from "./errors.ts";
import { createRedis } from "./redis.ts";

/** How often a process adds its counts to the others' in Redis and learns theirs. */
export const RATE_SYNC_MS = 50;

/**
 * Counts of fixed one-second windows per key, taken in this process at once and shared with
 * every other process through Redis every RATE_SYNC_MS: a post never waits for a round trip.
 * The price is a small tolerance: in the moments between two syncs, each process may let a key
 * through up to what is left of its limit by the last count it knows. While Redis is down, and
 * without Redis (REDIS_URL=none), the counts are this process's own.
 */
class SharedWindowCounts {
  private window = 0;
  /** Counted here and not yet added in Redis. */
  private readonly unsent = new Map<string, number>();
  /** Every process's count as of the last sync (this one's included). */
  private readonly known = new Map<string, number>();
  private syncing = false;
  constructor(
    redis: Redis | undefined,
    private readonly keyPrefix: string,
    private readonly limit: number,
  ) {
    if (redis) setInterval(() => void this.sync(redis), RATE_SYNC_MS).unref();
  }

  /** Counts one for each key, all or none; the first key at its limit, if any. */
  take(keys: string[]): number {
    this.roll();
    const full = keys.findIndex(
      (key) => (this.known.get(key) ?? 0) + (this.unsent.get(key) ?? 0) >= this.limit,
    );
    if (full >= 0) return full;
    for (const key of keys) this.unsent.set(key, (this.unsent.get(key) ?? 0) + 1);
    return -1;
  }

  /** Milliseconds until the window (and its counts) start again. */
  msToNextWindow(): number {
    return 1000 - (Date.now() % 1000);
  }

  private roll(): void {
    const window = Math.floor(Date.now() / 1000);
    if (window === this.window) return;
    this.window = window;
    this.unsent.clear();
    this.known.clear();
  }

  private async sync(redis: Redis): Promise<void> {
    this.roll();
    if (this.syncing || this.unsent.size === 0 || redis.status !== "ready") return;
    this.syncing = true;
    const window = this.window;
    const sent = [...this.unsent];
    this.unsent.clear();
    try {
      const pipeline = redis.pipeline();
      for (const [key, n] of sent) {
        const redisKey = `${this.keyPrefix}:${window}:${key}`;
        pipeline.incrby(redisKey, n).pexpire(redisKey, 3000);
      }
      const results = (await pipeline.exec()) ?? [];
      if (this.window !== window) return;
      sent.forEach(([key], i) => {
        const [err, total] = results[i * 2] ?? [];
        if (!err) this.known.set(key, Number(total));
      });
    } catch {
      // Redis went away: keep the counts here, as if it had never been there.
      if (this.window === window)
        for (const [key, n] of sent) this.known.set(key, (this.known.get(key) ?? 0) + n);
    } finally {
      this.syncing = false;
    }
  }
}

let counts: SharedWindowCounts | undefined;

/**
 * Counts one post against each key (a device, a gateway, a token); 429 naming `label` when one
 * is over INGEST_RATE_PER_SECOND. Nothing is counted for a post that is refused.
 */
export function limitIngest(keys: { key: string; label: string }[]): void {
  const perSecond = config().INGEST_RATE_PER_SECOND;
  if (perSecond === 0) return;
  counts ??= new SharedWindowCounts(
    usesRedis(config()) ? createRedis({ commandTimeout: 1000 }) : undefined,
    `${config().REDIS_CHANNEL_PREFIX}:rl:ingest`,
    perSecond,
  );
  const full = counts.take(keys.map((k) => k.key));
  if (full >= 0) {
    throw new DomainError(
      "rate_limited",
      `${keys[full].label} posts faster than ${perSecond} per second.`,
      Math.max(1, Math.ceil(counts.msToNextWindow() / 1000)),
    );
  }
}
