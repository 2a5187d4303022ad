import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Forwarder, forward } from "@/deploy/testing/net.ts";
import { getJson, operatorApi, uniqueDevice, webUrl } from "@/test/http.ts";
import { mosquitto, queueCommand, registerDevice, registerGateway } from "@/test/mqtt.ts";
import { type RunningMqtt, startMqtt, testRun } from "@/test/stack.ts";

// The shared-subscription mode against the machine's real Mosquitto (127.0.0.1:1883): devices
// publish to Mosquitto; two BoCloud mqtt processes consume as one group, `$share/<group>/…`.
// Topics and the group carry this test run's id, so other runs on the same broker never meet.

const BROKER = { host: "127.0.0.1", port: 1883 };
const run = `${testRun().id}-${Date.now().toString(36)}`;
const prefix = `bocloud-test-${run}/`;
const group = `bocloud-test-${run}`;
const clientIds = [`${group}-a`, `${group}-b`];
const consumers: RunningMqtt[] = [];
let gateway: string;
let gatewayToken: string;
let devices: string[];

function consumer(clientId: string, env: Record<string, string> = {}): Promise<RunningMqtt> {
  return startMqtt({
    ...env,
    INGEST_AUTH: "token",
    INGEST_RATE_PER_SECOND: "0",
    MQTT_UPSTREAM_URL: `mqtt://${BROKER.host}:${BROKER.port}`,
    MQTT_UPSTREAM_TOKEN: gatewayToken,
    MQTT_UPSTREAM_PREFIX: prefix,
    MQTT_UPSTREAM_GROUP: group,
    MQTT_UPSTREAM_CLIENT_ID: clientId,
    MQTT_UPSTREAM_CONNECTIONS: "2",
  });
}

const upstreamOf = async (c: RunningMqtt) =>
  (await (await fetch(`${c.url}/health`)).json()).upstream;
const allConnected = async () =>
  (await Promise.all(consumers.map(upstreamOf))).every((u) => u.connected === u.of);

async function connectedUpstream(): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await allConnected()); ) {
    if (Date.now() > deadline) throw new Error("the consumers did not connect to the broker");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pub = (topic: string, message: string) =>
  mosquitto("mosquitto_pub", [
    ...["-h", BROKER.host, "-p", String(BROKER.port), "-q", "1", "-t", `${prefix}${topic}`],
    ...["-m", message],
  ]);

async function values(device: string): Promise<unknown[]> {
  const res = await getJson(`/api/fetch/device?id=${device}&limit=1000`);
  return res.json.readings.map((r: { value: unknown }) => r.value);
}

beforeAll(async () => {
  gateway = uniqueDevice("broker");
  gatewayToken = await registerGateway(gateway);
  devices = [uniqueDevice("upstream-1"), uniqueDevice("upstream-2")];
  for (const d of devices)
    await operatorApi("POST", webUrl("/api/devices"), { device_id: d, gateway_id: gateway });
  consumers.push(...(await Promise.all(clientIds.map((id) => consumer(id)))));
  await connectedUpstream();
}, 60_000);

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  // Leave no persistent session behind on the machine's broker.
  for (const base of clientIds)
    for (const i of [1, 2]) {
      const c = await mqtt.connectAsync({ ...BROKER, clientId: `${base}-${i}`, clean: true });
      await c.endAsync();
    }
});

