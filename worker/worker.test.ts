import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusEvent } from "@/lib/events.ts";
import { type RunningProcess, scratchDatabase, startWorker, TEST_REDIS_URL } from "@/test/stack.ts";

// Two workers at once, on a database of their own (the shared test stack has a worker too):
// each job is run by one of them, so a device goes offline once and old readings are deleted
// once; when the one holding a job dies, the other takes it over.

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let client: pg.Client;
let events: Redis;
const offline: StatusEvent[] = [];
const workers: RunningProcess[] = [];

const jobsOf = async (w: RunningProcess): Promise<string[]> =>
  (await (await fetch(`${w.url}/health`)).json()).jobs;

beforeAll(async () => {
  db = await scratchDatabase("workers");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // A device with readings older than its retention (and, in its test, one about to go offline).
  const {
    rows: [old],
  } = await client.query(
    "INSERT INTO devices (device_id, name, retention_days) VALUES ('old', 'old', 1) RETURNING id",
  );
  const {
    rows: [sensor],
  } = await client.query("INSERT INTO sensors (device_key, type) VALUES ($1, 't') RETURNING id", [
    old.id,
  ]);
  await client.query(
    `INSERT INTO readings (sensor_id, num_value, ts)
     SELECT $1, i, now() - interval '3 days' + i * interval '1 second'
     FROM generate_series(1, 1000) AS i`,
    [sensor.id],
  );
  events = new Redis(TEST_REDIS_URL);
  events.on("message", (_channel, message: string) => {
    for (const e of JSON.parse(message)) if (e.type === "status") offline.push(e);
  });
  await events.subscribe(`${db.channelPrefix}:events`);

  const env = {
    DATABASE_URL: db.url,
    REDIS_CHANNEL_PREFIX: db.channelPrefix,
    LOG_LEVEL: "info",
  };
  workers.push(...(await Promise.all([startWorker(env), startWorker(env)])));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  events?.disconnect();
  await client?.end();
  await db?.drop();
});

describe("two workers at once", () => {
  it("share the jobs: each is held by exactly one of them", async () => {
    await expect
      .poll(async () => (await Promise.all(workers.map(jobsOf))).flat().sort(), { timeout: 10_000 })
      .toEqual(["alarms", "retention", "rollups", "silence", "sweeper", "webhooks"]);
  });

  it("sweep once: the device goes offline with one event", async () => {
    await client.query(
      `INSERT INTO devices (device_id, name, status, last_seen_at, offline_after_seconds)
       VALUES ('quiet', 'quiet', 'online', now(), 1)`,
    );
    await expect.poll(() => offline.length, { timeout: 10_000 }).toBe(1);
    expect(offline[0]).toMatchObject({ device_id: "quiet", status: "offline" });
    // Both workers sweep every second: a second event would have come by now.
    await new Promise((r) => setTimeout(r, 2500));
    expect(offline).toHaveLength(1);
  });

  it("delete once: the old readings go, and one worker did it", async () => {
    const count = async () =>
      Number((await client.query("SELECT count(*) AS n FROM readings")).rows[0].n);
    await expect.poll(count, { timeout: 20_000 }).toBe(0);
    // The log line comes just after the commit.
    const deletions = () =>
      workers.map((w) => w.output().match(/retention deleted old readings/g)?.length ?? 0).sort();
    await expect.poll(deletions).toEqual([0, 1]);
    expect(workers.map((w) => w.output()).join("")).toMatch(/"deleted":1000\b/);
  });

  it("take over: when the worker holding the jobs dies, the other takes them", async () => {
    const holders = await Promise.all(workers.map(jobsOf));
    const victim = holders.findIndex((jobs) => jobs.length > 0);
    const survivor = workers[1 - victim];
    const started = performance.now();
    workers[victim].child.kill("SIGKILL");
    await expect
      .poll(async () => (await jobsOf(survivor)).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(holders[victim].length + holders[1 - victim].length);
    expect(performance.now() - started).toBeLessThan(8000);
  });
});
