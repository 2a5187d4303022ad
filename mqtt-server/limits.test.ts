import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { getJson, uniqueDevice } from "@/test/http.ts";
import { closed, connect, inbox, registerDevice } from "@/test/mqtt.ts";
import { type RunningMqtt, startMqtt, testRun } from "@/test/stack.ts";

// The bounds of the MQTT listener, each set low here: publishes per second per device
// (INGEST_RATE_PER_SECOND, shared with HTTP), connections per token, publishes in flight per
// connection, and slow consumers.

let rated: RunningMqtt;
let bounded: RunningMqtt;
beforeAll(async () => {
  [rated, bounded] = await Promise.all([
    startMqtt({ INGEST_AUTH: "token", INGEST_RATE_PER_SECOND: "3" }),
    startMqtt({
      INGEST_AUTH: "token",
      INGEST_RATE_PER_SECOND: "0",
      MQTT_CONNECTIONS_PER_TOKEN: "2",
      MQTT_MAX_INFLIGHT: "4",
      MQTT_DRAIN_TIMEOUT_MS: "500",
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([rated?.stop(), bounded?.stop()]);
});

const health = async (server: RunningMqtt) => (await fetch(`${server.url}/health`)).json();
const stored = async (device: string): Promise<WireReading[]> =>
  (await getJson(`/api/fetch/device?id=${device}&limit=1000`)).json.readings;

describe("MQTT limits", () => {
  it("holds a device to INGEST_RATE_PER_SECOND: over it, an error and a disconnect without PUBACK, so nothing is lost", async () => {
    const device = uniqueDevice("rate");
    const token = await registerDevice(device);
    const client = await connect(rated.mqttUrl, { username: token, reconnectPeriod: 300 });
    const errors = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    let reconnects = 0;
    client.on("reconnect", () => reconnects++);
    const sent = Array.from({ length: 10 }, (_, i) => i);
    await Promise.all(
      sent.map((i) => client.publishAsync("v1/devices/me/telemetry", `{"n": ${i}}`, { qos: 1 })),
    );
    expect(errors.some((m) => m.json.error?.code === "rate_limited")).toBe(true);
    expect(errors.find((m) => m.json.error?.code === "rate_limited")?.json).toMatchObject({
      retry_after_seconds: 1,
    });
    expect(reconnects).toBeGreaterThan(0);
    // Every publish was acknowledged only once stored: all ten are there.
    const values = new Set((await stored(device)).map((r) => r.value));
    expect([...values].sort((a, b) => Number(a) - Number(b))).toEqual(sent);
    await client.endAsync();
  }, 20_000);

  it("refuses a token's connection over MQTT_CONNECTIONS_PER_TOKEN with CONNACK 3", async () => {
    const token = await registerDevice(uniqueDevice("conns"));
    const first = await connect(bounded.mqttUrl, { username: token, clientId: "one" });
    const second = await connect(bounded.mqttUrl, { username: token, clientId: "two" });
    await expect(
      connect(bounded.mqttUrl, { username: token, clientId: "three" }),
    ).rejects.toMatchObject({ code: 3 });
    await first.endAsync();
    const third = await connect(bounded.mqttUrl, { username: token, clientId: "three" });
    expect(third.connected).toBe(true);
    await Promise.all([second.endAsync(), third.endAsync()]);
  });

  it("stores at most MQTT_MAX_INFLIGHT publishes of a connection at once, and stops reading it meanwhile", async () => {
    const device = uniqueDevice("inflight");
    const token = await registerDevice(device);
    const client = await connect(bounded.mqttUrl, { username: token });
    // Hold the device's row: every store of its readings waits for it.
    const lock = new pg.Client({ connectionString: testRun().databaseUrl });
    await lock.connect();
    try {
      await lock.query("BEGIN");
      await lock.query("SELECT 1 FROM devices WHERE device_id = $1 FOR UPDATE", [device]);
      let acked = 0;
      const publishes = Array.from({ length: 30 }, (_, i) =>
        client
          .publishAsync("v1/devices/me/telemetry", `{"n": ${i}}`, { qos: 1 })
          .then(() => acked++),
      );
      await expect.poll(async () => (await health(bounded)).inflight).toBe(4);
      await new Promise((r) => setTimeout(r, 500));
      expect(await health(bounded)).toMatchObject({ inflight: 4, paused: 1 });
      expect(acked).toBe(0);
      await lock.query("COMMIT");
      await Promise.all(publishes);
      expect((await stored(device)).length).toBe(30);
      expect(await health(bounded)).toMatchObject({ inflight: 0, paused: 0 });
    } finally {
      await lock.end();
      await client.endAsync();
    }
  });

  it("drops a slow consumer: a client that stops reading what it is sent", {
    timeout: 30_000,
  }, async () => {
    const token = await registerDevice(uniqueDevice("slow"));
    const client = await connect(bounded.mqttUrl, { username: token });
    await client.subscribeAsync("v1/devices/me/errors");
    const ended = closed(client);
    // It stops reading its socket, and keeps publishing what earns it an error message each.
    client.stream.unpipe();
    client.stream.pause();
    const flood = setInterval(() => {
      for (let i = 0; i < 500; i++) client.publish("v1/devices/me/telemetry", "x", { qos: 0 });
    }, 10);
    try {
      await expect
        .poll(async () => (await health(bounded)).connections, { timeout: 20_000 })
        .toBe(0);
    } finally {
      clearInterval(flood);
      client.end(true);
    }
    await ended;
  });
});
