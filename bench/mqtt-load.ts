// A child process of the bench: MQTT devices (MQTT.js clients, one connection each) publishing
// QoS 1 single readings of 3 sensors at a fixed total rate, spread round-robin over them, and
// recording each PUBACK's latency (publish() to its callback, on CLOCK_MONOTONIC).
//
// Driven over IPC by the parent:
//   {type:"connect", url, clients:[{username, topic}]}  -> {type:"connected", ms}
//   {type:"run", rate, warm, seconds}                   -> {type:"result", ...figures}
//   {type:"close"}                                      -> {type:"closed"}, then exits
import mqtt, { type MqttClient } from "mqtt";
import { latencyOf, nowMs, prng, round } from "./lib/stats.ts";

interface Device {
  client: MqttClient;
  topic: string;
}

let devices: Device[] = [];
const send = (m: Record<string, unknown>) => process.send?.(m);

async function connectAll(url: string, clients: { username: string; topic: string }[]) {
  const started = nowMs();
  devices = await Promise.all(
    clients.map(async ({ username, topic }, i) => {
      const client = await mqtt.connectAsync(
        url,
        // Like a device: reconnects, and then sends again what was not acknowledged.
        {
          username,
          clientId: `bench-${process.pid}-${i}`,
          reconnectPeriod: 1000,
          reconnectOnConnackError: true,
          keepalive: 60,
        },
        false,
      );
      client.on("error", () => {});
      return { client, topic };
    }),
  );
  return nowMs() - started;
}

async function run(rate: number, warm: number, seconds: number) {
  const rand = prng(rate);
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let measuredSent = 0;
  let firstError: string | undefined;
  const total = Math.round(rate * (warm + seconds));
  const warmCount = Math.round(rate * warm);
  const cpuBefore = process.cpuUsage();
  const start = nowMs();
  let measureStart = start;
  let lastAck = start;
  const all: Promise<void>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) / 1000) * rate) + 1);
    while (sent < due) {
      const k = sent++;
      if (k === warmCount) measureStart = nowMs();
      if (k >= warmCount) measuredSent++;
      const { client, topic } = devices[k % devices.length];
      const payload = JSON.stringify({
        temperature: round(15 + rand() * 15),
        humidity: round(30 + rand() * 40),
        door: rand() < 0.5 ? "open" : "closed",
      });
      const at = nowMs();
      all.push(
        new Promise((resolve) => {
          client.publish(topic, payload, { qos: 1 }, (err) => {
            const t = nowMs();
            if (err) {
              failed++;
              firstError ??= err.message;
            } else {
              acked++;
              lastAck = t;
              if (k >= warmCount) latencies.push(t - at);
            }
            resolve();
          });
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const sendEnd = nowMs();
  // What is still on its way: at most 15 s more.
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, 15_000))]);
  const cpu = process.cpuUsage(cpuBefore);
  const l = latencyOf(latencies);
  return {
    sent,
    acked,
    failed,
    unanswered: sent - acked - failed,
    measured: measuredSent,
    measured_acked: latencies.length,
    send_rate: (measuredSent * 1000) / (sendEnd - measureStart),
    ack_rate: (latencies.length * 1000) / (Math.max(lastAck, sendEnd) - measureStart),
    p50_ms: l.p50,
    p99_ms: l.p99,
    max_ms: l.max,
    loadgen_cpu_pct: ((cpu.user + cpu.system) / 1000 / (nowMs() - start)) * 100,
    firstError,
  };
}

process.on("message", async (m: { type: string; [k: string]: unknown }) => {
  try {
    if (m.type === "connect") {
      const ms = await connectAll(
        m.url as string,
        m.clients as { username: string; topic: string }[],
      );
      send({ type: "connected", ms });
    } else if (m.type === "run") {
      send({
        type: "result",
        ...(await run(m.rate as number, m.warm as number, m.seconds as number)),
      });
    } else if (m.type === "close") {
      await Promise.all(devices.map((d) => d.client.endAsync(true).catch(() => {})));
      send({ type: "closed" });
      process.exit(0);
    }
  } catch (err) {
    send({ type: "error", message: (err as Error).message });
    process.exit(1);
  }
});
