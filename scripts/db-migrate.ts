// `npm run db:migrate`, and `node dist/migrate.mjs` (docker-compose's one-shot `migrate`):
// creates BoCloud's database if it is missing and applies the pending migrations, to
// DATABASE_URL or, without it, to this install's database (scripts/launch/database.ts; the
// embedded PostgreSQL is started for the while, unless BoCloud runs and has it started).
import { ConfigError, parseConfig } from "../lib/config.ts";
import { openDatabase } from "./launch/database.ts";
import { migrate } from "./migrate.ts";

try {
  parseConfig(process.env);
  const database = await openDatabase(process.env, { exclusive: false, log: console.log });
  try {
    const names = await migrate(database.url);
    if (names.length === 0) console.log("Database is up to date.");
  } finally {
    await database.stop();
  }
} catch (err) {
  console.error(
    err instanceof ConfigError ? err.message : `db:migrate failed: ${(err as Error).message}`,
  );
  process.exit(1);
}
