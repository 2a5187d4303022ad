import { z } from "zod";
import { identifier } from "../ingest/schema.ts";

const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters");

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
  params: z.record(z.string(), z.unknown()).optional(),
  ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});

export const ackSchema = z.strictObject({
  status: z.enum(["succeeded", "failed"]),
  result: z.unknown().optional(),
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
