// `npm start` (and `npm run dev`, with --dev): BoCloud's launcher. It settles which PostgreSQL
// this install uses, starting the embedded one when that is it (scripts/launch/), decides
// whether Redis is used, applies the migrations, and runs BoCloud's processes under
// supervision — concurrently's own restart (with exponential backoff: 1 s, 2 s, 4 s … up to
// 30 s, for each process that dies), the others serving on meanwhile. Every process gets the same
// DATABASE_URL and REDIS_URL. SIGTERM or SIGINT stops the processes, then the embedded
// PostgreSQL, and exits.
import { EventEmitter } from "node:events";
import {
  createConcurrently,
  KillOnSignal,
  LogError,
  LogExit,
  Logger,
  LogOutput,
  RestartProcess,
} from "concurrently";
import pg from "pg";
import { type Config, ConfigError, parseConfig } from "../lib/config.ts";
import { isDatabaseUnavailable } from "../lib/errors.ts";
import { sleep } from "../lib/sleep.ts";
import { nextStepLine, startupLines } from "./launch/banner.ts";
import { projectRoot } from "./launch/data-dir.ts";
import { type OpenedDatabase, openDatabase } from "./launch/database.ts";
import { hostPort } from "./launch/database-choice.ts";
import { bocloudCommands } from "./launch/processes.ts";
import { chooseRedis } from "./launch/redis-choice.ts";
import { cappedScheduler } from "./launch/restart-scheduler.ts";
import { migrate } from "./migrate.ts";

const ROOT = projectRoot();
const dev = process.argv.includes("--dev");
const say = (line: string) => console.log(line);
const MIGRATE_RETRY_MS = 2000;

let config: Config;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

// Each process is told to stop with SIGINT, whatever signal the supervisor got: a process
// that ends on SIGINT is taken as stopped (exit 0) and not restarted, while one that dies of
// anything else (a crash, kill -9) is restarted. A stop asked for while BoCloud is still
// starting is carried out as soon as the database is open (so that an embedded one is stopped).
const stop = new EventEmitter();
const stopping = new AbortController();
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopping.abort();
    stop.emit("SIGINT", "SIGINT");
  });
}

let database: OpenedDatabase;
try {
  database = await openDatabase(process.env, { exclusive: true, log: say });
} catch (err) {
  console.error(`Could not prepare the database: ${(err as Error).message}`);
  process.exit(1);
}
async function exit(code: number): Promise<never> {
  await database.stop().catch((err) => console.error(`Stopping PostgreSQL: ${err}`));
  process.exit(code);
}
if (stopping.signal.aborted) await exit(0);

const redis = await chooseRedis(config.REDIS_URL);
for (const line of startupLines({
  config,
  database: database.choice,
  embedded: database.embedded,
  redis,
  dev,
})) {
  say(line);
}

/**
 * Applies the migrations. An external PostgreSQL that does not answer is waited for: BoCloud
 * runs meanwhile (answering 503, as whenever its database is down), and the migrations are
 * applied once it answers. Any other failure stops the start.
 */
async function migrated(): Promise<boolean> {
  try {
    await migrate(database.url);
    return true;
  } catch (err) {
    if (database.embedded || !isDatabaseUnavailable(err)) {
      console.error(`Could not prepare the database: ${(err as Error).message}`);
      return exit(1);
    }
    say(
      `PostgreSQL at ${hostPort(database.url)} does not answer (${(err as Error).message}): ` +
        "BoCloud starts anyway and answers 503 until it does, then applies the migrations.",
    );
    return false;
  }
}

async function migrateWhenItAnswers(): Promise<void> {
  let lastProblem = "";
  while (!stopping.signal.aborted) {
    await sleep(MIGRATE_RETRY_MS, stopping.signal);
    try {
      await migrate(database.url);
      say(`PostgreSQL at ${hostPort(database.url)} answers: the database is ready.`);
      return announceReady();
    } catch (err) {
      const problem = (err as Error).message;
      if (!isDatabaseUnavailable(err) && problem !== lastProblem) {
        console.error(`Could not prepare the database: ${problem}`);
      }
      lastProblem = problem;
    }
  }
}

/** Once the web app answers: where to go next (/setup on a first run). */
async function announceReady(): Promise<void> {
  for (let i = 0; i < 480 && !stopping.signal.aborted; i++) {
    const healthy = await fetch(`http://127.0.0.1:${config.PORT}/api/health`, {
      signal: AbortSignal.timeout(2000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) {
      say(nextStepLine(config, await hasUsers().catch(() => true)));
      return;
    }
    await sleep(250, stopping.signal);
  }
}

async function hasUsers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ any: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM users) AS any",
    );
    return rows[0].any;
  } finally {
    await client.end();
  }
}

const ready = await migrated();
if (stopping.signal.aborted) await exit(0);

const logger = new Logger({ prefixFormat: "name", timestampFormat: "yyyy-MM-dd HH:mm:ss.SSS" });
const abortController = new AbortController();
const { result } = createConcurrently(
  bocloudCommands(ROOT, dev ? "dev" : "start").map((p) => ({
    ...p,
    cwd: ROOT,
    env: { BOCLOUD_PROC: p.name, DATABASE_URL: database.url, REDIS_URL: redis.url },
  })),
  {
    logger,
    outputStream: process.stdout,
    abortSignal: abortController.signal,
    prefixColors: ["blue", "magenta", "green", "yellow", "cyan"],
    controllers: [
      new LogError({ logger }),
      new LogOutput({ logger }),
      new LogExit({ logger }),
      new KillOnSignal({ process: stop as unknown as NodeJS.Process, abortController }),
      new RestartProcess({
        logger,
        delay: "exponential",
        tries: -1,
        scheduler: cappedScheduler({ stopping: abortController.signal }),
      }),
    ],
  },
);
void (ready ? announceReady() : migrateWhenItAnswers());
// The embedded PostgreSQL stops only after every process has.
await result.then(
  () => exit(0),
  () => exit(1),
);
