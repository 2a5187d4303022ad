import { chromium } from "@playwright/test";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumLaunchOptions } from "@/scripts/chromium.ts";
import { migrate } from "@/scripts/migrate.ts";
import { WatchedStream } from "@/test/event-source.ts";
import { freePort, startRedis } from "@/test/stack.ts";
import { type PostgresCluster, startPostgresCluster } from "./postgres-cluster.ts";
import {
  type ProcessName,
  type SupervisedBocloud,
  startSupervised,
  waitUntil,
} from "./supervised-bocloud.ts";

// BoCloud as `npm start` runs it, with PostgreSQL and Redis of its own, while devices post
// over HTTP and MQTT and standard EventSource clients (the `eventsource` package, and
// Chromium's) watch:
// each process is killed with -9 and comes back (its supervisor restarts it), Redis is
// restarted, PostgreSQL is restarted. For every client: no acknowledged reading lost, none
// twice, none out of order, and it resumed on its own.

const DEVICES = 3;
const POST_EVERY_MS = 100;

let pg: PostgresCluster;
let redis: Awaited<ReturnType<typeof startRedis>>;
let bocloud: SupervisedBocloud;
let browser: Awaited<ReturnType<typeof chromium.launch>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  pg = startPostgresCluster(await freePort());
  redis = await startRedis();
  const databaseUrl = pg.url("bocloud_faults");
  await migrate(databaseUrl);
  bocloud = await startSupervised({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_CHANNEL_PREFIX: `bocloud-faults-${process.pid}`,
    INGEST_AUTH: "token",
  });
  browser = await chromium.launch(chromiumLaunchOptions);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bocloud?.stop();
  await redis?.stop();
  pg?.destroy();
});

interface Acked {
  id: number;
  at: number;
}

