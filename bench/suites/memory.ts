// 4. Sidecar memory per idle SSE connection: RSS of a fresh process before and after N idle
// clients connect (read from /proc/<pid>/status once it settles), against the minimal broadcaster.
import { type Ctx, ratioOf, side } from "../lib/context.ts";
import { ask, rssKiB, settle, spawnTs, stopChild } from "../lib/procs.ts";
import { startStream } from "../lib/stack.ts";
import { errorRow } from "./ingest.ts";
import { startBaselineSse } from "./live.ts";

const SETTLE = { everyMs: 700, maxMs: 6000, tolerance: 0.005 };

/**
 * RSS growth per connection, measured between N and 2N idle connections: the first N take
 * the process past its start-up allocations and first collections, so what remains is what
 * each further connection costs.
 */
async function perConnection(pid: number, url: string, clients: number, cookie: string) {
  const child = spawnTs("sse-clients.ts");
  const connect = async (count: number) => {
    const c = await ask<{ ok: number }>(
      child,
      { type: "connect", url: `${url}/api/stream`, count, batch: 100, cookie },
      "connected",
      120_000,
    );
    if (c.ok < count) throw new Error(`only ${c.ok} of ${count} idle clients connected`);
  };
  try {
    await connect(clients);
    const before = await settle(() => rssKiB(pid), SETTLE);
    await connect(clients);
    const after = await settle(() => rssKiB(pid), SETTLE);
    return {
      kb_per_conn: ((after - before) * 1024) / 1000 / clients,
      rss_n_mib: before / 1024,
      rss_2n_mib: after / 1024,
    };
  } finally {
    await ask(child, { type: "close" }, "closed", 20_000).catch(() => {});
    await stopChild(child);
  }
}

export async function memorySuite(ctx: Ctx): Promise<void> {
  const clients = ctx.quick ? 500 : 1000;
  try {
    ctx.log(
      `memory: ${clients} then ${2 * clients} idle SSE connections on a fresh process, ${ctx.runs} runs each side`,
    );
    const runs: Record<string, Record<string, number>[]> = { bocloud: [], baseline: [] };
    for (let i = 0; i < ctx.runs; i++) {
      const stream = await startStream(ctx.buildDir, ctx.env);
      try {
        runs.bocloud.push(
          await perConnection(stream.child.pid as number, stream.url, clients, ctx.cookie),
        );
      } finally {
        await stream.stop();
      }
      const base = await startBaselineSse(ctx);
      try {
        runs.baseline.push(await perConnection(base.child.pid as number, base.url, clients, ""));
      } finally {
        await stopChild(base.child);
      }
      ctx.log(
        `  run ${i + 1}: sidecar ${runs.bocloud[i].kb_per_conn.toFixed(1)} KB/connection, broadcaster ${runs.baseline[i].kb_per_conn.toFixed(1)} KB/connection`,
      );
    }
    const bocloud = side("stream sidecar (dist/stream.mjs)", runs.bocloud);
    ctx.rows.push({
      id: "memory.idle",
      section: "4. Sidecar memory",
      title: `RSS per idle SSE connection, from ${clients} to ${2 * clients} connections`,
      bocloud,
      baseline: side("minimal broadcaster", runs.baseline),
      ratio: ratioOf(
        "KB/connection sidecar ÷ broadcaster",
        runs.bocloud.map((r, i) => r.kb_per_conn / runs.baseline[i].kb_per_conn),
      ),
      target: { text: "≤ 30 KB per connection", met: bocloud.figures.kb_per_conn <= 30 },
    });
  } catch (err) {
    ctx.rows.push(errorRow("memory.idle", "4. Sidecar memory", err));
  }
}
