// The database of this install for the launcher and the command-line scripts: DATABASE_URL, or
// the first run's choice (scripts/launch/database-choice.ts), with the embedded PostgreSQL
// running when that is the one.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { clusterDir, dataDir, readMemory, writeMemory } from "./data-dir.ts";
import {
  answers,
  type DatabaseChoice,
  decideDatabase,
  localDatabaseUrl,
} from "./database-choice.ts";
import { type EmbeddedServer, embeddedServer } from "./embedded-postgres.ts";

export interface OpenedDatabase {
  url: string;
  choice: DatabaseChoice;
  embedded?: EmbeddedServer;
  /** Stops the embedded server if this process started it. */
  stop(): Promise<void>;
}

export async function openDatabase(
  env: Record<string, string | undefined>,
  opts: { exclusive: boolean; log: (line: string) => void },
): Promise<OpenedDatabase> {
  const data = dataDir(env);
  const localUrl = localDatabaseUrl(env);
  const decision = await decideDatabase({
    configured: env.DATABASE_URL || undefined,
    remembered: readMemory(data),
    embeddedDataExists: existsSync(join(clusterDir(data), "PG_VERSION")),
    localUrl,
    localServerAnswers: () => answers(localUrl),
  });
  if (decision.warning) opts.log(`Warning: ${decision.warning}`);
  if (decision.remember) {
    try {
      writeMemory(data, { ...readMemory(data), ...decision.remember });
    } catch (err) {
      throw new Error(
        `BoCloud keeps its choice of database in ${data}, and cannot write there ` +
          `(${(err as Error).message}): set BOCLOUD_DATA_DIR to a folder it may write, or DATABASE_URL.`,
      );
    }
  }
  const { choice } = decision;
  if (choice.kind === "external") return { url: choice.url, choice, stop: async () => {} };
  const embedded = await embeddedServer(data, opts);
  return { url: embedded.url, choice, embedded, stop: () => embedded.stop() };
}
