import { once } from "node:events";
import { eventsChannel, readingsChannel } from "./channels.ts";
import type { WireCommand } from "./commands/wire.ts";
import { config, usesRedis } from "./config.ts";
import type { LiveEvent } from "./events.ts";
import { notifyPublisher } from "./live/postgres-notify.ts";
import { log } from "./log.ts";
import type { WireReading } from "./reading.ts";
import { createRedis } from "./redis.ts";

/** After a publish times out, requests skip the live channel this long (or until it is ready again). */
export const SKIP_AFTER_TIMEOUT_MS = 1000;
const CONNECTING = new Set(["wait", "connecting", "connect"]);

/** Where this process publishes: Redis, or PostgreSQL NOTIFY when there is no Redis. */
interface Publisher {
  /** A connection still being made, to wait for (within the bound) before publishing. */
  connecting(signal: AbortSignal): Promise<unknown> | undefined;
  publish(channel: string, message: string): Promise<unknown>;
  close(): void;
}

let publisher: Publisher | undefined;
let skipUntil = 0;
const ready = () => {
  skipUntil = 0;
};

function redisPublisher(timeoutMs: number): Publisher {
  // ioredis's own timeout only clears commands a hung connection still holds; the bound in
  // publishBounded decides first.
  const redis = createRedis({ commandTimeout: timeoutMs * 2 });
  redis.on("ready", ready);
  return {
    connecting: (signal) =>
      CONNECTING.has(redis.status) ? once(redis, "ready", { signal }) : undefined,
    publish: (channel, message) => redis.publish(channel, message),
    close: () => redis.disconnect(),
  };
}

function getPublisher(timeoutMs: number): Publisher {
  publisher ??= usesRedis(config())
    ? redisPublisher(timeoutMs)
    : { ...notifyPublisher(ready), connecting: () => undefined };
  return publisher;
}

/**
 * Publishes for live fan-out. The live channel (Redis, or PostgreSQL NOTIFY) is only the fast
 * path (the stream fills gaps from the tables), so this waits at most REDIS_PUBLISH_TIMEOUT_MS,
 * never throws, and keeps no queue: a reading that misses it is still delivered from the
 * database. A channel that hangs costs one request that bound; the requests after it skip it
 * for a second instead of each paying it again.
 */
async function publishBounded(channel: string, message: string): Promise<boolean> {
  const timeoutMs = config().REDIS_PUBLISH_TIMEOUT_MS;
  const live = getPublisher(timeoutMs);
  if (performance.now() < skipUntil) return false;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const abort = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // An event loop that was busy runs expired timers before it reads the replies that
      // arrived meanwhile: let those in first, so a late timer does not blame the channel.
      setImmediate(() => {
        timedOut = true;
        abort.abort();
        reject(new Error(`no answer from the live channel within ${timeoutMs} ms`));
      });
    }, timeoutMs);
  });
  try {
    // A connection still being made is waited for (within the same bound), so the first
    // request after start is published too; a lost connection fails at once.
    const connecting = live.connecting(abort.signal);
    if (connecting) await Promise.race([connecting, timeout]);
    await Promise.race([live.publish(channel, message), timeout]);
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
  publisher?.close();
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
