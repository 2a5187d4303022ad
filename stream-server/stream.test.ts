import { readdirSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { afterAll, describe, expect, inject, it } from "vitest";
import { forward } from "@/deploy/testing/net.ts";
import type { WireReading } from "@/lib/reading.ts";
import { WatchedStream } from "@/test/event-source.ts";
import { adminCookie, postData, uniqueDevice, viewerCookie, webUrl } from "@/test/http.ts";
import { expectInOrderOnce, TestEventStream } from "@/test/sse.ts";
import { startRedis, startStream, startWeb, testRun } from "@/test/stack.ts";

const streamUrl = (query = "") => `${inject("streamUrl")}/api/stream${query}`;
/** The sidecar's /health as a signed-in operator sees it (with the counts). */
const health = async (base = inject("streamUrl")) =>
  (await fetch(`${base}/health`, { headers: { cookie: adminCookie() } })).json();

async function post(device: string, values: number[], base?: string): Promise<WireReading[]> {
  const res = await postData(
    values.map((v) => ({ device_id: device, sensors: { v } })),
    { base },
  );
  expect(res.status).toBe(201);
  return res.json.readings;
}

const opened: TestEventStream[] = [];
async function connect(url: string, opts?: ConstructorParameters<typeof TestEventStream>[1]) {
  const client = new TestEventStream(url, { cookie: adminCookie(), ...opts });
  opened.push(client);
  const res = await client.open();
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  return client;
}
afterAll(() => {
  for (const c of opened) c.close();
});

describe("GET /api/stream", () => {
  it("sends a posted reading to a connected client with its id and fields, at once", async () => {
    const device = uniqueDevice("live");
    const client = await connect(streamUrl(`?device=${device}`));
    const posted: WireReading[] = [];
    const latenciesMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await postData({
        device_id: device,
        sensors: { temperature: 21.5 + i, door: "open" },
      });
      const answeredAt = performance.now();
      posted.push(...res.json.readings);
      await expect
        .poll(() => client.readings.length, { interval: 1, timeout: 2000 })
        .toBe(posted.length);
      latenciesMs.push(performance.now() - answeredAt);
    }
    expect(client.readings).toEqual(posted);
    expect(client.lastEventId).toBe(String(posted.at(-1)?.id));
    // The median, so that one scheduling hiccup on a busy machine does not decide it.
    const median = [...latenciesMs].sort((a, b) => a - b)[2];
    expect(median).toBeLessThan(100);
  });

  it("sends the SSE headers, a retry hint and heartbeats", async () => {
    const res = await fetch(streamUrl(), {
      headers: { cookie: adminCookie() },
      signal: AbortSignal.timeout(1000),
    }).catch(() => undefined);
    expect(res?.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res?.headers.get("x-accel-buffering")).toBe("no");
    const reader = res?.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    expect(first).toMatch(/^retry: \d+\n\n/);
    await reader?.cancel();

    const stream = await startStream({ STREAM_HEARTBEAT_MS: "200" });
    try {
      const client = await connect(`${stream.url}/api/stream`);
      await expect.poll(() => client.comments.length, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
      expect(client.comments[0]).toBe(": heartbeat");
      client.close();
    } finally {
      await stream.stop();
    }
  });

  it("filters by device and by sensor", async () => {
    const [a, b] = [uniqueDevice("a"), uniqueDevice("b")];
    const [first] = await post(a, [1]);
    const byDevice = await connect(streamUrl(`?device=${a}`));
    const bySensor = await connect(streamUrl(`?sensor=${first.sensor_id}`));
    await postData({ device_id: b, sensors: { v: 9 } });
    await postData({ device_id: a, sensors: { v: 2, w: 3 } });
    await expect.poll(() => byDevice.readings.length).toBe(2);
    expect(byDevice.readings.every((r) => r.device_id === a)).toBe(true);
    await expect.poll(() => bySensor.readings.map((r) => r.value)).toEqual([2]);
  });

  it("sends the last N readings first with ?backfill=N, then live ones", async () => {
    const device = uniqueDevice("backfill");
    const stored = await post(device, [1, 2, 3, 4, 5]);
    const client = await connect(streamUrl(`?device=${device}&backfill=3`));
    await expect.poll(() => client.ids()).toEqual(stored.slice(2).map((r) => r.id));
    const [live] = await post(device, [6]);
    await expect.poll(() => client.ids().at(-1)).toBe(live.id);
    expect(client.ids()).toEqual([...stored.slice(2), live].map((r) => r.id));
  });

  it("answers bad parameters with 400 and the error shape", async () => {
    for (const q of [
      "?device=a%20b",
      "?sensor=x",
      "?backfill=5000",
      "?last_event_id=-1",
      "?bogus=1",
      "?device=a&device=b",
    ]) {
      const res = await fetch(streamUrl(q));
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe("bad_request");
    }
  });

  it("gives a client that reconnects with Last-Event-ID exactly what it missed, then live", async () => {
    const device = uniqueDevice("resume");
    const first = await connect(streamUrl(`?device=${device}`));
    const [seen] = await post(device, [0]);
    await expect.poll(() => first.ids()).toEqual([seen.id]);
    first.close();

    const missed = await post(device, [1, 2, 3, 4, 5, 6, 7]);
    const again = await connect(streamUrl(`?device=${device}`), { lastEventId: first.lastEventId });
    const live = await post(device, [8, 9]);
    const expected = [...missed, ...live].map((r) => r.id);
    await expect.poll(() => again.ids()).toEqual(expected);

    // The same through ?last_event_id= and through the web app's /api/stream.
    const viaWeb = await connect(webUrl(`/api/stream?device=${device}&last_event_id=${seen.id}`));
    await expect.poll(() => viaWeb.ids()).toEqual(expected);

    // An EventSource opened with ?last_event_id= reconnects to the same URL with the newer
    // Last-Event-ID header: the header wins, or it would get again what it has.
    const reopened = await connect(streamUrl(`?device=${device}&last_event_id=${seen.id}`), {
      lastEventId: String(missed[missed.length - 1].id),
    });
    await expect.poll(() => reopened.ids()).toEqual(live.map((r) => r.id));
  });

  it("delivers concurrent posts from many devices to an unfiltered client in id order, none missing", async () => {
    const client = await connect(streamUrl());
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(uniqueDevice(`burst${i % 8}`), [i, i + 0.5])),
    );
    const posted = results
      .flat()
      .map((r) => r.id)
      .sort((x, y) => x - y);
    await expect
      .poll(() => client.ids().filter((id) => id >= posted[0]).length)
      .toBe(posted.length);
    expectInOrderOnce(client.ids(), posted);
  });

  it("leaves no client, socket or file behind after 200 connect/abort cycles", async () => {
    // The sidecar's open file descriptors: every socket it holds is one.
    const openFiles = () => readdirSync(`/proc/${inject("streamPid")}/fd`).length;
    const settle = async () => {
      await expect.poll(async () => (await health()).clients, { timeout: 5000 }).toBe(0);
      return { ...(await health()), files: openFiles() };
    };
    for (const c of opened) c.close();
    const before = await settle();
    for (let i = 0; i < 200; i++) {
      const abort = new AbortController();
      // Half straight to the sidecar, half through the web app's forwarding route.
      const url = i % 2 ? streamUrl() : webUrl("/api/stream");
      const res = await fetch(url, { headers: { cookie: adminCookie() }, signal: abort.signal });
      expect(res.status).toBe(200);
      await res.body?.getReader().read();
      abort.abort();
    }
    const after = await settle();
    expect(after.clients).toBe(0);
    await expect.poll(openFiles, { timeout: 5000 }).toBeLessThanOrEqual(before.files + 2);
  });
});

