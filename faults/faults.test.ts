import { chromium } from "@playwright/test";
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
// over HTTP and standard EventSource clients (the `eventsource` package, and Chromium's) watch:
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

/** A device posting a reading every POST_EVERY_MS until `running()` is false. */
async function postSteadily(
  deviceId: string,
  token: string,
  acked: Acked[],
  running: () => boolean,
) {
  for (let n = 0; running(); n++) {
    const res = await fetch(`${bocloud.webUrl}/api/data`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ device_id: deviceId, sensors: { n } }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => null);
    if (res?.status === 201)
      acked.push({ id: (await res.json()).readings[0].id, at: performance.now() });
    else await res?.body?.cancel();
    await sleep(POST_EVERY_MS);
  }
}

/** Chromium's own EventSource, on a page of the app (its CSP allows connecting to itself). */
async function chromiumStream(cookie: string, path: string) {
  const context = await browser.newContext();
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url: bocloud.webUrl }]);
  const page = await context.newPage();
  await page.goto(`${bocloud.webUrl}/login`);
  await page.evaluate((url) => {
    const w = window as unknown as { ids: number[]; opens: number };
    w.ids = [];
    w.opens = 0;
    const source = new EventSource(url);
    source.addEventListener("open", () => w.opens++);
    source.addEventListener("reading", (e) => w.ids.push(JSON.parse(e.data).id));
  }, path);
  return {
    ids: () => page.evaluate(() => (window as unknown as { ids: number[] }).ids),
    opens: () => page.evaluate(() => (window as unknown as { opens: number }).opens),
  };
}

describe("faults", () => {
  it("no client loses, repeats or reorders an acknowledged reading through any fault", async () => {
    const cookie = await asAdmin();
    const devices = Array.from({ length: DEVICES }, (_, i) => `fault-dev-${i}`);
    const tokens = await Promise.all(devices.map((d) => device(cookie, d)));
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
    const clients = [
      ...watchers.map((w, i) => ({
        name: i < 3 ? `eventsource ${i + 1} (web app)` : "eventsource 4 (sidecar)",
        ids: async () => w.ids(),
        opens: async () => w.opens,
      })),
      { name: "Chromium (web app)", ids: browserStream.ids, opens: browserStream.opens },
    ];

    const acked: Acked[] = [];
    let posting = true;
    const posters = devices.map((d, i) => postSteadily(d, tokens[i], acked, () => posting));
    await sleep(2000);

    /** Every client has a reading acknowledged after `t` (the stream goes on past the fault). */
    const streamingAfter = (t: number) => async () => {
      const later = acked.filter((a) => a.at > t).map((a) => a.id);
      if (later.length === 0) return false;
      const lists = await Promise.all(clients.map((c) => c.ids()));
      return lists.every((ids) => later.some((id) => ids.includes(id)));
    };
    const postingAfter = (t: number) => async () => acked.some((a) => a.at > t);
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
          fetch(`${bocloud.workerUrl}/health`).then(
            async (r) => r.ok && (await r.json()).jobs.length >= 3,
            () => false,
          ),
      },
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
        const lists = await Promise.all(clients.map((c) => c.ids()));
        return lists.every((ids) => during.every((id) => ids.includes(id)));
      }, 30_000);
      const lists = await Promise.all(clients.map((c) => c.ids()));
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
    await waitUntil(async () => {
      const lists = await Promise.all(clients.map((c) => c.ids()));
      return lists.every((ids) => expected.every((id) => ids.includes(id)));
    }, 30_000);
    console.log(
      `faults (supervised BoCloud, ${DEVICES} devices posting, ${clients.length} EventSource clients):\n  ${report.join("\n  ")}`,
    );
    for (const c of clients) {
      const ids = (await c.ids()).filter((id) => id > start);
      // Exactly the acknowledged readings (the devices post nothing else), once, in order.
      expect(ids, c.name).toEqual(expected);
      // It came back by itself, more than once.
      expect(await c.opens(), c.name).toBeGreaterThan(1);
    }
    for (const w of watchers) w.close();
  }, 300_000);
});
