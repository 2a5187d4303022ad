// 8. MQTT: 200 devices publishing QoS 1 single readings of 3 sensors to BoCloud's MQTT listener
// at rising rates. At each rate: PUBACK latency, whether nothing was lost (every message
// acknowledged, every acknowledged reading stored, every stored reading on the live stream),
// and the listener's CPU per message; the highest rate sustained with p99 PUBACK ≤ 100 ms and
// nothing lost. For reference, the machine's Mosquitto (127.0.0.1:1883) relaying the same load
// to a subscriber that does nothing (it acknowledges at once: no commit behind its PUBACK).
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type Ctx, ratioOf, side } from "../lib/context.ts";
import { withClient } from "../lib/db.ts";
import { ask, cpuMs, sleep, spawnTs, stopChild } from "../lib/procs.ts";
import { startMqtt } from "../lib/stack.ts";
import { errorRow } from "./ingest.ts";

const DEVICES = 200;
const SENSORS_PER_MESSAGE = 3;
const P99_TARGET_MS = 100;
const RATE_TARGET = 5000;
const MOSQUITTO = "mqtt://127.0.0.1:1883";
const mqttDevice = (i: number) => `bench-mqtt-${String(i).padStart(3, "0")}`;
const SECTION = "10. MQTT";

type Result = {
  sent: number;
  acked: number;
  failed: number;
  unanswered: number;
  ack_rate: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  loadgen_cpu_pct: number;
  firstError?: string;
};

/** The machine's Mosquitto, for its CPU time: the process named mosquitto that runs its config. */
function mosquittoPid(): number | undefined {
  const pidFile = "/run/mosquitto/mosquitto.pid";
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (pid > 0 && existsSync(`/proc/${pid}`)) return pid;
  }
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.startsWith("mosquitto\0") || cmd.includes("/mosquitto\0"))
        if (cmd.includes("/etc/mosquitto/mosquitto.conf")) return Number(pid);
    } catch {}
  }
  return undefined;
}

/** Registers the devices and their sensors, so no measured message pays for registration. */
async function register(webUrl: string): Promise<void> {
  const items = Array.from({ length: DEVICES }, (_, i) => ({
    device_id: mqttDevice(i),
    sensors: { temperature: 20, humidity: 50, door: "closed" },
  }));
  const res = await fetch(`${webUrl}/api/data`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(items),
  });
  if (res.status !== 201) throw new Error(`registering devices: ${res.status} ${await res.text()}`);
}

async function loadGenerator(
  url: string,
  topic: (device: string) => string,
): Promise<ChildProcess> {
  const child = spawnTs("mqtt-load.ts");
  const clients = Array.from({ length: DEVICES }, (_, i) => ({
    username: mqttDevice(i),
    topic: topic(mqttDevice(i)),
  }));
  await ask(child, { type: "connect", url, clients }, "connected", 60_000);
  return child;
}

/** One step of the load generator; figures it could not compute (no PUBACK at all) are NaN. */
async function runStep(child: ChildProcess, rate: number, warm: number, seconds: number) {
  const r = await ask<Result>(
    child,
    { type: "run", rate, warm, seconds },
    "result",
    (warm + seconds + 40) * 1000,
  );
  // IPC carries NaN as null.
  for (const key of ["ack_rate", "p50_ms", "p99_ms", "max_ms"] as const) r[key] ??= Number.NaN;
  return r;
}

const fixed = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "—");

