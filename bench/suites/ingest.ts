// 1. Single-reading ingest against the framework's floor, and 2. batch ingest against COPY.
import type { Ctx, Row } from "../lib/context.ts";
import { ratioOf, side } from "../lib/context.ts";
import { withClient } from "../lib/db.ts";
import { type LoadResult, post } from "../lib/load.ts";
import { cpuMs, run } from "../lib/procs.ts";
import { startWeb } from "../lib/stack.ts";
import { prng, round } from "../lib/stats.ts";

const CONNECTIONS = [16, 64];
/** Devices posting single readings, each with its own token (token mode, the default). */
const SINGLE_DEVICES = 300;
const GATEWAYS = 4; // concurrent batch uploads, one connection each
const DEVICES_PER_GATEWAY = 10;
const BATCH_SIZES = [100, 1000];
/** A copy of `readings` with its indexes and nothing else: what COPY is measured into. */
const COPY_TABLE = "readings_copy_target";
const COPY_COLUMNS = "sensor_id, num_value, ts, received_at";

const singleDevice = (i: number) => `bench-dev-${String(i).padStart(4, "0")}`;
const gatewayDevice = (g: number, k: number) => `bench-gw${g}-dev-${k}`;

/**
 * Registers the devices the runs use: the single-reading devices with their tokens (through
 * the operator API, as an admin would), the gateways' devices with a first reading each.
 */
async function register(ctx: Ctx): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < SINGLE_DEVICES; i++) {
    const res = await fetch(`${ctx.web.url}/api/devices`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: ctx.cookie, origin: ctx.web.url },
      body: JSON.stringify({ device_id: singleDevice(i) }),
    });
    const body = await res.json();
    if (res.status !== 201)
      throw new Error(`registering devices: ${res.status} ${JSON.stringify(body)}`);
    tokens.push(body.token);
  }
  const gatewayItems = Array.from({ length: GATEWAYS * DEVICES_PER_GATEWAY }, (_, i) => ({
    device_id: gatewayDevice(Math.floor(i / DEVICES_PER_GATEWAY), i % DEVICES_PER_GATEWAY),
    sensors: { temperature: 20 },
  }));
  const res = await fetch(`${ctx.web.url}/api/data`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(gatewayItems),
  });
  if (res.status !== 201) throw new Error(`registering gateways' devices: ${res.status}`);
  return tokens;
}

/** A device's reading with its own token, a device at random (load.ts asks body, then headers). */
function singleLane(connections: number, tokens: string[], seed: number) {
  const rand = prng(seed);
  let device = 0;
  return {
    connections,
    body: () => {
      device = Math.floor(rand() * tokens.length);
      return JSON.stringify({
        device_id: singleDevice(device),
        sensors: { temperature: round(15 + rand() * 15) },
      });
    },
    headers: () => ({ authorization: `Bearer ${tokens[device]}` }),
  };
}

/** The framework's floor: the same route, refused for want of a token before any database work. */
const floorLane = (connections: number) => ({
  connections,
  body: () => JSON.stringify({ device_id: singleDevice(0), sensors: { temperature: 21.5 } }),
});

/** A gateway's upload of buffered readings: its devices, `size / 10` readings each, 10 s apart. */
function batchItems(g: number, size: number, startMs: number, rand: () => number) {
  const perDevice = size / DEVICES_PER_GATEWAY;
  const items: { device_id: string; sensors: { temperature: number }; ts: number }[] = [];
  for (let k = 0; k < DEVICES_PER_GATEWAY; k++)
    for (let j = 0; j < perDevice; j++)
      items.push({
        device_id: gatewayDevice(g, k),
        sensors: { temperature: round(15 + rand() * 15) },
        ts: startMs + j * 10_000,
      });
  return items;
}

function batchLanes(size: number, seed: number) {
  const rand = prng(seed);
  return Array.from({ length: GATEWAYS }, (_, g) => {
    const bodies = Array.from({ length: 16 }, () =>
      JSON.stringify(batchItems(g, size, Date.now() - 20 * 3_600_000 + rand() * 3_600_000, rand)),
    );
    let i = 0;
    return { connections: 1, body: () => bodies[i++ % bodies.length] };
  });
}

function checked(r: LoadResult, what: string): LoadResult {
  if (r.non2xx > 0 || r.errors > 0 || r.ok === 0)
    throw new Error(
      `${what}: ${r.ok} answered as expected, ${r.non2xx} other statuses, ${r.errors} errors ${r.firstError ?? ""}`,
    );
  return r;
}

