import pg from "pg";
import { testRun } from "./stack.ts";

const pool = new pg.Pool({ connectionString: testRun().databaseUrl, max: 2 });

export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (await pool.query<T>(text, params)).rows;
}

/** Row counts of every table a request can write to. */
export async function rowCounts(): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, string>>(
    `SELECT (SELECT count(*) FROM devices) AS devices,
            (SELECT count(*) FROM sensors) AS sensors,
            (SELECT count(*) FROM readings) AS readings`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}
