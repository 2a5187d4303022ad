// 7. Analytics: bench/analytics.ts (written with the analyses issue) when it exists — a 1-year
// range into 600 points on 10M readings — run as a child process; its last line is JSON.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Ctx, side } from "../lib/context.ts";
import { dbUrl } from "../lib/db.ts";
import { BENCH, run } from "../lib/procs.ts";
import { errorRow } from "./ingest.ts";

export async function analyticsSuite(ctx: Ctx): Promise<void> {
  const script = resolve(BENCH, "analytics.ts");
  if (!existsSync(script)) {
    ctx.notes.push(
      "bench/analytics.ts does not exist yet: the suite runs it (and adds its row) as soon as it does.",
    );
    return;
  }
  const readings = ctx.quick ? 1_000_000 : 10_000_000;
  try {
    const runs: Record<string, number>[] = [];
    let last: Record<string, unknown> = {};
    let fresh = false;
    for (let i = 0; i < ctx.runs; i++) {
      const r = await run(
        process.execPath,
        [
          "--import",
          "tsx",
          script,
          "--readings",
          String(readings),
          "--runs",
          ctx.quick ? "10" : "30",
          ...(fresh ? ["--fresh"] : []),
        ],
        {
          timeoutMs: 600_000,
          env: {
            // Its own database per size, so a quick run does not replace the 10M data set.
            BENCH_ANALYTICS_DATABASE_URL: dbUrl(
              ctx.quick ? "bocloud_bench_analytics_1m" : "bocloud_bench_analytics",
            ),
            LOG_LEVEL: "warn",
          },
        },
      );
      const line = r.stdout
        .trim()
        .split("\n")
        .reverse()
        .find((l) => l.trim().startsWith("{"));
      if (r.code !== 0 && !fresh && /Migration .* failed/.test(r.stderr)) {
        // Its kept database predates a change to the migrations: let it start again.
        ctx.log("  bench/analytics.ts's database no longer migrates: again with --fresh");
        fresh = true;
        i--;
        continue;
      }
      fresh = false;
      if (r.code !== 0 || !line)
        throw new Error(`bench/analytics.ts exited ${r.code}: ${r.stderr.slice(-2000)}`);
      last = JSON.parse(line) as Record<string, unknown>;
      runs.push({ p50_ms: Number(last.p50_ms), p99_ms: Number(last.p99_ms) });
      ctx.log(`  analytics run ${i + 1}: p50 ${last.p50_ms} ms, p99 ${last.p99_ms} ms`);
    }
    const s = side("GET /api/aggregates' query (bench/analytics.ts)", runs);
    ctx.rows.push({
      id: "analytics.year",
      section: "7. Analytics",
      title: `${String(last.case ?? "aggregates")}, ${readings.toLocaleString("en")} readings (${String(last.runs ?? "")} requests per run)`,
      bocloud: s,
      target: {
        text:
          readings >= 10_000_000 ? "p50 ≤ 100 ms on 10M readings" : "(target is on 10M readings)",
        met: readings >= 10_000_000 ? s.figures.p50_ms <= 100 : null,
      },
      note: `bench/analytics.ts's last line: \`${JSON.stringify(last)}\``,
    });
  } catch (err) {
    ctx.rows.push(errorRow("analytics.year", "7. Analytics", err));
  }
}
