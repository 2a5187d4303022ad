// Simulated devices that post realistic, varying readings to BoCloud.
//   npm run simulate -- --url http://localhost:3000 --devices 3 --interval 1000 --duration 60
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: process.env.BOCLOUD_URL ?? "http://localhost:3000" },
    devices: { type: "string", default: "3" },
    interval: { type: "string", default: "1000" }, // ms between one device's posts
    duration: { type: "string", default: "0" }, // seconds; 0 runs until stopped
    prefix: { type: "string", default: "" },
    quiet: { type: "boolean", default: false },
  },
});

type Sensors = Record<string, number | string | boolean>;
type Model = (t: number) => Sensors;

const noise = (scale: number) => (Math.random() - 0.5) * scale;
const round = (v: number, digits = 2) => Number(v.toFixed(digits));
const daily = (t: number) => Math.sin((2 * Math.PI * t) / 86_400_000);

/** Each kind of device: a name and how its sensors move with time t (ms). */
const kinds: [string, () => Model][] = [
  [
    "greenhouse",
    () => {
      let door = "closed";
      return (t) => {
        if (Math.random() < 0.05) door = door === "open" ? "closed" : "open";
        return {
          temperature: round(22 + 6 * daily(t) + noise(0.6)),
          humidity: round(55 - 15 * daily(t) + noise(2), 1),
          door,
        };
      };
    },
  ],
  [
    "boiler",
    () => {
      let state = "on";
      return (t) => {
        if (Math.random() < 0.03) state = ["on", "off", "idle"][Math.floor(Math.random() * 3)];
        const heating = state === "on";
        return {
          pressure: round(1.5 + (heating ? 0.6 : 0) + noise(0.05), 3),
          water_temperature: round((heating ? 68 : 45) + 2 * Math.sin(t / 60_000) + noise(0.4), 1),
          state,
          flame: heating,
        };
      };
    },
  ],
  [
    "weather",
    () => (t) => ({
      wind_speed: round(Math.max(0, 4 + 3 * Math.sin(t / 300_000) + noise(2)), 1),
      rain_mm: round(Math.max(0, noise(0.4)), 2),
      pressure_hpa: round(1013 + 5 * Math.sin(t / 3_600_000) + noise(0.3), 1),
    }),
  ],
];

async function runDevice(deviceId: string, model: Model, intervalMs: number, until: number) {
  let sent = 0;
  let failed = 0;
  while (!stopping && (until === 0 || Date.now() < until)) {
    const body = { device_id: deviceId, sensors: model(Date.now()) };
    try {
      const res = await fetch(`${args.url}/api/data`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) sent++;
      else {
        failed++;
        console.error(`${deviceId}: ${res.status} ${await res.text()}`);
      }
      await res.body?.cancel().catch(() => {});
    } catch (err) {
      failed++;
      console.error(`${deviceId}: ${(err as Error).message}`);
    }
    if (!args.quiet) console.log(`${deviceId} ${JSON.stringify(body.sensors)}`);
    await new Promise((r) => setTimeout(r, intervalMs * (0.8 + Math.random() * 0.4)));
  }
  return { sent, failed };
}

let stopping = false;
process.on("SIGINT", () => (stopping = true));
process.on("SIGTERM", () => (stopping = true));

const count = Number(args.devices);
const intervalMs = Number(args.interval);
const durationS = Number(args.duration);
if (!(count >= 1 && intervalMs >= 10 && durationS >= 0)) {
  console.error("--devices must be ≥ 1, --interval ≥ 10 (ms), --duration ≥ 0 (s)");
  process.exit(2);
}
const until = durationS > 0 ? Date.now() + durationS * 1000 : 0;
console.log(
  `Simulating ${count} devices against ${args.url}, one post every ~${intervalMs} ms each.`,
);
const runs = Array.from({ length: count }, (_, i) => {
  const [kind, makeModel] = kinds[i % kinds.length];
  const id = `${args.prefix}${kind}-${Math.floor(i / kinds.length) + 1}`;
  return runDevice(id, makeModel(), intervalMs, until);
});
const results = await Promise.all(runs);
const sent = results.reduce((a, r) => a + r.sent, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`Done: ${sent} posts stored, ${failed} failed.`);
process.exit(failed > 0 && sent === 0 ? 1 : 0);
