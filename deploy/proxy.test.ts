// The production reverse proxy without Docker: nginx (from apt) runs the very configuration
// docker-compose.yml uses (deploy/nginx/templates/default.conf.template) in front of the test
// stack's web app and stream sidecars. Outside CI the nginx tests are skipped when nginx is not
// installed; in CI a missing nginx fails them.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_WAIT_SECONDS } from "@/lib/devices/schemas.ts";
import type { WireReading } from "@/lib/reading.ts";
import { WatchedStream } from "@/test/event-source.ts";
import { postData, uniqueDevice } from "@/test/http.ts";
import { TestEventStream } from "@/test/sse.ts";
import { freePort, type RunningProcess, startStream, startWeb } from "@/test/stack.ts";
import { type Forwarder, forwardEach, startDns, type TestDns } from "./testing/net.ts";
import {
  NGINX,
  nginxInstalled,
  type RunningNginx,
  startNginx,
  TEMPLATE,
  templateVariables,
} from "./testing/nginx.ts";

const ROOT = resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(resolve(ROOT, file), "utf8");
const hostPort = (url: string) => new URL(url).host;
const inCI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";
const skipNginx = !nginxInstalled() && !inCI;
if (skipNginx) {
  console.warn(`SKIPPED the reverse-proxy tests: ${NGINX} not found (apt-get install nginx).`);
}

/**
 * What a signed-in operator's browser sends, where the test stack provides one (operator
 * sessions); nothing otherwise.
 */
function operatorHeaders(): Record<string, string> {
  const cookie = (inject as (key: string) => unknown)("adminCookie");
  return typeof cookie === "string" ? { cookie } : {};
}
/** fetch() as the signed-in operator. */
const get = (url: string) => fetch(url, { headers: operatorHeaders() });

/** Short, so the tests can outlast it: compose uses 1h with heartbeats every 15 s. */
const READ_TIMEOUT_S = 2;
const HEARTBEAT_MS = 500;

describe("the deployment files agree", () => {
  it("sets every variable of the proxy template in docker-compose.yml", () => {
    const compose = read("docker-compose.yml");
    const names = templateVariables();
    expect(names).toEqual([
      "BOCLOUD_PROXY_LISTEN",
      "BOCLOUD_PROXY_RESOLVER",
      "BOCLOUD_STREAM_TIMEOUT",
      "BOCLOUD_STREAM_UPSTREAM",
      "BOCLOUD_WEB_UPSTREAM",
    ]);
    for (const name of names) expect(compose).toMatch(new RegExp(`^\\s+${name}: \\S`, "m"));
    expect(compose).toContain("NGINX_ENVSUBST_FILTER: BOCLOUD_");
    expect(compose).toContain("./deploy/nginx/templates:/etc/nginx/templates:ro");
  });

  it("waits for the web app longer than a device's longest long-poll", () => {
    const web = readFileSync(TEMPLATE, "utf8").match(/location \/ \{[^}]*\}/)?.[0] ?? "";
    const timeout = web.match(/proxy_read_timeout (\d+)s;/)?.[1];
    expect(Number(timeout)).toBeGreaterThan(MAX_WAIT_SECONDS + 10);
  });

  it("passes every variable of .env.example to the containers", () => {
    const compose = read("docker-compose.yml");
    const dockerfile = read("Dockerfile");
    const names = [...read(".env.example").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(5);
    const missing = names.filter(
      (n) => !new RegExp(`^  ${n}: `, "m").test(compose) && !dockerfile.includes(` ${n}=`),
    );
    expect(missing, "add them to x-bocloud-env in docker-compose.yml").toEqual([]);
  });
});

