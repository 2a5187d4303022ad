// MQTT clients for tests: MQTT.js, and Debian's mosquitto-clients (mosquitto_pub, mosquitto_sub,
// mosquitto_rr) run as real processes.
import { spawn } from "node:child_process";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { operatorApi, webUrl } from "./http.ts";

/** A device registered through the operator API, with its token. */
export async function registerDevice(
  deviceId: string,
  changes: Record<string, unknown> = {},
): Promise<string> {
  const res = await operatorApi("POST", webUrl("/api/devices"), {
    device_id: deviceId,
    ...changes,
  });
  if (res.status !== 201) throw new Error(`creating ${deviceId}: ${res.status}`);
  return res.json.token;
}

export async function registerGateway(gatewayId: string): Promise<string> {
  const res = await operatorApi("POST", webUrl("/api/gateways"), { gateway_id: gatewayId });
  if (res.status !== 201) throw new Error(`creating ${gatewayId}: ${res.status}`);
  return res.json.token;
}

export async function queueCommand(
  deviceId: string,
  command: { name: string; params?: unknown; ttl_seconds?: number },
) {
  const res = await operatorApi(
    "POST",
    webUrl(`/api/devices/${encodeURIComponent(deviceId)}/commands`),
    command,
  );
  if (res.status !== 201) throw new Error(`queueing a command: ${res.status}`);
  return res.json.command as { id: number; status: string };
}

/** An MQTT.js client, connected (or rejected with the CONNACK's error). No reconnects by default. */
export function connect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts }, false);
}

/** Collects what a client receives, per topic filter's messages. */
export function inbox(client: MqttClient): { topic: string; json: any }[] {
  const messages: { topic: string; json: any }[] = [];
  client.on("message", (topic, payload) => {
    const text = payload.toString();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    messages.push({ topic, json });
  });
  return messages;
}

/** Runs a mosquitto client (at most `timeoutMs`, so a missing PUBACK cannot hang a test). */
export function mosquitto(
  tool: "mosquitto_pub" | "mosquitto_sub" | "mosquitto_rr",
  args: string[],
  timeoutMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool, ["-V", "mqttv311", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves when the client has been disconnected (closed by the server or the network). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) resolve();
    client.once("close", () => resolve());
  });
}
