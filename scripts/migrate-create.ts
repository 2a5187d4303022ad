/**
 * Creates a Prisma migration from prisma/schema.prisma without Prisma's native schema engine
 * (which cannot be downloaded here): Prisma's schema engine, compiled to WebAssembly, replays
 * prisma/migrations on a temporary database and diffs the result against the schema.
 *
 *   npm run db:migrate:create -- <name>
 *       writes prisma/migrations/<UTC timestamp>_<name>/migration.sql, if the schema has changes
 *   npm run db:migrate:create -- --check
 *       exits 1 and prints the SQL if the schema has changes no migration holds, 0 if they agree
 *
 * Other failures exit 2. DATABASE_URL only names the PostgreSQL server: the work happens in a
 * temporary database bocloud_shadow_<random> on it, dropped at the end.
 * The engine's API is internal: keep @prisma/schema-engine-wasm pinned to Prisma's engines hash.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlDriverAdapter,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";
import * as runtime from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { ConfigError, parseConfig } from "../lib/config.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SCHEMA_PATH = "prisma/schema.prisma";
const MIGRATIONS_DIR = join(ROOT, "prisma/migrations");
const CHAR_OID = 18; // PostgreSQL's one-byte "char"
const TEXT_OID = 25;

/** An expected failure: its message is shown without a stack trace. */
class Failure extends Error {}

interface WasmStart {
  __wbindgen_start(): void;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Connection errors can be AggregateErrors (one per address) with an empty message.
  const code = (error as NodeJS.ErrnoException).code;
  return error.message || code || error.name;
}

function parseArgs(args: string[]): { check: true } | { check: false; name: string } {
  const usage =
    "Usage: npm run db:migrate:create -- <name>   or   npm run db:migrate:create -- --check";
  const check = args.includes("--check");
  const rest = args.filter((arg) => arg !== "--check");
  const unknown = rest.find((arg) => arg.startsWith("-"));
  if (unknown) throw new Failure(`Unknown option ${unknown}.\n${usage}`);
  if (check) {
    if (rest.length > 0) throw new Failure(`--check takes no name.\n${usage}`);
    return { check };
  }
  const [name] = rest;
  if (name === undefined || rest.length > 1)
    throw new Failure(`Give exactly one migration name.\n${usage}`);
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new Failure(
      `Invalid migration name "${name}": use only a-z, 0-9 and _ (e.g. add_sensor_unit).`,
    );
  }
  return { check, name };
}

async function readMigrations(): Promise<MigrationList> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (path) => ({
      path,
      migrationFile: {
        path: "migration.sql",
        content: await readFile(join(MIGRATIONS_DIR, path, "migration.sql"), "utf8").then(
          (value) => ({ tag: "ok" as const, value }),
          (error: unknown) => ({ tag: "error" as const, value: errorText(error) }),
        ),
      },
    })),
  );
  // The engine refuses a migrations directory without a lockfile; it only reads the provider.
  const lockContent = await readFile(join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8").catch(
    () => 'provider = "postgresql"\n',
  );
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** PrismaPg on `url`, with two faults of adapter-pg 7.10 on the engine's path worked around. */
async function connectAdapter(url: string, pools: pg.Pool[]): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool({ connectionString: url });
  pools.push(pool);
  // Connections still closing die when the temporary database is dropped; that is no error.
  pool.on("error", () => {});

  // adapter-pg has no mapping for "char", which the engine's introspection reads (e.g.
  // pg_constraint.contype): hand such columns to it as text, then tell the engine they are
  // characters.
  const charColumns = new WeakMap<object, number[]>();
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config);
    if (Array.isArray(result)) return result; // a multi-statement script: one result per statement
    const indexes: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      indexes.push(i);
    });
    charColumns.set(result.rows, indexes);
    return result;
  }) as typeof pool.query;

  const adapter = await new PrismaPg(pool).connect();
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (sqlQuery) => {
    const result = await queryRaw(sqlQuery);
    for (const i of charColumns.get(result.rows) ?? [])
      result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  // adapter-pg splits scripts on ";", which breaks function bodies and string literals. A query
  // without parameters goes over the simple protocol, which runs the whole migration file as one
  // implicit transaction, as `npm run db:migrate` does.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

async function startEngine(
  factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  schema: string,
): Promise<SchemaEngine> {
  // Node 20 cannot import a .wasm module, so do by hand what schema_engine.js leaves to a bundler.
  const wasmUrl = new URL(
    "schema_engine_bg.wasm",
    import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"),
  );
  const instance = await WebAssembly.instantiate(
    await WebAssembly.compile(await readFile(wasmUrl)),
    {
      "./schema_engine_bg.js": runtime,
    },
  );
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports as unknown as WasmStart).__wbindgen_start();
  const logs = () => {}; // the engine's JSON log lines; errors come back as rejections
  return runtime.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, logs, factory);
}

