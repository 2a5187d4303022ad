// `npm start`: migrates the database, then runs BoCloud's processes (web, stream, worker, mqtt)
// under supervision — concurrently's own restart, with exponential backoff (1 s, 2 s, 4 s … for
// each process that dies), the others serving on meanwhile. SIGTERM or SIGINT stops them all
// cleanly and exits.
import { EventEmitter } from "node:events";
import { resolve } from "node:path";
import {
  createConcurrently,
  KillOnSignal,
  LogError,
  LogExit,
  Logger,
  LogOutput,
  RestartProcess,
} from "concurrently";
import { ConfigError, parseConfig } from "../lib/config.ts";
import { migrate } from "./migrate.ts";

const ROOT = resolve(import.meta.dirname, "..");

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
await migrate(config.DATABASE_URL).catch((err) => {
  console.error(`Could not prepare the database: ${(err as Error).message}`);
  process.exit(1);
});

// `exec` so that each process is the supervisor's own child, and a signal reaches it directly.
const processes = [
  { name: "web", command: `exec node ${ROOT}/node_modules/next/dist/bin/next start` },
  { name: "stream", command: `exec node ${ROOT}/dist/stream.mjs` },
  { name: "worker", command: `exec node ${ROOT}/dist/worker.mjs` },
  { name: "mqtt", command: `exec node ${ROOT}/dist/mqtt.mjs` },
];

// Each process is told to stop with SIGINT, whatever signal the supervisor got: a process
// that ends on SIGINT is taken as stopped (exit 0) and not restarted, while one that dies of
// anything else (a crash, kill -9) is restarted.
const stop = new EventEmitter();
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.on(signal, () => stop.emit("SIGINT", "SIGINT"));
}
const logger = new Logger({ prefixFormat: "name", timestampFormat: "yyyy-MM-dd HH:mm:ss.SSS" });
const abortController = new AbortController();
const { result } = createConcurrently(
  processes.map((p) => ({ ...p, cwd: ROOT, env: { BOCLOUD_PROC: p.name } })),
  {
    logger,
    outputStream: process.stdout,
    abortSignal: abortController.signal,
    prefixColors: ["blue", "magenta", "green", "yellow"],
    controllers: [
      new LogError({ logger }),
      new LogOutput({ logger }),
      new LogExit({ logger }),
      new KillOnSignal({ process: stop as unknown as NodeJS.Process, abortController }),
      new RestartProcess({ logger, delay: "exponential", tries: -1 }),
    ],
  },
);
await result.then(
  () => process.exit(0),
  () => process.exit(1),
);
