import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { rowCounts } from "@/test/db.ts";
import { adminCookie, getJson, operatorApi, uniqueDevice, webUrl } from "@/test/http.ts";
import { connect, inbox, mosquitto, registerDevice, registerGateway } from "@/test/mqtt.ts";
import { type TestEventStream, watchDevice } from "@/test/sse.ts";
import { type RunningMqtt, startMqtt } from "@/test/stack.ts";

// Devices and gateways publish over MQTT (MQTT.js and mosquitto_pub) to an MQTT listener in
// token mode, beside the shared test stack (its web app, stream and worker).

let server: RunningMqtt;
const streams: TestEventStream[] = [];

beforeAll(async () => {
  server = await startMqtt({ INGEST_AUTH: "token" });
});
afterAll(async () => {
  for (const s of streams) s.close();
  await server?.stop();
});

async function watch(deviceId: string): Promise<TestEventStream> {
  const watched = await watchDevice(inject("streamUrl"), deviceId, adminCookie());
  streams.push(watched.stream);
  return watched.stream;
}

const values = (readings: WireReading[]) =>
  Object.fromEntries(readings.map((r) => [r.sensor_type, r.value]));

async function fetched(deviceId: string): Promise<WireReading[]> {
  const res = await getJson(`/api/fetch/device?id=${deviceId}`);
  expect(res.status).toBe(200);
  return res.json.readings;
}

describe("MQTT publishes", () => {
  it("stores ThingsBoard telemetry in each form (MQTT.js, QoS 1): fetchable and on the stream", async () => {
    const device = uniqueDevice("tb");
    const token = await registerDevice(device);
    const stream = await watch(device);
    const client = await connect(server.mqttUrl, { username: token });
    await client.publishAsync("v1/devices/me/telemetry", JSON.stringify({ temperature: 21.5 }), {
      qos: 1,
    });
    // The PUBACK means committed: the reading is there as soon as it arrives.
    expect(values(await fetched(device))).toEqual({ temperature: 21.5 });

    const ts = Date.now() - 60_000;
    await client.publishAsync(
      "v1/devices/me/telemetry",
      JSON.stringify([{ ts, values: { humidity: 48, door: "open" } }, { fan: true }]),
      { qos: 1 },
    );
    await client.publishAsync(`v1/devices/${device}/telemetry`, '{"pressure": 1013}', { qos: 0 });
    await client.endAsync();

    await expect.poll(async () => (await fetched(device)).length).toBe(5);
    const readings = await fetched(device);
    expect(values(readings)).toEqual({
      temperature: 21.5,
      humidity: 48,
      door: "open",
      fan: true,
      pressure: 1013,
    });
    expect(readings.find((r) => r.sensor_type === "humidity")?.ts).toBe(new Date(ts).toISOString());
    await expect.poll(() => stream.readings.length).toBe(5);
    expect(stream.ids().sort()).toEqual(readings.map((r) => r.id).sort());
  });

  it("stores the seed's body and a gateway's batch on bocloud/v1/data", async () => {
    const [own, a, b] = [uniqueDevice("seed"), uniqueDevice("gw-a"), uniqueDevice("gw-b")];
    const token = await registerDevice(own);
    const gateway = uniqueDevice("fog");
    const gatewayToken = await registerGateway(gateway);
    for (const d of [a, b])
      await operatorApi("POST", webUrl("/api/devices"), { device_id: d, gateway_id: gateway });
    const stream = await watch(a);

    const device = await connect(server.mqttUrl, { username: token });
    await device.publishAsync(
      "bocloud/v1/data",
      JSON.stringify({ device_id: own, sensors: { temperature: 20, state: "on" } }),
      { qos: 1 },
    );
    await device.endAsync();
    expect(values(await fetched(own))).toEqual({ temperature: 20, state: "on" });

    const fog = await connect(server.mqttUrl, { username: gateway, password: gatewayToken });
    const start = Date.now() - 3_600_000;
    await fog.publishAsync(
      "bocloud/v1/data",
      JSON.stringify([
        { device_id: a, sensors: { t: 1 }, ts: start },
        { device_id: b, sensors: { t: 2 }, ts: new Date(start + 1000).toISOString() },
        { device_id: a, sensors: { t: 3 }, ts: start + 2000 },
      ]),
      { qos: 1 },
    );
    // A gateway names its device in the telemetry topic.
    await fog.publishAsync(`v1/devices/${b}/telemetry`, '{"t": 4}', { qos: 1 });
    await fog.endAsync();
    expect((await fetched(a)).map((r) => r.value)).toEqual([3, 1]);
    expect((await fetched(b)).map((r) => r.value).sort()).toEqual([2, 4]);
    await expect.poll(() => stream.readings.map((r) => r.value)).toEqual([1, 3]);
  });

  it("takes mosquitto_pub's publishes: username = token, or username = device_id and password = token", async () => {
    const device = uniqueDevice("mosq");
    const token = await registerDevice(device);
    const stream = await watch(device);
    const host = ["-h", "127.0.0.1", "-p", String(server.mqttPort)];
    const tb = await mosquitto("mosquitto_pub", [
      ...host,
      "-u",
      token,
      "-q",
      "1",
      "-t",
      "v1/devices/me/telemetry",
      "-m",
      '{"temperature": 19.5}',
    ]);
    expect(tb).toMatchObject({ code: 0 });
    const seed = await mosquitto("mosquitto_pub", [
      ...host,
      "-u",
      device,
      "-P",
      token,
      "-q",
      "1",
      "-t",
      "bocloud/v1/data",
      "-m",
      JSON.stringify({ device_id: device, sensors: { humidity: 40 } }),
    ]);
    expect(seed).toMatchObject({ code: 0 });
    // QoS 2 is taken as QoS 1: PUBREC after the commit.
    const exactly = await mosquitto("mosquitto_pub", [
      ...host,
      ...["-u", token, "-q", "2", "-t", "v1/devices/me/telemetry", "-m", '{"co2": 410}'],
    ]);
    expect(exactly).toMatchObject({ code: 0 });
    expect(values(await fetched(device))).toEqual({ temperature: 19.5, humidity: 40, co2: 410 });
    await expect.poll(() => stream.readings.length).toBe(3);
  });
});

