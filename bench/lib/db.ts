// The bench's own databases: one for ingest (new each run), one per query dataset size
// (generated once with generate_series and reused while its row count matches).
import pg from "pg";
import { migrate } from "../../scripts/migrate.ts";

export const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432";
export const dbUrl = (name: string) => `${PG_BASE}/${name}`;

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient(dbUrl("postgres"), (c) =>
    c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/** A new, migrated database (dropped first if it exists). */
export async function freshDatabase(name: string): Promise<string> {
  await dropDatabase(name);
  await migrate(dbUrl(name));
  return dbUrl(name);
}

/** Drops ingest databases left behind by bench runs whose process is gone. */
export async function dropStaleIngestDatabases(): Promise<void> {
  const names = await withClient(dbUrl("postgres"), async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'bocloud_bench_ingest_%'",
    );
    return rows.map((r) => r.datname);
  });
  for (const name of names) {
    const pid = Number(name.split("_").at(-1));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (!alive) await dropDatabase(name);
  }
}

// The generated dataset: DEVICES devices with SENSOR_TYPES each, one reading per sensor every
// STEP_SECONDS, oldest first (ids rise with time, as they do in production), ending at the
// time it was generated. 1M readings span ~17 h, 10M ~6.9 days.
export const DEVICES = 200;
export const SENSOR_TYPES = ["temperature", "humidity", "pressure", "co2", "battery"];
export const STEP_SECONDS = 60;
const DATASET_VERSION = 2;

export interface Dataset {
  url: string;
  rows: number;
  start: Date;
  end: Date;
  deviceIds: string[];
  sensorIds: number[];
  generatedNow: boolean;
  generateSeconds?: number;
}

/**
 * The query dataset of `rows` readings in database `name`: reused when the bench made it
 * (same version, same row count), generated otherwise. The secondary indexes and foreign
 * keys of `readings` are dropped for the load and created again from their own definitions,
 * so the table ends exactly as the migrations made it.
 */
export async function ensureDataset(
  name: string,
  rows: number,
  log: (s: string) => void,
): Promise<Dataset> {
  const url = dbUrl(name);
  try {
    await migrate(url);
  } catch (err) {
    // The project's migrations changed under a kept dataset (one was renamed or edited):
    // start that database again rather than patch it.
    log(`${name} no longer migrates (${(err as Error).message.split("\n")[0]}): recreating it`);
    await dropDatabase(name);
    await migrate(url);
  }
  // One bench at a time checks or generates a dataset (a lock held on this connection).
  return withClient(url, async (c) => {
    await c.query("SELECT pg_advisory_lock(hashtext($1))", [`bocloud-bench:${name}`]);
    await c.query(
      `CREATE TABLE IF NOT EXISTS bench_meta (version int, rows bigint, start_ts timestamptz,
       end_ts timestamptz, generated_at timestamptz DEFAULT now())`,
    );
    const meta = (
      await c.query<{ version: number; rows: string; start_ts: Date; end_ts: Date }>(
        "SELECT * FROM bench_meta",
      )
    ).rows[0];
    let generatedNow = false;
    let generateSeconds: number | undefined;
    const count =
      meta && meta.version === DATASET_VERSION && Number(meta.rows) === rows
        ? Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM readings")).rows[0].n)
        : -1;
    if (count !== rows) {
      log(`generating ${rows.toLocaleString("en")} readings in ${name} (once; reused later)`);
      const t = performance.now();
      await generate(c, rows);
      generateSeconds = (performance.now() - t) / 1000;
      log(`generated in ${generateSeconds.toFixed(0)} s`);
      generatedNow = true;
    }
    const m = (await c.query<{ start_ts: Date; end_ts: Date }>("SELECT * FROM bench_meta")).rows[0];
    const deviceIds = (
      await c.query<{ device_id: string }>("SELECT device_id FROM devices ORDER BY id")
    ).rows.map((r) => r.device_id);
    const sensorIds = (
      await c.query<{ id: string }>("SELECT id FROM sensors ORDER BY id")
    ).rows.map((r) => Number(r.id));
    return {
      url,
      rows,
      start: m.start_ts,
      end: m.end_ts,
      deviceIds,
      sensorIds,
      generatedNow,
      generateSeconds,
    };
  });
}

async function generate(c: pg.Client, rows: number): Promise<void> {
  const sensors = DEVICES * SENSOR_TYPES.length;
  const steps = Math.ceil(rows / sensors);
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - (steps - 1) * STEP_SECONDS * 1000);
  await c.query("SET maintenance_work_mem = '1GB'");
  await c.query("DELETE FROM bench_meta");
  await c.query("TRUNCATE readings, sensors, devices, commands, gateways RESTART IDENTITY CASCADE");
  await c.query(
    `INSERT INTO devices (device_id, name, last_seen_at, status)
     SELECT format('bench-%s', lpad(i::text, 4, '0')), format('Bench device %s', i), $1, 'offline'
     FROM generate_series(1, $2::int) AS i`,
    [end, DEVICES],
  );
  await c.query(
    `INSERT INTO sensors (device_key, type)
     SELECT d.id, t FROM devices d CROSS JOIN unnest($1::text[]) AS t ORDER BY d.id, t`,
    [SENSOR_TYPES],
  );
  const indexes = (
    await c.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.tablename = 'readings' AND i.schemaname = current_schema()
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
    )
  ).rows;
  const fks = (
    await c.query<{ conname: string; def: string }>(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = 'readings'::regclass AND contype = 'f'`,
    )
  ).rows;
  for (const fk of fks)
    await c.query(`ALTER TABLE readings DROP CONSTRAINT ${pg.escapeIdentifier(fk.conname)}`);
  for (const ix of indexes) await c.query(`DROP INDEX ${pg.escapeIdentifier(ix.indexname)}`);

  // In time order, a chunk of steps at a time; the last step is cut to make `rows` exactly.
  const chunk = Math.max(1, Math.floor(2_000_000 / sensors));
  for (let s = 0; s < steps; s += chunk) {
    await c.query(
      `INSERT INTO readings (sensor_id, num_value, ts)
       SELECT s.id, round((20 + 10 * sin(g / 240.0 + s.id) + random())::numeric, 2)::float8,
              $1::timestamptz + g * make_interval(secs => $4)
       FROM generate_series($2::int, $3::int) AS g CROSS JOIN sensors s
       WHERE g::bigint * $5 + s.id <= $6
       ORDER BY g, s.id`,
      [start, s, Math.min(steps, s + chunk) - 1, STEP_SECONDS, sensors, rows],
    );
  }
  for (const ix of indexes) await c.query(ix.indexdef);
  for (const fk of fks)
    await c.query(
      `ALTER TABLE readings ADD CONSTRAINT ${pg.escapeIdentifier(fk.conname)} ${fk.def}`,
    );
  await c.query("VACUUM ANALYZE readings");
  await c.query("ANALYZE devices; ANALYZE sensors");
  await c.query(
    "INSERT INTO bench_meta (version, rows, start_ts, end_ts) VALUES ($1, $2, $3, $4)",
    [DATASET_VERSION, rows, start, end],
  );
}
