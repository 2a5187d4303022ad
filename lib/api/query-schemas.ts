import { z } from "zod";
import { DEFAULT_FETCH_LIMIT, MAX_FETCH_LIMIT } from "../limits.ts";

/** The times a query may name: years 1 to 9999, which PostgreSQL and ISO-8601 both hold. */
const FIRST_MS = Date.parse("0001-01-01T00:00:00.000Z");
const LAST_MS = Date.parse("9999-12-31T23:59:59.999Z");
const inRange = (ms: number) => Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS;

/** A point in time in a query string: epoch milliseconds or an ISO-8601 date-time. */
const instant = z.string().transform((v, ctx) => {
  const ms = /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (inRange(ms)) return new Date(ms);
  ctx.addIssue({
    code: "custom",
    message: "must be epoch milliseconds or an ISO-8601 date-time, in the years 1 to 9999",
  });
  return z.NEVER;
});

export interface Cursor {
  ts: Date;
  id: bigint;
}

export function encodeCursor(c: { ts: string; id: number }): string {
  return Buffer.from(`${Date.parse(c.ts)}.${c.id}`).toString("base64url");
}

/** The largest id PostgreSQL's bigint holds. */
const MAX_BIGINT = 2n ** 63n - 1n;

const cursor = z.string().transform((v, ctx): Cursor => {
  const m = /^(-?\d{1,16})\.(\d{1,19})$/.exec(Buffer.from(v, "base64url").toString());
  if (m && inRange(Number(m[1])) && BigInt(m[2]) <= MAX_BIGINT) {
    return { ts: new Date(Number(m[1])), id: BigInt(m[2]) };
  }
  ctx.addIssue({ code: "custom", message: "is not a cursor this API returned" });
  return z.NEVER;
});

/** from / to / limit / cursor, shared by the fetch endpoints (checked with `checkRange`). */
export const rangeParams = {
  from: instant.optional(),
  to: instant.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, "must be at least 1")
        .max(MAX_FETCH_LIMIT, `must be at most ${MAX_FETCH_LIMIT}`),
    )
    .default(DEFAULT_FETCH_LIMIT),
  cursor: cursor.optional(),
};

export interface RangeQuery {
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: Cursor;
}

/** A numeric id in a path or query string: a sensor's, a command's. */
export const dbId = z
  .string()
  .regex(/^[1-9]\d{0,17}$/, "must be a positive whole number")
  .transform((v) => BigInt(v));

/** The one rule for every time range of the API: `from` is not after `to`. False when broken. */
export function checkRange(q: { from?: Date; to?: Date }, ctx: z.RefinementCtx): boolean {
  if (q.from && q.to && q.from > q.to) {
    ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after `to`" });
    return false;
  }
  return true;
}