describe("MQTT in open mode (INGEST_AUTH=open, the shared test stack's listener)", () => {
  it("takes a username that is not a token as the device, registered by its first publish", async () => {
    const device = uniqueDevice("open");
    const client = await connect(inject("mqttUrl"), { username: device });
    await client.publishAsync("v1/devices/me/telemetry", '{"t": 5}', { qos: 1 });
    expect(values(await fetched(device))).toEqual({ t: 5 });
    // Recorded once registered: online while connected, offline once it leaves.
    const status = async () => (await getJson(`/api/devices/${device}`)).json.device.status;
    expect(await status()).toBe("online");
    await client.endAsync();
    await expect.poll(status).toBe("offline");
  });
});

describe("MQTT credentials and topics", () => {
  it("refuses a wrong token with CONNACK 4 (MQTT.js and mosquitto_pub), storing nothing", async () => {
    const device = uniqueDevice("wrong");
    const token = await registerDevice(device);
    const before = await rowCounts();
    await expect(
      connect(server.mqttUrl, { username: `${token.slice(0, -2)}xx` }),
    ).rejects.toMatchObject({ code: 4 });
    // The right token, but claimed by another id.
    await expect(
      connect(server.mqttUrl, { username: "someone-else", password: token }),
    ).rejects.toMatchObject({ code: 4 });
    const pub = await mosquitto("mosquitto_pub", [
      ...["-h", "127.0.0.1", "-p", String(server.mqttPort)],
      ...["-u", "bcd_not-a-token", "-q", "1", "-t", "v1/devices/me/telemetry", "-m", '{"t":1}'],
    ]);
    expect(pub.code).toBe(4);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a publish for another device (error topic, nothing stored), and its subscriptions", async () => {
    const [mine, other] = [uniqueDevice("mine"), uniqueDevice("other")];
    const token = await registerDevice(mine);
    await registerDevice(other);
    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    const before = await rowCounts();
    await client.publishAsync(`v1/devices/${other}/telemetry`, '{"t": 1}', { qos: 1 });
    await client.publishAsync(
      "bocloud/v1/data",
      JSON.stringify({ device_id: other, sensors: { t: 1 } }),
      { qos: 1 },
    );
    await client.publishAsync("some/other/topic", "{}", { qos: 1 });
    await expect.poll(() => received.length).toBe(3);
    expect(received.map((m) => [m.json.topic, m.json.error.code])).toEqual([
      [`v1/devices/${other}/telemetry`, "forbidden"],
      ["bocloud/v1/data", "forbidden"],
      ["some/other/topic", "forbidden"],
    ]);
    expect(received[0].json.error.message).toContain(other);
    expect(await rowCounts()).toEqual(before);

    // Another device's commands, or anything else: SUBACK 128 (MQTT.js rejects).
    await expect(client.subscribeAsync(`v1/devices/${other}/rpc/request/+`)).rejects.toThrow();
    await expect(client.subscribeAsync("v1/devices/+/rpc/request/+")).rejects.toThrow();
    await expect(client.subscribeAsync("#")).rejects.toThrow();
    expect(client.connected).toBe(true);
    await client.endAsync();

    // mosquitto_rr: one connection that publishes and waits on the error topic.
    const rr = await mosquitto("mosquitto_rr", [
      ...["-h", "127.0.0.1", "-p", String(server.mqttPort), "-u", token, "-q", "1"],
      ...["-t", `v1/devices/${other}/telemetry`, "-e", "v1/devices/me/errors", "-m", '{"t":1}'],
      ...["-W", "5"],
    ]);
    expect(rr.code).toBe(0);
    expect(JSON.parse(rr.stdout).error.code).toBe("forbidden");
    expect(await rowCounts()).toEqual(before);
  });

  it("lets a gateway write for its devices only", async () => {
    const gateway = uniqueDevice("gw");
    const gatewayToken = await registerGateway(gateway);
    const [assigned, stranger] = [uniqueDevice("assigned"), uniqueDevice("stranger")];
    await operatorApi("POST", webUrl("/api/devices"), { device_id: assigned, gateway_id: gateway });
    await registerDevice(stranger);
    const client = await connect(server.mqttUrl, { username: gatewayToken });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    await client.publishAsync(`v1/devices/${stranger}/telemetry`, '{"t": 1}', { qos: 1 });
    await client.publishAsync("v1/devices/me/telemetry", '{"t": 1}', { qos: 1 });
    await client.publishAsync(`v1/devices/${assigned}/telemetry`, '{"t": 2}', { qos: 1 });
    await expect.poll(() => received.length).toBe(2);
    expect(received.map((m) => m.json.error.code)).toEqual(["forbidden", "forbidden"]);
    expect(received[1].json.error.message).toMatch(/name the device/);
    await expect(client.subscribeAsync(`v1/devices/${stranger}/rpc/request/+`)).rejects.toThrow();
    await client.subscribeAsync(`v1/devices/${assigned}/rpc/request/+`);
    await client.endAsync();
    expect((await fetched(assigned)).map((r) => r.value)).toEqual([2]);
    expect(await fetched(stranger)).toEqual([]);
  });
});

