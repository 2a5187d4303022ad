import { beforeAll, describe, expect, it } from "vitest";
import { bucketsTouched } from "@/lib/analytics/buckets.ts";
import {
  type AnalyticsData,
  analyticsData,
  GAP_END,
  GAP_START,
  YEAR_END,
  YEAR_START,
} from "@/test/analytics-data.ts";
import { sql } from "@/test/db.ts";
import { getJson, postData, uniqueDevice, webUrl } from "@/test/http.ts";
import { catchUpRollups, checkRollups } from "@/test/rollups.ts";

let data: AnalyticsData;
beforeAll(async () => {
  data = await analyticsData();
}, 120_000);

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface RefBucket {
  k: string;
  count: number;
  min: number;
  max: number;
  avg: number;
  last: number;
}

/** The reference: one GROUP BY over the raw readings. */
function reference(sensor: bigint, fromMs: number, toMs: number, w: number) {
  return sql<RefBucket>(
    `SELECT floor(extract(epoch FROM ts) * 1000 / $4)::bigint AS k, count(*)::int AS count,
            min(num_value) AS min, max(num_value) AS max, avg(num_value) AS avg,
            (array_agg(num_value ORDER BY ts DESC, id DESC))[1] AS last
     FROM readings
     WHERE sensor_id = $1 AND ts >= $2 AND ts <= $3 AND num_value IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
    [sensor, iso(fromMs), iso(toMs), w],
  );
}

async function aggregates(query: string) {
  const res = await getJson(`/api/aggregates?${query}`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

/** Asserts that a bucket series equals the reference over [fromMs, toMs]. */
async function expectExact(series: any, sensor: bigint, fromMs: number, toMs: number, w: number) {
  expect(series.resolution).toBe("bucket");
  expect(series.bucket_ms).toBe(w);
  const ref = await reference(sensor, fromMs, toMs, w);
  expect(series.buckets.length).toBe(ref.length);
  series.buckets.forEach((b: any, i: number) => {
    const r = ref[i];
    const where = `bucket ${i} (${b.start})`;
    expect(b.start, where).toBe(iso(Number(r.k) * w));
    expect(b.count, where).toBe(r.count);
    expect(b.min, where).toBe(r.min);
    expect(b.max, where).toBe(r.max);
    expect(b.last, where).toBe(r.last);
    // Sums are added up in another order: equal to the last few bits.
    expect(Math.abs(b.avg - r.avg), where).toBeLessThanOrEqual(Math.abs(r.avg) * 1e-12);
  });
}

describe("GET /api/aggregates", () => {
  const cases: [string, number, number, number][] = [
    ["the whole year into 600 points", YEAR_START, YEAR_END - 1, 600],
    [
      "odd instants into 997 points",
      Date.UTC(2025, 1, 3, 4, 5, 6, 789),
      Date.UTC(2025, 10, 30, 23, 59, 59, 999),
      997,
    ],
    [
      "a range over the gap into 13 points",
      GAP_START - 3 * DAY + 12_345,
      GAP_END + 2 * DAY + 7,
      13,
    ],
    [
      "six hours into 37 points (several buckets per hour)",
      Date.UTC(2025, 6, 1, 1, 2, 3, 4),
      Date.UTC(2025, 6, 1, 7, 2, 3, 4),
      37,
    ],
    [
      "one day into 2000 points (buckets under a minute)",
      Date.UTC(2025, 8, 9, 10, 11, 12, 13),
      Date.UTC(2025, 8, 10, 10, 11, 12, 13),
      2000,
    ],
    ["30 days into 720 hour-aligned buckets", Date.UTC(2025, 2, 1), Date.UTC(2025, 2, 31) - 1, 720],
    ["a month into 1 point", Date.UTC(2025, 3, 1, 0, 0, 0, 1), Date.UTC(2025, 4, 1), 1],
    ["the year into 5000 points", YEAR_START - DAY, YEAR_END + DAY, 5000],
    ["the year into 599 points", YEAR_START + 1, YEAR_END - 2, 599],
  ];

  for (const [name, fromMs, toMs, points] of cases) {
    it(`equals the reference SQL: ${name}`, async () => {
      const json = await aggregates(
        `sensor=${data.temperature}&from=${iso(fromMs)}&to=${toMs}&points=${points}`,
      );
      expect(json.points).toBe(points);
      expect(json.from).toBe(iso(fromMs));
      expect(json.to).toBe(iso(toMs));
      const [series] = json.series;
      expect(series.sensor).toEqual({
        id: Number(data.temperature),
        device_id: "analytics-a",
        type: "temperature",
      });
      expect(series.buckets.length).toBeLessThanOrEqual(points);
      expect(bucketsTouched(fromMs, toMs, json.bucket_ms)).toBeLessThanOrEqual(points);
      await expectExact(series, data.temperature, fromMs, toMs, json.bucket_ms);
    });
  }

  it("aggregates several sensors of several devices at once, each exactly", async () => {
    const fromMs = Date.UTC(2025, 0, 17, 3, 4, 5, 6);
    const toMs = Date.UTC(2025, 9, 1, 2, 3, 4, 5);
    const json = await aggregates(
      `sensor=${data.temperature}&sensor=analytics-b/humidity&device=analytics-a&type=state` +
        `&from=${fromMs}&to=${toMs}&points=333`,
    );
    expect(json.series.map((s: any) => s.sensor.type)).toEqual([
      "temperature",
      "humidity",
      "state",
    ]);
    const sensors = [data.temperature, data.humidity, data.state];
    for (const [i, series] of json.series.entries()) {
      expect(series.buckets.length).toBeLessThanOrEqual(333);
      await expectExact(series, sensors[i], fromMs, toMs, json.bucket_ms);
    }
    // `state` mixes strings and booleans in: only its numbers count.
    const [{ n }] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts <= $3 AND num_value IS NOT NULL",
      [data.state, iso(fromMs), iso(toMs)],
    );
    expect(json.series[2].buckets.reduce((s: number, b: any) => s + b.count, 0)).toBe(n);
  });

  it("answers raw readings when the range holds no more than `points` of them", async () => {
    const fromMs = Date.UTC(2025, 5, 6, 7, 0, 0);
    const toMs = fromMs + 3 * 3_600_000; // about 340 readings
    const json = await aggregates(
      `sensor=${data.temperature}&from=${fromMs}&to=${toMs}&points=600`,
    );
    const [series] = json.series;
    expect(series.resolution).toBe("raw");
    expect(series.bucket_ms).toBeNull();
    const raw = await sql<{ id: string; ts: Date; v: number }>(
      `SELECT id, ts, num_value AS v FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts <= $3
       ORDER BY ts, id`,
      [data.temperature, iso(fromMs), iso(toMs)],
    );
    expect(raw.length).toBeGreaterThan(300);
    expect(series.readings).toEqual(
      raw.map((r) => ({ id: Number(r.id), ts: r.ts.toISOString(), value: r.v })),
    );

    // One more reading than points: buckets.
    const more = await aggregates(
      `sensor=${data.temperature}&from=${fromMs}&to=${toMs}&points=${raw.length - 1}`,
    );
    expect(more.series[0].resolution).toBe("bucket");
    await expectExact(more.series[0], data.temperature, fromMs, toMs, more.bucket_ms);
  });

  it("leaves empty buckets out", async () => {
    const json = await aggregates(
      `sensor=${data.temperature}&from=${GAP_START - DAY}&to=${GAP_END + DAY}&points=48`,
    );
    const starts = json.series[0].buckets.map((b: any) => Date.parse(b.start));
    expect(starts.some((s: number) => s > GAP_START && s + json.bucket_ms < GAP_END)).toBe(false);
    expect(starts.length).toBeLessThan(
      bucketsTouched(GAP_START - DAY, GAP_END + DAY, json.bucket_ms),
    );
  });

  it("refuses bad input with a 400 that names the parameter", async () => {
    for (const [query, field] of [
      ["", "sensor"],
      [`sensor=${data.temperature}&points=0`, "points"],
      [`sensor=${data.temperature}&points=5001`, "points"],
      [`sensor=${data.temperature}&points=abc`, "points"],
      [`sensor=${data.temperature}&from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z`, "from"],
      [`sensor=${data.temperature}&from=yesterday`, "from"],
      ["sensor=abc", "sensor"],
      ["sensor=analytics-a/", "sensor"],
      ["device=analytics-a", "type"],
      [`sensor=${data.temperature}&points=5&points=6`, "points"],
      [`sensor=${data.temperature}&limit=5`, "limit"],
    ]) {
      const res = await getJson(`/api/aggregates?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe("bad_request");
      expect(res.json.error.message, query).toContain(field);
    }
    const many = Array.from({ length: 21 }, () => `sensor=${data.temperature}`).join("&");
    expect((await getJson(`/api/aggregates?${many}`)).status).toBe(400);
  });

  it("answers 404 for a sensor that does not exist and 401 without a session", async () => {
    const missing = await getJson(`/api/aggregates?sensor=${data.temperature}&sensor=999999999`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain("999999999");
    expect((await getJson("/api/aggregates?sensor=analytics-a/nope")).status).toBe(404);
    const anonymous = await fetch(webUrl(`/api/aggregates?sensor=${data.temperature}`));
    expect(anonymous.status).toBe(401);
  });

  it("defaults to the last 24 hours and 600 points", async () => {
    const json = await aggregates(`sensor=${data.temperature}`);
    expect(json.points).toBe(600);
    expect(Date.parse(json.to) - Date.parse(json.from)).toBe(DAY);
    expect(json.series[0]).toMatchObject({ resolution: "raw", readings: [] });
  });
});

