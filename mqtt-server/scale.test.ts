import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminCookie, getJson, uniqueDevice } from "@/test/http.ts";
import { connect, inbox, queueCommand, registerDevice } from "@/test/mqtt.ts";
import { watchDevice } from "@/test/sse.ts";
import { type RunningMqtt, startMqtt } from "@/test/stack.ts";

// Several mqtt processes on one database and one Redis (behind a TCP balancer in production):
// a command reaches its device on whichever process holds the connection, status is per
// connection, and a process killed with -9 leaves no device online past its lease.

const env = { INGEST_AUTH: "token", MQTT_LEASE_SECONDS: "2" };
let a: RunningMqtt;
let b: RunningMqtt;
const watching: { close: () => void }[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startMqtt(env), startMqtt(env)]);
});
afterAll(async () => {
  for (const w of watching) w.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function statusEvents(device: string) {
  const watched = await watchDevice(inject("streamUrl"), device, adminCookie());
  watching.push(watched);
  return watched.statuses;
}

describe("several mqtt processes", () => {
  it("delivers a command to the device on whichever process holds its connection", async () => {
    for (const [name, server] of [
      ["on-a", a],
      ["on-b", b],
    ] as const) {
      const device = uniqueDevice(name);
      const token = await registerDevice(device);
      const client = await connect(server.mqttUrl, { username: token });
      const received = inbox(client);
      await client.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
      const command = await queueCommand(device, { name: "ping" });
      await expect
        .poll(() => received.map((m) => m.topic))
        .toEqual([`v1/devices/me/rpc/request/${command.id}`]);
      // Delivered once, by one process.
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toHaveLength(1);
      await client.endAsync();
    }
  });

  it("keeps a device online while any process holds one of its connections", async () => {
    const device = uniqueDevice("both");
    const token = await registerDevice(device, { offline_after_seconds: 1 });
    const statuses = await statusEvents(device);
    const onA = await connect(a.mqttUrl, { username: token });
    const onB = await connect(b.mqttUrl, { username: token });
    await expect.poll(statuses).toEqual(["online"]);
    await onA.endAsync();
    await new Promise((r) => setTimeout(r, 1500));
    expect(statuses()).toEqual(["online"]);
    await onB.endAsync();
    await expect.poll(statuses).toEqual(["online", "offline"]);
  });

  it("marks the devices of a process killed with -9 offline once their lease runs out", async () => {
    const victim = await startMqtt(env);
    try {
      const device = uniqueDevice("killed");
      const token = await registerDevice(device);
      const statuses = await statusEvents(device);
      const client = await connect(victim.mqttUrl, { username: token });
      client.on("error", () => {});
      await expect.poll(statuses).toEqual(["online"]);
      // Renewed while the process lives: still online after several leases.
      await new Promise((r) => setTimeout(r, 3000));
      expect(statuses()).toEqual(["online"]);
      const killed = performance.now();
      await victim.stop("SIGKILL");
      // The worker's sweeper (the shared stack's) sees the lease run out: 2 s, swept each second.
      await expect.poll(statuses, { timeout: 8000 }).toEqual(["online", "offline"]);
      expect(performance.now() - killed).toBeLessThan(5000);
      expect((await getJson(`/api/devices/${device}`)).json.device.status).toBe("offline");
      client.end(true);
    } finally {
      await victim.stop();
    }
  });

  it("takes MQTT over WebSocket (MQTT.js at ws://…/mqtt)", async () => {
    const device = uniqueDevice("ws");
    const token = await registerDevice(device);
    const client = await connect(a.wsUrl, { username: token });
    await client.publishAsync("v1/devices/me/telemetry", '{"temperature": 22}', { qos: 1 });
    const res = await getJson(`/api/fetch/device?id=${device}`);
    expect(res.json.readings.map((r: { value: unknown }) => r.value)).toEqual([22]);
    await client.endAsync();
  });
});
