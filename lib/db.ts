import { PrismaPg } from "@prisma/adapter-pg";
import { config } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

function createPrisma() {
  const { DATABASE_URL, DB_POOL_SIZE, DB_CONNECT_TIMEOUT_MS } = config();
  const adapter = new PrismaPg({
    connectionString: DATABASE_URL,
    max: DB_POOL_SIZE,
    // A database that is down must give a quick 503, not a request that hangs.
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}

// One client per process; `next dev` reloads modules, so keep it on globalThis there.
const globalForPrisma = globalThis as unknown as { prisma?: ReturnType<typeof createPrisma> };

export const prisma = globalForPrisma.prisma ?? createPrisma();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
