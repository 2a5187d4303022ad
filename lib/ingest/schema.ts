import { z } from "zod";
import {
  ID_PATTERN,
  MAX_BATCH_ITEMS,
  MAX_ID_LENGTH,
  MAX_SENSORS_PER_ITEM,
  MAX_STRING_VALUE_LENGTH,
  MAX_TS_AHEAD_MS,
  MIN_TS_MS,
} from "../limits.ts";
import type { ReadingValue } from "../reading.ts";

export const identifier = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(
    ID_PATTERN,
    "may hold only letters, digits and . _ : - and must start with a letter or digit",
  );

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}

const readingValue = z.unknown().transform((value, ctx): ReadingValue => {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    ctx.addIssue({ code: "custom", message: "must be a finite number" });
    return z.NEVER;
  }
  if (typeof value === "string") {
    if (value.length > MAX_STRING_VALUE_LENGTH) {
      ctx.addIssue({
        code: "custom",
        message: `must be at most ${MAX_STRING_VALUE_LENGTH} characters`,
      });
    } else if (value.includes("\u0000")) {
      ctx.addIssue({ code: "custom", message: "must not contain NUL characters" });
    }
    return value;
  }
  ctx.addIssue({
    code: "custom",
    message: `must be a number, a string or a boolean, not ${typeName(value)}`,
  });
  return z.NEVER;
});

export const sensors = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "must be an object of sensor name to value",
  )
  .superRefine((s, ctx) => {
    for (const name of Object.keys(s)) {
      for (const issue of identifier.safeParse(name).error?.issues ?? []) {
        ctx.addIssue({ code: "custom", path: [name], message: `sensor name ${issue.message}` });
      }
    }
  })
  .pipe(z.record(z.string(), readingValue))
  .refine((s) => Object.keys(s).length > 0, "must name at least one sensor")
  .refine(
    (s) => Object.keys(s).length <= MAX_SENSORS_PER_ITEM,
    `may name at most ${MAX_SENSORS_PER_ITEM} sensors`,
  );

/** Epoch milliseconds or an ISO-8601 date-time with a zone (Z or ±hh:mm). */
export const timestamp = z
  .union(
    [
      z.number(),
      z.iso.datetime({
        offset: true,
        error: "must be an ISO-8601 date-time with a time zone, or epoch milliseconds",
      }),
    ],
    {
      error: "must be epoch milliseconds or an ISO-8601 date-time with a time zone",
    },
  )
  .transform((v, ctx) => {
    const ms = typeof v === "number" ? v : Date.parse(v);
    if (!Number.isFinite(ms) || ms < MIN_TS_MS) {
      ctx.addIssue({
        code: "custom",
        message: "is before 2000-01-01 (send milliseconds, not seconds)",
      });
      return z.NEVER;
    }
    if (ms > Date.now() + MAX_TS_AHEAD_MS) {
      ctx.addIssue({ code: "custom", message: "is more than 24 hours in the future" });
      return z.NEVER;
    }
    return new Date(ms);
  });

const ingestItemSchema = z.strictObject(
  { device_id: identifier, sensors, ts: timestamp.optional() },
  { error: (issue) => (issue.code === "invalid_type" ? "must be an object" : undefined) },
);

/**
 * One object of `item`'s shape, or an array of 1 to MAX_BATCH_ITEMS of them (a gateway's batch),
 * always as an array. Dispatching on the shape first (rather than a union) keeps each error
 * pointed at the field that is wrong.
 */
export function oneOrBatch<T extends z.ZodType>(item: T) {
  const batch = z
    .array(item)
    .min(1, "a batch must hold at least one reading")
    .max(MAX_BATCH_ITEMS, `a batch may hold at most ${MAX_BATCH_ITEMS} readings`);
  const one = item.transform((parsed) => [parsed]);
  return z.unknown().transform((body, ctx): z.output<T>[] => {
    const result = Array.isArray(body)
      ? batch.safeParse(body)
      : typeof body === "object" && body !== null
        ? one.safeParse(body)
        : undefined;
    if (result?.success) return result.data as z.output<T>[];
    for (const issue of result?.error.issues ?? [
      { code: "custom" as const, path: [], message: "must be a JSON object or an array of them" },
    ]) {
      ctx.addIssue({ ...issue, code: "custom", message: issue.message });
    }
    return z.NEVER;
  });
}

/** POST /api/data (and MQTT's bocloud/v1/data): the seed's single object, or a gateway's array of them. */
export const ingestBodySchema = oneOrBatch(ingestItemSchema);

export type IngestItem = z.output<typeof ingestItemSchema>;
