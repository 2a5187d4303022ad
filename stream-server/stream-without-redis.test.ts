import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { adminCookie, postData, uniqueDevice } from "@/test/http.ts";
import { expectInOrderOnce, TestEventStream } from "@/test/sse.ts";
import { type RunningProcess, startStream, startWeb, testRun } from "@/test/stack.ts";

// The sidecar and the web app without Redis (REDIS_URL=none): readings and events reach the
// stream through PostgreSQL LISTEN/NOTIFY, with the same guarantees as through Redis.

let stream: RunningProcess;
let web: RunningProcess;
beforeAll(async () => {
  stream = await startStream({ REDIS_URL: "none" });
  // A publish that misses its bound (100 ms, on a busy machine) is skipped with the next
  // second's: readings still come (from the table), events would not. These tests are about
  // delivery through PostgreSQL, not that bound (lib/live/postgres-live.test.ts tests it).
  web = await startWeb({
    REDIS_URL: "none",
    STREAM_URL: stream.url,
    REDIS_PUBLISH_TIMEOUT_MS: "2000",
  });
});
const opened: TestEventStream[] = [];
afterAll(async () => {
  for (const c of opened) c.close();
  await Promise.all([web?.stop(), stream?.stop()]);
});

async function connect(query: string): Promise<TestEventStream> {
  const client = new TestEventStream(`${stream.url}/api/stream${query}`, { cookie: adminCookie() });
  opened.push(client);
  expect((await client.open()).status).toBe(200);
  return client;
}

async function post(body: unknown): Promise<WireReading[]> {
  const res = await postData(body, { base: web.url });
  expect(res.status).toBe(201);
  return res.json.readings;
}

describe("GET /api/stream without Redis", () => {
  it("sends each posted reading at once, through PostgreSQL", async () => {
    const device = uniqueDevice("nored");
    const client = await connect(`?device=${device}`);
    const posted: WireReading[] = [];
    const latenciesMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      posted.push(...(await post({ device_id: device, sensors: { t: 20 + i } })));
      const answeredAt = performance.now();
      await expect
        .poll(() => client.readings.length, { interval: 1, timeout: 3000 })
        .toBe(posted.length);
      latenciesMs.push(performance.now() - answeredAt);
    }
    expect(client.readings).toEqual(posted);
    // Well under the database poll (1 s) that catches what a lost notification misses.
    expect([...latenciesMs].sort((a, b) => a - b)[2]).toBeLessThan(100);
  });

  it("delivers concurrent posts and a gateway batch far over NOTIFY's 8000 bytes in id order, none missing or twice", async () => {
    const client = await connect("");
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      device_id: uniqueDevice(`batch${i % 10}`),
      sensors: { temperature: i, label: `Gewächshaus ${i}` },
    }));
    const results = await Promise.all([
      post(batch),
      ...Array.from({ length: 20 }, (_, i) =>
        post({ device_id: uniqueDevice(`c${i % 4}`), sensors: { v: i } }),
      ),
    ]);
    expect(Buffer.byteLength(JSON.stringify(results[0]))).toBeGreaterThan(8000);
    const posted = results
      .flat()
      .map((r) => r.id)
      .sort((a, b) => a - b);
    await expect
      .poll(() => client.ids().filter((id) => id >= posted[0]).length, { timeout: 10_000 })
      .toBe(posted.length);
    expectInOrderOnce(client.ids(), posted);
  });

  it("sends status events (a device coming online) through PostgreSQL", async () => {
    const device = uniqueDevice("nored-status");
    const client = await connect(`?device=${device}`);
    const statuses: string[] = [];
    client.onEvent = (type, data) => {
      if (type === "status") statuses.push((data as { status: string }).status);
    };
    await post({ device_id: device, sensors: { v: 1 } });
    await expect.poll(() => statuses, { timeout: 3000 }).toEqual(["online"]);
  });

  it("misses nothing when its listening connection is cut: it listens again and catches up", async () => {
    const device = uniqueDevice("nored-cut");
    const client = await connect(`?device=${device}`);
    const before = await post({ device_id: device, sensors: { v: 1 } });
    await expect.poll(() => client.readings.length).toBe(1);
    const admin = new pg.Client({ connectionString: testRun().databaseUrl });
    await admin.connect();
    try {
      const cut = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bocloud-stream-listen' AND datname = current_database()",
      );
      expect(cut.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const during = [];
    for (let i = 0; i < 5; i++)
      during.push(...(await post({ device_id: device, sensors: { v: 10 + i } })));
    const all = [...before, ...during].map((r) => r.id);
    await expect.poll(() => client.ids(), { timeout: 10_000 }).toEqual(all);
    const health = await (
      await fetch(`${stream.url}/health`, { headers: { cookie: adminCookie() } })
    ).json();
    expect(health).toMatchObject({ status: "up", live: "postgres", redis: "not used" });
  });
});
