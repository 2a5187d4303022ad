import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, operatorApi, uniqueDevice, webUrl } from "@/test/http.ts";
import { mosquitto, queueCommand, registerDevice, registerGateway } from "@/test/mqtt.ts";
import { freePort, ROOT, type RunningMqtt, startMqtt } from "@/test/stack.ts";

// A site's Mosquitto (a second, real one, on a free port) bridged into BoCloud with
// deploy/mosquitto/bridge.conf as documented: only its address and token are filled in.

let server: RunningMqtt;
let site: ChildProcess;
let sitePort: number;
let dir: string;
let output = "";
let gatewayToken: string;
let device: string;

beforeAll(async () => {
  server = await startMqtt({ INGEST_AUTH: "token", INGEST_RATE_PER_SECOND: "0" });
  const gateway = uniqueDevice("site");
  gatewayToken = await registerGateway(gateway);
  device = uniqueDevice("site-device");
  await operatorApi("POST", webUrl("/api/devices"), { device_id: device, gateway_id: gateway });

  const bridge = readFileSync(resolve(ROOT, "deploy/mosquitto/bridge.conf"), "utf8")
    .replace(/^address .*$/m, `address 127.0.0.1:${server.mqttPort}`)
    .replace(/^remote_username .*$/m, `remote_username ${gatewayToken}`)
    .replace(/^remote_clientid .*$/m, `remote_clientid ${gateway}-bridge`);
  sitePort = await freePort();
  dir = mkdtempSync(join(tmpdir(), "bocloud-bridge-"));
  // Mosquitto started as root runs as the user "mosquitto", which must read the file.
  chmodSync(dir, 0o755);
  const conf = join(dir, "site.conf");
  writeFileSync(
    conf,
    `listener ${sitePort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n${bridge}`,
  );
  chmodSync(conf, 0o644);
  site = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  site.stdout?.on("data", (d) => {
    output += d;
  });
  site.stderr?.on("data", (d) => {
    output += d;
  });
  // The bridge is up once BoCloud holds its connection.
  for (const deadline = Date.now() + 15_000; ; ) {
    const health = await (await fetch(`${server.url}/health`)).json();
    if (health.connections >= 1 && output.includes("Connecting bridge")) break;
    if (Date.now() > deadline || site.exitCode !== null)
      throw new Error(`the bridge did not connect:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Its subscriptions (commands, errors) are made just after the CONNACK.
  await new Promise((r) => setTimeout(r, 500));
}, 60_000);

afterAll(async () => {
  site?.kill("SIGKILL");
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const local = (args: string[]) => ["-h", "127.0.0.1", "-p", String(sitePort), ...args];
const values = async (d: string) =>
  (await getJson(`/api/fetch/device?id=${d}`)).json.readings.map(
    (r: { value: unknown }) => r.value,
  );

describe("a site's Mosquitto bridged into BoCloud (deploy/mosquitto/bridge.conf)", () => {
  it("forwards its devices' readings: site/<device_id>/telemetry and bocloud/v1/data", async () => {
    const telemetry = await mosquitto(
      "mosquitto_pub",
      local(["-q", "1", "-t", `site/${device}/telemetry`, "-m", '{"temperature": 21.5}']),
    );
    expect(telemetry.code).toBe(0);
    const data = await mosquitto(
      "mosquitto_pub",
      local([
        ...["-q", "1", "-t", "bocloud/v1/data", "-m"],
        JSON.stringify([{ device_id: device, sensors: { humidity: 40 } }]),
      ]),
    );
    expect(data.code).toBe(0);
    await expect
      .poll(async () => (await values(device)).sort(), { timeout: 10_000 })
      .toEqual([21.5, 40]);
  });

  it("brings BoCloud's commands to the site and its devices' answers back", async () => {
    const sub = mosquitto(
      "mosquitto_sub",
      local(["-q", "1", "-t", `site/${device}/rpc/request/+`, "-C", "1", "-v", "-W", "10"]),
    );
    await new Promise((r) => setTimeout(r, 300));
    const command = await queueCommand(device, { name: "fan", params: { on: true } });
    const out = await sub;
    expect(out.stdout.trim()).toBe(
      `site/${device}/rpc/request/${command.id} {"method":"fan","params":{"on":true}}`,
    );
    const answer = await mosquitto(
      "mosquitto_pub",
      local(["-q", "1", "-t", `site/${device}/rpc/response/${command.id}`, "-m", '{"on": true}']),
    );
    expect(answer.code).toBe(0);
    await expect
      .poll(async () => (await getJson(`/api/commands?device=${device}`)).json.commands[0].status)
      .toBe("succeeded");
  });

  it("tells the site, on site/errors, why BoCloud refused a device the gateway does not cover", async () => {
    const stranger = uniqueDevice("not-on-site");
    await registerDevice(stranger);
    const errors = mosquitto("mosquitto_sub", local(["-t", "site/errors", "-C", "1", "-W", "10"]));
    await new Promise((r) => setTimeout(r, 300));
    await mosquitto(
      "mosquitto_pub",
      local(["-q", "1", "-t", `site/${stranger}/telemetry`, "-m", '{"t": 1}']),
    );
    const out = await errors;
    expect(JSON.parse(out.stdout)).toMatchObject({
      topic: `v1/devices/${stranger}/telemetry`,
      error: { code: "forbidden" },
    });
    expect(await values(stranger)).toEqual([]);
  });
});
