import { once } from "node:events";
import type { Redis } from "ioredis";
import { eventsChannel, readingsChannel } from "./channels.ts";
import type { WireCommand } from "./commands/wire.ts";
import { config } from "./config.ts";
import type { LiveEvent } from "./events.ts";
import { log } from "./log.ts";
import type { WireReading } from "./reading.ts";
import { createRedis } from "./redis.ts";

/** After a publish times out, requests skip Redis this long (or until it is ready again). */
export const SKIP_AFTER_TIMEOUT_MS = 1000;
const CONNECTING = new Set(["wait", "connecting", "connect"]);

let publisher: Redis | undefined;
let skipUntil = 0;

function getPublisher(timeoutMs: number): Redis {
  if (!publisher) {
    // ioredis's own timeout only clears commands a hung connection still holds; the bound
    // below decides first.
    publisher = createRedis({ commandTimeout: timeoutMs * 2 });
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
  if (performance.now() < skipUntil) return false;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const abort = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // An event loop that was busy runs expired timers before it reads the replies that
      // arrived meanwhile: let those in first, so a late timer does not blame Redis.
      setImmediate(() => {
        timedOut = true;
        abort.abort();
        reject(new Error(`no answer from Redis within ${timeoutMs} ms`));
      });
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
    if (timedOut) skipUntil = performance.now() + SKIP_AFTER_TIMEOUT_MS;
    log.warn(
      { err: (err as Error).message, channel, skipMs: timedOut ? SKIP_AFTER_TIMEOUT_MS : 0 },
      "not published",
    );
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens the publishing connection ahead of the first publish, for a process that publishes
 * from its first moment (the worker): a publish that finds it still connecting waits only
 * REDIS_PUBLISH_TIMEOUT_MS for it.
 */
export function connectPublisher(): void {
  getPublisher(config().REDIS_PUBLISH_TIMEOUT_MS);
}

/** Closes the publishing connection (at shutdown). */
export function disconnectPublisher(): void {
  publisher?.disconnect();
  publisher = undefined;
}

export function publishReadings(readings: WireReading[]): Promise<boolean> {
  return publishBounded(readingsChannel(), JSON.stringify(readings));
}

export function publishEvents(events: LiveEvent[]): Promise<boolean> {
  if (events.length === 0) return Promise.resolve(true);
  return publishBounded(eventsChannel(), JSON.stringify(events));
}

/** Command changes (queued, delivered, acknowledged, expired) for every live viewer. */
export function publishCommands(commands: WireCommand[]): Promise<boolean> {
  return publishEvents(commandEvents(commands));
}

export function commandEvents(commands: WireCommand[]): LiveEvent[] {
  return commands.map((command) => ({ type: "command", command }));
}
