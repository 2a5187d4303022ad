import { once } from "node:events";
import type { Redis } from "ioredis";
import { eventsChannel, readingsChannel } from "./channels.ts";
import { config } from "./config.ts";
import type { LiveEvent } from "./events.ts";
import { log } from "./log.ts";
import type { WireReading } from "./reading.ts";
import { createRedis } from "./redis.ts";

/** After a publish times out, requests skip Redis this long (or until it is ready again). */
const SKIP_AFTER_TIMEOUT_MS = 1000;
const CONNECTING = new Set(["wait", "connecting", "connect"]);

let publisher: Redis | undefined;
let skipUntil = 0;

function getPublisher(timeoutMs: number): Redis {
  if (!publisher) {
    publisher = createRedis({ commandTimeout: timeoutMs });
    publisher.on("ready", () => {
      skipUntil = 0;
    });
  }
  return publisher;
}

/**
 * Publishes for live fan-out. Redis is only the fast path (the stream fills gaps from
 * PostgreSQL), so this waits at most REDIS_PUBLISH_TIMEOUT_MS, never throws, and keeps no
 * queue: a reading that misses Redis is still delivered from the database. A Redis that
 * hangs costs one request that bound; the requests after it skip Redis for a second
 * instead of each paying it again.
 */
async function publishBounded(channel: string, message: string): Promise<boolean> {
  const timeoutMs = config().REDIS_PUBLISH_TIMEOUT_MS;
  const redis = getPublisher(timeoutMs);
  if (Date.now() < skipUntil) return false;
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      skipUntil = Date.now() + SKIP_AFTER_TIMEOUT_MS;
      reject(new Error(`publish timed out after ${timeoutMs} ms; skipping Redis for a while`));
    }, timeoutMs);
  });
  try {
    // A connection still being made is waited for (within the same bound), so the first
    // request after start is published too; a lost connection fails at once.
    if (CONNECTING.has(redis.status)) {
      await Promise.race([once(redis, "ready", { signal: abort.signal }), timeout]);
    }
    await Promise.race([redis.publish(channel, message), timeout]);
    return true;
  } catch (err) {
    log.warn({ err: (err as Error).message, channel }, "not published");
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function publishReadings(readings: WireReading[]): Promise<boolean> {
  return publishBounded(readingsChannel(), JSON.stringify(readings));
}

export function publishEvents(events: LiveEvent[]): Promise<boolean> {
  if (events.length === 0) return Promise.resolve(true);
  return publishBounded(eventsChannel(), JSON.stringify(events));
}
