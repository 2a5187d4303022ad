import { z } from "zod";
import { identifier } from "../ingest/schema.ts";

// PostgreSQL refuses NUL in text and jsonb: such input is refused here, as bad input.
const NUL = "\u0000";
const NO_NUL = "must not contain NUL characters (\\u0000)";

/** Whether a string anywhere in a parsed JSON value, key or value, holds a NUL. */
function holdsNul(value: unknown): boolean {
  // A stack, not recursion: nesting as deep as JSON.parse allows cannot overflow it.
  const pending = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "string") {
      if (v.includes(NUL)) return true;
    } else if (Array.isArray(v)) {
      pending.push(...v);
    } else if (v !== null && typeof v === "object") {
      for (const [key, inner] of Object.entries(v)) {
        if (key.includes(NUL)) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .refine((v) => !v.includes(NUL), NO_NUL);

export const deviceChangesSchema = z.strictObject({
  name: name.optional(),
  gateway_id: identifier.nullable().optional(),
  offline_after_seconds: z.number().int().min(1).max(31_536_000).nullable().optional(),
  retention_days: z.number().int().min(1).max(36_500).nullable().optional(),
});

export const createDeviceSchema = deviceChangesSchema.extend({ device_id: identifier });

export const createGatewaySchema = z.strictObject({
  gateway_id: identifier,
  name: name.optional(),
});

export const commandSchema = z.strictObject({
  name: identifier,
  params: z
    .record(z.string(), z.unknown())
    .refine((v) => !holdsNul(v), NO_NUL)
    .optional(),
  ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});

export const ackSchema = z.strictObject({
  status: z.enum(["succeeded", "failed"]),
  result: z
    .unknown()
    .refine((v) => !holdsNul(v), NO_NUL)
    .optional(),
});

export const MAX_WAIT_SECONDS = 60;

export const pollQuerySchema = z.strictObject({
  wait: z
    .string()
    .regex(/^\d+$/, "must be whole seconds")
    .transform(Number)
    .pipe(z.number().max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS}`))
    .default(0),
  redeliver: z
    .enum(["0", "1", "true", "false"])
    .transform((v) => v === "1" || v === "true")
    .optional(),
});

/** The path of /api/devices/<device_id>/… */
export const deviceParams = z.strictObject({ deviceId: identifier });
/** The path of /api/gateways/<gateway_id>/… */
export const gatewayParams = z.strictObject({ gatewayId: identifier });
