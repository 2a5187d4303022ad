import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminCookie, getJson, operatorApi, uniqueDevice, webUrl } from "@/test/http.ts";
import {
  connect,
  inbox,
  mosquitto,
  queueCommand,
  registerDevice,
  registerGateway,
} from "@/test/mqtt.ts";
import { watchDevice } from "@/test/sse.ts";
import { type RunningMqtt, startMqtt } from "@/test/stack.ts";

// Commands over MQTT: queued by an operator (the API), published to the device on
// v1/devices/me/rpc/request/<id>, answered on v1/devices/me/rpc/response/<id>.

let server: RunningMqtt;
const watching: { close: () => void }[] = [];
beforeAll(async () => {
  server = await startMqtt({ INGEST_AUTH: "token" });
});
afterAll(async () => {
  for (const w of watching) w.close();
  await server?.stop();
});

async function commandsOf(deviceId: string) {
  const res = await getJson(`/api/commands?device=${deviceId}`);
  expect(res.status).toBe(200);
  return res.json.commands as { id: number; status: string; result: unknown }[];
}

const statusOf = async (deviceId: string, id: number) =>
  (await commandsOf(deviceId)).find((c) => c.id === id)?.status;

describe("commands over MQTT", () => {
  it("round trip with MQTT.js: delivered QoS 1 as {method, params}, answered → succeeded, live on the stream", async () => {
    const device = uniqueDevice("cmd");
    const token = await registerDevice(device);
    const watched = await watchDevice(inject("streamUrl"), device, adminCookie());
    watching.push(watched);

    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    let qos: number | undefined;
    client.on("message", (_t, _p, packet) => {
      qos = packet.qos;
    });
    await client.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
    const command = await queueCommand(device, {
      name: "set_interval",
      params: { interval_ms: 2000 },
    });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual({
      topic: `v1/devices/me/rpc/request/${command.id}`,
      json: { method: "set_interval", params: { interval_ms: 2000 } },
    });
    expect(qos).toBe(1);
    expect(await statusOf(device, command.id)).toBe("delivered");

    await client.publishAsync(
      `v1/devices/me/rpc/response/${command.id}`,
      JSON.stringify({ interval_ms: 2000 }),
      { qos: 1 },
    );
    const done = (await commandsOf(device)).find((c) => c.id === command.id);
    expect(done).toMatchObject({ status: "succeeded", result: { interval_ms: 2000 } });
    await expect.poll(watched.commandStatuses).toEqual(["queued", "delivered", "succeeded"]);

    // {"error": …} fails it; a second answer is refused on the error topic.
    await client.subscribeAsync("v1/devices/me/errors");
    const second = await queueCommand(device, { name: "reboot" });
    await expect.poll(() => received.length).toBe(2);
    // An answer PostgreSQL cannot keep (a NUL) is refused on the error topic; the command waits.
    await client.publishAsync(`v1/devices/me/rpc/response/${second.id}`, '{"r": "\\u0000"}', {
      qos: 1,
    });
    await expect.poll(() => received.length).toBe(3);
    expect(received[2].json.error.code).toBe("bad_request");
    expect(await statusOf(device, second.id)).toBe("delivered");
    await client.publishAsync(`v1/devices/me/rpc/response/${second.id}`, '{"error": "busy"}', {
      qos: 1,
    });
    expect((await commandsOf(device)).find((c) => c.id === second.id)).toMatchObject({
      status: "failed",
      result: { error: "busy" },
    });
    await client.publishAsync(`v1/devices/me/rpc/response/${second.id}`, "{}", { qos: 1 });
    await expect.poll(() => received.length).toBe(4);
    expect(received[3].json.error).toEqual({
      code: "conflict",
      message: `Command ${second.id} is failed already.`,
    });
    await client.endAsync();
  });

  it("delivers a command queued while the device was away as soon as it is back and subscribed", async () => {
    const device = uniqueDevice("away");
    const token = await registerDevice(device);
    const command = await queueCommand(device, { name: "ping", ttl_seconds: 60 });
    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
    await expect
      .poll(() => received.map((m) => m.topic))
      .toEqual([`v1/devices/me/rpc/request/${command.id}`]);
    await client.endAsync();
    // Not answered: delivered again on the next subscription (it may have been lost).
    const again = await connect(server.mqttUrl, { username: token });
    const redelivered = inbox(again);
    await again.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
    await expect.poll(() => redelivered.length).toBe(1);
    await again.publishAsync(`v1/devices/me/rpc/response/${command.id}`, '"pong"', { qos: 1 });
    expect(await statusOf(device, command.id)).toBe("succeeded");
    await again.endAsync();
  });

  it("delivers an unanswered command again when the device subscribes again on the same connection, once", async () => {
    const device = uniqueDevice("resub");
    const token = await registerDevice(device);
    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
    const command = await queueCommand(device, { name: "ping", ttl_seconds: 60 });
    await expect.poll(() => received.length).toBe(1);
    await client.unsubscribeAsync("v1/devices/me/rpc/request/+");
    await client.subscribeAsync("v1/devices/me/rpc/request/+", { qos: 1 });
    await expect.poll(() => received.length).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((m) => m.topic)).toEqual([
      `v1/devices/me/rpc/request/${command.id}`,
      `v1/devices/me/rpc/request/${command.id}`,
    ]);
    await client.endAsync();
  });

  it("round trip with mosquitto_sub and mosquitto_pub", async () => {
    const device = uniqueDevice("mosq-cmd");
    const token = await registerDevice(device);
    const host = ["-h", "127.0.0.1", "-p", String(server.mqttPort), "-u", token];
    const sub = mosquitto("mosquitto_sub", [
      ...host,
      ...["-q", "1", "-t", "v1/devices/me/rpc/request/+", "-C", "1", "-v", "-W", "8"],
    ]);
    // mosquitto_sub has subscribed once the device's connection is recorded as online.
    await expect
      .poll(async () => (await getJson(`/api/devices/${device}`)).json.device?.status)
      .toBe("online");
    await new Promise((r) => setTimeout(r, 200));
    const command = await queueCommand(device, { name: "open_valve", params: { valve: 2 } });
    const out = await sub;
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(
      `v1/devices/me/rpc/request/${command.id} {"method":"open_valve","params":{"valve":2}}`,
    );
    const ack = await mosquitto("mosquitto_pub", [
      ...host,
      ...["-q", "1", "-t", `v1/devices/me/rpc/response/${command.id}`, "-m", '{"opened":true}'],
    ]);
    expect(ack.code).toBe(0);
    expect(await statusOf(device, command.id)).toBe("succeeded");
  });

  it("gives a gateway its devices' commands on v1/devices/<device_id>/rpc/request/<id>", async () => {
    const gateway = uniqueDevice("fog");
    const gatewayToken = await registerGateway(gateway);
    const device = uniqueDevice("behind-fog");
    await operatorApi("POST", webUrl("/api/devices"), { device_id: device, gateway_id: gateway });
    const waiting = await queueCommand(device, { name: "first" });
    const client = await connect(server.mqttUrl, { username: gatewayToken });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/+/rpc/request/+", { qos: 1 });
    await expect.poll(() => received.length).toBe(1);
    const live = await queueCommand(device, { name: "second" });
    await expect.poll(() => received.length).toBe(2);
    expect(received.map((m) => m.topic)).toEqual([
      `v1/devices/${device}/rpc/request/${waiting.id}`,
      `v1/devices/${device}/rpc/request/${live.id}`,
    ]);
    for (const c of [waiting, live])
      await client.publishAsync(`v1/devices/${device}/rpc/response/${c.id}`, "{}", { qos: 1 });
    expect((await commandsOf(device)).map((c) => c.status)).toEqual(["succeeded", "succeeded"]);
    await client.endAsync();
  });
});
