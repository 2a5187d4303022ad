// A PostgreSQL server of the fault suite's own (the machine's binaries, a data folder in /tmp,
// a free port), so that it can be stopped and started again without touching anyone else's.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const version = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin/pg_ctl")))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error("No PostgreSQL server binaries under /usr/lib/postgresql.");
  return join(root, version, "bin");
}

/** Runs a server binary, as the `postgres` user when this is root (initdb refuses root). */
function run(bin: string, args: string[]): void {
  const path = join(binDir(), bin);
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? "runuser" : path, asRoot ? ["-u", "postgres", "--", path, ...args] : args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface PostgresCluster {
  url: (database: string) => string;
  port: number;
  /** Stops it as a crash would (immediate: no checkpoint), or cleanly. */
  stop: (mode?: "immediate" | "fast") => void;
  start: () => void;
  destroy: () => void;
}

export function startPostgresCluster(port: number): PostgresCluster {
  const dir = mkdtempSync(join(tmpdir(), "bocloud-faults-pg-"));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(dir, uid, gid);
  }
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-w",
      "-o",
      `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`,
      "start",
    ]);
  start();
  return {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop: (mode = "immediate") => run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]),
    start,
    destroy: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
