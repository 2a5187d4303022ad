// `npm run bench` (full: medians of 3 runs, ~10 min) or `npm run bench -- --quick` (< 2 min).
// Measures BoCloud side by side with its baselines on this machine and writes
// bench/RESULTS.md and bench/results.json (a quick run writes to bench/.work/ instead).
// Options: --quick, --only=ingest,live,live-without-redis,memory,queries,reference,analytics,
// storage,alarms,mqtt, --runs=N.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { operatorCookie } from "./lib/auth.ts";
import type { Ctx, Row } from "./lib/context.ts";
import { dropDatabase, dropStaleIngestDatabases, freshDatabase } from "./lib/db.ts";
import { machine } from "./lib/machine.ts";
import { BENCH, ROOT } from "./lib/procs.ts";
import { renderMarkdown } from "./lib/report.ts";
import { removeSnapshot, snapshotBuild, startStream, startWeb } from "./lib/stack.ts";
import { alarmsSuite } from "./suites/alarms.ts";
import { analyticsSuite } from "./suites/analytics.ts";
import { errorRow, ingestSuites } from "./suites/ingest.ts";
import { liveSuite, liveWithoutRedisSuite } from "./suites/live.ts";
import { memorySuite } from "./suites/memory.ts";
import { mqttSuite } from "./suites/mqtt.ts";
import { querySuites } from "./suites/queries.ts";
import { referenceSuite } from "./suites/reference.ts";
import { storageSuite } from "./suites/storage.ts";

const SUITES = [
  "ingest",
  "live",
  "live-without-redis",
  "memory",
  "queries",
  "reference",
  "analytics",
  "storage",
  "alarms",
  "mqtt",
] as const;
const NEEDED_FDS = 12_000;

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    runs: { type: "string" },
  },
});

