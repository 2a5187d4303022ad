import { eventsChannel, readingsChannel } from "./channels.ts";
import { config, usesRedis } from "./config.ts";
import type { LiveEvent } from "./events.ts";
import { type ListenHandlers, listenPostgres } from "./live/postgres-listen.ts";
import { log } from "./log.ts";
import type { WireReading } from "./reading.ts";
import { createRedis } from "./redis.ts";

export interface LiveHandlers {
  /** Stored readings, a committed request at a time, in id order. */
  readings?: (readings: WireReading[]) => void;
  /** Readings were stored (the message is not decoded: for those that read them elsewhere). */
  readingsStored?: () => void;
  /** Status and command changes. */
  events?: (events: LiveEvent[]) => void;
  /** The subscription is up (again): what was published while it was down never comes. */
  ready?: () => void;
  down?: () => void;
}

export interface LiveSubscription {
  readonly up: boolean;
  close(): void;
}

/**
 * Subscribes to what lib/publish.ts publishes: on Redis, or without Redis on PostgreSQL
 * (LISTEN), one connection kept up in the background either way. The live channel is only the
 * fast path: a subscriber that must miss nothing catches up from PostgreSQL on `ready`.
 */
export function subscribeLive(handlers: LiveHandlers): LiveSubscription {
  const readings = readingsChannel();
  const events = eventsChannel();
  const wantsReadings = handlers.readings || handlers.readingsStored;
  const channels = [wantsReadings && readings, handlers.events && events].filter((c): c is string =>
    Boolean(c),
  );
  const message = (channel: string, text: string) => {
    if (channel === readings) {
      handlers.readingsStored?.();
      handlers.readings?.(JSON.parse(text) as WireReading[]);
    } else if (channel === events) handlers.events?.(JSON.parse(text) as LiveEvent[]);
  };
  if (!usesRedis(config())) return listenPostgres(channels, { ...handlers, message });
  return subscribeRedis(channels, { ...handlers, message });
}

function subscribeRedis(channels: string[], handlers: ListenHandlers): LiveSubscription {
  const subscriber = createRedis({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  const state = { up: false };
  subscriber.on("message", handlers.message);
  subscriber.on("ready", () => {
    state.up = true;
    handlers.ready?.();
  });
  subscriber.on("close", () => {
    if (state.up) handlers.down?.();
    state.up = false;
  });
  void subscriber
    .subscribe(...channels)
    .catch((err) => log.warn({ err: String(err) }, "subscribe failed"));
  return {
    get up() {
      return state.up;
    },
    close: () => subscriber.disconnect(),
  };
}
