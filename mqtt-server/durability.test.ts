import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Forwarder, forward } from "@/deploy/testing/net.ts";
import { sql } from "@/test/db.ts";
import { uniqueDevice } from "@/test/http.ts";
import { connect, inbox, mosquitto, registerDevice } from "@/test/mqtt.ts";
import { type RunningMqtt, startMqtt, testRun } from "@/test/stack.ts";

// PUBACK only after commit: the listener reaches PostgreSQL through a forwarder the test cuts
// in the middle of a stream of QoS 1 publishes. Nothing unstored is acknowledged, and everything
// acknowledged is there; once PostgreSQL is back, the client's resent publishes are stored too.

let postgres: Forwarder;
let server: RunningMqtt;
let impatient: RunningMqtt;

beforeAll(async () => {
  postgres = await forward("127.0.0.1", 0, 5432);
  const url = new URL(testRun().databaseUrl);
  url.port = String(postgres.port);
  server = await startMqtt({
    INGEST_AUTH: "token",
    INGEST_RATE_PER_SECOND: "0",
    DATABASE_URL: url.toString(),
  });
  impatient = await startMqtt({ INGEST_AUTH: "token", MQTT_PUBACK_TIMEOUT_MS: "1000" });
});
afterAll(async () => {
  await impatient?.stop();
  await server?.stop();
  await postgres?.close();
});

async function storedValues(device: string): Promise<number[]> {
  const rows = await sql<{ n: number }>(
    `SELECT r.num_value AS n FROM readings r JOIN sensors s ON s.id = r.sensor_id JOIN devices d ON d.id = s.device_key
     WHERE d.device_id = $1`,
    [device],
  );
  return rows.map((r) => r.n);
}

describe("QoS 1 with PostgreSQL stopped mid-publish", () => {
  it("acknowledges only what was stored, and stores the rest once it is back", async () => {
    const device = uniqueDevice("durable");
    const token = await registerDevice(device);
    const client = await connect(server.mqttUrl, {
      username: token,
      reconnectPeriod: 200,
      reconnectOnConnackError: true,
    });
    client.on("error", () => {});
    const acked = new Set<number>();
    const total = 150;
    const all: Promise<unknown>[] = [];
    let cut: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      all.push(
        client
          .publishAsync("v1/devices/me/telemetry", JSON.stringify({ n: i }), { qos: 1 })
          .then(() => acked.add(i)),
      );
      if (i === 50) cut = postgres.close();
      await new Promise((r) => setTimeout(r, 10));
    }
    await cut;
    expect(acked.size).toBeGreaterThan(0);

    // While it is down: whatever has a PUBACK is stored (checked straight in PostgreSQL).
    for (let check = 0; check < 3; check++) {
      const ackedNow = [...acked];
      const stored = new Set(await storedValues(device));
      expect(ackedNow.filter((n) => !stored.has(n))).toEqual([]);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(acked.size).toBeLessThan(total);

    postgres = await forward("127.0.0.1", postgres.port, 5432);
    await Promise.all(all);
    expect(acked.size).toBe(total);
    const stored = await storedValues(device);
    expect([...new Set(stored)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
    await client.endAsync();
  }, 30_000);

  it("makes mosquitto_pub wait (no PUBACK) while PostgreSQL is away", async () => {
    const device = uniqueDevice("durable-mosq");
    const token = await registerDevice(device);
    const host = ["-h", "127.0.0.1", "-p", String(server.mqttPort), "-u", token, "-q", "1"];
    const ok = await mosquitto("mosquitto_pub", [
      ...host,
      ...["-t", "v1/devices/me/telemetry", "-m", '{"n": 1}'],
    ]);
    expect(ok.code).toBe(0);
    await postgres.close();
    try {
      // Refused at CONNECT (the token cannot be checked): CONNACK 3, nothing acknowledged.
      const refused = await mosquitto("mosquitto_pub", [
        ...host,
        ...["-t", "v1/devices/me/telemetry", "-m", '{"n": 2}'],
      ]);
      expect(refused.code).toBe(3);
    } finally {
      postgres = await forward("127.0.0.1", postgres.port, 5432);
    }
    expect(await storedValues(device)).toEqual([1]);
  });

  it("closes the connection without a PUBACK when storing takes longer than MQTT_PUBACK_TIMEOUT_MS; the device sends it again", async () => {
    const device = uniqueDevice("slow-store");
    const token = await registerDevice(device);
    const client = await connect(impatient.mqttUrl, {
      username: token,
      reconnectPeriod: 200,
      reconnectOnConnackError: true,
    });
    client.on("error", () => {});
    const errors = inbox(client);
    await client.subscribeAsync("v1/devices/me/errors");
    let reconnects = 0;
    client.on("reconnect", () => reconnects++);
    // Hold the device's row: its store (and its reconnection) waits for it.
    const lock = new pg.Client({ connectionString: testRun().databaseUrl });
    await lock.connect();
    let acked = false;
    try {
      await lock.query("BEGIN");
      await lock.query("SELECT 1 FROM devices WHERE device_id = $1 FOR UPDATE", [device]);
      const publish = client
        .publishAsync("v1/devices/me/telemetry", '{"n": 7}', { qos: 1 })
        .then(() => {
          acked = true;
        });
      await expect.poll(() => errors.length, { timeout: 5000 }).toBe(1);
      expect(errors[0].json.error).toEqual({
        code: "service_unavailable",
        message: "Storing it took too long; send it again.",
      });
      await expect.poll(() => reconnects, { timeout: 5000 }).toBeGreaterThan(0);
      expect(acked).toBe(false);
      await lock.query("COMMIT");
      await publish;
    } finally {
      await lock.end();
    }
    // The first try may have been stored after all (it was not acknowledged): at least once.
    expect((await storedValues(device)).length).toBeGreaterThanOrEqual(1);
    expect(new Set(await storedValues(device))).toEqual(new Set([7]));
    await client.endAsync();
  }, 20_000);
});
