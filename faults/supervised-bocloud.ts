// BoCloud as `npm start` runs it (dist/start.mjs: the processes under their supervisor), on
// free ports, with the fault suite's own PostgreSQL and Redis.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { freePort, ROOT } from "../test/stack.ts";

/** How each supervised process is recognised among the supervisor's children. */
const PROCESS_NAMES = {
  web: /next-server|next\/dist\/bin\/next/,
  stream: /dist\/stream\.mjs/,
  worker: /dist\/worker\.mjs/,
  mqtt: /dist\/mqtt\.mjs/,
} as const;
export type ProcessName = keyof typeof PROCESS_NAMES;

export interface SupervisedBocloud {
  webUrl: string;
  streamUrl: string;
  workerUrl: string;
  /** The MQTT listener: TCP (mqtt://) and its HTTP side (/health). */
  mqttUrl: string;
  mqttHttpUrl: string;
  supervisor: ChildProcess;
  output: () => string;
  /** The pid of a supervised process now (it changes when it is restarted). */
  pidOf: (name: ProcessName) => number | undefined;
  stop: () => Promise<void>;
}

function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid !== pid) return [];
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " ");
        return [{ pid: Number(p), cmdline }];
      } catch {
        return [];
      }
    });
}

/**
 * Starts BoCloud and waits until every process is healthy, or with `until: "answering"` only
 * until the web app answers at all (a BoCloud whose PostgreSQL is down answers 503).
 */
export async function startSupervised(
  env: Record<string, string>,
  opts: { until?: "healthy" | "answering" } = {},
): Promise<SupervisedBocloud> {
  const [web, stream, worker, mqtt, mqttHttp] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const supervisor = spawn(process.execPath, [resolve(ROOT, "dist/start.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
      PORT: String(web),
      STREAM_PORT: String(stream),
      WORKER_PORT: String(worker),
      MQTT_PORT: String(mqtt),
      MQTT_WS_PORT: String(mqttHttp),
      STREAM_URL: `http://127.0.0.1:${stream}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d).slice(-200_000);
  };
  supervisor.stdout?.on("data", keep);
  supervisor.stderr?.on("data", keep);
  const bocloud: SupervisedBocloud = {
    webUrl: `http://127.0.0.1:${web}`,
    streamUrl: `http://127.0.0.1:${stream}`,
    workerUrl: `http://127.0.0.1:${worker}`,
    mqttUrl: `mqtt://127.0.0.1:${mqtt}`,
    mqttHttpUrl: `http://127.0.0.1:${mqttHttp}`,
    supervisor,
    output: () => output,
    pidOf: (name) =>
      childrenOf(supervisor.pid ?? -1).find((c) => PROCESS_NAMES[name].test(c.cmdline))?.pid,
    stop: async () => {
      if (supervisor.exitCode !== null) return;
      const exited = new Promise((r) => supervisor.once("exit", r));
      supervisor.kill("SIGTERM");
      const timer = setTimeout(() => supervisor.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const answering = () =>
    fetch(`${bocloud.webUrl}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status > 0,
      () => false,
    );
  const started = waitUntil(async () => {
    if (supervisor.exitCode !== null) throw new Error(`the supervisor exited:\n${output}`);
    if (opts.until === "answering") return answering();
    const answers = await Promise.all(
      [
        `${bocloud.webUrl}/api/health`,
        `${bocloud.streamUrl}/health`,
        `${bocloud.workerUrl}/health`,
        `${bocloud.mqttHttpUrl}/health`,
      ].map((url) =>
        fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        ),
      ),
    );
    if (supervisor.exitCode !== null) throw new Error(`the supervisor exited:\n${output}`);
    return answers.every(Boolean);
  }, 60_000);
  // One that never gets ready is not left running (nor its PostgreSQL, if embedded).
  await started.catch(async (err) => {
    await bocloud.stop();
    throw new Error(`${(err as Error).message}\n${output.slice(-4000)}`);
  });
  return bocloud;
}

export async function waitUntil(ok: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await ok()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
