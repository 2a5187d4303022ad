import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { blackhole } from "@/test/stack.ts";

type Publish = typeof import("./publish.ts");

describe("publishing to a Redis that takes the connection and never answers", () => {
  let hole: Awaited<ReturnType<typeof blackhole>>;
  let publish: Publish;
  beforeAll(async () => {
    hole = await blackhole();
    vi.stubEnv("REDIS_URL", `redis://127.0.0.1:${hole.port}`);
    vi.stubEnv("REDIS_PUBLISH_TIMEOUT_MS", "100");
    vi.stubEnv("LOG_LEVEL", "error");
    vi.resetModules(); // a fresh configuration and publisher for these variables
    publish = await import("./publish.ts");
  });
  afterAll(async () => {
    publish.disconnectPublisher();
    vi.unstubAllEnvs();
    await hole.close();
  });

  async function timedPublish(): Promise<{ ok: boolean; ms: number }> {
    const started = performance.now();
    const ok = await publish.publishReadings([]);
    return { ok, ms: performance.now() - started };
  }

  it("waits the bound once, then skips Redis for a while instead of paying it each time", async () => {
    const first = await timedPublish();
    expect(first.ok).toBe(false);
    expect(first.ms).toBeGreaterThanOrEqual(95);

    const during = await Promise.all([timedPublish(), timedPublish(), timedPublish()]);
    for (const p of during) {
      expect(p.ok).toBe(false);
      expect(p.ms).toBeLessThan(50);
    }

    // After the window it tries Redis again: it waits the bound again whenever the client is
    // (re)connecting, and fails at once while ioredis waits to retry the connection.
    await new Promise((r) => setTimeout(r, publish.SKIP_AFTER_TIMEOUT_MS + 50));
    let waitedAgain = false;
    for (const started = Date.now(); !waitedAgain && Date.now() - started < 5000; ) {
      const again = await timedPublish();
      expect(again.ok).toBe(false);
      waitedAgain = again.ms >= 95;
      if (!waitedAgain) await new Promise((r) => setTimeout(r, 20));
    }
    expect(waitedAgain).toBe(true);
  });
});
