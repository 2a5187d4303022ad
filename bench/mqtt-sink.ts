// A child process of the bench: the subscriber that does nothing, for the Mosquitto reference.
// It takes every message of `topic` at QoS 1 (acknowledging each) and only counts them.
//   {type:"start", url, topic} -> {type:"ready"}
//   {type:"count"}             -> {type:"count", received}
//   {type:"close"}             -> {type:"closed"}, then exits
import mqtt, { type MqttClient } from "mqtt";

let client: MqttClient | undefined;
let received = 0;
const send = (m: Record<string, unknown>) => process.send?.(m);

process.on("message", async (m: { type: string; url?: string; topic?: string }) => {
  if (m.type === "start") {
    client = await mqtt.connectAsync(m.url ?? "", { clientId: `bench-sink-${process.pid}` });
    client.on("message", () => {
      received++;
    });
    await client.subscribeAsync(m.topic ?? "#", { qos: 1 });
    send({ type: "ready" });
  } else if (m.type === "count") {
    send({ type: "count", received });
  } else if (m.type === "close") {
    await client?.endAsync(true).catch(() => {});
    send({ type: "closed" });
    process.exit(0);
  }
});