describe("late data", () => {
  it("is in the aggregates at once and after the rollups catch up, exactly", async () => {
    const device = uniqueDevice("late");
    const day = Date.UTC(2026, 0, 10);
    // A day at one reading a minute, and a dense 10 minutes at one a second (minute rows).
    const onTime = [
      ...Array.from({ length: 1440 }, (_, i) => ({ ts: day + i * 60_000, v: i % 97 })),
      ...Array.from({ length: 600 }, (_, i) => ({ ts: day + 6 * 3_600_000 + i * 1000, v: i % 13 })),
    ];
    for (let i = 0; i < onTime.length; i += 1000) {
      const res = await postData(
        onTime
          .slice(i, i + 1000)
          .map((r) => ({ device_id: device, sensors: { t: r.v }, ts: r.ts })),
      );
      expect(res.status).toBe(201);
    }
    await catchUpRollups();
    const [{ id: sensorId }] = await sql<{ id: string }>(
      "SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key WHERE d.device_id = $1",
      [device],
    );
    const sensor = BigInt(sensorId);
    const [{ dense }] = await sql<{ dense: number }>(
      "SELECT count(*)::int AS dense FROM reading_rollups WHERE sensor_id = $1 AND has_minutes",
      [sensor],
    );
    expect(dense).toBe(1);
    const check = async () => {
      for (const points of [24, 600, 997]) {
        const to = day + DAY - 1;
        const json = await aggregates(`sensor=${sensor}&from=${day}&to=${to}&points=${points}`);
        await expectExact(json.series[0], sensor, day, to, json.bucket_ms);
      }
    };
    await check();

    // A gateway uploads what it buffered offline: older than what the rollups hold, into
    // windows already summed (also the dense one), posted and asked for at once.
    const late = Array.from({ length: 700 }, (_, i) => ({
      device_id: device,
      sensors: { t: 1000 + i },
      ts: day + ((i * 7_919_117) % DAY),
    }));
    const res = await postData(late);
    expect(res.status).toBe(201);
    const lateIds: number[] = res.json.readings.map((r: { id: number }) => r.id);
    const [{ cursor }] = await sql<{ cursor: string }>(
      "SELECT reading_id AS cursor FROM job_cursors WHERE job = 'rollups'",
    );
    await check();
    console.log(
      `late data: asked for with ${lateIds.filter((id) => id > Number(cursor)).length} of ${lateIds.length} readings not yet rolled up`,
    );
    await catchUpRollups();
    await check();
    expect(await checkRollups([sensor])).toMatchObject({
      missing: 0,
      extra: 0,
      differ: 0,
      density: 0,
    });
  });
});

describe("reading_rollups", () => {
  it("equal the readings for data loaded in bulk and posted through the API", async () => {
    const device = uniqueDevice("rollup");
    const base = Date.UTC(2026, 0, 5, 10, 0, 0);
    // Out of order, ties, mixed types, several batches into the same windows.
    for (let round = 0; round < 3; round++) {
      const res = await postData(
        Array.from({ length: 200 }, (_, i) => ({
          device_id: device,
          sensors: { t: (i * 37 + round) % 101, s: i % 7 === 0 ? "x" : i },
          ts: base + ((i * 7919 + round * 13) % 7_200_000) - (i % 5 === 0 ? 3_600_000 : 0),
        })),
      );
      expect(res.status).toBe(201);
    }
    const sensors = await sql<{ id: string }>(
      "SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key WHERE d.device_id = $1",
      [device],
    );
    const check = await checkRollups([data.humidity, ...sensors.map((s) => BigInt(s.id))]);
    expect(check).toMatchObject({ missing: 0, extra: 0, differ: 0, density: 0 });
    expect(check.rows).toBeGreaterThan(10_000);
    expect(check.sumError).toBeLessThan(1e-12);
  });
});
