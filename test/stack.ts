// Starts the real processes that tests talk to: a test database, the web app (`next start`)
// and, where asked, the stream sidecar. Used by Vitest's global setup and by Playwright.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { resolve } from "node:path";
import pg from "pg";
import { migrate } from "../scripts/migrate.ts";

export const ROOT = resolve(import.meta.dirname, "..");
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Each test run has its own database and Redis channels, so runs can overlap (a developer's
 * and CI's). The global setup fixes the run id in the environment; workers inherit it.
 */
export function testRun(): { id: string; databaseUrl: string; channelPrefix: string } {
  process.env.BOCLOUD_TEST_RUN ??= `${process.pid}`;
  const id = process.env.BOCLOUD_TEST_RUN;
  return {
    id,
    databaseUrl: `postgresql://postgres@127.0.0.1:5432/bocloud_test_${id}`,
    channelPrefix: `bocloud-test-${id}`,
  };
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await client.end();
}

/** Drops and recreates this run's test database, then applies the migrations to it. */
export async function freshTestDatabase(): Promise<void> {
  const url = testRun().databaseUrl;
  await dropDatabase(url);
  await migrate(url);
}

export async function dropTestDatabase(): Promise<void> {
  await dropDatabase(testRun().databaseUrl);
}

/**
 * A migrated database of one test's own (and Redis channels of its own), for processes that
 * must not meet the shared test stack: `bocloud_test_<run>_<name>`.
 */
export async function scratchDatabase(
  name: string,
): Promise<{ url: string; channelPrefix: string; drop: () => Promise<void> }> {
  const url = `${testRun().databaseUrl}_${name}`;
  await dropDatabase(url);
  await migrate(url);
  return {
    url,
    channelPrefix: `${testRun().channelPrefix}-${name}`,
    drop: () => dropDatabase(url),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A TCP server that accepts connections and never answers: a dependency that hangs. */
export async function blackhole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface RunningProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

function stackEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: testRun().databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_CHANNEL_PREFIX: testRun().channelPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    INGEST_AUTH: "open",
    STREAM_SESSION_CHECK_MS: "300",
    ...extra,
  };
}

/**
 * Starts a Node process and waits until it answers HTTP on `port` (any status: the stream's
 * /health says 503 while Redis is down). Shared with the bench, which runs a copied build.
 */
export async function startNodeProcess(opts: {
  name: string;
  args: string[];
  cwd: string;
  port: number;
  readyPath: string;
  env: NodeJS.ProcessEnv;
}): Promise<RunningProcess> {
  const { name, port } = opts;
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: { ...opts.env, BOCLOUD_PROC: name },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
    try {
      const res = await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} not ready in 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { url, port, child, output: () => output, stop };
}

function startProcess(
  args: string[],
  port: number,
  readyPath: string,
  env: Record<string, string>,
): Promise<RunningProcess> {
  const { BOCLOUD_PROC = "web", ...rest } = env;
  return startNodeProcess({
    name: BOCLOUD_PROC,
    args,
    cwd: ROOT,
    port,
    readyPath,
    env: stackEnv(rest),
  });
}

/** `next start` on its own port, with the test database unless `env` says otherwise. */
export async function startWeb(env: Record<string, string> = {}): Promise<RunningProcess> {
  if (!existsSync(resolve(ROOT, ".next/BUILD_ID"))) {
    throw new Error("No build found: run `npm run build` before the tests (npm test does).");
  }
  const port = await freePort();
  const next = resolve(ROOT, "node_modules/next/dist/bin/next");
  return startProcess([next, "start", "-p", String(port), "-H", "127.0.0.1"], port, "/", {
    BOCLOUD_PROC: "web",
    ...env,
  });
}

/** The stream sidecar (the built dist/stream.mjs) on `port`, or a free one. */
export async function startStream(
  env: Record<string, string> = {},
  port?: number,
): Promise<RunningProcess> {
  const entry = resolve(ROOT, "dist/stream.mjs");
  if (!existsSync(entry)) throw new Error("No dist/stream.mjs: run `npm run build` first.");
  const listenOn = port ?? (await freePort());
  return startProcess([entry], listenOn, "/health", {
    BOCLOUD_PROC: "stream",
    STREAM_PORT: String(listenOn),
    ...env,
  });
}

/** The worker (the built dist/worker.mjs), its /health on a free port. */
export async function startWorker(env: Record<string, string> = {}): Promise<RunningProcess> {
  const entry = resolve(ROOT, "dist/worker.mjs");
  if (!existsSync(entry)) throw new Error("No dist/worker.mjs: run `npm run build` first.");
  const port = await freePort();
  return startProcess([entry], port, "/health", {
    BOCLOUD_PROC: "worker",
    WORKER_PORT: String(port),
    ...env,
  });
}

export interface RunningMqtt extends RunningProcess {
  /** MQTT over TCP: mqtt://127.0.0.1:<mqttPort>. */
  mqttPort: number;
  mqttUrl: string;
  /** MQTT over WebSocket. */
  wsUrl: string;
}

/**
 * The MQTT listener (the built dist/mqtt.mjs) on `ports` or free ones: MQTT on `mqtt`, its
 * /health and WebSocket on `http`.
 */
export async function startMqtt(
  env: Record<string, string> = {},
  ports: { mqtt?: number; http?: number } = {},
): Promise<RunningMqtt> {
  const entry = resolve(ROOT, "dist/mqtt.mjs");
  if (!existsSync(entry)) throw new Error("No dist/mqtt.mjs: run `npm run build` first.");
  const mqttPort = ports.mqtt ?? (await freePort());
  const httpPort = ports.http ?? (await freePort());
  const running = await startProcess([entry], httpPort, "/health", {
    BOCLOUD_PROC: "mqtt",
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(httpPort),
    ...env,
  });
  return {
    ...running,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    wsUrl: `ws://127.0.0.1:${httpPort}/mqtt`,
  };
}

/**
 * The web app, the sidecar, the worker and the MQTT listener, the web app forwarding
 * /api/stream to the sidecar (and showing the listener's port in its connect help).
 */
export async function startStack(env: Record<string, string> = {}) {
  const [stream, worker, mqtt] = await Promise.all([
    startStream(env),
    startWorker(env),
    startMqtt(env),
  ]);
  const web = await startWeb({ STREAM_URL: stream.url, MQTT_PORT: String(mqtt.mqttPort), ...env });
  const all = [web, stream, worker, mqtt];
  return {
    web,
    stream,
    worker,
    mqtt,
    stop: () => Promise.all(all.map((p) => p.stop())).then(() => {}),
  };
}

/** A Redis server of the tests' own, to stop and start again. */
export async function startRedis(
  port?: number,
): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const listenOn = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(listenOn), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const { Redis } = await import("ioredis");
  const probe = new Redis(listenOn, "127.0.0.1", {
    lazyConnect: true,
    retryStrategy: () => 50,
    maxRetriesPerRequest: null,
  });
  probe.on("error", () => {});
  await probe.connect().catch(() => {});
  await probe.ping();
  probe.disconnect();
  return {
    url: `redis://127.0.0.1:${listenOn}`,
    port: listenOn,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
