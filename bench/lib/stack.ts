// BoCloud's built processes for the bench, started from a private copy of the build.
// Other developers rebuild this work tree while the bench runs (a full run takes minutes);
// a `next build` replaces .next under a running `next start`. So the bench copies the build
// (.next without its cache, dist/) once, and runs `next start` and the sidecar from the copy,
// the same way test/stack.ts does from the work tree.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { resolve } from "node:path";
import { freePort, type RunningProcess, startNodeProcess } from "../../test/stack.ts";
import { BENCH, ROOT } from "./procs.ts";

export const buildId = () => {
  try {
    return readFileSync(resolve(ROOT, ".next/BUILD_ID"), "utf8").trim();
  } catch {
    return undefined;
  }
};

/** Copies the current build to bench/.work/build-<pid>; returns its directory. */
export function snapshotBuild(): { dir: string; buildId: string } {
  const dir = resolve(BENCH, `.work/build-${process.pid}`);
  for (let attempt = 1; ; attempt++) {
    const before = buildId();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      if (!before || !existsSync(resolve(ROOT, "dist/stream.mjs"))) throw new Error("no build");
      cpSync(resolve(ROOT, ".next"), resolve(dir, ".next"), {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !src.startsWith(resolve(ROOT, ".next/cache")),
      });
      cpSync(resolve(ROOT, "dist"), resolve(dir, "dist"), { recursive: true });
      if (buildId() !== before || !existsSync(resolve(dir, ".next/BUILD_ID")))
        throw new Error("the build changed while it was copied");
      for (const f of ["package.json", "next.config.js"])
        copyFileSync(resolve(ROOT, f), resolve(dir, f));
      symlinkSync(resolve(ROOT, "node_modules"), resolve(dir, "node_modules"));
      if (existsSync(resolve(ROOT, "public")))
        symlinkSync(resolve(ROOT, "public"), resolve(dir, "public"));
      return { dir, buildId: before };
    } catch (err) {
      if (attempt >= 5) throw err;
      spawnSyncSleep(3);
    }
  }
}

function spawnSyncSleep(seconds: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

export function removeSnapshot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function startProcess(
  name: string,
  args: string[],
  cwd: string,
  port: number,
  readyPath: string,
  env: Record<string, string>,
): Promise<RunningProcess> {
  return startNodeProcess({
    name,
    args,
    cwd,
    port,
    readyPath,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
  });
}

/** `next start` of the copied build. */
export async function startWeb(
  dir: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<RunningProcess> {
  const port = await freePort();
  const next = resolve(ROOT, "node_modules/next/dist/bin/next");
  return startProcess(
    "web",
    [...nodeArgs, next, "start", dir, "-p", String(port), "-H", "127.0.0.1"],
    dir,
    port,
    "/",
    env,
  );
}

/** A process of the copied build's dist/ (the stream sidecar, the worker) on a free port. */
async function startBuilt(
  name: "stream" | "worker",
  portVariable: string,
  dir: string,
  env: Record<string, string>,
  nodeArgs: string[],
): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess(name, [...nodeArgs, resolve(dir, `dist/${name}.mjs`)], dir, port, "/health", {
    [portVariable]: String(port),
    ...env,
  });
}

/** The copied build's stream sidecar (dist/stream.mjs). */
export function startStream(dir: string, env: Record<string, string>, nodeArgs: string[] = []) {
  return startBuilt("stream", "STREAM_PORT", dir, env, nodeArgs);
}

/** The copied build's worker (dist/worker.mjs), its /health on a free port. */
export function startWorker(dir: string, env: Record<string, string>, nodeArgs: string[] = []) {
  return startBuilt("worker", "WORKER_PORT", dir, env, nodeArgs);
}

/** The copied build's MQTT listener (dist/mqtt.mjs): MQTT on `mqttPort`, /health on `port`. */
export async function startMqtt(
  dir: string,
  env: Record<string, string>,
): Promise<RunningProcess & { mqttUrl: string }> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const running = await startProcess(
    "mqtt",
    [resolve(dir, "dist/mqtt.mjs")],
    dir,
    port,
    "/health",
    { MQTT_PORT: String(mqttPort), MQTT_WS_PORT: String(port), ...env },
  );
  return { ...running, mqttUrl: `mqtt://127.0.0.1:${mqttPort}` };
}
