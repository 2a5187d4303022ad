import { config } from "./config.ts";

/**
 * Redis pub/sub channel of stored readings. Each message is a JSON array of WireReading,
 * the readings of one committed request, in id order. REDIS_CHANNEL_PREFIX lets several
 * BoCloud installations share one Redis.
 */
export function readingsChannel(): string {
  return `${config().REDIS_CHANNEL_PREFIX}:readings`;
}
