import { spawn } from "node:child_process";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminCookie, getJson, operatorApi, uniqueDevice, webUrl } from "@/test/http.ts";
import { closed, connect, registerDevice } from "@/test/mqtt.ts";
import { watchDevice } from "@/test/sse.ts";
import { type RunningMqtt, startMqtt } from "@/test/stack.ts";

// Status from the connection: online while connected (the shared stack's worker sweeps every
// second and must leave it alone), offline at once when the connection ends, however it ends.

let server: RunningMqtt;
const watching: { close: () => void }[] = [];
beforeAll(async () => {
  server = await startMqtt({ INGEST_AUTH: "token", MQTT_TOKEN_CHECK_MS: "300" });
});
afterAll(async () => {
  for (const w of watching) w.close();
  await server?.stop();
});

/** A device that is offline after 1 s without a post, and its status events on the stream. */
async function quietDevice(prefix: string) {
  const device = uniqueDevice(prefix);
  const token = await registerDevice(device, { offline_after_seconds: 1 });
  const watched = await watchDevice(inject("streamUrl"), device, adminCookie());
  watching.push(watched);
  return { device, token, statuses: watched.statuses };
}

const statusOf = async (device: string) =>
  (await getJson(`/api/devices/${device}`)).json.device.status;

async function onlineFor(ms: number, device: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(await statusOf(device)).toBe("online");
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("status from the MQTT connection", () => {
  it("is online while connected, past its offline timeout, and offline at once on a clean disconnect", async () => {
    const { device, token, statuses } = await quietDevice("conn");
    const client = await connect(server.mqttUrl, { username: token });
    await expect.poll(statuses).toEqual(["online"]);
    // Silent for 3× its 1 s timeout: the sweeper leaves a connected device online.
    await onlineFor(3000, device);
    const ended = performance.now();
    await client.endAsync();
    await expect.poll(statuses).toEqual(["online", "offline"]);
    expect(performance.now() - ended).toBeLessThan(1000);
    expect(await statusOf(device)).toBe("offline");
  });

  it("goes offline at once when the connection drops", async () => {
    const { token, statuses } = await quietDevice("drop");
    const client = await connect(server.mqttUrl, { username: token });
    await expect.poll(statuses).toEqual(["online"]);
    client.stream.destroy();
    await expect.poll(statuses, { timeout: 2000 }).toEqual(["online", "offline"]);
    client.end(true);
  });

  it("goes offline on a keepalive timeout (a device that hangs: mosquitto_sub stopped)", async () => {
    const { token, statuses } = await quietDevice("hang");
    const hung = spawn(
      "mosquitto_sub",
      [
        ...["-V", "mqttv311", "-h", "127.0.0.1", "-p", String(server.mqttPort), "-u", token],
        ...["-k", "5", "-t", "v1/devices/me/rpc/request/+"],
      ],
      { stdio: "ignore" },
    );
    try {
      await expect.poll(statuses).toEqual(["online"]);
      hung.kill("SIGSTOP");
      // The server waits 1.5 × the keepalive (5 s) for a packet; the TCP connection stays open.
      await expect
        .poll(statuses, { timeout: 12_000, interval: 200 })
        .toEqual(["online", "offline"]);
    } finally {
      hung.kill("SIGKILL");
    }
  }, 20_000);

  it("stays online until the device's last connection closes", async () => {
    const { token, statuses } = await quietDevice("twice");
    const first = await connect(server.mqttUrl, { username: token, clientId: "a" });
    const second = await connect(server.mqttUrl, { username: token, clientId: "b" });
    await expect.poll(statuses).toEqual(["online"]);
    await first.endAsync();
    await new Promise((r) => setTimeout(r, 1500));
    expect(statuses()).toEqual(["online"]);
    await second.endAsync();
    await expect.poll(statuses).toEqual(["online", "offline"]);
  });

  it("keeps one device's client id from taking over another device's connection", async () => {
    const [one, two] = [await quietDevice("id-one"), await quietDevice("id-two")];
    const a = await connect(server.mqttUrl, { username: one.token, clientId: "esp32" });
    const b = await connect(server.mqttUrl, { username: two.token, clientId: "esp32" });
    await new Promise((r) => setTimeout(r, 500));
    expect([a.connected, b.connected]).toEqual([true, true]);
    // The same device's own id does take over its older connection, as MQTT says.
    const aClosed = closed(a);
    const again = await connect(server.mqttUrl, { username: one.token, clientId: "esp32" });
    await aClosed;
    expect(one.statuses()).toEqual(["online"]);
    for (const c of [again, b]) await c.endAsync();
    a.end(true);
  });

  it("disconnects within seconds a device whose token is revoked or rotated", async () => {
    const revoked = await quietDevice("revoked");
    const rotated = await quietDevice("rotated");
    const clients: MqttClient[] = [];
    for (const d of [revoked, rotated])
      clients.push(await connect(server.mqttUrl, { username: d.token }));
    const ends = clients.map(closed);
    const started = performance.now();
    const url = (d: string) => webUrl(`/api/devices/${d}/token`);
    expect((await operatorApi("DELETE", url(revoked.device))).status).toBe(204);
    expect((await operatorApi("POST", url(rotated.device))).status).toBe(201);
    await Promise.all(ends);
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(connect(server.mqttUrl, { username: rotated.token })).rejects.toMatchObject({
      code: 4,
    });
    await expect.poll(revoked.statuses).toEqual(["online", "offline"]);
  });
});