const figures = (r: LoadResult, cpu: number, perRequest = 1) => ({
  ...(perRequest > 1 ? { readings_s: r.rps * perRequest } : {}),
  rps: r.rps,
  p50_ms: r.latency.p50,
  p99_ms: r.latency.p99,
  cpu_ms_per_req: cpu / r.ok,
});

/** A load run, with the CPU time the server process spent on it. */
async function measured(pid: number, load: () => Promise<LoadResult>, what: string) {
  const before = cpuMs(pid);
  const r = checked(await load(), what);
  return { r, cpu: cpuMs(pid) - before };
}

/** COPY of `rows` rows like the batches' into the copy of readings, over `streams` psql sessions. */
async function copy(ctx: Ctx, rows: number, streams: number): Promise<number> {
  const sensors = await withClient(ctx.ingestUrl, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${COPY_TABLE}`);
    // The same columns, defaults and indexes (the 10-minute index too), no trigger.
    await c.query(`CREATE TABLE ${COPY_TABLE} (LIKE readings INCLUDING ALL)`);
    return (
      await c.query<{ id: string }>(
        `SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key
         WHERE d.device_id LIKE 'bench-gw%' ORDER BY s.id`,
      )
    ).rows.map((r) => r.id);
  });
  const rand = prng(rows);
  const received = new Date().toISOString();
  const parts: string[][] = Array.from({ length: streams }, () => []);
  const start = Date.now() - 22 * 3_600_000;
  for (let i = 0; i < rows; i++) {
    const s = i % sensors.length;
    const ts = new Date(start + Math.floor(i / sensors.length) * 10_000).toISOString();
    parts[s % streams].push(`${sensors[s]},${round(15 + rand() * 15)},${ts},${received}`);
  }
  const t = performance.now();
  const results = await Promise.all(
    parts.map((lines) =>
      run(
        "psql",
        [
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          ctx.ingestUrl,
          "-c",
          `\\copy ${COPY_TABLE} (${COPY_COLUMNS}) FROM STDIN WITH (FORMAT csv)`,
        ],
        { timeoutMs: 120_000, input: `${lines.join("\n")}\n` },
      ),
    ),
  );
  const seconds = (performance.now() - t) / 1000;
  for (const r of results) if (r.code !== 0) throw new Error(`COPY failed: ${r.stderr}`);
  return rows / seconds;
}

export async function ingestSuites(ctx: Ctx): Promise<void> {
  const seconds = ctx.quick ? 2 : 6;
  const warm = ctx.quick ? 1 : 3;
  const tokens = await register(ctx);
  // Token mode (the default) for the single readings and their floor; the rate limit stays on
  // (its Redis round trip is part of every post) but high enough never to refuse the load.
  const web = await startWeb(ctx.buildDir, {
    ...ctx.env,
    INGEST_AUTH: "token",
    STREAM_URL: ctx.stream.url,
  });
  try {
    await singleRows(ctx, web.url, web.child.pid as number, tokens, seconds, warm);
  } finally {
    await web.stop();
  }
  await batchRows(ctx);
}

async function singleRows(
  ctx: Ctx,
  url: string,
  pid: number,
  tokens: string[],
  seconds: number,
  warm: number,
): Promise<void> {
  const refused = (status: number) => status === 401;
  try {
    ctx.log(
      `single-reading ingest and floor: ${CONNECTIONS.join(" and ")} connections, ${ctx.runs} × ${seconds} s each`,
    );
    checked(await post(`${url}/api/data`, [singleLane(16, tokens, 1)], warm), "warm-up");
    checked(await post(`${url}/api/data`, [floorLane(16)], warm, refused), "floor warm-up");
    const runs: Record<string, Record<string, number>[]> = {};
    for (const c of CONNECTIONS) {
      runs[`single${c}`] = [];
      runs[`floor${c}`] = [];
    }
    for (let i = 0; i < ctx.runs; i++) {
      for (const c of CONNECTIONS) {
        const order = i % 2 === 0 ? ["floor", "single"] : ["single", "floor"];
        for (const kind of order) {
          const { r, cpu } = await measured(
            pid,
            () =>
              kind === "floor"
                ? post(`${url}/api/data`, [floorLane(c)], seconds, refused)
                : post(`${url}/api/data`, [singleLane(c, tokens, 100 + i)], seconds),
            `${kind} ${c}`,
          );
          runs[`${kind}${c}`].push(figures(r, cpu));
          ctx.log(
            `  run ${i + 1} ${kind} ${c} conns: ${r.rps.toFixed(0)} req/s, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, ${(cpu / r.ok).toFixed(2)} ms CPU/req`,
          );
        }
      }
    }
    const floorLabel =
      "the same app: POST /api/data without a token (401 before any database work)";
    for (const c of CONNECTIONS) {
      const ratio = ratioOf(
        "req/s ingest ÷ floor",
        runs[`single${c}`].map((r, i) => r.rps / runs[`floor${c}`][i].rps),
      );
      ctx.rows.push({
        id: `ingest.single${c}`,
        section: "1. Single-reading ingest",
        title: `POST /api/data, one reading per request with the device's token, ${SINGLE_DEVICES} devices, ${c} connections`,
        bocloud: side("BoCloud (next start, token mode)", runs[`single${c}`]),
        baseline: side(floorLabel, runs[`floor${c}`]),
        ratio,
        target: { text: "≥ 0.7 of the framework's floor", met: ratio ? ratio.value >= 0.7 : null },
      });
    }
    const [low, high] = CONNECTIONS;
    const scaling = ratioOf(
      `req/s at ${high} ÷ at ${low} connections`,
      runs[`single${high}`].map((r, i) => r.rps / runs[`single${low}`][i].rps),
    );
    ctx.rows.push({
      id: "ingest.concurrency",
      section: "1. Single-reading ingest",
      title: `… ${high} connections against ${low}: concurrency helps, never hurts`,
      bocloud: side(`${high} connections`, runs[`single${high}`]),
      baseline: side(`${low} connections`, runs[`single${low}`]),
      ratio: scaling,
      target: { text: "≥ 1.0", met: scaling ? scaling.value >= 1.0 : null },
    } satisfies Row);
  } catch (err) {
    ctx.rows.push(errorRow("ingest.single", "1. Single-reading ingest", err));
  }
}

