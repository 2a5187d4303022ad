// Simulated devices that post realistic, varying readings to BoCloud and obey commands.
//   npm run simulate -- --url http://localhost:3000 --devices 3 --interval 1000 --duration 60
// With INGEST_AUTH=token (the default), add --provision: each device is registered (or its
// token rotated) through the operator API, signed in as an admin (--username / --password,
// or BOCLOUD_USERNAME / BOCLOUD_PASSWORD), and posts with its own token.
// Commands, taken from the answers to its posts: set_interval {"interval_ms": n} and ping.
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: process.env.BOCLOUD_URL ?? "http://localhost:3000" },
    devices: { type: "string", default: "3" },
    interval: { type: "string", default: "1000" }, // ms between one device's posts
    duration: { type: "string", default: "0" }, // seconds; 0 runs until stopped
    prefix: { type: "string", default: "" },
    quiet: { type: "boolean", default: false },
    provision: { type: "boolean", default: false },
    username: { type: "string", default: process.env.BOCLOUD_USERNAME },
    password: { type: "string", default: process.env.BOCLOUD_PASSWORD },
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

interface Command {
  id: number;
  name: string;
  params: Record<string, unknown>;
}

/** An admin's session for the operator API (sent with our origin, as a browser would). */
let adminHeaders: Promise<Record<string, string>> | undefined;
function signIn(): Promise<Record<string, string>> {
  adminHeaders ??= (async () => {
    if (!args.username || !args.password) {
      throw new Error(
        "--provision needs an admin: --username and --password (or BOCLOUD_USERNAME / BOCLOUD_PASSWORD)",
      );
    }
    const origin = new URL(args.url).origin;
    const res = await fetch(`${args.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ username: args.username, password: args.password }),
    });
    if (!res.ok) throw new Error(`cannot sign in: ${res.status} ${await res.text()}`);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    return { "content-type": "application/json", origin, cookie };
  })();
  return adminHeaders;
}

/** A token of the device's own, from the operator API: created, or rotated if it exists. */
async function provision(deviceId: string): Promise<string> {
  const headers = await signIn();
  let res = await fetch(`${args.url}/api/devices`, {
    method: "POST",
    headers,
    body: JSON.stringify({ device_id: deviceId }),
  });
  if (res.status === 409) {
    res = await fetch(`${args.url}/api/devices/${deviceId}/token`, { method: "POST", headers });
  }
  const body = await res.json();
  if (!res.ok || !body.token)
    throw new Error(`cannot provision ${deviceId}: ${JSON.stringify(body)}`);
  return body.token;
}

/** Carries out a command and says how it went: what a real device's firmware would do. */
function obey(
  command: Command,
  device: { intervalMs: number },
): { status: "succeeded" | "failed"; result: unknown } {
  if (command.name === "set_interval") {
    const ms = Number(command.params.interval_ms);
    if (!Number.isFinite(ms) || ms < 50 || ms > 3_600_000) {
      return { status: "failed", result: { error: "interval_ms must be 50–3600000" } };
    }
    device.intervalMs = ms;
    return { status: "succeeded", result: { interval_ms: ms } };
  }
  if (command.name === "ping") return { status: "succeeded", result: { pong: Date.now() } };
  return { status: "failed", result: { error: `unknown command ${command.name}` } };
}

async function runDevice(deviceId: string, model: Model, intervalMs: number, until: number) {
  let sent = 0;
  let failed = 0;
  const state = { intervalMs };
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (args.provision) headers.authorization = `Bearer ${await provision(deviceId)}`;
  while (!stopping && (until === 0 || Date.now() < until)) {
    const body = { device_id: deviceId, sensors: model(Date.now()) };
    try {
      const res = await fetch(`${args.url}/api/data`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      const answer = await res.json();
      if (res.ok) sent++;
      else {
        failed++;
        console.error(`${deviceId}: ${res.status} ${JSON.stringify(answer)}`);
      }
      for (const command of (answer.commands ?? []) as Command[]) {
        const outcome = obey(command, state);
        console.log(
          `${deviceId} ${command.name} ${JSON.stringify(command.params)} → ${outcome.status}`,
        );
        await fetch(`${args.url}/api/devices/${deviceId}/commands/${command.id}`, {
          method: "POST",
          headers,
          body: JSON.stringify(outcome),
          signal: AbortSignal.timeout(5000),
        }).then((r) => r.body?.cancel());
      }
    } catch (err) {
      failed++;
      console.error(`${deviceId}: ${(err as Error).message}`);
    }
    if (!args.quiet) console.log(`${deviceId} ${JSON.stringify(body.sensors)}`);
    await new Promise((r) => setTimeout(r, state.intervalMs * (0.8 + Math.random() * 0.4)));
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
