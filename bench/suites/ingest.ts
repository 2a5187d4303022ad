// 1. Single-reading ingest and 2. batch ingest, each side by side with its baseline.
import type { ChildProcess } from "node:child_process";
import { freePort } from "../../test/stack.ts";
import type { Ctx } from "../lib/context.ts";
import { ratioOf, side } from "../lib/context.ts";
import { withClient } from "../lib/db.ts";
import { type LoadResult, post } from "../lib/load.ts";
import { ask, cpuMs, run, spawnTs, stopChild } from "../lib/procs.ts";
import { prng, round } from "../lib/stats.ts";

const SINGLE_CONNECTIONS = 16;
const SINGLE_DEVICES = 1000;
const GATEWAYS = 4; // concurrent batch uploads, one connection each
const DEVICES_PER_GATEWAY = 10;
const BATCH_SIZES = [100, 1000];
const COPY_COLUMNS = "sensor_id, device_id, num_value, ts, received_at";

const singleDevice = (i: number) => `bench-dev-${String(i).padStart(4, "0")}`;
const gatewayDevice = (g: number, k: number) => `bench-gw${g}-dev-${k}`;

export async function startBaselineIngest(ctx: Ctx): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnTs("baseline-ingest.ts", {
    DATABASE_URL: ctx.ingestUrl,
    REDIS_URL: ctx.redisUrl,
    REDIS_CHANNEL_PREFIX: ctx.prefix,
    PORT: String(port),
    DB_POOL_SIZE: "10", // BoCloud's default DB_POOL_SIZE
  });
  await ask(child, undefined, "ready", 30_000);
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Registers every device and sensor the ingest runs use, so no run pays for registration. */
async function register(webUrl: string): Promise<void> {
  const items = [
    ...Array.from({ length: SINGLE_DEVICES }, (_, i) => ({
      device_id: singleDevice(i),
      sensors: { temperature: 20 },
    })),
    ...Array.from({ length: GATEWAYS * DEVICES_PER_GATEWAY }, (_, i) => ({
      device_id: gatewayDevice(Math.floor(i / DEVICES_PER_GATEWAY), i % DEVICES_PER_GATEWAY),
      sensors: { temperature: 20 },
    })),
  ];
  for (let i = 0; i < items.length; i += 1000) {
    const res = await fetch(`${webUrl}/api/data`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(items.slice(i, i + 1000)),
    });
    if (res.status !== 201)
      throw new Error(`registering devices: ${res.status} ${await res.text()}`);
  }
}

function singleBody(rand: () => number): () => string {
  return () =>
    JSON.stringify({
      device_id: singleDevice(Math.floor(rand() * SINGLE_DEVICES)),
      sensors: { temperature: round(15 + rand() * 15) },
    });
}

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
      `${what}: ${r.ok} answered 2xx, ${r.non2xx} other statuses, ${r.errors} errors ${r.firstError ?? ""}`,
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
async function measured(pid: number, run: () => Promise<LoadResult>, what: string) {
  const before = cpuMs(pid);
  const r = checked(await run(), what);
  return { r, cpu: cpuMs(pid) - before };
}

