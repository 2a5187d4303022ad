import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

function createPool(): pg.Pool {
  const { DATABASE_URL, DB_POOL_SIZE, DB_CONNECT_TIMEOUT_MS } = config();
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: DB_POOL_SIZE,
    // A database that is down must give a quick 503, not a request that hangs.
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that dies (the server restarted) is replaced on next use; without a
  // listener its error would end the process.
  pool.on("error", () => {});
  return pool;
}

// One pool and one Prisma client per process; `next dev` reloads modules, so keep them on
// globalThis there. The hot paths (the store statement) use the pool directly: Prisma's layer
// costs about half a millisecond a statement there.
const globalForDb = globalThis as unknown as { pool?: pg.Pool; prisma?: PrismaClient };

export const pool = globalForDb.pool ?? createPool();
export const prisma = globalForDb.prisma ?? new PrismaClient({ adapter: new PrismaPg(pool) });
if (process.env.NODE_ENV !== "production") Object.assign(globalForDb, { pool, prisma });

/** Closes the process's database connections (at shutdown). */
export async function disconnectDatabase(): Promise<void> {
  await prisma.$disconnect();
  await pool.end().catch(() => {});
}
