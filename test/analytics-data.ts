// The readings the analytics tests share (aggregates, export): over a million, generated with
// SQL straight into this run's test database, once per run (the first test file that asks).
import { sql } from "./db.ts";
import { testRun } from "./stack.ts";

export const YEAR_START = Date.UTC(2025, 0, 1);
export const YEAR_END = Date.UTC(2026, 0, 1);
/** No readings of the temperature sensor from here to GAP_END. */
export const GAP_START = Date.UTC(2025, 4, 10);
export const GAP_END = Date.UTC(2025, 4, 20);

/** Strings a device may send that CSV and spreadsheets trip over. */
export const AWKWARD_STRINGS = [
  "on",
  "a,b",
  'say "hi"',
  "line1\nline2",
  "cr\r\nlf",
  "=1+1",
  "+cmd",
  "-2",
  "@SUM(A1)",
  "'quoted",
  "''twice",
  "\ttab",
  "\rreturn",
  "ünïcødé ✓ 🌡",
  "  spaced  ",
  ",",
  '"',
  "",
  '=HYPERLINK("http://x","y")',
];

export interface AnalyticsData {
  deviceA: { dbId: bigint; deviceId: string };
  temperature: bigint;
  state: bigint;
  humidity: bigint;
  /** Readings of device A (temperature + state). */
  deviceACount: number;
}

/** Points lib/db.ts (used in-process by some tests) at this run's database. */
export function pointPrismaAtTestDatabase(): void {
  process.env.DATABASE_URL = testRun().databaseUrl;
  process.env.LOG_LEVEL ??= "warn";
}

async function ids(): Promise<AnalyticsData | null> {
  const rows = await sql<{ device_id: string; device_db_id: string; id: string; type: string }>(
    `SELECT d.device_id, d.id AS device_db_id, s.id, s.type FROM sensors s
     JOIN devices d ON d.id = s.device_key
     WHERE d.device_id IN ('analytics-a', 'analytics-b') AND d.name = 'ready'`,
  );
  if (rows.length < 3) return null;
  const by = (t: string) => BigInt(rows.find((r) => r.type === t)?.id ?? 0);
  const a = rows.find((r) => r.device_id === "analytics-a");
  const [{ n }] = await sql<{ n: string }>(
    "SELECT count(*) AS n FROM readings r JOIN sensors s ON s.id = r.sensor_id WHERE s.device_key = $1",
    [a?.device_db_id],
  );
  return {
    deviceA: { dbId: BigInt(a?.device_db_id ?? 0), deviceId: "analytics-a" },
    temperature: by("temperature"),
    state: by("state"),
    humidity: by("humidity"),
    deviceACount: Number(n),
  };
}

/**
 * analytics-a: `temperature`, about 973 000 numbers over 2025 (one every ~31.5 s, random
 * fractions, every 500th at the same ms as the one before, nothing between GAP_START and
 * GAP_END); `state`, 30 000 numbers, booleans and AWKWARD_STRINGS in turn.
 * analytics-b: `humidity`, 100 000 numbers over 2025.
 */
export async function analyticsData(): Promise<AnalyticsData> {
  const existing = await ids();
  if (existing) return existing;
  pointPrismaAtTestDatabase();
  const { catchUpRollups } = await import("@/lib/queries/roll-up.ts");

  const [a] = await sql<{ id: string }>(
    "INSERT INTO devices (device_id, name) VALUES ('analytics-a', 'generating') RETURNING id",
  );
  const [b] = await sql<{ id: string }>(
    "INSERT INTO devices (device_id, name) VALUES ('analytics-b', 'generating') RETURNING id",
  );
  const sensor = async (device: string, type: string) =>
    BigInt(
      (
        await sql<{ id: string }>(
          "INSERT INTO sensors (device_key, type) VALUES ($1, $2) RETURNING id",
          [device, type],
        )
      )[0].id,
    );
  const temperature = await sensor(a.id, "temperature");
  const state = await sensor(a.id, "state");
  const humidity = await sensor(b.id, "humidity");

  const year = YEAR_END - YEAR_START;
  // Bulk load without foreign key checks; rolled up below.
  await sql(
    `DO $$ BEGIN
       SET LOCAL session_replication_role = replica;
       INSERT INTO readings (sensor_id, num_value, ts)
       SELECT ${temperature}, 18 + 6 * sin(j / 4000.0) + 2 * random(), to_timestamp(t / 1000.0)
       FROM generate_series(1::bigint, 1000000) AS i,
            LATERAL (SELECT CASE WHEN i % 500 = 1 THEN i - 1 ELSE i END AS j) AS jj,
            LATERAL (SELECT ${YEAR_START} + floor(j * ${year / 1_000_000}) + (j * 7919) % 15000 AS t) AS tt
       WHERE t < ${GAP_START} OR t >= ${GAP_END};
       INSERT INTO readings (sensor_id, num_value, text_value, bool_value, ts)
       SELECT ${state},
              CASE WHEN i % 3 = 0 THEN round((random() * 200 - 100)::numeric, 2)::float8 END,
              CASE WHEN i % 3 = 1 THEN (${sqlArray(AWKWARD_STRINGS)})[1 + (i / 3) % ${AWKWARD_STRINGS.length}] END,
              CASE WHEN i % 3 = 2 THEN i % 2 = 0 END,
              to_timestamp((${YEAR_START} + i * ${Math.floor(year / 30_000)}) / 1000.0)
       FROM generate_series(0::bigint, 29999) AS i;
     END $$`,
  );
  await sql(
    `INSERT INTO readings (sensor_id, num_value, ts)
     SELECT $1, round((50 + 30 * cos(i / 900.0) + random())::numeric, 1)::float8,
            to_timestamp(($2::float8 + i * $3::float8) / 1000.0)
     FROM generate_series(0, 99999) AS i`,
    [humidity, YEAR_START, year / 100_000],
  );
  // A year of history loaded at once is no alarm matter (like readings stored before BoCloud had
  // alarms): the test stack's alarm evaluator moves past it instead of spending a core on it for
  // half a minute while the next test files run.
  await sql(
    "UPDATE alarm_cursor SET last_reading_id = GREATEST(last_reading_id, (SELECT max(id) FROM readings)), changes = changes + 1",
  );
  await catchUpRollups();
  await sql("ANALYZE readings");
  await sql("ANALYZE reading_rollups");
  await sql("UPDATE devices SET name = 'ready' WHERE id IN ($1, $2)", [a.id, b.id]);
  const made = await ids();
  if (!made) throw new Error("the analytics data set was not made");
  return made;
}

/** A text[] literal for SQL (the strings are ours, quoted here). */
function sqlArray(values: string[]): string {
  return `ARRAY[${values.map((v) => `E'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t")}'`).join(", ")}]::text[]`;
}
