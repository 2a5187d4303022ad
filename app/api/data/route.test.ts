import { execFileSync } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { rowCounts, sql } from "@/test/db.ts";
import { getJson, operatorApi, postData, uniqueDevice, webUrl } from "@/test/http.ts";
import { blackhole, startWeb, TEST_REDIS_URL, testRun } from "@/test/stack.ts";

describe("POST /api/data", () => {
  it("stores a single reading that fetch device and fetch sensor return", async () => {
    const device = uniqueDevice("greenhouse");
    const res = await postData({
      device_id: device,
      sensors: { temperature: 21.5, humidity: 48, door: "open", fan: true },
    });
    expect(res.status).toBe(201);
    expect(res.json.count).toBe(4);
    const ids = res.json.readings.map((r: WireReading) => r.id);
    expect(new Set(ids).size).toBe(4);

    const dev = await getJson(`/api/fetch/device?id=${device}`);
    expect(dev.status).toBe(200);
    expect(dev.json.device.device_id).toBe(device);
    expect(dev.json.device.sensors.map((s: { type: string }) => s.type)).toEqual([
      "door",
      "fan",
      "humidity",
      "temperature",
    ]);
    const byType = Object.fromEntries(
      dev.json.readings.map((r: WireReading) => [r.sensor_type, r.value]),
    );
    expect(byType).toEqual({ temperature: 21.5, humidity: 48, door: "open", fan: true });

    const temp = res.json.readings.find((r: WireReading) => r.sensor_type === "temperature");
    const sensor = await getJson(`/api/fetch/sensor?id=${temp.sensor_id}`);
    expect(sensor.status).toBe(200);
    expect(sensor.json.sensor).toMatchObject({
      id: temp.sensor_id,
      type: "temperature",
      device_id: device,
    });
    expect(sensor.json.sensor.latest.value).toBe(21.5);
    expect(sensor.json.readings).toEqual([temp]);
  });

  it("keeps strings as strings and numbers as numbers", async () => {
    const device = uniqueDevice();
    const res = await postData({
      device_id: device,
      sensors: { state: "on", code: "42", level: 42, big: 1e300, tiny: -0.000123 },
    });
    expect(res.status).toBe(201);
    const dev = await getJson(`/api/fetch/device?${device}`);
    const values = Object.fromEntries(
      dev.json.readings.map((r: WireReading) => [r.sensor_type, r.value]),
    );
    expect(values).toEqual({ state: "on", code: "42", level: 42, big: 1e300, tiny: -0.000123 });
    const stored = await sql<{ t: string | null; n: number | null }>(
      `SELECT r.text_value AS t, r.num_value AS n FROM readings r JOIN sensors s ON s.id = r.sensor_id
       JOIN devices d ON d.id = s.device_key WHERE d.device_id = $1 AND s.type = 'code'`,
      [device],
    );
    expect(stored).toEqual([{ t: "42", n: null }]);
  });

  it("stores a gateway batch of 1000 readings with device timestamps in one request", async () => {
    const device = uniqueDevice("gateway");
    const start = Date.now() - 1000 * 60_000;
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      device_id: device,
      sensors: { temperature: 20 + i / 100 },
      ts: i % 2 ? start + i * 60_000 : new Date(start + i * 60_000).toISOString(),
    }));
    const before = await rowCounts();
    const res = await postData(batch);
    expect(res.status).toBe(201);
    expect(res.json.count).toBe(1000);
    expect((await rowCounts()).readings - before.readings).toBe(1000);

    // Returned in input order, with increasing ids and the device's own times.
    const readings: WireReading[] = res.json.readings;
    expect(readings.map((r) => r.value)).toEqual(batch.map((b) => b.sensors.temperature));
    expect(readings.every((r, i) => i === 0 || r.id === readings[i - 1].id + 1)).toBe(true);
    expect(readings[999].ts).toBe(new Date(start + 999 * 60_000).toISOString());

    // Paging newest first through all 1000 with the cursor.
    const seen: WireReading[] = [];
    let cursor: string | null = null;
    do {
      const page = await getJson(
        `/api/fetch/sensor?device=${device}&type=temperature&limit=300${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.json.readings);
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual(readings.map((r) => r.id).reverse());

    const window = await getJson(
      `/api/fetch/device?id=${device}&from=${start + 10 * 60_000}&to=${new Date(start + 19 * 60_000).toISOString()}`,
    );
    expect(window.json.readings.map((r: WireReading) => r.value)).toEqual(
      batch
        .slice(10, 20)
        .map((b) => b.sensors.temperature)
        .reverse(),
    );
  });

  it("fetches a registered device that has not posted yet, and 404s a sensor it lacks", async () => {
    const device = uniqueDevice("quiet");
    const created = await operatorApi("POST", webUrl("/api/devices"), { device_id: device });
    expect(created.status).toBe(201);
    const dev = await getJson(`/api/fetch/device?id=${device}`);
    expect(dev.status).toBe(200);
    expect(dev.json).toMatchObject({
      device: { device_id: device, sensors: [], last_seen_at: null },
      readings: [],
      next_cursor: null,
    });
    expect(dev.json.device).not.toHaveProperty("id");

    await postData({ device_id: device, sensors: { temperature: 1 } });
    const missing = await getJson(`/api/fetch/sensor?device=${device}&type=humidity`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
    const other = await getJson(`/api/fetch/sensor?device=${uniqueDevice()}&type=temperature`);
    expect(other.status).toBe(404);
  });

  it("accepts the seed's example posted with curl and no Content-Type", () => {
    const device = uniqueDevice("seed");
    const out = execFileSync("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-X",
      "POST",
      "-H",
      "Content-Type:",
      "--data-binary",
      JSON.stringify({ device_id: device, sensors: { sensortype_1: "", sensortype_2: "" } }),
      webUrl("/api/data"),
    ]).toString();
    expect(out).toBe("201");
  });

  describe("a Redis subscriber", () => {
    let sub: Redis;
    const received: WireReading[] = [];
    beforeAll(async () => {
      sub = new Redis(TEST_REDIS_URL);
      await sub.subscribe(`${testRun().channelPrefix}:readings`);
      sub.on("message", (_channel, message) => received.push(...JSON.parse(message)));
    });
    afterAll(() => sub.disconnect());

    it("receives each stored reading with its id, after the commit", async () => {
      const device = uniqueDevice();
      const res = await postData([
        { device_id: device, sensors: { a: 1, b: "x" } },
        { device_id: device, sensors: { a: 2 } },
      ]);
      expect(res.status).toBe(201);
      await expect
        .poll(() => received.filter((r) => r.device_id === device))
        .toEqual(res.json.readings);
      const [{ n }] = await sql<{ n: string }>(
        "SELECT count(*) AS n FROM readings WHERE id = ANY($1::bigint[])",
        [res.json.readings.map((r: WireReading) => r.id)],
      );
      expect(Number(n)).toBe(3);
    });
  });
});

describe("POST /api/data with a dependency down", () => {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  async function medianPostMs(base: string, n = 9): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await postData(
        { device_id: uniqueDevice("timing"), sensors: { v: i } },
        { base },
      );
      expect(res.status).toBe(201);
      times.push(res.ms);
    }
    return median(times);
  }

  it.each([
    ["refused", async () => ({ url: "redis://127.0.0.1:1", close: async () => {} })],
    [
      "hanging",
      async () => {
        const hole = await blackhole();
        return { url: `redis://127.0.0.1:${hole.port}`, close: hole.close };
      },
    ],
  ])("stores with Redis %s, adding at most ~100 ms", async (kind, makeRedis) => {
    const redis = await makeRedis();
    const web = await startWeb({ REDIS_URL: redis.url });
    try {
      const device = uniqueDevice("no-redis");
      const res = await postData({ device_id: device, sensors: { v: 1 } }, { base: web.url });
      expect(res.status).toBe(201);
      const [{ n }] = await sql<{ n: string }>("SELECT count(*) AS n FROM readings WHERE id = $1", [
        res.json.readings[0].id,
      ]);
      expect(Number(n)).toBe(1);

      const healthy = await medianPostMs(webUrl());
      const withoutRedis = await medianPostMs(web.url);
      console.log(
        `Redis ${kind}: median post ${withoutRedis.toFixed(1)} ms, healthy ${healthy.toFixed(1)} ms`,
      );
      expect(withoutRedis - healthy).toBeLessThan(110);
    } finally {
      await web.stop();
      await redis.close();
    }
  });

  it.each([
    [
      "refused",
      async () => ({
        url: "postgresql://postgres@127.0.0.1:1/bocloud_test",
        close: async () => {},
      }),
    ],
    [
      "hanging",
      async () => {
        const hole = await blackhole();
        return {
          url: `postgresql://postgres@127.0.0.1:${hole.port}/bocloud_test`,
          close: hole.close,
        };
      },
    ],
  ])("answers 503 with Retry-After within 2 s when PostgreSQL is %s", async (_kind, makeDb) => {
    const db = await makeDb();
    const web = await startWeb({ DATABASE_URL: db.url });
    try {
      const before = await rowCounts();
      const res = await postData(
        { device_id: uniqueDevice(), sensors: { v: 1 } },
        { base: web.url },
      );
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe("service_unavailable");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(res.ms).toBeLessThan(2000);
      expect(await rowCounts()).toEqual(before);
    } finally {
      await web.stop();
      await db.close();
    }
  });
});
