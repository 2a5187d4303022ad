import { afterAll, describe, expect, it } from "vitest";
import { startRedis } from "@/test/stack.ts";

// The ingest limit is counted in each process and shared through Redis: two processes (two
// module instances here, each with its own counts and connection) together let a key through
// about its limit a second, not twice it.

const redis = await startRedis();
afterAll(() => redis.stop());

async function processWithLimit(perSecond: number) {
  process.env.REDIS_URL = redis.url;
  process.env.INGEST_RATE_PER_SECOND = String(perSecond);
  process.env.REDIS_CHANNEL_PREFIX = "rl-test";
  const { vi } = await import("vitest");
  vi.resetModules();
  return import("./rate-limit.ts");
}

describe("limitIngest", () => {
  it("holds a key to its rate across processes, refusing with Retry-After", async () => {
    const a = await processWithLimit(40);
    const b = await processWithLimit(40);
    // Start at the beginning of a second, so the test's second is one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    let allowed = 0;
    let refusal: unknown;
    const key = [{ key: "device x", label: 'Device "x"' }];
    const end = Date.now() + 800;
    while (Date.now() < end) {
      for (const p of [a, b]) {
        try {
          p.limitIngest(key);
          allowed++;
        } catch (err) {
          refusal ??= err;
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    // Each process alone would allow 40; shared, the tolerance is one sync's worth.
    expect(allowed).toBeGreaterThanOrEqual(40);
    expect(allowed).toBeLessThan(60);
    expect(refusal).toMatchObject({ failure: "rate_limited", retryAfterSeconds: 1 });
  });
});
