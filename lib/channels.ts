import { config } from "./config.ts";

// Redis pub/sub channels. REDIS_CHANNEL_PREFIX lets several installations share one Redis.

/** Stored readings: each message is a JSON array of WireReading of one request, in id order. */
export function readingsChannel(): string {
  return `${config().REDIS_CHANNEL_PREFIX}:readings`;
}

/** Device status and command changes: each message is a JSON array of LiveEvent (lib/events.ts). */
export function eventsChannel(): string {
  return `${config().REDIS_CHANNEL_PREFIX}:events`;
}
