import { createHash } from "node:crypto";
import { config } from "./config.ts";

// Live channels (Redis pub/sub, or PostgreSQL NOTIFY without Redis). REDIS_CHANNEL_PREFIX lets
// several installations share one Redis.

/** Stored readings: each message is a JSON array of WireReading of one request, in id order. */
export function readingsChannel(): string {
  return `${config().REDIS_CHANNEL_PREFIX}:readings`;
}

/** Device status and command changes: each message is a JSON array of LiveEvent (lib/events.ts). */
export function eventsChannel(): string {
  return `${config().REDIS_CHANNEL_PREFIX}:events`;
}

/**
 * The PostgreSQL NOTIFY channel for a live channel (without Redis). Its name must be shorter
 * than 64 bytes: a long prefix is replaced by a digest of it.
 */
export function notifyChannel(channel: string): string {
  if (Buffer.byteLength(channel) <= 63) return channel;
  let name = digestNames.get(channel);
  if (name === undefined) {
    const digest = createHash("sha256").update(channel).digest("hex").slice(0, 32);
    name = `bocloud-${digest}:${channel.slice(channel.lastIndexOf(":") + 1)}`;
    digestNames.set(channel, name);
  }
  return name;
}

/** Long channel names' digests, worked out once (a process uses a handful of channels). */
const digestNames = new Map<string, string>();
