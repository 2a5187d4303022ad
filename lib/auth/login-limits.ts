import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { config, usesRedis } from "../config.ts";
import { DomainError } from "../errors.ts";
import { createRedis } from "../redis.ts";

// Sign-in and setup attempts are counted BEFORE the password is checked or hashed: each attempt
// takes its point atomically in Redis, so attempts sent at the same moment cannot all slip past
// the limit; a successful sign-in gives its points back. Over 15 minutes:
//  - one account from one address: LOGIN_MAX_FAILURES (a guesser's own address is stopped);
//  - one address over all accounts: 4 × LOGIN_MAX_FAILURES (a guesser trying many accounts);
//  - one account from all addresses: LOGIN_ACCOUNT_MAX_FAILURES, far higher, and counted only
//    for attempts the two above let through, so however often one address fails, the account's
//    owner still signs in from another.
// While Redis is down each process counts in its own memory instead (rate-limiter-flexible's
// insurance limiter), and so does it without Redis (REDIS_URL=none), never trying one. A command that times out falls back the same way, which would let a burst
// through twice (once in Redis, once in memory): so these commands wait up to 2 s, far longer
// than the ingest limits of lib/rate-limit.ts, which must never hold up a post.

const WINDOW_S = 15 * 60;
const COMMAND_TIMEOUT_MS = 2000;

let redis: ReturnType<typeof createRedis> | undefined;
const limiters = new Map<string, RateLimiterAbstract>();

function attemptLimiter(name: string, points: number): RateLimiterAbstract {
  const existing = limiters.get(name);
  if (existing) return existing;
  const inMemory = new RateLimiterMemory({ points, duration: WINDOW_S });
  let made: RateLimiterAbstract = inMemory;
  if (usesRedis(config())) {
    redis ??= createRedis({ commandTimeout: COMMAND_TIMEOUT_MS });
    made = new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: false,
      keyPrefix: `${config().REDIS_CHANNEL_PREFIX}:rl:${name}`,
      points,
      duration: WINDOW_S,
      insuranceLimiter: inMemory,
    });
  }
  limiters.set(name, made);
  return made;
}

const accountFromAddress = () => attemptLimiter("login:pair", config().LOGIN_MAX_FAILURES);
const address = () => attemptLimiter("login:ip", config().LOGIN_MAX_FAILURES * 4);
const account = () => attemptLimiter("login:acct", config().LOGIN_ACCOUNT_MAX_FAILURES);
const setupFromAddress = () => attemptLimiter("setup:ip", config().LOGIN_MAX_FAILURES * 4);

/** A limiter and the key one attempt counts under. */
type Count = readonly [RateLimiterAbstract, string];

const giveBack = (counts: readonly Count[]) =>
  Promise.all(counts.map(([l, key]) => l.reward(key, 1)));

/**
 * Takes one point for each count, all or none: when any is spent, the points taken are given
 * back and the attempt is refused with 429 (Retry-After: the longest wait).
 */
async function takeAll(counts: readonly Count[], message: string): Promise<void> {
  const results = await Promise.allSettled(counts.map(([l, key]) => l.consume(key)));
  const refusals = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
  if (refusals.length === 0) return;
  await giveBack(counts.filter((_, i) => results[i].status === "fulfilled"));
  const error = refusals.find((reason) => !(reason instanceof RateLimiterRes));
  if (error) throw error;
  const longest = (refusals as RateLimiterRes[]).reduce((a, b) =>
    a.msBeforeNext >= b.msBeforeNext ? a : b,
  );
  throw new DomainError(
    "rate_limited",
    message,
    Math.max(1, Math.ceil(longest.msBeforeNext / 1000)),
  );
}

const TOO_MANY_SIGN_INS = "Too many failed sign-ins; wait and try again.";

export interface LoginAttempt {
  /** The password was right: the attempt does not count as a failure. */
  succeeded(): Promise<void>;
}

/** Counts a sign-in attempt before its password is checked; 429 when a limit is spent. */
export async function countLoginAttempt(username: string, from: string): Promise<LoginAttempt> {
  const own: Count[] = [
    [accountFromAddress(), JSON.stringify([username, from])],
    [address(), from],
  ];
  await takeAll(own, TOO_MANY_SIGN_INS);
  try {
    await takeAll([[account(), username]], TOO_MANY_SIGN_INS);
  } catch (err) {
    await giveBack(own);
    throw err;
  }
  return {
    succeeded: async () => {
      await Promise.all([
        accountFromAddress().delete(own[0][1]),
        giveBack([own[1], [account(), username]]),
      ]);
    },
  };
}

/** Counts a first-run setup attempt (POST /api/auth/setup) before anything is hashed. */
export async function countSetupAttempt(from: string): Promise<void> {
  await takeAll([[setupFromAddress(), from]], "Too many setup attempts; wait and try again.");
}