describe("consuming from an existing broker with a shared subscription", () => {
  it("stores each message once across the group", async () => {
    const [one, two] = devices;
    const sent = Array.from({ length: 20 }, (_, i) => i);
    for (const i of sent) {
      const r =
        i % 2 === 0
          ? await pub(`v1/devices/${one}/telemetry`, JSON.stringify({ n: i }))
          : await pub("bocloud/v1/data", JSON.stringify({ device_id: two, sensors: { n: i } }));
      expect(r.code).toBe(0);
    }
    await expect
      .poll(async () => [...(await values(one)), ...(await values(two))].length, {
        timeout: 10_000,
      })
      .toBe(20);
    const stored = [...(await values(one)), ...(await values(two))] as number[];
    expect(stored.sort((x, y) => x - y)).toEqual(sent);
    // Shared: both processes took part.
    const taken = (await Promise.all(consumers.map(upstreamOf))).map((u) => u.taken);
    expect(taken.every((n) => n > 0)).toBe(true);
  });

  it("refuses a device the gateway token does not cover, answering on its error topic", async () => {
    const stranger = uniqueDevice("stranger");
    await registerDevice(stranger);
    const errors = mosquitto("mosquitto_sub", [
      ...[
        "-h",
        BROKER.host,
        "-p",
        String(BROKER.port),
        "-t",
        `${prefix}v1/devices/${stranger}/errors`,
      ],
      ...["-C", "1", "-W", "8"],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await pub(`v1/devices/${stranger}/telemetry`, '{"n": 1}')).code).toBe(0);
    const out = await errors;
    expect(JSON.parse(out.stdout).error.code).toBe("forbidden");
    expect(await values(stranger)).toEqual([]);
  });

  it("keeps what arrives while BoCloud is away (persistent sessions) and stores it when back", async () => {
    const device = devices[0];
    const before = (await values(device)).length;
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    for (const i of [100, 101, 102])
      expect((await pub(`v1/devices/${device}/telemetry`, JSON.stringify({ n: i }))).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect((await values(device)).length).toBe(before);
    consumers.push(...(await Promise.all(clientIds.map((id) => consumer(id)))));
    await connectedUpstream();
    await expect
      .poll(async () => (await values(device)).length, { timeout: 10_000 })
      .toBe(before + 3);
    expect((await values(device)).slice(0, 3).sort()).toEqual([100, 101, 102]);
  }, 30_000);

  it("acknowledges nothing it could not store: with PostgreSQL away the broker sends it again", async () => {
    const device = devices[0];
    const before = (await values(device)).length;
    const postgres = await forward("127.0.0.1", 0, 5432);
    const url = new URL(testRun().databaseUrl);
    url.port = String(postgres.port);
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    consumers.push(
      ...(await Promise.all(clientIds.map((id) => consumer(id, { DATABASE_URL: url.toString() })))),
    );
    await connectedUpstream();
    let restored: Forwarder | undefined;
    try {
      await postgres.close();
      for (const i of [200, 201, 202])
        expect((await pub(`v1/devices/${device}/telemetry`, JSON.stringify({ n: i }))).code).toBe(
          0,
        );
      await new Promise((r) => setTimeout(r, 1500));
      expect((await values(device)).length).toBe(before);
      restored = await forward("127.0.0.1", postgres.port, 5432);
      await expect
        .poll(async () => (await values(device)).length, { timeout: 15_000 })
        .toBe(before + 3);
      expect((await values(device)).slice(0, 3).sort()).toEqual([200, 201, 202]);
    } finally {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await restored?.close();
      consumers.push(...(await Promise.all(clientIds.map((id) => consumer(id)))));
      await connectedUpstream();
    }
  }, 60_000);

  it("sends a queued command through the broker and takes the device's answer", async () => {
    const device = devices[1];
    const sub = mosquitto("mosquitto_sub", [
      ...["-h", BROKER.host, "-p", String(BROKER.port), "-q", "1"],
      ...["-t", `${prefix}v1/devices/${device}/rpc/request/+`, "-C", "1", "-v", "-W", "8"],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    const command = await queueCommand(device, { name: "reboot", params: { delay_s: 5 } });
    const out = await sub;
    expect(out.stdout.trim()).toBe(
      `${prefix}v1/devices/${device}/rpc/request/${command.id} {"method":"reboot","params":{"delay_s":5}}`,
    );
    expect(
      (await pub(`v1/devices/${device}/rpc/response/${command.id}`, '{"ok": true}')).code,
    ).toBe(0);
    await expect
      .poll(async () => (await getJson(`/api/commands?device=${device}`)).json.commands[0].status)
      .toBe("succeeded");
  });
});