describe.skipIf(skipNginx)("the reverse proxy (nginx) in front of web and stream", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  let heartbeatStream: RunningProcess;
  /** Web and a sidecar with frequent heartbeats, /api/stream read timeout 2 s. */
  let proxy: RunningNginx;

  beforeAll(async () => {
    if (!nginxInstalled()) {
      throw new Error(
        `${NGINX} not found: CI must have nginx (apt-get install nginx; .ci/run does).`,
      );
    }
    heartbeatStream = await startStream({ STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    cleanup.push(() => heartbeatStream.stop());
    proxy = await startNginx({
      web: hostPort(inject("webUrl")),
      stream: hostPort(heartbeatStream.url),
      streamTimeout: `${READ_TIMEOUT_S}s`,
    });
    cleanup.push(() => proxy.stop());
  });

  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  async function connect(url: string, opts: { reconnect?: boolean } = {}) {
    const withCookie: { reconnect?: boolean; cookie?: string } = {
      ...opts,
      cookie: operatorHeaders().cookie,
    };
    const client = new TestEventStream(url, withCookie);
    cleanup.push(() => client.close());
    const res = await client.open();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    return client;
  }

  it("serves pages, their static files and the API through the proxy", async () => {
    const page = await get(`${proxy.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("BoCloud");
    const asset = html.match(/\/_next\/static\/[^"']+\.(?:css|js)/)?.[0];
    expect(asset).toBeDefined();
    expect((await get(`${proxy.url}${asset}`)).status).toBe(200);

    const device = uniqueDevice("proxy");
    const posted = await postData(
      { device_id: device, sensors: { temperature: 21.5, door: "open" } },
      { base: proxy.url },
    );
    expect(posted.status).toBe(201);
    for (const path of [`/api/fetch/device?id=${device}`, `/api/fetch/device?${device}`]) {
      const res = await get(`${proxy.url}${path}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.readings.map((r: WireReading) => r.id).sort()).toEqual(
        posted.json.readings.map((r: WireReading) => r.id).sort(),
      );
    }
  });

  it("answers a body over its 1 MiB backstop with the API's 413", async () => {
    const res = await postData(null, { base: proxy.url, raw: `"${"x".repeat(2 * 1024 * 1024)}"` });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
  });

  it("passes each event on at once (unbuffered), with the SSE headers", async () => {
    const device = uniqueDevice("proxy-sse");
    const client = await connect(`${proxy.url}/api/stream?device=${device}`);
    // From sending the POST, and from its answer (the stream's own part), to the event.
    const fromPost: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const sent = performance.now();
      const res = await postData({ device_id: device, sensors: { n: i } }, { base: proxy.url });
      expect(res.status).toBe(201);
      const answered = performance.now();
      await expect.poll(() => client.readings.length, { interval: 1, timeout: 2000 }).toBe(i);
      fromPost.push(performance.now() - sent);
      fromAnswer.push(performance.now() - answered);
    }
    const ms = (list: number[]) => list.map((n) => n.toFixed(0)).join(", ");
    console.log(
      `SSE through nginx: each event ${ms(fromPost)} ms after its POST was sent ` +
        `(${ms(fromAnswer)} ms after its answer)`,
    );
    expect(Math.max(...fromPost)).toBeLessThan(1000);
    expect(client.readings.map((r) => r.value)).toEqual([1, 2, 3]);

    const res = await get(`${proxy.url}/api/stream?device=${device}`);
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res.headers.get("content-encoding")).toBeNull();
    await res.body?.cancel();
  });

  it(`keeps an idle stream open past its ${READ_TIMEOUT_S} s read timeout, thanks to heartbeats`, async () => {
    const device = uniqueDevice("proxy-idle");
    // Reconnecting like a browser: a cut connection would show as a second connection.
    const client = await connect(`${proxy.url}/api/stream?device=${device}`, { reconnect: true });
    const opened = performance.now();
    await new Promise((r) => setTimeout(r, 2.5 * READ_TIMEOUT_S * 1000));
    const idleMs = performance.now() - opened;
    expect(client.connections).toBe(1);
    expect(client.comments.length).toBeGreaterThanOrEqual(READ_TIMEOUT_S * 2);

    const sent = performance.now();
    await postData({ device_id: device, sensors: { n: 1 } }, { base: proxy.url });
    await expect.poll(() => client.readings.length, { interval: 1, timeout: 1000 }).toBe(1);
    console.log(
      `SSE through nginx: idle ${(idleMs / 1000).toFixed(1)} s (read timeout ${READ_TIMEOUT_S} s, ` +
        `${client.comments.length} heartbeats), then an event in ${(performance.now() - sent).toFixed(0)} ms`,
    );
    expect(client.connections).toBe(1);
  });

  describe("without heartbeats, and with the web app down", () => {
    let bare: RunningNginx;
    beforeAll(async () => {
      // The suite's sidecar beats every 15 s; nothing listens on the web port.
      bare = await startNginx({
        web: `127.0.0.1:${await freePort()}`,
        stream: hostPort(inject("streamUrl")),
        streamTimeout: `${READ_TIMEOUT_S}s`,
      });
      cleanup.push(() => bare.stop());
    });

    it("cuts an idle stream at the read timeout (what the heartbeats prevent)", async () => {
      const started = performance.now();
      const res = await get(`${bare.url}/api/stream?device=${uniqueDevice("silent")}`);
      expect(res.status).toBe(200);
      // nginx closes the connection (a browser's EventSource then reconnects with its last id).
      await (async () => {
        for await (const _ of res.body ?? []);
      })().catch(() => {});
      const openMs = performance.now() - started;
      console.log(`SSE through nginx without heartbeats: cut after ${openMs.toFixed(0)} ms`);
      expect(openMs).toBeGreaterThan(READ_TIMEOUT_S * 1000 - 200);
      expect(openMs).toBeLessThan(READ_TIMEOUT_S * 1000 + 2000);
    });

    it("answers 503 with Retry-After in the API's error shape, at once", async () => {
      for (const path of ["/api/fetch/device?id=x", "/"]) {
        const started = performance.now();
        const res = await get(`${bare.url}${path}`);
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("2");
        expect((await res.json()).error.code).toBe("service_unavailable");
        expect(performance.now() - started).toBeLessThan(1000);
      }
    });
  });

  describe("with the stream process down", () => {
    let noStream: RunningNginx;
    beforeAll(async () => {
      noStream = await startNginx({
        web: hostPort(inject("webUrl")),
        stream: `127.0.0.1:${await freePort()}`,
        streamTimeout: `${READ_TIMEOUT_S}s`,
      });
      cleanup.push(() => noStream.stop());
    });

    it("tells an EventSource to come back (200, retry:) instead of an error it would stop at", async () => {
      const res = await fetch(`${noStream.url}/api/stream`, {
        headers: { ...operatorHeaders(), accept: "text/event-stream" },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(await res.text()).toMatch(/^retry: 1000$/m);
    });

    it("lets the sidecar's own refusals through: 401 for a session that is gone", async () => {
      const res = await fetch(`${proxy.url}/api/stream`, {
        headers: { accept: "text/event-stream" },
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    });
  });

  describe("scaled: each name has several containers (--scale web=2 --scale stream=2)", () => {
    // Two "containers" per service on one port, at 127.0.0.2 and 127.0.0.3, and a DNS server
    // that answers for their names (Docker's DNS, here with a 1 s `valid` instead of 10 s).
    const [first, second] = ["127.0.0.2", "127.0.0.3"];
    let dns: TestDns;
    let scaled: RunningNginx;
    let webs: Forwarder[];
    let streams: Forwarder[];
    // nginx keeps an answer for `valid` counted in whole seconds: 1 s means up to 2 s.
    const afterValid = () => new Promise((r) => setTimeout(r, 2100));

    beforeAll(async () => {
      const web2 = await startWeb();
      cleanup.push(() => web2.stop());
      const portOf = (url: string) => Number(new URL(url).port);
      webs = await forwardEach([
        [first, portOf(inject("webUrl"))],
        [second, web2.port],
      ]);
      streams = await forwardEach([
        [first, portOf(inject("streamUrl"))],
        [second, heartbeatStream.port],
      ]);
      for (const f of [...webs, ...streams]) cleanup.push(() => f.close());
      dns = await startDns();
      cleanup.push(() => dns.close());
      dns.set("web.bocloud.test", [first]);
      dns.set("stream.bocloud.test", [first]);
      scaled = await startNginx({
        web: `web.bocloud.test:${webs[0].port}`,
        stream: `stream.bocloud.test:${streams[0].port}`,
        resolver: `${dns.address} valid=1s ipv6=off`,
      });
      cleanup.push(() => scaled.stop());
    });

    /** An API request that only the web app answers this way (404, in its error shape). */
    async function apiCall(): Promise<number> {
      const res = await get(`${scaled.url}/api/fetch/device?id=${uniqueDevice("nobody")}`);
      const body = await res.json();
      expect(body.error.code).toBe("not_found");
      return res.status;
    }

    it("finds web containers started after it, without a reload, and spreads requests", async () => {
      for (let i = 0; i < 5; i++) expect(await apiCall()).toBe(404);
      expect(webs[0].connections).toBeGreaterThan(0);
      expect(webs[1].connections).toBe(0);

      dns.set("web.bocloud.test", [first, second]); // docker compose up --scale web=2
      await afterValid();
      for (let i = 0; i < 40 && webs[1].connections < 3; i++) expect(await apiCall()).toBe(404);
      expect(webs[1].connections).toBeGreaterThanOrEqual(3);
      const before = webs[0].connections;
      for (let i = 0; i < 40 && webs[0].connections - before < 3; i++) {
        expect(await apiCall()).toBe(404);
      }
      expect(webs[0].connections - before).toBeGreaterThanOrEqual(3);
      console.log(`Scaled web: requests per container ${webs.map((f) => f.connections)}`);
    });

    it("spreads streams over the stream containers; every stream gets every reading", async () => {
      dns.set("stream.bocloud.test", [first, second]);
      await afterValid();
      const device = uniqueDevice("scaled");
      const clients: TestEventStream[] = [];
      while (clients.length < 4 || streams.some((f) => f.connections === 0)) {
        if (clients.length >= 40) break;
        clients.push(await connect(`${scaled.url}/api/stream?device=${device}`));
      }
      expect(streams.every((f) => f.connections > 0)).toBe(true);
      const res = await postData({ device_id: device, sensors: { n: 1 } }, { base: scaled.url });
      expect(res.status).toBe(201);
      await expect
        .poll(() => clients.map((c) => c.readings.length), { timeout: 2000 })
        .toEqual(clients.map(() => 1));
      console.log(
        `Scaled stream: ${clients.length} streams over containers as ${streams.map((f) => f.connections)}`,
      );
    });

    it("keeps answering when a web container is gone", async () => {
      await webs[1].close(); // stopped: its address refuses connections, still in nginx's cache
      for (let i = 0; i < 10; i++) expect(await apiCall()).toBe(404);
      const device = uniqueDevice("failover");
      for (let i = 0; i < 5; i++) {
        const res = await postData({ device_id: device, sensors: { n: i } }, { base: scaled.url });
        expect(res.status).toBe(201);
      }
    });
  });
  describe("a rolling restart of two stream processes behind the proxy", () => {
    it("gives every EventSource every reading once, in order, while each is restarted in turn", async () => {
      const [a, b] = await Promise.all([startStream(), startStream()]);
      const sidecars = [a, b];
      cleanup.push(() => Promise.all(sidecars.map((s) => s.stop())).then(() => {}));
      const addresses = ["127.0.0.4", "127.0.0.5"];
      const forwarders = await forwardEach([
        [addresses[0], a.port],
        [addresses[1], b.port],
      ]);
      for (const f of forwarders) cleanup.push(() => f.close());
      const dns = await startDns();
      cleanup.push(() => dns.close());
      dns.set("stream.rolling.test", addresses);
      const rolling = await startNginx({
        web: hostPort(inject("webUrl")),
        stream: `stream.rolling.test:${forwarders[0].port}`,
        resolver: `${dns.address} valid=1s ipv6=off`,
      });
      cleanup.push(() => rolling.stop());

      const device = uniqueDevice("rolling");
      const start = await postData(
        { device_id: device, sensors: { n: -1 } },
        { base: rolling.url },
      );
      const url = `${rolling.url}/api/stream?device=${device}&last_event_id=${start.json.readings[0].id}`;
      const cookie = operatorHeaders().cookie ?? "";
      const clients = Array.from({ length: 6 }, () => new WatchedStream(url, cookie));
      cleanup.push(async () => {
        for (const client of clients) client.close();
      });
      const acked: number[] = [];
      let posting = true;
      const poster = (async () => {
        for (let n = 0; posting; n++) {
          const res = await postData({ device_id: device, sensors: { n } }, { base: rolling.url });
          if (res.status === 201) acked.push(res.json.readings[0].id);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await new Promise((r) => setTimeout(r, 1000));
      // One process at a time, as a deployment replaces its containers: stopped, then started
      // again on its address; the other serves meanwhile.
      for (let i = 0; i < sidecars.length; i++) {
        await sidecars[i].stop();
        await new Promise((r) => setTimeout(r, 1000));
        sidecars[i] = await startStream({}, sidecars[i].port);
        await new Promise((r) => setTimeout(r, 1500));
      }
      posting = false;
      await poster;
      await expect
        .poll(() => clients.every((c) => acked.every((id) => c.ids().includes(id))), {
          timeout: 20_000,
        })
        .toBe(true);
      for (const c of clients) {
        expect(c.ids().filter((id) => id > start.json.readings[0].id)).toEqual(acked);
        expect(c.opens).toBeGreaterThan(1);
      }
      console.log(
        `rolling restart of 2 stream processes: ${acked.length} readings, ${clients.length} clients, reconnected ${clients.map((c) => c.opens - 1).join(", ")} times`,
      );
    }, 60_000);
  });
});
