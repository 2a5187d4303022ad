// 3. Live latency: from the moment POST /api/data answers to the moment each of N SSE
// clients has the event, at a steady 200 readings/s, against a minimal broadcaster.
import type { ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { freePort } from "../../test/stack.ts";
import { type Ctx, type Row, ratioOf, type Side, side } from "../lib/context.ts";
import { post } from "../lib/load.ts";
import { ask, sleep, spawnTs, stopChild } from "../lib/procs.ts";
import { startStream, startWeb } from "../lib/stack.ts";
import { mergeSketches, nowMs, prng, round, type Sketch } from "../lib/stats.ts";
import { errorRow } from "./ingest.ts";

export const RATE = 200; // readings per second
/** Each post is one device's reading of 4 sensors (the seed's shape): 50 posts a second. */
const SENSORS = ["temperature", "humidity", "pressure", "co2"];
const POSTS_PER_SECOND = RATE / SENSORS.length;
const CLIENTS_PER_PROCESS = 2500;
const DEVICES = 50; // each posting about once a second, registered before the runs
const liveDevice = (i: number) => `bench-live-${String(i).padStart(2, "0")}`;
/** Why some posts failed, for the notes (BoCloud could not keep up with the rate). */
const failures: string[] = [];

export async function startBaselineSse(ctx: Ctx): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnTs("baseline-sse.ts", {
    REDIS_URL: ctx.redisUrl,
    REDIS_CHANNEL_PREFIX: ctx.prefix,
    PORT: String(port),
  });
  await ask(child, undefined, "ready", 30_000);
  return { url: `http://127.0.0.1:${port}`, child };
}

interface Answer {
  id: number;
  sent: number;
  answered: number;
}

