// The MQTT listener's entry point: `node dist/mqtt.mjs` (or `tsx mqtt-server/main.ts`).
import { config } from "../lib/config.ts";
import { runProcess } from "../lib/process-main.ts";

await runProcess("mqtt", async () => {
  const { MqttService } = await import("./service.ts");
  return new MqttService(config());
});