/** COPY of `rows` rows like the batches' into readings, over `streams` psql sessions; readings/s. */
async function copy(ctx: Ctx, rows: number, streams: number): Promise<number> {
  const sensors = await withClient(ctx.ingestUrl, async (c) =>
    (
      await c.query<{ id: string; device_key: string }>(
        `SELECT s.id, s.device_key FROM sensors s JOIN devices d ON d.id = s.device_key
         WHERE d.device_id LIKE 'bench-gw%' ORDER BY s.id`,
      )
    ).rows.map((r) => [r.id, r.device_key]),
  );
  const rand = prng(rows);
  const received = new Date().toISOString();
  const parts: string[][] = Array.from({ length: streams }, () => []);
  const start = Date.now() - 22 * 3_600_000;
  for (let i = 0; i < rows; i++) {
    const s = i % sensors.length;
    const [sensorId, deviceId] = sensors[s];
    const ts = new Date(start + Math.floor(i / sensors.length) * 10_000).toISOString();
    parts[s % streams].push(`${sensorId},${deviceId},${round(15 + rand() * 15)},${ts},${received}`);
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
          `\\copy readings (${COPY_COLUMNS}) FROM STDIN WITH (FORMAT csv)`,
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
  await register(ctx.web.url);
  const baseline = await startBaselineIngest(ctx);
  try {
    const targets = [
      { name: "bocloud", url: `${ctx.web.url}/api/data`, pid: ctx.web.child.pid as number },
      { name: "baseline", url: `${baseline.url}/api/data`, pid: baseline.child.pid as number },
    ];

    // 1. Single readings.
    try {
      ctx.log(
        `single-reading ingest: ${SINGLE_CONNECTIONS} connections, ${ctx.runs} × ${seconds} s each side`,
      );
      for (const t of targets)
        checked(
          await post(t.url, [{ connections: SINGLE_CONNECTIONS, body: singleBody(prng(1)) }], warm),
          `${t.name} warm-up`,
        );
      const runs: Record<string, Record<string, number>[]> = { bocloud: [], baseline: [] };
      for (let i = 0; i < ctx.runs; i++) {
        for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
          const { r, cpu } = await measured(
            t.pid,
            () =>
              post(
                t.url,
                [{ connections: SINGLE_CONNECTIONS, body: singleBody(prng(100 + i)) }],
                seconds,
              ),
            t.name,
          );
          runs[t.name].push(figures(r, cpu));
          ctx.log(
            `  run ${i + 1} ${t.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, ${(cpu / r.ok).toFixed(2)} ms CPU/req`,
          );
        }
      }
      const ratio = ratioOf(
        "req/s BoCloud ÷ bare server",
        runs.bocloud.map((r, i) => r.rps / runs.baseline[i].rps),
      );
      ctx.rows.push({
        id: "ingest.single",
        section: "1. Single-reading ingest",
        title: `POST /api/data, one reading per request, ${SINGLE_CONNECTIONS} connections`,
        bocloud: side("BoCloud (next start)", runs.bocloud),
        baseline: side("bare node:http + pg (bench/baseline-ingest.ts)", runs.baseline),
        ratio,
        target: { text: "req/s ratio ≥ 0.7", met: ratio ? ratio.value >= 0.7 : null },
      });
    } catch (err) {
      ctx.rows.push(errorRow("ingest.single", "1. Single-reading ingest", err));
    }

    // 2. Batches, against COPY of the same rows (one COPY per run, shared by both sizes).
    try {
      const copyRows = ctx.quick ? 20_000 : 100_000;
      const batchSeconds = ctx.quick ? 2 : 5;
      const batchWarm = ctx.quick ? 1 : 2;
      const runs: Record<string, Record<string, number>[]> = {};
      const copyRuns: Record<string, number>[] = [];
      for (const size of BATCH_SIZES) {
        runs[`bocloud${size}`] = [];
        runs[`baseline${size}`] = [];
        for (const t of targets)
          checked(
            await post(t.url, batchLanes(size, 7), batchWarm),
            `${t.name} batch ${size} warm-up`,
          );
      }
      ctx.log(
        `batch ingest: ${GATEWAYS} gateways, ${ctx.runs} × ${batchSeconds} s each side; COPY of ${copyRows} rows`,
      );
      for (let i = 0; i < ctx.runs; i++) {
        for (const size of BATCH_SIZES) {
          for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
            const { r, cpu } = await measured(
              t.pid,
              () => post(t.url, batchLanes(size, 1000 + i), batchSeconds),
              `${t.name} batch ${size}`,
            );
            runs[`${t.name}${size}`].push(figures(r, cpu, size));
            ctx.log(
              `  run ${i + 1} ${t.name} batch ${size}: ${(r.rps * size).toFixed(0)} readings/s, p50 ${r.latency.p50.toFixed(1)} ms`,
            );
          }
        }
        const one = await copy(ctx, copyRows, 1);
        const two = await copy(ctx, copyRows, 2);
        copyRuns.push({ readings_s: Math.max(one, two), one_stream: one, two_streams: two });
        ctx.log(
          `  run ${i + 1} COPY: ${one.toFixed(0)} readings/s (1 stream), ${two.toFixed(0)} (2 streams)`,
        );
      }
      for (const size of BATCH_SIZES) {
        const ratio = ratioOf(
          "readings/s BoCloud ÷ COPY",
          runs[`bocloud${size}`].map((r, i) => r.readings_s / copyRuns[i].readings_s),
        );
        ctx.rows.push({
          id: `ingest.batch${size}`,
          section: "2. Batch ingest",
          title: `POST /api/data, ${size} readings per request, ${GATEWAYS} gateways at once`,
          bocloud: side("BoCloud (next start)", runs[`bocloud${size}`]),
          baseline: side("PostgreSQL COPY of the same rows (best of 1 or 2 streams)", copyRuns),
          ratio,
          target: { text: "≥ 0.5 of COPY", met: ratio ? ratio.value >= 0.5 : null },
        });
        const bare = ratioOf(
          "readings/s BoCloud ÷ bare server",
          runs[`bocloud${size}`].map(
            (r, i) => r.readings_s / runs[`baseline${size}`][i].readings_s,
          ),
        );
        ctx.rows.push({
          id: `ingest.batch${size}.bare`,
          section: "2. Batch ingest",
          title: `… the same batches of ${size} to the bare node:http + pg server (reference)`,
          bocloud: side("BoCloud (next start)", runs[`bocloud${size}`]),
          baseline: side("bare node:http + pg", runs[`baseline${size}`]),
          ratio: bare,
          target: { text: "(reference, no target)", met: null },
        });
      }
    } catch (err) {
      ctx.rows.push(errorRow("ingest.batch", "2. Batch ingest", err));
    }
  } finally {
    await stopChild(baseline.child);
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