/**
 * A Rust panic aborts the engine with an exception thrown outside any promise, after handing its
 * message to PRISMA_WASM_PANIC_REGISTRY. Turn it into a rejection, so that the temporary database
 * is still dropped.
 */
function catchPanics(): { panicked: Promise<never>; stop: () => void } {
  let message = "";
  const registry = {
    set_message: (m: string) => {
      message = m;
    },
  };
  Object.assign(globalThis, { PRISMA_WASM_PANIC_REGISTRY: registry });
  let onException = (_error: Error) => {};
  const panicked = new Promise<never>((_, reject) => {
    onException = (error) =>
      reject(message ? new Failure(`The schema engine crashed: ${message}`) : error);
  });
  process.once("uncaughtException", onException);
  return { panicked, stop: () => process.off("uncaughtException", onException) };
}

/** The SQL that takes a database built from the migrations to the schema; "" when they agree. */
async function diffSchemaAgainstMigrations(): Promise<string> {
  const schema = await readFile(join(ROOT, SCHEMA_PATH), "utf8");
  const migrations = await readMigrations();

  const server = new URL(parseConfig(process.env).DATABASE_URL);
  const shadowName = `bocloud_shadow_${randomBytes(6).toString("hex")}`;
  const shadowUrl = new URL(server);
  shadowUrl.pathname = `/${shadowName}`;
  const adminUrl = new URL(server);
  adminUrl.pathname = "/postgres";

  const admin = new pg.Client({ connectionString: adminUrl.href });
  try {
    await admin.connect();
  } catch (error) {
    throw new Failure(
      `Cannot connect to PostgreSQL at ${server.host} (DATABASE_URL): ${errorText(error)}`,
    );
  }
  const pools: pg.Pool[] = [];
  // adapter-pg's own connectToShadowDb() creates a database but then connects to the main one,
  // and a diff needs no main database: both connections go to our temporary database.
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connectAdapter(shadowUrl.href, pools),
    connectToShadowDb: () => connectAdapter(shadowUrl.href, pools),
  });
  const { panicked, stop } = catchPanics();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(shadowName)}`);
    const engine = await Promise.race([startEngine(factory, schema), panicked]);
    const result = await Promise.race([
      engine.diff({
        from: { tag: "migrations", ...migrations },
        to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
        script: true,
        exitCode: true, // makes exitCode 2 when the diff is not empty
        filters: { externalTables: [], externalEnums: [] },
      }),
      panicked,
    ]);
    return result.exitCode === 2 ? (result.stdout ?? "") : "";
  } catch (error) {
    if (error instanceof Failure) throw error;
    // A JS error inside the adapter reaches us only as "External error id#<n>".
    const id = /External error id#(\d+)/.exec(errorText(error))?.[1];
    const cause = id === undefined ? error : factory.errorRegistry.consumeError(Number(id))?.error;
    // Drop the engine's Rust backtrace ("   0: schema_engine_wasm::...").
    throw new Failure(
      errorText(cause)
        .replace(/\n\s+0: [\s\S]*/, "")
        .trim(),
    );
  } finally {
    stop();
    await Promise.allSettled(pools.map((pool) => pool.end()));
    await admin
      .query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(shadowName)} WITH (FORCE)`)
      .catch((error: unknown) => {
        console.error(`Could not drop the temporary database ${shadowName}: ${errorText(error)}`);
      });
    await admin.end();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const sql = await diffSchemaAgainstMigrations();

  if (args.check) {
    if (!sql) {
      console.log("Schema and migrations agree.");
      return 0;
    }
    process.stdout.write(sql);
    console.error(
      `\n${SCHEMA_PATH} has changes that no migration holds (SQL above). ` +
        "Create one: npm run db:migrate:create -- <name>",
    );
    return 1;
  }
  if (!sql) {
    console.log("No schema changes; no migration created.");
    return 0;
  }
  const timestamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14); // UTC YYYYMMDDHHMMSS
  const dir = join(MIGRATIONS_DIR, `${timestamp}_${args.name}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, "migration.sql");
  await writeFile(file, sql, { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "EEXIST" ? new Failure(`${file} already exists.`) : error;
  });
  console.log(
    `Created ${relative(process.cwd(), file)}. Review it, then apply it with: npm run db:migrate`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const expected = error instanceof Failure || error instanceof ConfigError;
    console.error(expected ? error.message : error);
    process.exitCode = 2;
  },
);
