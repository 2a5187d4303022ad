// 5. Queries on 1M and 10M generated readings: the fetch endpoints through HTTP against the
// same SQL sent straight through `pg`.
import { createHash } from "node:crypto";
import { Agent, request } from "node:http";
import pg from "pg";
import { operatorCookie } from "../lib/auth.ts";
import { type Ctx, ratioOf, side } from "../lib/context.ts";
import { type Dataset, ensureDataset } from "../lib/db.ts";
import { startWeb } from "../lib/stack.ts";
import { latencyOf, nowMs, prng } from "../lib/stats.ts";
import { errorRow } from "./ingest.ts";

const HOUR = 3_600_000;

interface Query {
  kind: "device" | "sensor";
  window: boolean;
  title: string;
}

const QUERIES: Query[] = [
  { kind: "device", window: false, title: "fetch device, newest page (100)" },
  { kind: "device", window: true, title: "fetch device, a 1-hour window (limit 1000)" },
  { kind: "sensor", window: false, title: "fetch sensor, newest page (100)" },
  { kind: "sensor", window: true, title: "fetch sensor, a 1-hour window (limit 1000)" },
];

interface Ask {
  id: string;
  from?: Date;
  to?: Date;
  limit: number;
}

/** The same requests for both sides: random devices / sensors and windows, from a seed. */
function asks(d: Dataset, q: Query, n: number, seed: number): Ask[] {
  const rand = prng(seed);
  const span = d.end.getTime() - d.start.getTime() - HOUR;
  return Array.from({ length: n }, () => {
    const id =
      q.kind === "device"
        ? d.deviceIds[Math.floor(rand() * d.deviceIds.length)]
        : String(d.sensorIds[Math.floor(rand() * d.sensorIds.length)]);
    if (!q.window) return { id, limit: 100 };
    const from = new Date(d.start.getTime() + Math.floor(rand() * span));
    return { id, from, to: new Date(from.getTime() + HOUR), limit: 1000 };
  });
}

function path(q: Query, a: Ask): string {
  const p = new URLSearchParams({ id: a.id });
  if (a.from && a.to) {
    p.set("from", a.from.toISOString());
    p.set("to", a.to.toISOString());
  }
  p.set("limit", String(a.limit));
  return `/api/fetch/${q.kind}?${p}`;
}

