// BoCloud's data folder (BOCLOUD_DATA_DIR, default ./data in the BoCloud folder): the embedded
// PostgreSQL's cluster and `bocloud.json`, where the first run's choice of database is kept.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The BoCloud folder, where its package.json is, found from scripts/launch/ or dist/; where
 * there is none (the container image), the working folder.
 */
export function projectRoot(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === "bocloud")
        return dir;
    } catch {}
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** BOCLOUD_DATA_DIR as an absolute path; a relative one is taken from the BoCloud folder. */
export function dataDir(env: Record<string, string | undefined>): string {
  return resolve(projectRoot(), env.BOCLOUD_DATA_DIR || "./data");
}

/** Where the embedded PostgreSQL keeps its cluster. */
export const clusterDir = (data: string) => join(data, "postgres");

export interface Remembered {
  /** What "no DATABASE_URL" means for this install, decided on its first run. */
  database?: "embedded" | "external";
  /** The external server chosen then (a URL without a password). */
  url?: string;
  /** The embedded server's address and password (it listens on 127.0.0.1 only). */
  embedded?: { port?: number; password: string };
}

const memoryFile = (data: string) => join(data, "bocloud.json");

export function readMemory(data: string): Remembered {
  const file = memoryFile(data);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Remembered;
  } catch (err) {
    throw new Error(`${file} is not readable JSON (${(err as Error).message}): fix or remove it.`);
  }
}

/** Writes the file whole or not at all (a crash mid-write leaves the old one), readable by its owner only. */
export function writeMemory(data: string, memory: Remembered): void {
  mkdirSync(data, { recursive: true });
  const file = memoryFile(data);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(memory, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

export function newPassword(): string {
  return randomBytes(18).toString("base64url");
}
