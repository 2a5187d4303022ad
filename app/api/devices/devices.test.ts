import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireCommand } from "@/lib/commands/wire.ts";
import { parseConfig } from "@/lib/config.ts";
import { rowCounts, sql } from "@/test/db.ts";
import { adminCookie, operatorApi, postData, uniqueDevice, webUrl } from "@/test/http.ts";
import { TestEventStream } from "@/test/sse.ts";
import { type RunningProcess, startWeb } from "@/test/stack.ts";

// The web app in token mode (the global stack runs in open mode), beside the global sidecar.
let web: RunningProcess;
beforeAll(async () => {
  web = await startWeb({ INGEST_AUTH: "token" });
});
afterAll(() => web?.stop());

/** Operator calls carry the admin's session; device calls pass their token in `headers`. */
const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  operatorApi(method, `${web.url}${path}`, body, { headers });

async function newDevice(extra: Record<string, unknown> = {}) {
  const device = uniqueDevice("reg");
  const res = await api("POST", "/api/devices", { device_id: device, ...extra });
  expect(res.status).toBe(201);
  expect(res.json.token).toMatch(/^bcd_[A-Za-z0-9_-]{43}$/);
  return { device, token: res.json.token as string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (device: string, token?: string, value = 1) =>
  postData(
    { device_id: device, sensors: { v: value } },
    { base: web.url, headers: token ? bearer(token) : {} },
  );

describe("ingestion with INGEST_AUTH=token", () => {
  it("stores a reading sent with the device's own token", async () => {
    const { device, token } = await newDevice();
    const res = await post(device, token);
    expect(res.status).toBe(201);
    expect(res.json.readings[0].device_id).toBe(device);
  });

  it("refuses no token, a bad token and another device's token, storing nothing", async () => {
    const a = await newDevice();
    const b = await newDevice();
    const before = await rowCounts();
    expect((await post(a.device)).status).toBe(401);
    expect((await post(a.device, "bcd_not-a-real-token-at-all")).status).toBe(401);
    const other = await post(a.device, b.token);
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe("forbidden");
    // A batch that mixes its own device with another one is refused whole.
    const mixed = await postData(
      [
        { device_id: b.device, sensors: { v: 1 } },
        { device_id: a.device, sensors: { v: 1 } },
      ],
      { base: web.url, headers: bearer(b.token) },
    );
    expect(mixed.status).toBe(403);
    expect((await post(uniqueDevice("unregistered"), b.token)).status).toBe(403);
    expect(await rowCounts()).toEqual(before);
  });

  it("stops a revoked or rotated token at once", async () => {
    const { device, token } = await newDevice();
    expect((await post(device, token)).status).toBe(201);
    const rotated = await api("POST", `/api/devices/${device}/token`);
    expect(rotated.status).toBe(201);
    expect((await post(device, token)).status).toBe(401);
    expect((await post(device, rotated.json.token)).status).toBe(201);
    expect((await api("DELETE", `/api/devices/${device}/token`)).status).toBe(204);
    expect((await post(device, rotated.json.token)).status).toBe(401);
  });

  it("keeps no token in clear in the database", async () => {
    const { device, token } = await newDevice();
    const gateway = await api("POST", "/api/gateways", { gateway_id: uniqueDevice("gw") });
    const dump = JSON.stringify([
      ...(await sql("SELECT * FROM devices WHERE device_id = $1", [device])),
      ...(await sql("SELECT * FROM gateways")),
    ]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(gateway.json.token);
    expect(dump).not.toContain(token.slice(4, 24));
    const [row] = await sql<{ token_hash: string }>(
      "SELECT token_hash FROM devices WHERE device_id = $1",
      [device],
    );
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lets a gateway token write for its devices and no others", async () => {
    const gatewayId = uniqueDevice("gw");
    const gateway = await api("POST", "/api/gateways", { gateway_id: gatewayId });
    expect(gateway.status).toBe(201);
    const mine = await newDevice({ gateway_id: gatewayId });
    const other = await newDevice();
    const batch = (ids: string[]) =>
      postData(
        ids.map((id) => ({ device_id: id, sensors: { v: 1 } })),
        { base: web.url, headers: bearer(gateway.json.token) },
      );
    expect((await batch([mine.device, mine.device])).status).toBe(201);
    const before = await rowCounts();
    expect((await batch([mine.device, other.device])).status).toBe(403);
    expect(await rowCounts()).toEqual(before);
  });

  it("answers unknown devices and bad registry input with clear errors", async () => {
    expect((await api("POST", "/api/devices", { device_id: "bad id" })).status).toBe(400);
    const { device } = await newDevice();
    expect((await api("POST", "/api/devices", { device_id: device })).status).toBe(409);
    expect((await api("PATCH", "/api/devices/no-such-device", { name: "x" })).status).toBe(404);
    expect(
      (await api("PATCH", `/api/devices/${device}`, { gateway_id: "no-such-gateway" })).status,
    ).toBe(400);
    const renamed = await api("PATCH", `/api/devices/${device}`, {
      name: "Greenhouse <b>north</b>",
    });
    expect(renamed.json.device.name).toBe("Greenhouse <b>north</b>");
    expect((await api("DELETE", `/api/devices/${device}`)).status).toBe(204);
    expect((await api("GET", `/api/devices/${device}`)).status).toBe(404);
  });
});

describe("open mode", () => {
  it("registers a new device on its first post, without a token", async () => {
    const device = uniqueDevice("open");
    const res = await postData({ device_id: device, sensors: { v: 1 } });
    expect(res.status).toBe(201);
    const [row] = await sql<{ status: string; token_hash: string | null }>(
      "SELECT status::text, token_hash FROM devices WHERE device_id = $1",
      [device],
    );
    expect(row).toEqual({ status: "online", token_hash: null });
  });
});

describe("device status", () => {
  it("goes offline after its timeout and online on its next post, both on the stream", async () => {
    const { device, token } = await newDevice({ offline_after_seconds: 1 });
    const stream = new TestEventStream(`${webUrl("/api/stream")}?device=${device}`, {
      cookie: adminCookie(),
    });
    await stream.open();
    const events: { type: string; status: string }[] = [];
    stream.onEvent = (type, data) => events.push({ type, ...(data as { status: string }) });
    expect((await post(device, token)).status).toBe(201);
    await expect
      .poll(() => events.map((e) => e.status), { timeout: 5000 })
      .toEqual(["online", "offline"]);
    expect((await api("GET", `/api/devices/${device}`)).json.device.status).toBe("offline");
    expect((await post(device, token)).status).toBe(201);
    await expect
      .poll(() => events.map((e) => e.status), { timeout: 3000 })
      .toEqual(["online", "offline", "online"]);
    expect(events.every((e) => e.type === "status")).toBe(true);
    stream.close();
  });
});

describe("commands", () => {
  const queue = (device: string, body: Record<string, unknown>) =>
    api("POST", `/api/devices/${device}/commands`, body);
  const poll = (device: string, token: string, query = "") =>
    api("GET", `/api/devices/${device}/commands${query}`, undefined, bearer(token));

  it("answers a waiting long-poll within 200 ms of a command being queued", async () => {
    const { device, token } = await newDevice();
    const delaysMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const polling = (async () => {
        const res = await poll(device, token, "?wait=10");
        return { ...res, at: performance.now() };
      })();
      await new Promise((r) => setTimeout(r, 300)); // the poll is waiting now
      const queuedAt = performance.now();
      const queued = await queue(device, {
        name: "set_interval",
        params: { interval_ms: 500 + i },
      });
      expect(queued.status).toBe(201);
      const answer = await polling;
      expect(answer.status).toBe(200);
      expect(answer.json.commands.map((c: WireCommand) => [c.id, c.status])).toEqual([
        [queued.json.command.id, "delivered"],
      ]);
      delaysMs.push(answer.at - queuedAt);
    }
    // The median, so that one scheduling hiccup on a busy machine does not decide it.
    expect([...delaysMs].sort((a, b) => a - b)[1]).toBeLessThan(200);
  });

  it("caps the long-polls one device holds open: the one over LONG_POLLS_PER_DEVICE gets 429", async () => {
    const { LONG_POLLS_PER_DEVICE } = parseConfig({});
    const { device, token } = await newDevice();
    const waiting = Array.from({ length: LONG_POLLS_PER_DEVICE }, () =>
      poll(device, token, "?wait=2"),
    );
    await new Promise((r) => setTimeout(r, 500)); // the polls are waiting now
    const over = await poll(device, token, "?wait=2");
    expect(over.status).toBe(429);
    expect(over.json.error.code).toBe("rate_limited");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another device is not affected.
    const other = await newDevice();
    expect((await poll(other.device, other.token)).status).toBe(200);
    // The waiting ones answer as usual, and then the device may poll again.
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual(
      Array(LONG_POLLS_PER_DEVICE).fill(200),
    );
    expect((await poll(device, token)).status).toBe(200);
  });

  it("keeps a command queued while the device is away and delivers it once on its next poll", async () => {
    const { device, token } = await newDevice();
    const queued = await queue(device, { name: "ping" });
    expect(queued.json.command.status).toBe("queued");
    const first = await poll(device, token);
    expect(first.json.commands.map((c: WireCommand) => c.id)).toEqual([queued.json.command.id]);
    expect((await poll(device, token)).json.commands).toEqual([]);
    // Asked again for unacknowledged ones, it gets it again.
    expect(
      (await poll(device, token, "?redeliver=1")).json.commands.map((c: WireCommand) => c.id),
    ).toEqual([queued.json.command.id]);
  });

  it("delivers a command in the answer to the device's own post", async () => {
    const { device, token } = await newDevice();
    const queued = await queue(device, { name: "ping" });
    const res = await post(device, token);
    expect(res.json.commands.map((c: WireCommand) => [c.id, c.status])).toEqual([
      [queued.json.command.id, "delivered"],
    ]);
    expect((await post(device, token)).json.commands).toEqual([]);
  });

  it("moves an acknowledged command to succeeded or failed, once", async () => {
    const { device, token } = await newDevice();
    const ok = (await queue(device, { name: "ping" })).json.command;
    const bad = (await queue(device, { name: "explode" })).json.command;
    await poll(device, token);
    const ack = (id: number, body: unknown, t = token) =>
      api("POST", `/api/devices/${device}/commands/${id}`, body, bearer(t));
    const succeeded = await ack(ok.id, { status: "succeeded", result: { pong: 1 } });
    expect(succeeded.json.command).toMatchObject({ status: "succeeded", result: { pong: 1 } });
    expect(
      (await ack(bad.id, { status: "failed", result: { error: "no" } })).json.command.status,
    ).toBe("failed");
    expect((await ack(ok.id, { status: "failed" })).status).toBe(409);
    expect((await ack(999_999_999, { status: "failed" })).status).toBe(404);
    expect((await ack(ok.id, { status: "done" })).status).toBe(400);
    const stranger = await newDevice();
    expect((await ack(ok.id, { status: "failed" }, stranger.token)).status).toBe(403);
    const list = await api("GET", `/api/commands?device=${device}`);
    expect(list.json.commands.map((c: WireCommand) => c.status)).toEqual(["failed", "succeeded"]);
  });

  it("expires a command that is not acknowledged within its time to live", async () => {
    const { device, token } = await newDevice();
    const stream = new TestEventStream(`${webUrl("/api/stream")}?device=${device}`, {
      cookie: adminCookie(),
    });
    await stream.open();
    const states: string[] = [];
    stream.onEvent = (type, data) =>
      type === "command" && states.push((data as { command: WireCommand }).command.status);
    const queued = (await queue(device, { name: "ping", ttl_seconds: 1 })).json.command;
    await poll(device, token);
    await expect.poll(() => states, { timeout: 5000 }).toEqual(["queued", "delivered", "expired"]);
    const ack = await api(
      "POST",
      `/api/devices/${device}/commands/${queued.id}`,
      { status: "succeeded" },
      bearer(token),
    );
    expect(ack.status).toBe(409);
    stream.close();
  });
});
