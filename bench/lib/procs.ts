// Child processes of the bench: TypeScript children with IPC, commands with a time bound, RSS.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BENCH = resolve(ROOT, "bench");

/** `node --import tsx <script>` with an IPC channel, in the repository's root. */
export function spawnTs(
  script: string,
  env: Record<string, string> = {},
  args: string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(BENCH, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("error", () => {});
  return child;
}

type Message = { type: string; [k: string]: unknown };

/** Sends `msg` (if any) and waits for the child's next message of `type`. */
export function ask<T = Message>(
  child: ChildProcess,
  msg: Message | undefined,
  type: string,
  timeoutMs: number,
): Promise<T & Message> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from child ${child.pid} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: Message) => {
      if (m?.type !== type) return;
      cleanup();
      resolvePromise(m as T & Message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) while waiting for "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    if (msg) child.send(msg);
  });
}

/** Stops a child we started (SIGTERM, then SIGKILL after 5 s). */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end, killed after `timeoutMs`. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; input?: string | Buffer; env?: Record<string, string> },
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: performance.now() - start });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** Resident set size of a process in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `read()` stops moving (two samples `everyMs` apart within `tolerance`), at most `maxMs`. */
export async function settle(
  read: () => number,
  opts: { everyMs: number; maxMs: number; tolerance: number },
): Promise<number> {
  const deadline = performance.now() + opts.maxMs;
  let last = read();
  for (;;) {
    await sleep(opts.everyMs);
    const now = read();
    if (Math.abs(now - last) <= Math.abs(last) * opts.tolerance || performance.now() > deadline)
      return now;
    last = now;
  }
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return ticks * 10; // USER_HZ is 100 on Linux
}
