import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pointPrismaAtTestDatabase } from "@/test/analytics-data.ts";
import { sql } from "@/test/db.ts";
import { postData } from "@/test/http.ts";
import { checkRollups } from "@/test/rollups.ts";

pointPrismaAtTestDatabase();
const { runRetention, retentionJob } = await import("./jobs/retention.ts");
const { JobRunner } = await import("./job-runner.ts");
const { disconnectDatabase } = await import("../lib/db.ts");
afterAll(() => disconnectDatabase());

const DAY = 86_400_000;
/** Global retention in the first test: everything of ret-a measured before CUTOFF goes. */
const DAYS = 9000;
const CUTOFF = Date.UTC(2001, 1, 1, 12, 34, 56, 789);
const NOW = CUTOFF + DAYS * DAY;
/** ret-b keeps 10 days of its own: everything measured before CUTOFF_B goes. */
const CUTOFF_B = NOW - 10 * DAY;
const BATCH = 1000;

async function device(deviceId: string, retentionDays: number | null, types: string[]) {
  const [d] = await sql<{ id: string }>(
    "INSERT INTO devices (device_id, name, retention_days) VALUES ($1, $1, $2) RETURNING id",
    [deviceId, retentionDays],
  );
  const sensors: bigint[] = [];
  for (const type of types) {
    const [s] = await sql<{ id: string }>(
      "INSERT INTO sensors (device_key, type) VALUES ($1, $2) RETURNING id",
      [d.id, type],
    );
    sensors.push(BigInt(s.id));
  }
  return { id: BigInt(d.id), sensors };
}

/** `count` readings from `fromMs` every `stepMs` (ms), through the rollup trigger. */
async function readings(
  sensor: bigint,
  count: number,
  fromMs: number,
  stepMs: number,
  text = false,
) {
  await sql(
    `INSERT INTO readings (sensor_id, num_value, text_value, ts)
     SELECT $1, CASE WHEN NOT $5 THEN round((random() * 100)::numeric, 3)::float8 END,
            CASE WHEN $5 THEN 'v' || i END, to_timestamp(($2::float8 + i * $3::float8) / 1000.0)
     FROM generate_series(0, $4 - 1) AS i`,
    [sensor, fromMs, stepMs, count, text],
  );
}

const countWhere = async (where: string, params: unknown[]) =>
  Number(
    (
      await sql<{ n: string }>(
        `SELECT count(*) AS n FROM readings r JOIN sensors s ON s.id = r.sensor_id WHERE ${where}`,
        params,
      )
    )[0].n,
  );