// 5000 SSE clients need more open files than the usual default of 1024: run again under a
// raised `ulimit -n` (children inherit it) when the limit is too low.
const fdLimit = Number(spawnSync("bash", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim());
if (fdLimit < NEEDED_FDS && !process.env.BOCLOUD_BENCH_ULIMIT) {
  const script = `ulimit -n $(( $(ulimit -Hn) < 65536 ? $(ulimit -Hn) : 65536 )) && exec "$0" "$@"`;
  const r = spawnSync(
    "bash",
    ["-c", script, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: "inherit",
      env: { ...process.env, BOCLOUD_BENCH_ULIMIT: "1" },
    },
  );
  process.exit(r.status ?? 1);
}

const quick = args.quick ?? false;
const only = new Set((args.only ?? SUITES.join(",")).split(","));
const started = performance.now();
const log = (s: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);

if (fdLimit < NEEDED_FDS) console.warn(`ulimit -n is ${fdLimit}: the 5000-client run may fail.`);
if (spawnSync("bash", [resolve(ROOT, "scripts/services.sh")], { stdio: "inherit" }).status !== 0) {
  console.error("PostgreSQL and Redis are needed on 127.0.0.1 (see README).");
  process.exit(1);
}
const built = () =>
  existsSync(resolve(ROOT, ".next/BUILD_ID")) && existsSync(resolve(ROOT, "dist/stream.mjs"));
/** Another developer's `next build` in this work tree (the build is missing while it runs). */
const buildRunning = () =>
  readdirSync("/proc").some((pid) => {
    try {
      return (
        /^\d+$/.test(pid) &&
        /next-build|next\0build|next build/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8")) &&
        readlinkSync(`/proc/${pid}/cwd`) === ROOT
      );
    } catch {
      return false;
    }
  });
for (let waited = 0; !built() && buildRunning() && waited < 120; waited++) {
  if (waited === 0) log("waiting for a build in progress");
  await new Promise((r) => setTimeout(r, 1000));
}
if (!built()) {
  log("no build found: npm run build");
  if (spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" }).status !== 0)
    process.exit(1);
}

const prefix = `bocloud-bench-${process.pid}`;
const ingestDb = `bocloud_bench_ingest_${process.pid}`;
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
await dropStaleIngestDatabases();
const ingestUrl = await freshDatabase(ingestDb);
const env = {
  DATABASE_URL: ingestUrl,
  REDIS_URL: redisUrl,
  REDIS_CHANNEL_PREFIX: prefix,
  // The seed's open ingestion (devices register on first post); token mode adds one lookup.
  INGEST_AUTH: "open",
  // The per-device rate limit stays on (its Redis round trip is part of every post) but
  // high enough never to refuse the bench's load.
  INGEST_RATE_PER_SECOND: "1000000",
  // Every SSE client of the bench signs in with one operator session: the cap of streams per
  // session (20 by default) would close all but 20 of them.
  STREAM_MAX_PER_SESSION: "10000",
  LOG_LEVEL: "warn",
};
const build = snapshotBuild();
log(`database ${ingestDb}, channels ${prefix}:*, build ${build.buildId} (copied to ${build.dir})`);
const stream = await startStream(build.dir, env);
const web = await startWeb(build.dir, { ...env, STREAM_URL: stream.url });
const cookie = await operatorCookie(web.url);

const ctx: Ctx = {
  quick,
  runs: Number(args.runs ?? (quick ? 1 : 3)),
  prefix,
  redisUrl,
  buildDir: build.dir,
  ingestDb,
  ingestUrl,
  web,
  stream,
  env,
  cookie,
  rows: [] as Row[],
  notes: [],
  log,
};

const stopAll = async () => {
  await Promise.all([web.stop(), stream.stop()]);
  removeSnapshot(build.dir);
};
process.on("SIGINT", () => {
  void stopAll()
    .then(() => dropDatabase(ingestDb))
    .finally(() => process.exit(130));
});

const suites: [string, (ctx: Ctx) => Promise<void>][] = [
  ["ingest", ingestSuites],
  ["live", liveSuite],
  ["live-without-redis", liveWithoutRedisSuite],
  ["memory", memorySuite],
  ["queries", querySuites],
  ["reference", referenceSuite],
  ["analytics", analyticsSuite],
  ["storage", storageSuite],
  ["alarms", alarmsSuite],
  ["mqtt", mqttSuite],
];
try {
  for (const [name, suite] of suites) {
    if (!only.has(name)) continue;
    try {
      await suite(ctx);
    } catch (err) {
      ctx.rows.push(errorRow(name, name, err));
    }
  }
} finally {
  await stopAll();
  await dropDatabase(ingestDb);
}

const seconds = (performance.now() - started) / 1000;
const results = {
  date: new Date().toISOString(),
  quick,
  runs: ctx.runs,
  seconds: Math.round(seconds),
  machine: await machine(),
  notes: ctx.notes,
  rows: ctx.rows,
};
const outDir = quick || args.only || args.runs ? resolve(BENCH, ".work") : BENCH;
mkdirSync(outDir, { recursive: true });
writeFileSync(
  resolve(outDir, quick ? "results-quick.json" : "results.json"),
  `${JSON.stringify(results, null, 2)}\n`,
);
writeFileSync(resolve(outDir, quick ? "RESULTS-quick.md" : "RESULTS.md"), renderMarkdown(results));
// The project's formatter checks every JSON file it finds: write results.json as it would.
const jsonFile = resolve(outDir, quick ? "results-quick.json" : "results.json");
spawnSync(resolve(ROOT, "node_modules/.bin/biome"), ["format", "--write", jsonFile], {
  cwd: ROOT,
  stdio: "ignore",
});
const failed = ctx.rows.filter((r) => r.error);
log(
  `done in ${seconds.toFixed(0)} s: ${resolve(outDir, quick ? "RESULTS-quick.md" : "RESULTS.md")}`,
);
for (const r of failed) console.error(`FAILED ${r.id}: ${r.error}`);
process.exit(failed.length > 0 ? 1 : 0);
