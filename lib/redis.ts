import { Redis, type RedisOptions } from "ioredis";
import { config } from "./config.ts";
import { log } from "./log.ts";

/**
 * Options for a Redis connection that never queues commands while disconnected: a command
 * fails at once instead, and the connection keeps retrying in the background.
 */
function redisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    ...overrides,
  };
}

export function createRedis(overrides: RedisOptions = {}): Redis {
  const url = config().REDIS_URL;
  if (url === "none") throw new Error("REDIS_URL=none: this process does not use Redis");
  const redis = new Redis(url, redisOptions(overrides));
  let down = false;
  redis.on("error", (err) => {
    if (!down) log.warn({ err: err.message }, "redis unavailable");
    down = true;
  });
  redis.on("ready", () => {
    if (down) log.info("redis available again");
    down = false;
  });
  return redis;
}
