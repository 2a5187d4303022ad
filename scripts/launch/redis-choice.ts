// Whether BoCloud's processes use Redis, decided once as they start: REDIS_URL=none says no; a
// Redis that does not answer then is not used either (live fan-out goes through PostgreSQL,
// rate limits are counted per process) until BoCloud is started again.
import { Redis } from "ioredis";

export type RedisChoice = { url: string; used: true } | { url: "none"; used: false; why: string };

export async function chooseRedis(url: string, timeoutMs = 1500): Promise<RedisChoice> {
  if (url === "none") return { url, used: false, why: "REDIS_URL=none" };
  const problem = await pingRedis(url, timeoutMs);
  return problem
    ? { url: "none", used: false, why: `${redactedUrl(url)} does not answer (${problem})` }
    : { url, used: true };
}

/** Undefined when Redis answers PING, else what went wrong. */
async function pingRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: string | undefined;
  redis.on("error", (err: Error) => {
    lastError = err.message;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return lastError ?? (err as Error).message;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
