// Applies prisma/migrations to a database without Prisma's native engine, keeping Prisma's
// own bookkeeping (_prisma_migrations, advisory lock 72707369) so `prisma migrate deploy`
// and `prisma migrate status` agree with it. Creates the database first if it is missing.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";

const MIGRATIONS_DIR = resolve(import.meta.dirname, "../prisma/migrations");
const PRISMA_MIGRATE_LOCK = 72707369;
/** A server that takes the connection and never answers must not hold the start for minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const admin = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      console.log(`Created database ${name}.`);
    }
  } finally {
    await admin.end();
  }
}

export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} failed earlier and is not marked rolled back; ` +
          "fix the database, then mark it with `prisma migrate resolve`.",
      );
    }
    const applied = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
    const pending = localMigrations().filter((m) => !applied.has(m.name));
    for (const m of pending) await applyOne(client, m);
    return pending.map((m) => m.name);
  } finally {
    await client.end(); // also releases the advisory lock
  }
}

function localMigrations(): { name: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(MIGRATIONS_DIR, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      name,
      sql: readFileSync(join(MIGRATIONS_DIR, name, "migration.sql"), "utf8"),
    }));
}

async function applyOne(client: pg.Client, m: { name: string; sql: string }): Promise<void> {
  const id = randomUUID();
  const checksum = createHash("sha256").update(m.sql).digest("hex");
  await client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)`,
    [id, checksum, m.name],
  );
  try {
    // Sent whole as one simple query: PostgreSQL runs it as one implicit transaction.
    await client.query(m.sql);
  } catch (err) {
    // Nothing of the file was applied, so the row is marked rolled back and a fixed file can run.
    await client.query(
      `UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1`,
      [id, String(err)],
    );
    throw new Error(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
  }
  await client.query(
    `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
    [id],
  );
  console.log(`Applied migration ${m.name}.`);
}