/** POSTs one device's readings every 1/POSTS_PER_SECOND s for `seconds`; the answers after `measureFrom` s. */
export async function postSteadily(webUrl: string, seconds: number, measureFrom: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL("/api/data", webUrl);
  const rand = prng(42);
  const answers: Answer[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const total = Math.round(POSTS_PER_SECOND * seconds);
  const start = nowMs();
  const pending = new Set<Promise<void>>();
  const send = (k: number) => {
    const body = JSON.stringify({
      device_id: liveDevice(Math.floor(rand() * DEVICES)),
      sensors: Object.fromEntries(SENSORS.map((name) => [name, round(15 + rand() * 15)])),
    });
    const sent = nowMs();
    const p = new Promise<void>((resolve) => {
      const req = request(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json" }, timeout: 10_000 },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (text += d));
          res.on("end", () => {
            const answered = nowMs();
            if (res.statusCode === 201) {
              const { readings } = JSON.parse(text) as { readings: { id: number }[] };
              if (k >= measureFrom * POSTS_PER_SECOND)
                for (const { id } of readings) answers.push({ id, sent, answered });
            } else {
              failed++;
              firstFailure ??= `${res.statusCode} ${text.slice(0, 300)}`;
            }
            resolve();
          });
        },
      );
      req.on("error", (err) => {
        failed++;
        firstFailure ??= err.message;
        resolve();
      });
      req.on("timeout", () => req.destroy());
      req.end(body);
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  for (let k = 0; k < total; ) {
    const due = Math.min(total, Math.floor(((nowMs() - start) / 1000) * POSTS_PER_SECOND) + 1);
    while (k < due) send(k++);
    await sleep(Math.max(0, start + (k * 1000) / POSTS_PER_SECOND - nowMs()));
  }
  await Promise.race([Promise.all(pending), sleep(15_000)]);
  agent.destroy();
  return { answers, failed, firstFailure, seconds: (nowMs() - start) / 1000 };
}

interface RunFigures extends Record<string, number> {
  p50_ms: number;
  p99_ms: number;
  send_p99_ms: number;
  delivered_pct: number;
}

/** Connections of the background load that keeps ingest at its maximum (the `loaded` rows). */
const FLOOD_CONNECTIONS = 16;
const floodLane = () => {
  const rand = prng(7);
  return {
    connections: FLOOD_CONNECTIONS,
    body: () =>
      JSON.stringify({
        device_id: `bench-flood-${Math.floor(rand() * 300)}`,
        sensors: { temperature: round(15 + rand() * 15) },
      }),
  };
};

async function measure(
  streamUrl: string,
  webUrl: string,
  clients: number,
  seconds: number,
  cookie: string,
  flood = false,
): Promise<RunFigures> {
  const procs = Math.ceil(clients / CLIENTS_PER_PROCESS);
  const children = Array.from({ length: procs }, () => spawnTs("sse-clients.ts"));
  try {
    const connected = await Promise.all(
      children.map((c, i) =>
        ask<{ ok: number; failed: number }>(
          c,
          {
            type: "connect",
            url: `${streamUrl}/api/stream`,
            count: Math.floor(clients / procs) + (i < clients % procs ? 1 : 0),
            batch: 250,
            cookie,
          },
          "connected",
          120_000,
        ),
      ),
    );
    const ok = connected.reduce((n, c) => n + c.ok, 0);
    if (ok < clients) throw new Error(`only ${ok} of ${clients} SSE clients connected`);
    await Promise.all(children.map((c) => ask(c, { type: "reset" }, "reset", 10_000)));

    const warm = 1;
    // With `flood`, other devices post as fast as the web app takes them the whole time.
    const flooding = flood
      ? post(`${webUrl}/api/data`, [floodLane()], warm + seconds + 1)
      : Promise.resolve(undefined);
    const posted = await postSteadily(webUrl, warm + seconds, warm);
    const floodResult = await flooding;
    const total = Math.round(POSTS_PER_SECOND * (warm + seconds));
    if (posted.failed > total / 2)
      throw new Error(`${posted.failed} of ${total} posts failed: ${posted.firstFailure}`);
    if (posted.failed > 0)
      failures.push(`${posted.failed} of ${total} posts failed (${posted.firstFailure})`);
    const ids = posted.answers.map((a) => a.id);
    // Let what is still on its way arrive (at most 3 s).
    for (const deadline = nowMs() + 3000; nowMs() < deadline; ) {
      const p = await Promise.all(
        children.map((c) =>
          ask<{ received: number; expected: number }>(
            c,
            { type: "progress", ids },
            "progress",
            10_000,
          ),
        ),
      );
      if (p.every((x) => x.received >= x.expected)) break;
      await sleep(250);
    }
    const answers = posted.answers.map((a) => [a.id, a.answered, a.sent]);
    const results = await Promise.all(
      children.map((c) =>
        ask<{
          fromAnswer: Sketch;
          fromSend: Sketch;
          expected: number;
          received: number;
          closedEarly: number;
        }>(c, { type: "collect", answers }, "result", 60_000),
      ),
    );
    const fromAnswer = mergeSketches(results.map((r) => r.fromAnswer));
    const fromSend = mergeSketches(results.map((r) => r.fromSend));
    const expected = results.reduce((n, r) => n + r.expected, 0);
    const received = results.reduce((n, r) => n + r.received, 0);
    return {
      p50_ms: fromAnswer.p50,
      p99_ms: fromAnswer.p99,
      send_p50_ms: fromSend.p50,
      send_p99_ms: fromSend.p99,
      max_ms: fromAnswer.max,
      delivered_pct: expected ? (100 * received) / expected : 0,
      dropped_clients: results.reduce((n, r) => n + r.closedEarly, 0),
      readings: posted.answers.length,
      failed_posts: posted.failed,
      post_rate: ((warm + seconds) * RATE) / posted.seconds,
      ...(floodResult ? { flood_rps: floodResult.rps } : {}),
    };
  } finally {
    await Promise.all(
      children.map((c) => ask(c, { type: "close" }, "closed", 20_000).catch(() => {})),
    );
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

/** Measures each target `ctx.runs` times, alternating which goes first; logs each run. */
async function alternating<T extends { name: string }>(
  ctx: Ctx,
  targets: T[],
  measureOne: (target: T) => Promise<RunFigures>,
  line: (target: T, run: number, f: RunFigures) => string,
): Promise<Record<string, RunFigures[]>> {
  const runs: Record<string, RunFigures[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 0; i < ctx.runs; i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      const f = await measureOne(t);
      runs[t.name].push(f);
      ctx.log(line(t, i + 1, f));
    }
  }
  return runs;
}

/**
 * A row of section 3: BoCloud's side against another, the ratio of their p99s run by run and,
 * where there is one, the target p99 ≤ 50 ms with at least 99.9 % delivered.
 */
function latencyRow(row: {
  id: string;
  title: string;
  bocloud: Side;
  baseline: Side;
  ratio: string;
  target?: string;
  note?: string;
}): Row {
  const { bocloud, baseline } = row;
  return {
    id: row.id,
    section: "3. Live latency",
    title: row.title,
    bocloud,
    baseline,
    ratio: ratioOf(
      row.ratio,
      bocloud.runs.map((r, i) => r.p99_ms / baseline.runs[i].p99_ms),
    ),
    target: {
      text: row.target ?? "(target is at 1000 clients)",
      met: row.target
        ? bocloud.figures.p99_ms <= 50 && bocloud.figures.delivered_pct >= 99.9
        : null,
    },
    note: row.note,
  };
}

const secondsFor = (ctx: Ctx, clients: number) => (ctx.quick ? 2 : clients >= 5000 ? 3 : 4);

/** Registers the devices that post the measured readings (once per database; again is harmless). */
async function registerLiveDevices(ctx: Ctx): Promise<void> {
  const register = await fetch(`${ctx.web.url}/api/data`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(
      Array.from({ length: DEVICES }, (_, i) => ({
        device_id: liveDevice(i),
        sensors: Object.fromEntries(SENSORS.map((name) => [name, 20])),
      })),
    ),
  });
  if (register.status !== 201) throw new Error(`registering devices: ${register.status}`);
}

export async function liveSuite(ctx: Ctx): Promise<void> {
  const sizes = ctx.quick ? [100, 1000] : [100, 1000, 5000];
  await registerLiveDevices(ctx);
  const baseline = await startBaselineSse(ctx);
  try {
    const targets = [
      { name: "bocloud", url: ctx.stream.url },
      { name: "baseline", url: baseline.url },
    ];
    for (const clients of sizes) {
      try {
        const runs = await alternating(
          ctx,
          targets,
          (t) => measure(t.url, ctx.web.url, clients, secondsFor(ctx, clients), ctx.cookie),
          (t, run, f) =>
            `  live ${clients} clients, run ${run} ${t.name}: p50 ${f.p50_ms.toFixed(1)} ms, p99 ${f.p99_ms.toFixed(1)} ms, ${f.delivered_pct.toFixed(1)} % delivered`,
        );
        const failedPosts = [...runs.bocloud, ...runs.baseline].reduce(
          (n, r) => n + r.failed_posts,
          0,
        );
        ctx.rows.push(
          latencyRow({
            id: `live.${clients}`,
            title: `${clients} SSE clients, ${RATE} readings/s (${POSTS_PER_SECOND} posts/s of ${SENSORS.length} sensors)`,
            bocloud: side("stream sidecar (dist/stream.mjs)", runs.bocloud),
            baseline: side("minimal broadcaster (bench/baseline-sse.ts)", runs.baseline),
            ratio: "p99 sidecar ÷ minimal broadcaster",
            target: clients === 1000 ? "p99 ≤ 50 ms at 1000 clients" : undefined,
            note:
              failedPosts > 0
                ? `POST /api/data could not keep up with ${RATE} readings/s throughout: ${failures.splice(0).join("; ")}. Latency is measured on the readings that were stored.`
                : undefined,
          }),
        );
      } catch (err) {
        ctx.rows.push(errorRow(`live.${clients}`, "3. Live latency", err));
      }
    }
    // The same 1000 clients while ingest runs at its maximum beside the measured readings.
    try {
      const clients = 1000;
      const runs = await alternating(
        ctx,
        targets,
        (t) => measure(t.url, ctx.web.url, clients, secondsFor(ctx, clients), ctx.cookie, true),
        (t, run, f) =>
          `  live ${clients} clients under full ingest, run ${run} ${t.name}: p99 ${f.p99_ms.toFixed(1)} ms, ${f.delivered_pct.toFixed(1)} % delivered, flood ${(f.flood_rps ?? 0).toFixed(0)} req/s`,
      );
      ctx.rows.push(
        latencyRow({
          id: "live.1000.loaded",
          title: `${clients} SSE clients, ${RATE} readings/s measured, while ${FLOOD_CONNECTIONS} more connections post single readings as fast as they are taken`,
          bocloud: side("stream sidecar (dist/stream.mjs)", runs.bocloud),
          baseline: side(
            "minimal broadcaster (bench/baseline-sse.ts), the same load",
            runs.baseline,
          ),
          ratio: "p99 sidecar ÷ minimal broadcaster",
          target: "p99 ≤ 50 ms at 1000 clients with ingest at its maximum",
        }),
      );
    } catch (err) {
      ctx.rows.push(errorRow("live.1000.loaded", "3. Live latency", err));
    }
  } finally {
    await stopChild(baseline.child);
  }
}

/**
 * 3b. Without Redis (REDIS_URL=none): a second web app and sidecar on the same database, whose
 * live fan-out goes through PostgreSQL LISTEN/NOTIFY, beside the Redis one, 100 clients each,
 * alternating which goes first. (`--only=live-without-redis` runs just this.)
 */
export async function liveWithoutRedisSuite(ctx: Ctx): Promise<void> {
  const clients = 100;
  const env = { ...ctx.env, REDIS_URL: "none" };
  const stream = await startStream(ctx.buildDir, env);
  const web = await startWeb(ctx.buildDir, { ...env, STREAM_URL: stream.url });
  try {
    await registerLiveDevices(ctx);
    const targets = [
      { name: "postgres", stream: stream.url, web: web.url },
      { name: "redis", stream: ctx.stream.url, web: ctx.web.url },
    ];
    const runs = await alternating(
      ctx,
      targets,
      (t) => measure(t.stream, t.web, clients, secondsFor(ctx, clients), ctx.cookie),
      (t, run, f) =>
        `  live ${clients} clients, run ${run} ${t.name === "postgres" ? "without Redis" : "with Redis"}: p50 ${f.p50_ms.toFixed(1)} ms, p99 ${f.p99_ms.toFixed(1)} ms, ${f.delivered_pct.toFixed(1)} % delivered`,
    );
    ctx.rows.push(
      latencyRow({
        id: `live.${clients}.without-redis`,
        title: `${clients} SSE clients, ${RATE} readings/s, without Redis (REDIS_URL=none: NOTIFY after each store commits, one LISTEN per sidecar)`,
        bocloud: side("sidecar without Redis (PostgreSQL LISTEN/NOTIFY)", runs.postgres),
        baseline: side("the same sidecar with Redis (as in live.100)", runs.redis),
        ratio: "p99 without Redis ÷ with Redis",
        target: "p99 ≤ 50 ms at 100 clients without Redis",
      }),
    );
  } catch (err) {
    ctx.rows.push(errorRow(`live.${clients}.without-redis`, "3. Live latency", err));
  } finally {
    await Promise.all([web.stop(), stream.stop()]);
  }
}
