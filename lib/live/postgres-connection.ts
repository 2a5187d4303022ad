import pg from "pg";
import { config } from "../config.ts";

/**
 * A connection of its own for live messages without Redis (one to send NOTIFY, one to LISTEN),
 * outside the process's pool: a listening session must stay open, and notifications must not
 * wait for a pooled connection under load. Named in pg_stat_activity after the process.
 */
export async function liveConnection(purpose: "notify" | "listen"): Promise<pg.Client> {
  const { DATABASE_URL, DB_CONNECT_TIMEOUT_MS } = config();
  const client = new pg.Client({
    connectionString: DATABASE_URL,
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: `bocloud-${process.env.BOCLOUD_PROC ?? "web"}-${purpose}`,
  });
  // A lost connection also ends the client: its users watch for 'end'.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}