/** Batches from gateways (open mode, the main web process), against COPY of the same rows. */
async function batchRows(ctx: Ctx): Promise<void> {
  try {
    const copyRows = ctx.quick ? 20_000 : 100_000;
    const batchSeconds = ctx.quick ? 2 : 5;
    const batchWarm = ctx.quick ? 1 : 2;
    const url = `${ctx.web.url}/api/data`;
    const pid = ctx.web.child.pid as number;
    const runs: Record<string, Record<string, number>[]> = {};
    const copyRuns: Record<string, number>[] = [];
    for (const size of BATCH_SIZES) {
      runs[size] = [];
      checked(await post(url, batchLanes(size, 7), batchWarm), `batch ${size} warm-up`);
    }
    ctx.log(
      `batch ingest: ${GATEWAYS} gateways, ${ctx.runs} × ${batchSeconds} s; COPY of ${copyRows} rows`,
    );
    for (let i = 0; i < ctx.runs; i++) {
      for (const size of BATCH_SIZES) {
        const { r, cpu } = await measured(
          pid,
          () => post(url, batchLanes(size, 1000 + i), batchSeconds),
          `batch ${size}`,
        );
        runs[size].push(figures(r, cpu, size));
        ctx.log(
          `  run ${i + 1} batch ${size}: ${(r.rps * size).toFixed(0)} readings/s, p50 ${r.latency.p50.toFixed(1)} ms`,
        );
      }
      const one = await copy(ctx, copyRows, 1);
      const two = await copy(ctx, copyRows, 2);
      copyRuns.push({ readings_s: Math.max(one, two), one_stream: one, two_streams: two });
      ctx.log(
        `  run ${i + 1} COPY: ${one.toFixed(0)} readings/s (1 stream), ${two.toFixed(0)} (2 streams)`,
      );
    }
    await withClient(ctx.ingestUrl, (c) => c.query(`DROP TABLE IF EXISTS ${COPY_TABLE}`));
    for (const size of BATCH_SIZES) {
      const ratio = ratioOf(
        "readings/s BoCloud ÷ COPY",
        runs[size].map((r, i) => r.readings_s / copyRuns[i].readings_s),
      );
      ctx.rows.push({
        id: `ingest.batch${size}`,
        section: "2. Batch ingest",
        title: `POST /api/data, ${size} readings per request, ${GATEWAYS} gateways at once`,
        bocloud: side("BoCloud (next start)", runs[size]),
        baseline: side(
          "psql \\copy of the same rows into a copy of readings with its indexes, no triggers (best of 1 or 2 streams)",
          copyRuns,
        ),
        ratio,
        target: {
          text: size === 1000 ? "≥ 0.5 of COPY" : "(target is for 1000)",
          met: size === 1000 && ratio ? ratio.value >= 0.5 : null,
        },
      });
    }
  } catch (err) {
    ctx.rows.push(errorRow("ingest.batch", "2. Batch ingest", err));
  }
}

export function errorRow(id: string, section: string, err: unknown) {
  return {
    id,
    section,
    title: "(failed)",
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  };
}
