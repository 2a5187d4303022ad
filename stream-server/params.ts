import { z } from "zod";
import { dbId } from "../lib/api/query-schemas.ts";
import { identifier } from "../lib/ingest/schema.ts";

const MAX_BACKFILL = 1000;

const readingId = z
  .string()
  .regex(/^\d{1,15}$/, "must be a reading id (a whole number)")
  .transform(Number);

/** GET /api/stream's query; Last-Event-ID may also come as a header. */
export const streamQuery = z.strictObject({
  device: identifier.optional(),
  sensor: dbId.transform(Number).optional(),
  backfill: z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().max(MAX_BACKFILL, `must be at most ${MAX_BACKFILL}`))
    .optional(),
  last_event_id: readingId.optional(),
});