describe("retention", () => {
  let a: Awaited<ReturnType<typeof device>>;
  let b: Awaited<ReturnType<typeof device>>;
  beforeAll(async () => {
    a = await device("ret-a", null, ["x", "note"]);
    b = await device("ret-b", 10, ["y"]);
    // 2001-01-01 to about 2001-03-01, one every 41.5 s: about 65 000 before CUTOFF.
    await readings(a.sensors[0], 125_000, Date.UTC(2001, 0, 1), 41_472);
    await readings(a.sensors[1], 5_000, Date.UTC(2001, 0, 1), 1_036_800, true);
    // 20 days up to NOW, one every 43.2 s: about 20 000 before CUTOFF_B.
    await readings(b.sensors[0], 40_000, NOW - 20 * DAY, 43_200);
  }, 60_000);

  it("deletes exactly what is older than the period, in batches, while ingestion goes on", async () => {
    const aOld = await countWhere("s.device_key = $1 AND r.ts < $2", [a.id, new Date(CUTOFF)]);
    const aKept = await countWhere("s.device_key = $1 AND r.ts >= $2", [a.id, new Date(CUTOFF)]);
    const bOld = await countWhere("s.device_key = $1 AND r.ts < $2", [b.id, new Date(CUTOFF_B)]);
    const bKept = await countWhere("s.device_key = $1 AND r.ts >= $2", [b.id, new Date(CUTOFF_B)]);
    const others = await countWhere("s.device_key NOT IN ($1, $2)", [a.id, b.id]);
    expect(aOld).toBeGreaterThan(60_000);
    expect(bOld).toBeGreaterThan(15_000);

    // Devices keep posting, also into the very minutes and hours being cut, until it is done.
    let done = false;
    const posted: number[] = [];
    const latencies: number[] = [];
    const ingest = async (deviceId: string, sensor: string, fromMs: number) => {
      for (let i = 0; !done; i++) {
        const batch = Array.from({ length: 50 }, (_, j) => ({
          device_id: deviceId,
          sensors: { [sensor]: i * 50 + j },
          ts: fromMs + (((i * 50 + j) * 997) % 3_600_000),
        }));
        const res = await postData(batch);
        expect(res.status).toBe(201);
        posted.push(...res.json.readings.map((r: { id: number }) => r.id));
        latencies.push(res.ms);
        await new Promise((r) => setTimeout(r, 60)); // under the per-device rate limit
      }
    };
    const ingesting = [ingest("ret-a", "x", CUTOFF), ingest("ret-b", "y", CUTOFF_B)];
    await new Promise((r) => setTimeout(r, 300));

    const started = performance.now();
    const result = await runRetention({
      days: DAYS,
      now: () => new Date(NOW),
      batchSize: BATCH,
      pauseMs: 5,
    });
    const ms = performance.now() - started;
    done = true;
    await Promise.all(ingesting);

    latencies.sort((x, y) => x - y);
    console.log(
      `retention: deleted ${result.deleted} readings in ${result.batches} batches in ${(ms / 1000).toFixed(1)} s ` +
        `while ${posted.length} readings were posted (post latency p50 ${latencies[latencies.length >> 1].toFixed(0)} ms, ` +
        `max ${latencies[latencies.length - 1].toFixed(0)} ms)`,
    );
    expect(result.deleted).toBe(aOld + bOld);
    expect(result.batches).toBeGreaterThanOrEqual(Math.ceil((aOld + bOld) / BATCH));
    expect(posted.length).toBeGreaterThan(200);

    expect(await countWhere("s.device_key = $1 AND r.ts < $2", [a.id, new Date(CUTOFF)])).toBe(0);
    expect(await countWhere("s.device_key = $1 AND r.ts < $2", [b.id, new Date(CUTOFF_B)])).toBe(0);
    // Everything newer is there, and every reading posted meanwhile.
    expect(await countWhere("s.device_key IN ($1, $2)", [a.id, b.id])).toBe(
      aKept + bKept + posted.length,
    );
    expect(await countWhere("r.id = ANY($1::bigint[])", [posted])).toBe(posted.length);
    expect(await countWhere("s.device_key NOT IN ($1, $2)", [a.id, b.id])).toBe(others);
    // The rollups still equal the readings that are left.
    const check = await checkRollups([...a.sensors, ...b.sensors]);
    expect(check).toMatchObject({ missing: 0, extra: 0, differ: 0, density: 0 });
    expect(check.sumError).toBeLessThan(1e-12);
    // Ingestion was never held up for long.
    expect(latencies[latencies.length - 1]).toBeLessThan(3000);

    // A second pass finds nothing more.
    expect((await runRetention({ days: DAYS, now: () => new Date(NOW) })).deleted).toBe(0);
  }, 120_000);

  it("runs as a worker job that a device's own retention drives, and stops cleanly", async () => {
    const c = await device("ret-c", 1, ["z"]);
    await readings(c.sensors[0], 100, Date.now() - 2 * DAY, 60_000); // all older than 1 day
    await readings(c.sensors[0], 10, Date.now() - 3_600_000, 60_000);
    // A lease of its own: the test stack's worker holds the real retention lease.
    const job = { ...retentionJob({ days: 0, intervalMs: 200 }), lockId: 1002, firstDelayMs: 0 };
    const loop = new JobRunner([job], 200);
    loop.start();
    try {
      await expect
        .poll(() => countWhere("s.device_key = $1", [c.id]), { timeout: 10_000 })
        .toBe(10);
      // ret-a follows the global period, 0 here: kept.
      expect(await countWhere("s.device_key = $1", [a.id])).toBeGreaterThan(50_000);
    } finally {
      await loop.stop();
    }
    const check = await checkRollups(c.sensors);
    expect(check).toMatchObject({ missing: 0, extra: 0, differ: 0, density: 0 });
  });

  it("removes the rollups of a device that is deleted", async () => {
    const before = await sql<{ n: string }>(
      "SELECT count(*) AS n FROM reading_rollups WHERE sensor_id = ANY($1::bigint[])",
      [a.sensors.map(String)],
    );
    expect(Number(before[0].n)).toBeGreaterThan(0);
    await sql("DELETE FROM devices WHERE id = $1", [a.id]);
    const after = await sql<{ n: string }>(
      "SELECT count(*) AS n FROM reading_rollups WHERE sensor_id = ANY($1::bigint[])",
      [a.sensors.map(String)],
    );
    expect(Number(after[0].n)).toBe(0);
  });
});
