import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { blackhole, testRun } from "@/test/stack.ts";

// Live fan-out without Redis (REDIS_URL=none): lib/publish.ts sends NOTIFY and
// lib/live-subscription.ts LISTENs, on the real PostgreSQL of the test run.

type Publish = typeof import("../publish.ts");
type Live = typeof import("../live-subscription.ts");

/** Fresh modules of BoCloud for these variables, as a process started with them would have. */
async function processWith(env: Record<string, string>) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  vi.resetModules();
  const publish: Publish = await import("../publish.ts");
  const live: Live = await import("../live-subscription.ts");
  return { publish, live };
}

const reading = (id: number, value: number | string = id): WireReading => ({
  id,
  device_id: "live-test",
  sensor_id: 1,
  sensor_type: "t",
  value,
  ts: new Date(1_800_000_000_000 + id).toISOString(),
});

describe("live fan-out through PostgreSQL", () => {
  let modules: Awaited<ReturnType<typeof processWith>>;
  const received: WireReading[][] = [];
  const events: unknown[] = [];
  let readies = 0;
  let downs = 0;
  let subscription: ReturnType<Live["subscribeLive"]>;
  const app = `live-test-${process.pid}`;

  beforeAll(async () => {
    modules = await processWith({
      DATABASE_URL: testRun().databaseUrl,
      REDIS_URL: "none",
      REDIS_CHANNEL_PREFIX: `${testRun().channelPrefix}-notify`,
      BOCLOUD_PROC: app,
      LOG_LEVEL: "error",
    });
    subscription = modules.live.subscribeLive({
      readings: (r) => received.push(r),
      events: (e) => events.push(...e),
      ready: () => readies++,
      down: () => downs++,
    });
    for (let i = 0; i < 100 && !subscription.up; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => {
    subscription?.close();
    modules?.publish.disconnectPublisher();
    vi.unstubAllEnvs();
  });

  it("delivers each published message whole and in order, one far over NOTIFY's 8000 bytes too", async () => {
    const big = Array.from({ length: 3000 }, (_, i) => reading(100 + i, `wert-${i}-é🌡️`));
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(100_000);
    expect(await modules.publish.publishReadings([reading(1), reading(2)])).toBe(true);
    expect(await modules.publish.publishReadings(big)).toBe(true);
    expect(await modules.publish.publishReadings([reading(5000)])).toBe(true);
    const status = { type: "status", device_id: "live-test", status: "online", last_seen_at: null };
    expect(await modules.publish.publishEvents([status as never])).toBe(true);
    await expect.poll(() => received.length).toBe(3);
    expect(received).toEqual([[reading(1), reading(2)], big, [reading(5000)]]);
    await expect.poll(() => events).toEqual([status]);
  });

  it("says down when its connection is cut, then ready again once it listens, and gets what comes after", async () => {
    const admin = new pg.Client({ connectionString: testRun().databaseUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [`bocloud-${app}-listen`],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const readiesBefore = readies;
    await expect.poll(() => downs).toBe(1);
    await expect.poll(() => readies).toBe(readiesBefore + 1);
    received.length = 0;
    expect(await modules.publish.publishReadings([reading(6000)])).toBe(true);
    await expect.poll(() => received).toEqual([[reading(6000)]]);
  });
});

describe("publishing through a PostgreSQL that takes the connection and never answers", () => {
  let hole: Awaited<ReturnType<typeof blackhole>>;
  let modules: Awaited<ReturnType<typeof processWith>>;
  beforeAll(async () => {
    hole = await blackhole();
    modules = await processWith({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${hole.port}/bocloud`,
      REDIS_URL: "none",
      REDIS_PUBLISH_TIMEOUT_MS: "100",
      LOG_LEVEL: "silent",
    });
  });
  afterAll(async () => {
    modules?.publish.disconnectPublisher();
    vi.unstubAllEnvs();
    await hole.close();
  });

  it("answers false within its bound, never throwing", async () => {
    const started = performance.now();
    expect(await modules.publish.publishReadings([reading(1)])).toBe(false);
    expect(performance.now() - started).toBeLessThan(900);
  });
});
