import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { config } from "./config.ts";
import { DomainError } from "./errors.ts";
import { createRedis } from "./redis.ts";

// Rate limits kept in Redis, so they hold across web processes. If Redis is down, each
// process falls back to its own in-memory count instead of failing the request.

let redis: ReturnType<typeof createRedis> | undefined;

function limiter(keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
  redis ??= createRedis({ commandTimeout: 200 });
  return new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: false,
    keyPrefix: `${config().REDIS_CHANNEL_PREFIX}:rl:${keyPrefix}`,
    points,
    duration: durationSeconds,
    insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
  });
}

const limiters = new Map<string, RateLimiterAbstract>();
function cached(name: string, make: () => RateLimiterAbstract): RateLimiterAbstract {
  const existing = limiters.get(name);
  if (existing) return existing;
  const made = make();
  limiters.set(name, made);
  return made;
}

function tooMany(res: RateLimiterRes, message: string): DomainError {
  return new DomainError("rate_limited", message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
}

/** Counts one post for each key (a device or a gateway); 429 when one is over its rate. */
export async function limitIngest(keys: string[]): Promise<void> {
  const perSecond = config().INGEST_RATE_PER_SECOND;
  if (perSecond === 0) return;
  const l = cached("ingest", () => limiter("ingest", perSecond, 1));
  const results = await Promise.allSettled(keys.map((key) => l.consume(key)));
  results.forEach((r, i) => {
    if (r.status === "fulfilled") return;
    if (r.reason instanceof RateLimiterRes) {
      throw tooMany(r.reason, `${keys[i]} posts faster than ${perSecond} per second.`);
    }
    throw r.reason;
  });
}
