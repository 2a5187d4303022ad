// What the numbers were measured on.
import { execSync } from "node:child_process";
import os from "node:os";
import { Redis } from "ioredis";
import { dbUrl, withClient } from "./db.ts";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
  loadAverage: number[];
  commit: string;
  clock: string;
}

export async function machine(): Promise<Machine> {
  const postgres = await withClient(dbUrl("postgres"), async (c) => {
    const setting = async (name: string) =>
      (await c.query<{ v: string }>("SELECT current_setting($1) AS v", [name])).rows[0].v;
    const v = await setting("server_version");
    const sync = await setting("synchronous_commit");
    const buffers = await setting("shared_buffers");
    return `${v} (synchronous_commit=${sync}, shared_buffers=${buffers})`;
  }).catch(() => "unknown");
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379", {
    lazyConnect: true,
  });
  let redisVersion = "unknown";
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown";
  } catch {}
  redis.disconnect();
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain -- app lib stream-server components prisma", {
      encoding: "utf8",
    }).trim();
    if (dirty) commit += " (with uncommitted product changes in the work tree)";
  } catch {}
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres,
    redis: redisVersion,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    commit,
    clock:
      "latencies across processes use process.hrtime (CLOCK_MONOTONIC), one clock for every process on the machine",
  };
}