function get(agent: Agent, url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { cookie }, timeout: 10_000 }, (res) => {
      res.on("data", () => {});
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(res.statusCode)
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${url}: timeout`)));
    req.end();
  });
}

// The statements the endpoints run (lib/auth/sessions.ts, lib/queries/find-device.ts,
// find-sensor.ts, list-readings.ts), one after another on one connection (the API runs the
// last two in parallel on two).
const SESSION_SQL = `SELECT u.id, u.username, u.role::text AS role
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.expires_at > now()`;
const LATEST_OF_SENSOR = `s.id AS sensor_id, s.type AS sensor_type, s.created_at AS sensor_created_at,
    l.id AS reading_id, l.num_value, l.text_value, l.bool_value, l.ts`;
const BUCKET = "date_bin('10 minutes', r.ts, timestamptz 'epoch')";
const NEWEST_FIRST = `ORDER BY ${BUCKET} DESC, r.ts DESC, r.id DESC`;
const LATEST_JOIN = `LEFT JOIN LATERAL (
    SELECT r.id, r.num_value, r.text_value, r.bool_value, r.ts FROM readings r
    WHERE r.sensor_id = s.id ${NEWEST_FIRST} LIMIT 1
  ) l ON true`;
const DEVICE_SQL = `SELECT d.device_id, d.name, d.created_at, d.last_seen_at, ${LATEST_OF_SENSOR}
  FROM devices d LEFT JOIN sensors s ON s.device_key = d.id ${LATEST_JOIN}
  WHERE d.device_id = $1 ORDER BY s.type`;
const SENSOR_SQL = `SELECT d.device_id, ${LATEST_OF_SENSOR}
  FROM sensors s JOIN devices d ON d.id = s.device_key ${LATEST_JOIN}
  WHERE s.id = $1`;
const WINDOW = ` AND ${BUCKET} >= date_bin('10 minutes', $3::timestamptz, timestamptz 'epoch') AND r.ts >= $3
  AND ${BUCKET} <= date_bin('10 minutes', $4::timestamptz, timestamptz 'epoch') AND r.ts <= $4`;
const COLUMNS = "r.id, r.sensor_id, r.num_value, r.text_value, r.bool_value, r.ts";
const readingsSql = (kind: "device" | "sensor", window: boolean) =>
  kind === "sensor"
    ? `SELECT ${COLUMNS}, d.device_id, s.type AS sensor_type
       FROM readings r JOIN sensors s ON s.id = r.sensor_id JOIN devices d ON d.id = s.device_key
       WHERE r.sensor_id = $1 ${window ? WINDOW : ""} ${NEWEST_FIRST} LIMIT $2`
    : `SELECT x.*, d.device_id, s.type AS sensor_type
       FROM devices d JOIN sensors s ON s.device_key = d.id
       CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM readings r
         WHERE r.sensor_id = s.id ${window ? WINDOW : ""} ${NEWEST_FIRST} LIMIT $2) x
       WHERE d.device_id = $1 ORDER BY x.ts DESC, x.id DESC LIMIT $2`;

async function raw(c: pg.Client, q: Query, a: Ask, sessionHash: string): Promise<void> {
  if (sessionHash) await c.query(SESSION_SQL, [sessionHash]);
  await c.query(q.kind === "device" ? DEVICE_SQL : SENSOR_SQL, [a.id]);
  const params: unknown[] = [a.id, a.limit + 1];
  if (a.from && a.to) params.push(a.from, a.to);
  await c.query(readingsSql(q.kind, q.window), params);
}

async function timeEach(items: Ask[], fn: (a: Ask) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (const a of items) {
    const t = nowMs();
    await fn(a);
    times.push(nowMs() - t);
  }
  return times;
}

async function onDataset(ctx: Ctx, rows: number, name: string): Promise<void> {
  const d = await ensureDataset(name, rows, ctx.log);
  if (d.generatedNow)
    ctx.notes.push(
      `The ${rows.toLocaleString("en")}-reading dataset was generated in this run (${d.generateSeconds?.toFixed(0)} s, included in the run time); later runs reuse it.`,
    );
  const web = await startWeb(ctx.buildDir, {
    DATABASE_URL: d.url,
    REDIS_URL: ctx.redisUrl,
    REDIS_CHANNEL_PREFIX: ctx.prefix,
    LOG_LEVEL: "warn",
  });
  const client = new pg.Client({ connectionString: d.url });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await client.connect();
    const cookie = await operatorCookie(web.url);
    const token = cookie.split("=")[1] ?? "";
    const sessionHash = token ? createHash("sha256").update(token).digest("hex") : "";
    const n = ctx.quick ? 40 : 150;
    const label = `${rows / 1_000_000}M`;
    ctx.log(
      `queries on ${label} readings: ${QUERIES.length} kinds × ${n} requests × ${ctx.runs} runs each side`,
    );
    for (const [qi, q] of QUERIES.entries()) {
      // Warm both paths (JIT, plans, buffers) on requests of their own.
      const warm = asks(d, q, 30, 9000 + qi);
      await timeEach(warm, (a) => get(agent, web.url + path(q, a), cookie));
      await timeEach(warm, (a) => raw(client, q, a, sessionHash));
      const runs: Record<string, Record<string, number>[]> = { api: [], raw: [] };
      for (let i = 0; i < ctx.runs; i++) {
        const items = asks(d, q, n, 100 * qi + i);
        const sides = [
          ["api", (a: Ask) => get(agent, web.url + path(q, a), cookie)],
          ["raw", (a: Ask) => raw(client, q, a, sessionHash)],
        ] as const;
        for (const [s, fn] of i % 2 === 0 ? sides : [...sides].reverse()) {
          const l = latencyOf(await timeEach(items, fn));
          runs[s].push({ p50_ms: l.p50, p99_ms: l.p99 });
        }
      }
      const api = side("HTTP API (next start)", runs.api);
      const ratio = ratioOf(
        "p50 API ÷ raw SQL",
        runs.api.map((r, i) => r.p50_ms / runs.raw[i].p50_ms),
      );
      const at10M = rows >= 10_000_000;
      ctx.rows.push({
        id: `queries.${label}.${q.kind}${q.window ? ".window" : ".newest"}`,
        section: `5. Queries, ${label} readings`,
        title: q.title,
        bocloud: api,
        baseline: side("the same SQL through pg", runs.raw),
        ratio,
        target: at10M
          ? {
              text: "p50 ≤ 10 ms and ≤ 1.5× raw SQL",
              met: api.figures.p50_ms <= 10 && (ratio?.value ?? Infinity) <= 1.5,
            }
          : { text: "≤ 1.5× raw SQL", met: (ratio?.value ?? Infinity) <= 1.5 },
      });
      ctx.log(
        `  ${label} ${q.title}: API p50 ${api.figures.p50_ms.toFixed(2)} ms, raw p50 ${side("", runs.raw).figures.p50_ms.toFixed(2)} ms`,
      );
    }
  } finally {
    agent.destroy();
    await client.end().catch(() => {});
    await web.stop();
  }
}

export async function querySuites(ctx: Ctx): Promise<void> {
  const sizes: [number, string][] = [[1_000_000, "bocloud_bench_1m"]];
  if (!ctx.quick) sizes.push([10_000_000, "bocloud_bench_10m"]);
  for (const [rows, name] of sizes) {
    try {
      await onDataset(ctx, rows, name);
    } catch (err) {
      ctx.rows.push(errorRow(`queries.${rows}`, `5. Queries, ${rows / 1_000_000}M readings`, err));
    }
  }
}
