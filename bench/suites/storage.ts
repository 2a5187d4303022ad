// 8. Storage: bytes per reading, all in (table, indexes, rollups), for a realistic fleet:
// 1000 sensors, one reading each every 10 s, for a day, arriving as they would (each 10 s
// step one statement of every sensor's reading, in a different order each time).
import type pg from "pg";
import { migrate } from "../../scripts/migrate.ts";
import { type Ctx, side } from "../lib/context.ts";
import { dbUrl, dropDatabase, withClient } from "../lib/db.ts";
import { errorRow } from "./ingest.ts";

const DEVICES = 250;
const SENSOR_TYPES = ["temperature", "humidity", "pressure", "battery"];
const STEP_SECONDS = 10;
const VERSION = 1;

interface Sizes {
  readings: number;
  heap: number;
  indexes: number;
  rollups: number;
  all: number;
}

async function sizes(c: pg.Client): Promise<Sizes> {
  const { rows } = await c.query<Record<keyof Sizes, string>>(
    `SELECT (SELECT count(*) FROM readings) AS readings,
            pg_table_size('readings') AS heap,
            pg_indexes_size('readings') AS indexes,
            pg_total_relation_size('reading_rollups') AS rollups,
            pg_total_relation_size('readings') + pg_total_relation_size('reading_rollups')
              + pg_total_relation_size('sensors') + pg_total_relation_size('devices')
              + pg_total_relation_size('job_cursors') AS "all"`,
  );
  const r = rows[0];
  return {
    readings: Number(r.readings),
    heap: Number(r.heap),
    indexes: Number(r.indexes),
    rollups: Number(r.rollups),
    all: Number(r.all),
  };
}

/** The fleet's day in its own database, kept for later runs; regenerated when it differs. */
async function fleet(ctx: Ctx, hours: number): Promise<{ url: string; seconds?: number }> {
  const name = `bocloud_bench_fleet_${hours}h`;
  const url = dbUrl(name);
  await migrate(url).catch(async () => {
    await dropDatabase(name);
    await migrate(url);
  });
  const steps = (hours * 3600) / STEP_SECONDS;
  return withClient(url, async (c) => {
    await c.query("CREATE TABLE IF NOT EXISTS bench_meta (version int, steps int)");
    const meta = (await c.query<{ version: number; steps: number }>("SELECT * FROM bench_meta"))
      .rows[0];
    if (meta?.version === VERSION && meta.steps === steps) return { url };
    ctx.log(
      `generating the fleet's ${hours} h (${steps * DEVICES * SENSOR_TYPES.length} readings) in ${name} (once)`,
    );
    const started = performance.now();
    await c.query("DELETE FROM bench_meta");
    await c.query(
      "TRUNCATE readings, reading_rollups, sensors, devices, job_cursors RESTART IDENTITY CASCADE",
    );
    await c.query(
      `INSERT INTO devices (device_id, name) SELECT format('fleet-%s', i), format('Fleet %s', i)
       FROM generate_series(1, $1::int) AS i`,
      [DEVICES],
    );
    await c.query(
      `INSERT INTO sensors (device_key, type)
       SELECT d.id, t FROM devices d CROSS JOIN unnest($1::text[]) AS t ORDER BY d.id, t`,
      [SENSOR_TYPES],
    );
    const start = Date.now() - hours * 3_600_000;
    // Each step one statement (one store), the sensors in a new random order each time, as
    // the store statement inserts them: received_at null (the device sent no ts).
    await c.query(
      `DO $$ DECLARE t int; BEGIN
         FOR t IN 0..${steps - 1} LOOP
           INSERT INTO readings (sensor_id, num_value, ts)
           SELECT s.id, round((20 + 5 * sin(t / 360.0 + s.id) + random())::numeric, 2)::float8,
                  to_timestamp((${start}::bigint + t * ${STEP_SECONDS * 1000}::bigint + (random() * 900)::int) / 1000.0)
           FROM (SELECT id FROM sensors ORDER BY random()) s;
         END LOOP;
       END $$`,
    );
    // What the worker's rollup job does as the readings come.
    for (;;) {
      const { rows } = await c.query<{ pass: { readings: number } }>(
        "SELECT bocloud_roll_up(100000) AS pass",
      );
      if (rows[0].pass.readings < 100_000) break;
    }
    await c.query("VACUUM ANALYZE readings");
    await c.query("VACUUM ANALYZE reading_rollups");
    await c.query("INSERT INTO bench_meta VALUES ($1, $2)", [VERSION, steps]);
    const seconds = (performance.now() - started) / 1000;
    ctx.log(`generated in ${seconds.toFixed(0)} s`);
    return { url, seconds };
  });
}

export async function storageSuite(ctx: Ctx): Promise<void> {
  const hours = ctx.quick ? 2 : 24;
  try {
    const { url, seconds } = await fleet(ctx, hours);
    const s = await withClient(url, sizes);
    const per = (n: number) => n / s.readings;
    ctx.log(`storage: ${per(s.all).toFixed(1)} bytes per reading all in (${s.readings} readings)`);
    const all = per(s.all);
    ctx.rows.push({
      id: "storage.fleet",
      section: "8. Storage",
      title: `bytes per reading all in: ${DEVICES * SENSOR_TYPES.length} sensors, one reading each every ${STEP_SECONDS} s, ${hours} h`,
      bocloud: side("readings (table + indexes) + reading_rollups + devices, sensors", [
        {
          bytes_per_reading: all,
          table_bytes: per(s.heap),
          index_bytes: per(s.indexes),
          rollup_bytes: per(s.rollups),
          readings: s.readings,
        },
      ]),
      target: { text: "≤ 100 bytes (ThingsBoard on PostgreSQL: ~150)", met: all <= 100 },
      note: seconds
        ? `The fleet's data was generated in this run (${seconds.toFixed(0)} s).`
        : undefined,
    });
  } catch (err) {
    ctx.rows.push(errorRow("storage.fleet", "8. Storage", err));
  }
}
