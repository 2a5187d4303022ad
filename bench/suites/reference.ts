// 6. For reference: what the machine itself does — Redis PUBLISH and single-row INSERTs into
// the same readings table (with its indexes), with the servers' own tools.
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Ctx, side } from "../lib/context.ts";
import { withClient } from "../lib/db.ts";
import { BENCH, run } from "../lib/procs.ts";
import { errorRow } from "./ingest.ts";

const PAYLOAD = JSON.stringify([
  {
    id: 1,
    device_id: "bench-dev-0001",
    sensor_id: 1,
    sensor_type: "temperature",
    value: 21.5,
    ts: "2026-11-29T10:00:00.000Z",
  },
]);

/** The first of `paths` that exists, else `name` from PATH. */
function tool(name: string, paths: string[]): string {
  return paths.find((p) => existsSync(p)) ?? name;
}

export async function referenceSuite(ctx: Ctx): Promise<void> {
  const seconds = ctx.quick ? 2 : 4;
  // redis-benchmark: PUBLISH of one reading's message (nobody subscribed to this channel).
  try {
    const redis = new URL(ctx.redisUrl);
    const runs: Record<string, number>[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      const r = await run(
        tool("redis-benchmark", ["/usr/bin/redis-benchmark"]),
        [
          "-h",
          redis.hostname,
          "-p",
          redis.port || "6379",
          "-c",
          "50",
          "-n",
          String(ctx.quick ? 50_000 : 200_000),
          "--csv",
          "PUBLISH",
          `${ctx.prefix}:reference`,
          PAYLOAD,
        ],
        { timeoutMs: 60_000 },
      );
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      // "test","rps","avg","min","p50","p95","p99","max": the test's name holds the payload's
      // own quotes and commas, so the figures are read from the end of the line.
      const figures = (line.match(/"[\d.]+"/g) ?? []).slice(-7).map((c) => Number(c.slice(1, -1)));
      const [rps, , , p50, , p99] = figures;
      if (r.code !== 0 || figures.length < 7 || !Number.isFinite(rps))
        throw new Error(`redis-benchmark: ${r.stderr || line}`);
      runs.push({ ops_s: rps, p50_ms: p50, p99_ms: p99 });
    }
    ctx.rows.push({
      id: "reference.redis",
      section: "6. Reference",
      title: "redis-benchmark: PUBLISH of one reading's message, 50 connections",
      bocloud: side("redis-benchmark", runs),
      target: { text: "(reference)", met: null },
    });
  } catch (err) {
    ctx.rows.push(errorRow("reference.redis", "6. Reference", err));
  }
  // pgbench: autocommit single-row INSERT into readings, 1 and 16 clients.
  try {
    // Spread over the single-reading devices' sensors, as devices' posts are.
    const [min, max] = await withClient(ctx.ingestUrl, async (c) => {
      const row = (
        await c.query<{ min: string; max: string }>(
          `SELECT min(s.id) AS min, max(s.id) AS max FROM sensors s JOIN devices d ON d.id = s.device_key
           WHERE d.device_id LIKE 'bench-dev-%'`,
        )
      ).rows[0];
      if (!row?.min) throw new Error("no sensor in the ingest database");
      return [row.min, row.max];
    });
    const script = resolve(BENCH, ".work", `pgbench-insert-${process.pid}.sql`);
    writeFileSync(
      script,
      `\\set sid random(${min}, ${max})
INSERT INTO readings (sensor_id, num_value, ts) VALUES (:sid, random() * 30, now());
`,
    );
    for (const clients of [1, 16]) {
      const runs: Record<string, number>[] = [];
      for (let i = 0; i < ctx.runs; i++) {
        const r = await run(
          tool("pgbench", ["/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench"]),
          [
            "-n",
            "-M",
            "prepared",
            "-c",
            String(clients),
            "-j",
            String(Math.min(clients, 2)),
            "-T",
            String(seconds),
            "-f",
            script,
            ctx.ingestUrl,
          ],
          { timeoutMs: 60_000 },
        );
        const tps = Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]);
        const latency = Number(/latency average = ([\d.]+) ms/.exec(r.stdout)?.[1]);
        if (r.code !== 0 || !Number.isFinite(tps))
          throw new Error(`pgbench: ${r.stderr || r.stdout}`);
        runs.push({ ops_s: tps, latency_avg_ms: latency });
      }
      ctx.rows.push({
        id: `reference.pgbench.${clients}`,
        section: "6. Reference",
        title: `pgbench: single-row INSERT into readings (random sensor), autocommit, ${clients} client${clients > 1 ? "s" : ""}`,
        bocloud: side("pgbench", runs),
        target: { text: "(reference)", met: null },
      });
    }
  } catch (err) {
    ctx.rows.push(errorRow("reference.pgbench", "6. Reference", err));
  }
}
