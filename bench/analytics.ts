/**
 * Benchmark of GET /api/aggregates' query: a 1-year range of one sensor into 600 points, on
 * 10M readings, p50 / p99 over 30 runs. Standalone:
 *
 *   npx tsx bench/analytics.ts [--readings 10000000] [--runs 30] [--points 600] [--fresh]
 *
 * The data lives in its own database, BENCH_ANALYTICS_DATABASE_URL (default
 * postgresql://postgres@127.0.0.1:5432/bocloud_bench_analytics), generated once with SQL
 * generate_series straight into `readings` (about 3 minutes for 10M here) and kept for the
 * next run; --fresh generates it again. All readings belong to one sensor, one every ~3.2 s
 * over a year and 30 days, so every bucket boundary cuts a minute full of readings: the
 * worst case for the query. Each run asks for a different 365-day window (start shifted by up
 * to 30 days), through the same function the route handler calls. The last line of output is
 * one JSON object with the result.
 */
import { parseArgs } from "node:util";
import pg from "pg";

const { values: args } = parseArgs({
  options: {
    readings: { type: "string", default: "10000000" },
    runs: { type: "string", default: "30" },
    points: { type: "string", default: "600" },
    fresh: { type: "boolean", default: false },
  },
});
const READINGS = Number(args.readings);
const RUNS = Number(args.runs);
const POINTS = Number(args.points);
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const SPAN = 395 * DAY; // a year and 30 days
const DEVICE = "bench-analytics";
const CHUNK = 1_000_000;

const url =
  process.env.BENCH_ANALYTICS_DATABASE_URL ??
  "postgresql://postgres@127.0.0.1:5432/bocloud_bench_analytics";
// lib/db.ts reads DATABASE_URL on first use: point it at the benchmark's database first.
process.env.DATABASE_URL = url;
process.env.LOG_LEVEL ??= "warn";

const { migrate } = await import("../scripts/migrate.ts");
const { prisma } = await import("../lib/db.ts");
const { catchUpRollups } = await import("../lib/queries/roll-up.ts");
const { aggregateSeries } = await import("../lib/analytics/aggregates.ts");

function log(message: string) {
  process.stderr.write(`[bench/analytics] ${message}\n`);
}

async function dropDatabase() {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await client.end();
}

/** The marker in the device's name says which data set is there. */
const marker = `${DEVICE}:${READINGS}:${START}:${SPAN}`;

async function ensureData(): Promise<bigint> {
  if (args.fresh) await dropDatabase();
  await migrate(url);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const found = await db.query<{ id: string }>(
      `SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key
       WHERE d.device_id = $1 AND d.name = $2 AND s.type = 'temperature'`,
      [DEVICE, marker],
    );
    if (found.rows[0]) {
      log(`reusing the ${READINGS} readings in ${new URL(url).pathname.slice(1)}`);
      return BigInt(found.rows[0].id);
    }
    if ((await db.query("SELECT 1 FROM readings LIMIT 1")).rowCount) {
      await db.end();
      await dropDatabase();
      await migrate(url);
      return ensureData();
    }
    const started = performance.now();
    const {
      rows: [device],
    } = await db.query<{ id: string }>(
      "INSERT INTO devices (device_id, name) VALUES ($1, 'generating') RETURNING id",
      [DEVICE],
    );
    const {
      rows: [sensor],
    } = await db.query<{ id: string }>(
      "INSERT INTO sensors (device_key, type) VALUES ($1, 'temperature') RETURNING id",
      [device.id],
    );
    const step = SPAN / READINGS; // ms between readings
    for (let first = 0; first < READINGS; first += CHUNK) {
      const last = Math.min(READINGS, first + CHUNK) - 1;
      // Foreign key checks off for the bulk load (session_replication_role = replica); the
      // rollups are built below by the rollup job's own passes.
      await db.query("BEGIN");
      await db.query("SET LOCAL session_replication_role = replica");
      await db.query(
        `INSERT INTO readings (sensor_id, num_value, ts, received_at)
         SELECT $1, round((20 + 8 * sin(i / 20000.0) + 3 * random())::numeric, 2)::float8,
                to_timestamp(($2::float8 + i * $3::float8 + random() * $3::float8) / 1000.0), now()
         FROM generate_series($4::bigint, $5::bigint) AS i`,
        [sensor.id, START, step, first, last],
      );
      await db.query("COMMIT");
      log(`${last + 1} readings (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    await catchUpRollups();
    log(`rollups built (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    await db.query("VACUUM ANALYZE readings");
    await db.query("VACUUM ANALYZE reading_rollups");
    await db.query("UPDATE devices SET name = $1 WHERE id = $2", [marker, device.id]);
    log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return BigInt(sensor.id);
  } finally {
    await db.end().catch(() => {});
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sensorId = await ensureData();
const sensor = { id: sensorId, device_id: DEVICE, type: "temperature" };
const windowAt = (i: number) => {
  // A different 365-day window each run, at any millisecond within the first 30 days.
  const from = START + Math.floor((((i * 7919) % 1000) / 1000) * 30 * DAY) + (i % 997);
  return { from: new Date(from), to: new Date(from + 365 * DAY) };
};

for (let i = 0; i < 3; i++) {
  const { from, to } = windowAt(1000 + i);
  await aggregateSeries([sensor], from, to, POINTS); // warm-up: caches and connections
}
const times: number[] = [];
let buckets = 0;
let bucketMs = 0;
let readingsCovered = 0;
for (let i = 0; i < RUNS; i++) {
  const { from, to } = windowAt(i);
  const started = performance.now();
  const result = await aggregateSeries([sensor], from, to, POINTS);
  times.push(performance.now() - started);
  const [series] = result.series;
  if (series.resolution !== "bucket") throw new Error("expected buckets");
  buckets = series.buckets.length;
  bucketMs = series.bucket_ms;
  readingsCovered = series.buckets.reduce((n, b) => n + b.count, 0);
}
await prisma.$disconnect();
const sorted = [...times].sort((a, b) => a - b);
const round = (ms: number) => Math.round(ms * 10) / 10;
console.log(
  JSON.stringify({
    bench: "analytics",
    case: `aggregates: 1-year range, 1 sensor, ${POINTS} points`,
    readings: READINGS,
    readings_in_range: readingsCovered,
    buckets,
    bucket_ms: bucketMs,
    runs: RUNS,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    min_ms: round(sorted[0]),
    max_ms: round(sorted[sorted.length - 1]),
  }),
);