async function asAdmin(): Promise<string> {
  const res = await fetch(`${bocloud.webUrl}/api/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: bocloud.webUrl },
    body: JSON.stringify({ username: "admin", password: "correct horse battery" }),
  });
  expect(res.status).toBe(201);
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

async function device(cookie: string, deviceId: string): Promise<string> {
  const res = await fetch(`${bocloud.webUrl}/api/devices`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: bocloud.webUrl },
    body: JSON.stringify({ device_id: deviceId }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

/**
 * A device posting a reading every POST_EVERY_MS until `running()` is false: the acknowledged
 * ones in `acked`; in `unanswered` ("device:value") those whose answer never arrived whole, which
 * may or may not have been stored (a process killed after its commit, before or while answering).
 */
async function postSteadily(
  deviceId: string,
  token: string,
  acked: Acked[],
  unanswered: Set<string>,
  running: () => boolean,
) {
  for (let n = 0; running(); n++) {
    const res = await fetch(`${bocloud.webUrl}/api/data`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ device_id: deviceId, sensors: { n } }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => null);
    // A web process killed after its headers and before its body is an answer never received:
    // not acknowledged, like no answer at all.
    const id = await (res?.status === 201
      ? res.json().then((body) => body.readings[0].id as number)
      : res?.body?.cancel()
    )?.catch(() => undefined);
    if (typeof id === "number") acked.push({ id, at: performance.now() });
    else if (!res || res.status === 201) unanswered.add(`${deviceId}:${n}`);
    await sleep(POST_EVERY_MS);
  }
}

/**
 * A device publishing a reading (QoS 1) every POST_EVERY_MS over MQTT (MQTT.js, which
 * reconnects and sends again what was not acknowledged); the values acknowledged.
 */
async function publishSteadily(
  token: string,
  acked: { n: number; at: number }[],
  running: () => boolean,
) {
  const client = await mqtt.connectAsync(bocloud.mqttUrl, {
    username: token,
    reconnectPeriod: 500,
    connectTimeout: 2000,
  });
  client.on("error", () => {});
  for (let n = 0; running(); n++) {
    const sent = client
      .publishAsync("v1/devices/me/telemetry", JSON.stringify({ n }), { qos: 1 })
      .then(
        () => acked.push({ n, at: performance.now() }),
        () => {},
      );
    // One at a time: the next goes once this one is acknowledged (or given up on).
    await Promise.race([sent, sleep(10_000)]);
    await sleep(POST_EVERY_MS);
  }
  await client.endAsync(true);
}

/** Chromium's own EventSource, on a page of the app (its CSP allows connecting to itself). */
async function chromiumStream(cookie: string, path: string) {
  const context = await browser.newContext();
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url: bocloud.webUrl }]);
  const page = await context.newPage();
  await page.goto(`${bocloud.webUrl}/login`);
  await page.evaluate((url) => {
    const w = window as unknown as { readings: unknown[]; opens: number };
    w.readings = [];
    w.opens = 0;
    const source = new EventSource(url);
    source.addEventListener("open", () => w.opens++);
    source.addEventListener("reading", (e) => {
      const { id, device_id, value } = JSON.parse(e.data);
      w.readings.push({ id, device_id, value });
    });
  }, path);
  return {
    readings: () =>
      page.evaluate(
        () =>
          (window as unknown as { readings: { id: number; device_id: string; value: unknown }[] })
            .readings,
      ),
    opens: () => page.evaluate(() => (window as unknown as { opens: number }).opens),
  };
}

describe("faults", () => {
  it("no client loses, repeats or reorders an acknowledged reading through any fault", async () => {
    const cookie = await asAdmin();
    const devices = Array.from({ length: DEVICES }, (_, i) => `fault-dev-${i}`);
    const tokens = await Promise.all(devices.map((d) => device(cookie, d)));
    const mqttToken = await device(cookie, "fault-mqtt");
    // A first reading: the clients start after it, so each resumes from a known place.
    const first = await fetch(`${bocloud.webUrl}/api/data`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[0]}` },
      body: JSON.stringify({ device_id: devices[0], sensors: { n: -1 } }),
    });
    const start = (await first.json()).readings[0].id as number;
    const path = `/api/stream?last_event_id=${start}`;
    const watchers = [
      ...[1, 2, 3].map(() => new WatchedStream(`${bocloud.webUrl}${path}`, cookie)),
      new WatchedStream(`${bocloud.streamUrl}${path}`, cookie),
    ];
    const browserStream = await chromiumStream(cookie, path);
    type Seen = { id: number; device_id: string; value: unknown };
    const clients: {
      name: string;
      readings: () => Promise<Seen[]>;
      opens: () => Promise<number>;
    }[] = [
      ...watchers.map((w, i) => ({
        name: i < 3 ? `eventsource ${i + 1} (web app)` : "eventsource 4 (sidecar)",
        readings: async () => w.readings,
        opens: async () => w.opens,
      })),
      { name: "Chromium (web app)", readings: browserStream.readings, opens: browserStream.opens },
    ];
    const ids = async (c: (typeof clients)[number]) => (await c.readings()).map((r) => r.id);

    const acked: Acked[] = [];
    const unanswered = new Set<string>();
    const mqttAcked: { n: number; at: number }[] = [];
    let posting = true;
    const posters = [
      ...devices.map((d, i) => postSteadily(d, tokens[i], acked, unanswered, () => posting)),
      publishSteadily(mqttToken, mqttAcked, () => posting),
    ];
    await sleep(2000);

    /** Every client has a reading acknowledged after `t` (the stream goes on past the fault). */
    const streamingAfter = (t: number) => async () => {
      const later = acked.filter((a) => a.at > t).map((a) => a.id);
      if (later.length === 0) return false;
      const lists = await Promise.all(clients.map(ids));
      return lists.every((seen) => later.some((id) => seen.includes(id)));
    };
    const postingAfter = (t: number) => async () => acked.some((a) => a.at > t);
    const publishingAfter = (t: number) => async () => mqttAcked.some((a) => a.at > t);
    const kill = (name: ProcessName) => async () => {
      const pid = bocloud.pidOf(name);
      expect(pid, `${name} is running`).toBeTruthy();
      process.kill(pid as number, "SIGKILL");
      // Its supervisor brings it back, with a new pid: nobody acts.
      await waitUntil(async () => (bocloud.pidOf(name) ?? pid) !== pid, 20_000);
    };
    const faults: {
      name: string;
      apply: () => Promise<void>;
      back: (t: number) => () => Promise<boolean>;
    }[] = [
      { name: "web killed -9", apply: kill("web"), back: postingAfter },
      { name: "stream killed -9", apply: kill("stream"), back: streamingAfter },
      {
        name: "worker killed -9",
        apply: kill("worker"),
        back: () => async () =>
          fetch(`${bocloud.workerUrl}/health`)
            .then(async (r) => r.ok && (await r.json()).jobs.length >= 3)
            .catch(() => false),
      },
      { name: "mqtt killed -9", apply: kill("mqtt"), back: publishingAfter },
      {
        name: "Redis restarted",
        apply: async () => {
          await redis.stop();
          await sleep(2000);
          redis = await startRedis(redis.port);
        },
        back: streamingAfter,
      },
      {
        name: "PostgreSQL restarted",
        apply: async () => {
          pg.stop("immediate");
          await sleep(2000);
          pg.start();
        },
        back: postingAfter,
      },
    ];

    const report: string[] = [];
    for (const fault of faults) {
      const t = performance.now();
      const ackedBefore = acked.length;
      // A process killed is back when its supervisor has restarted it; Redis and PostgreSQL
      // when they were started again.
      await fault.apply();
      const applied = performance.now();
      await waitUntil(fault.back(applied), 60_000);
      const recovery = performance.now() - t;
      // Everything acknowledged from the fault on reaches every client.
      await sleep(1500);
      const during = acked.slice(ackedBefore).map((a) => a.id);
      await waitUntil(async () => {
        const lists = await Promise.all(clients.map(ids));
        return lists.every((seen) => during.every((id) => seen.includes(id)));
      }, 30_000);
      const lists = await Promise.all(clients.map(ids));
      const delivered = lists.map((ids) => during.filter((id) => ids.includes(id)).length);
      report.push(
        `${fault.name}: restarted / started again after ${((applied - t) / 1000).toFixed(1)} s, ` +
          `working again ${(recovery / 1000).toFixed(1)} s after the fault; ${during.length} readings ` +
          `acknowledged from the fault until 1.5 s after, delivered ${delivered.join(" / ")}`,
      );
    }
    posting = false;
    await Promise.all(posters);

    const expected = acked.map((a) => a.id).sort((x, y) => x - y);
    const mqttValues = (seen: Seen[]) =>
      new Set(seen.filter((r) => r.device_id === "fault-mqtt").map((r) => r.value));
    await waitUntil(async () => {
      const lists = await Promise.all(clients.map((c) => c.readings()));
      return lists.every(
        (seen) =>
          expected.every((id) => seen.some((r) => r.id === id)) &&
          mqttAcked.every((a) => mqttValues(seen).has(a.n)),
      );
    }, 30_000);
    console.log(
      `faults (supervised BoCloud; ${DEVICES} devices posting over HTTP, 1 publishing over MQTT; ${clients.length} EventSource clients; ` +
        `${acked.length} + ${mqttAcked.length} readings acknowledged, ${unanswered.size} posts without an answer):\n  ${report.join("\n  ")}`,
    );
    const orders: number[][] = [];
    for (const c of clients) {
      const seen = (await c.readings()).filter((r) => r.id > start);
      const all = seen.map((r) => r.id);
      // Each reading once, in id order: the one order every client sees.
      expect(all, c.name).toEqual([...new Set(all)].sort((x, y) => x - y));
      orders.push(all);
      // Every reading acknowledged over HTTP, and besides them (those devices post nothing else)
      // only posts whose answer was lost …
      const overHttp = seen.filter((r) => r.device_id !== "fault-mqtt");
      const ackedIds = new Set(expected);
      expect(
        overHttp.filter((r) => ackedIds.has(r.id)).map((r) => r.id),
        c.name,
      ).toEqual(expected);
      expect(
        overHttp.filter((r) => !ackedIds.has(r.id) && !unanswered.has(`${r.device_id}:${r.value}`)),
        c.name,
      ).toEqual([]);
      // … and every value acknowledged over MQTT (QoS 1: a publish whose PUBACK a kill cut off
      // is sent again, so it may be stored twice, under two ids).
      expect(
        mqttAcked.filter((a) => !mqttValues(seen).has(a.n)),
        c.name,
      ).toEqual([]);
      // It came back by itself, more than once.
      expect(await c.opens(), c.name).toBeGreaterThan(1);
    }
    for (const order of orders) expect(order).toEqual(orders[0]);
    for (const w of watchers) w.close();
  }, 300_000);
});