export async function mqttSuite(ctx: Ctx): Promise<void> {
  const rates = ctx.quick ? [500, 1000, 2000] : [1000, 2000, 3000, 5000, 7000, 10_000];
  const warm = ctx.quick ? 1 : 2;
  const seconds = ctx.quick ? 3 : 8;
  await register(ctx.web.url);
  const server = await startMqtt(ctx.buildDir, ctx.env);
  const children: ChildProcess[] = [];
  const bocloud: Record<number, Record<string, number>[]> = {};
  const reference: Record<number, Record<string, number>[]> = {};
  const highest: number[] = [];
  try {
    const load = await loadGenerator(server.mqttUrl, () => "v1/devices/me/telemetry");
    children.push(load);
    const sse = spawnTs("sse-clients.ts");
    children.push(sse);
    const connected = await ask<{ ok: number }>(
      sse,
      {
        type: "connect",
        url: `${ctx.stream.url}/api/stream`,
        count: 1,
        batch: 1,
        cookie: ctx.cookie,
      },
      "connected",
      30_000,
    );
    if (connected.ok !== 1) throw new Error("the stream client did not connect");

    let refLoad: ChildProcess | undefined;
    let sink: ChildProcess | undefined;
    const mosquitto = mosquittoPid();
    try {
      refLoad = await loadGenerator(MOSQUITTO, (d) => `${ctx.prefix}/${d}/telemetry`);
      sink = spawnTs("mqtt-sink.ts");
      children.push(refLoad, sink);
      await ask(
        sink,
        { type: "start", url: MOSQUITTO, topic: `${ctx.prefix}/+/telemetry` },
        "ready",
        10_000,
      );
    } catch (err) {
      ctx.rows.push(errorRow("mqtt.reference", SECTION, err));
      refLoad = undefined;
    }

    ctx.log(
      `MQTT: ${DEVICES} devices, QoS 1, ${SENSORS_PER_MESSAGE} sensors a message, rates ${rates.join(", ")} msg/s, ${ctx.runs} × (${warm} + ${seconds}) s each`,
    );
    for (let run = 0; run < ctx.runs; run++) {
      let best = 0;
      for (const rate of rates) {
        const before = await maxReadingId(ctx.ingestUrl);
        await ask(sse, { type: "reset" }, "reset", 10_000);
        const cpu0 = cpuMs(server.child.pid as number);
        const r = await runStep(load, rate, warm, seconds);
        const cpu = cpuMs(server.child.pid as number) - cpu0;
        const ids = await readingIdsAfter(ctx.ingestUrl, before);
        const onStream = await streamed(sse, ids);
        const lostAcked = Math.max(0, r.acked * SENSORS_PER_MESSAGE - ids.length);
        const lost = r.unanswered + r.failed + lostAcked + (ids.length - onStream);
        const figures = {
          msgs_s: r.ack_rate,
          readings_s: r.ack_rate * SENSORS_PER_MESSAGE,
          p50_ms: r.p50_ms,
          p99_ms: r.p99_ms,
          cpu_ms_per_msg: cpu / Math.max(1, r.acked),
          lost,
          loadgen_cpu_pct: r.loadgen_cpu_pct,
        };
        bocloud[rate] = [...(bocloud[rate] ?? []), figures];
        const ok = lost === 0 && r.p99_ms <= P99_TARGET_MS && r.ack_rate >= rate * 0.95;
        ctx.log(
          `  run ${run + 1} BoCloud ${rate} msg/s: acked ${r.acked}/${r.sent} at ${fixed(r.ack_rate, 0)}/s, p50 ${fixed(r.p50_ms)} ms, p99 ${fixed(r.p99_ms)} ms, ${fixed(cpu / Math.max(1, r.acked), 3)} ms CPU/msg, ${ids.length} stored, ${onStream} streamed${lost ? `, ${lost} LOST` : ""}${r.firstError ? ` (${r.firstError})` : ""}`,
        );

        if (refLoad && sink) {
          const m0 = mosquitto ? cpuMs(mosquitto) : Number.NaN;
          const c0 = (await ask<{ received: number }>(sink, { type: "count" }, "count", 5000))
            .received;
          const m = await runStep(refLoad, rate, warm, seconds);
          await sleep(500);
          const c1 = (await ask<{ received: number }>(sink, { type: "count" }, "count", 5000))
            .received;
          const mCpu = mosquitto ? cpuMs(mosquitto) - m0 : Number.NaN;
          reference[rate] = [
            ...(reference[rate] ?? []),
            {
              msgs_s: m.ack_rate,
              p50_ms: m.p50_ms,
              p99_ms: m.p99_ms,
              cpu_ms_per_msg: mCpu / Math.max(1, m.acked),
              lost: m.sent - (c1 - c0),
              loadgen_cpu_pct: m.loadgen_cpu_pct,
            },
          ];
          ctx.log(
            `  run ${run + 1} Mosquitto ${rate} msg/s: acked ${m.acked}/${m.sent}, p50 ${fixed(m.p50_ms)} ms, p99 ${fixed(m.p99_ms)} ms, ${fixed(mCpu / Math.max(1, m.acked), 3)} ms CPU/msg, ${c1 - c0} relayed`,
          );
        }
        if (!ok) break;
        best = rate;
      }
      highest.push(best);
    }
  } catch (err) {
    ctx.rows.push(errorRow("mqtt", SECTION, err));
  } finally {
    for (const c of children) {
      try {
        await ask(c, { type: "close" }, "closed", 10_000);
      } catch {
        await stopChild(c);
      }
    }
    await server.stop();
  }

  for (const rate of Object.keys(bocloud).map(Number)) {
    const runs = bocloud[rate];
    const ref = reference[rate];
    ctx.rows.push({
      id: `mqtt.rate${rate}`,
      section: SECTION,
      title: `${DEVICES} devices, QoS 1 readings of ${SENSORS_PER_MESSAGE} sensors, ${rate} msg/s offered: PUBACK latency, loss, CPU`,
      bocloud: side("BoCloud (dist/mqtt.mjs; PUBACK after commit)", runs),
      baseline: ref
        ? side("the machine's Mosquitto, to a subscriber that does nothing", ref)
        : undefined,
      ratio: ref
        ? ratioOf(
            "CPU/msg BoCloud ÷ Mosquitto",
            runs.slice(0, ref.length).map((r, i) => r.cpu_ms_per_msg / ref[i].cpu_ms_per_msg),
          )
        : undefined,
      target: {
        text: `p99 ≤ ${P99_TARGET_MS} ms, 0 lost`,
        met: runs.every((r) => r.lost === 0 && r.p99_ms <= P99_TARGET_MS),
      },
    });
  }
  if (highest.length > 0) {
    const runs = highest.map((h) => ({ msgs_s: h, readings_s: h * SENSORS_PER_MESSAGE }));
    const best = side("BoCloud", runs);
    ctx.rows.push({
      id: "mqtt.max",
      section: SECTION,
      title: `the highest rate sustained with p99 PUBACK ≤ ${P99_TARGET_MS} ms and nothing lost (of ${Object.keys(bocloud).join(", ")} msg/s)`,
      bocloud: best,
      target: { text: `≥ ${RATE_TARGET} msg/s`, met: best.figures.msgs_s >= RATE_TARGET },
    });
  }
}

async function maxReadingId(url: string): Promise<number> {
  return withClient(url, async (c) =>
    Number(
      (await c.query<{ id: string | null }>("SELECT max(id) AS id FROM readings")).rows[0].id ?? 0,
    ),
  );
}

async function readingIdsAfter(url: string, after: number): Promise<number[]> {
  return withClient(url, async (c) =>
    (
      await c.query<{ id: string }>("SELECT id FROM readings WHERE id > $1 ORDER BY id", [after])
    ).rows.map((r) => Number(r.id)),
  );
}

/** How many of `ids` the stream client got (waiting up to 5 s for the last ones). */
async function streamed(sse: ChildProcess, ids: number[]): Promise<number> {
  let received = 0;
  for (const deadline = performance.now() + 5000; performance.now() < deadline; ) {
    received = (await ask<{ received: number }>(sse, { type: "progress", ids }, "progress", 30_000))
      .received;
    if (received >= ids.length) break;
    await sleep(200);
  }
  return received;
}