describe("MQTT errors", () => {
  it("answers a bad payload on the error topic, acknowledges it and stores nothing", async () => {
    const device = uniqueDevice("bad");
    const token = await registerDevice(device);
    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    const before = await rowCounts();
    const bad = [
      "not json",
      '{"t": {"nested": 1}}',
      '{"__proto__": {"x": 1}}',
      '{"ts": 1700000000, "values": {"t": 1}}',
      "",
    ];
    // Each PUBACK comes (a permanent refusal would otherwise be sent again for ever).
    for (const payload of bad)
      await client.publishAsync("v1/devices/me/telemetry", payload, { qos: 1 });
    await expect.poll(() => received.length).toBe(bad.length);
    expect(received.map((m) => m.json.error.code)).toEqual(Array(bad.length).fill("bad_request"));
    expect(received.map((m) => m.json.error.message)).toEqual([
      expect.stringMatching(/^The payload is not valid JSON/),
      "t: must be a number, a string or a boolean, not an object",
      'The key "__proto__" is not allowed anywhere in the payload.',
      "ts: is before 2000-01-01 (send milliseconds, not seconds)",
      "The payload is empty; send JSON.",
    ]);
    expect(received[1].json).toMatchObject({ topic: "v1/devices/me/telemetry" });
    expect(typeof received[1].json.message_id).toBe("number");
    expect(client.connected).toBe(true);
    expect(await rowCounts()).toEqual(before);

    // The same validation as POST /api/data on bocloud/v1/data.
    await client.publishAsync(
      "bocloud/v1/data",
      JSON.stringify({ device_id: device, sensors: { t: 1 }, extra: 1 }),
      { qos: 1 },
    );
    await expect.poll(() => received.length).toBe(bad.length + 1);
    expect(received.at(-1)?.json.error.message).toMatch(/extra/);
    await client.endAsync();

    const rr = await mosquitto("mosquitto_rr", [
      ...["-h", "127.0.0.1", "-p", String(server.mqttPort), "-u", token, "-q", "1"],
      ...["-t", "v1/devices/me/telemetry", "-e", "v1/devices/me/errors", "-m", "[]", "-W", "5"],
    ]);
    expect(JSON.parse(rr.stdout).error).toEqual({
      code: "bad_request",
      message: "payload: a batch must hold at least one reading",
    });
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a payload over MAX_BODY_BYTES, and closes a connection whose packet is far larger", async () => {
    const device = uniqueDevice("big");
    const token = await registerDevice(device);
    const client = await connect(server.mqttUrl, { username: token });
    const received = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    const tooBig = JSON.stringify({ s: "x".repeat(256 * 1024) });
    await client.publishAsync("v1/devices/me/telemetry", tooBig, { qos: 1 });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0].json.error.code).toBe("payload_too_large");

    // Closed once the packet's length is read: its body is never buffered.
    const closed = new Promise<void>((r) => client.once("close", () => r()));
    client.publish("v1/devices/me/telemetry", Buffer.alloc(8 * 1024 * 1024, 32), { qos: 0 });
    await closed;
    expect(await fetched(device)).toEqual([]);
    client.end(true);
  });
});