describe("what the sidecar lets anyone reach", () => {
  it("listens on 127.0.0.1 only by default", async () => {
    const { port } = new URL(inject("streamUrl"));
    const elsewhere = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === "IPv4")
      .map((a) => `http://${a?.address}:${port}/health`);
    for (const url of [`http://[::1]:${port}/health`, ...elsewhere]) {
      await expect(fetch(url, { signal: AbortSignal.timeout(2000) }), url).rejects.toThrow();
    }
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it("listens where STREAM_HOST says", async () => {
    const stream = await startStream({ STREAM_HOST: "::" });
    try {
      const res = await fetch(`http://[::1]:${stream.port}/health`);
      expect(res.status).toBe(200);
    } finally {
      await stream.stop();
    }
  });

  it("tells a caller without a session only whether it is up; an operator also gets the counts", async () => {
    const anonymous = await fetch(`${inject("streamUrl")}/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: "up" });
    const madeUp = await fetch(`${inject("streamUrl")}/health`, {
      headers: { cookie: "bocloud_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    });
    expect(await madeUp.json()).toEqual({ status: "up" });
    const operator = await health();
    expect(operator).toMatchObject({ status: "up", postgres: "up", redis: "up" });
    expect(typeof operator.clients).toBe("number");
    expect(typeof operator.head).toBe("number");
  });

  it("caps the streams one session holds open (429 with Retry-After); other sessions still connect", async () => {
    const stream = await startStream({ STREAM_MAX_PER_SESSION: "3" });
    const url = `${stream.url}/api/stream`;
    const held: TestEventStream[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await connect(url));
      const over = await fetch(url, { headers: { cookie: adminCookie() } });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await over.json()).error.code).toBe("rate_limited");
      held.push(await connect(url, { cookie: viewerCookie() }));
      // A stream that closes frees its place.
      held[0].close();
      await expect
        .poll(async () => {
          const res = await fetch(url, { headers: { cookie: adminCookie() } });
          await res.body?.cancel();
          return res.status;
        })
        .toBe(200);
    } finally {
      for (const c of held) c.close();
      await stream.stop();
    }
  });
});

describe("GET /api/stream when parts fail", () => {
  it("delivers every reading, in order, across a Redis restart", async () => {
    const redis = await startRedis();
    const stream = await startStream({ REDIS_URL: redis.url });
    const web = await startWeb({ REDIS_URL: redis.url, STREAM_URL: stream.url });
    let restarted: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const device = uniqueDevice("redis-restart");
      const client = await connect(`${stream.url}/api/stream?device=${device}`);
      const before = await post(device, [1, 2, 3], web.url);
      await redis.stop();
      const during = [];
      for (let i = 0; i < 5; i++) during.push(...(await post(device, [10 + i], web.url)));
      restarted = await startRedis(redis.port);
      const after = await post(device, [20, 21], web.url);
      const all = [...before, ...during, ...after].map((r) => r.id);
      await expect.poll(() => client.ids(), { timeout: 10_000 }).toEqual(all);
      await expect.poll(async () => (await health(stream.url)).redis, { timeout: 5000 }).toBe("up");
    } finally {
      await Promise.all([web.stop(), stream.stop()]);
      await restarted?.stop();
    }
  });

  it("lets a client resume with nothing lost when the sidecar is killed and restarted", async () => {
    let stream = await startStream();
    const device = uniqueDevice("sidecar-restart");
    try {
      const client = await connect(`${stream.url}/api/stream?device=${device}`, {
        reconnect: true,
      });
      const before = await post(device, [1, 2]);
      await expect.poll(() => client.ids().length).toBe(2);
      await stream.stop("SIGKILL");
      const during = await post(device, [3, 4, 5]);
      stream = await startStream({}, stream.port);
      const after = await post(device, [6]);
      const all = [...before, ...during, ...after].map((r) => r.id);
      await expect.poll(() => client.ids(), { timeout: 10_000 }).toEqual(all);
      expect(client.connections).toBeGreaterThanOrEqual(2);
      client.close();
    } finally {
      await stream.stop();
    }
  });

  it("while PostgreSQL is down: 503 with Retry-After, an EventSource told to come back, a quick /health", async () => {
    // PostgreSQL behind a forwarder the test can cut.
    const postgres = await forward("127.0.0.1", 0, 5432);
    const url = new URL(testRun().databaseUrl);
    url.port = String(postgres.port);
    const stream = await startStream({ DATABASE_URL: url.toString() });
    try {
      const up = await fetch(`${stream.url}/api/stream`, { headers: { cookie: adminCookie() } });
      expect(up.status).toBe(200);
      await up.body?.cancel();
      await postgres.close();

      const res = await fetch(`${stream.url}/api/stream`, { headers: { cookie: adminCookie() } });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await res.json()).error.code).toBe("service_unavailable");
      // An EventSource (Accept: text/event-stream) would stop for good at a 503: it gets a
      // stream that tells it to reconnect, and ends.
      const es = await fetch(`${stream.url}/api/stream`, {
        headers: { cookie: adminCookie(), accept: "text/event-stream" },
      });
      expect(es.status).toBe(200);
      expect(es.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(await es.text()).toMatch(/^retry: 1000$/m);

      const started = performance.now();
      const health = await fetch(`${stream.url}/health`, { headers: { cookie: adminCookie() } });
      expect(health.status).toBe(503);
      // The session cannot be checked without PostgreSQL: only up or down.
      expect(await health.json()).toEqual({ status: "down" });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await stream.stop();
    }
  });

  it("ends streams cleanly on SIGTERM so clients reconnect", async () => {
    const stream = await startStream();
    const client = await connect(`${stream.url}/api/stream`);
    const exited = new Promise((r) => stream.child.once("exit", r));
    stream.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    client.close();
  });
});

describe("GET /api/stream across restarts, for a standard EventSource", () => {
  it("starts while PostgreSQL is down and streams once it is back", async () => {
    const postgres = await forward("127.0.0.1", 0, 5432);
    await postgres.close();
    const url = new URL(testRun().databaseUrl);
    url.port = String(postgres.port);
    // Nothing answers at the database's address: the sidecar still starts and says so.
    const stream = await startStream({ DATABASE_URL: url.toString() });
    let back: Awaited<ReturnType<typeof forward>> | undefined;
    try {
      const es = await fetch(`${stream.url}/api/stream`, {
        headers: { cookie: adminCookie(), accept: "text/event-stream" },
      });
      expect(es.status).toBe(200);
      expect(await es.text()).toMatch(/^retry: 1000$/m);
      // A standard EventSource keeps coming back until the sidecar streams.
      const device = uniqueDevice("late-start");
      const before = await post(device, [1]);
      const client = new WatchedStream(
        `${stream.url}/api/stream?device=${device}&last_event_id=${before[0].id - 1}`,
        adminCookie(),
      );
      await new Promise((r) => setTimeout(r, 1500));
      back = await forward("127.0.0.1", postgres.port, 5432);
      const after = await post(device, [2]);
      await expect
        .poll(() => client.ids(), { timeout: 15_000 })
        .toEqual([...before, ...after].map((r) => r.id));
      expect(client.opens).toBeGreaterThan(1);
      client.close();
    } finally {
      await stream.stop();
      await back?.close();
    }
  });
});
