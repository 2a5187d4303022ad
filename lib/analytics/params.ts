import { z } from "zod";
import { checkRange, dbId, rangeParams } from "../api/query-schemas.ts";
import { identifier } from "../ingest/schema.ts";
import type { ReadingsOwner, SensorRef } from "../queries/sensor-ref.ts";
import { DEFAULT_POINTS, MAX_POINTS } from "./buckets.ts";

const MAX_SERIES = 20;
const DAY_MS = 86_400_000;

/** `sensor=<id>` or `sensor=<device_id>/<type>` (a device id never holds a "/"). */
const sensorRef = z.string().transform((v, ctx): SensorRef => {
  const slash = v.indexOf("/");
  if (slash < 0) {
    const id = dbId.safeParse(v);
    if (id.success) return { sensorId: id.data };
  } else {
    const deviceId = identifier.safeParse(v.slice(0, slash));
    const type = identifier.safeParse(v.slice(slash + 1));
    if (deviceId.success && type.success) return { deviceId: deviceId.data, sensorType: type.data };
  }
  ctx.addIssue({ code: "custom", message: "must be a sensor id or <device_id>/<sensor type>" });
  return z.NEVER;
});

const points = z
  .string()
  .regex(/^\d+$/, "must be a whole number")
  .transform(Number)
  .pipe(z.number().min(1, "must be at least 1").max(MAX_POINTS, `must be at most ${MAX_POINTS}`));

/** The repeatable keys of GET /api/aggregates' query string. */
export const AGGREGATES_REPEATABLE = ["sensor", "device", "type"] as const;

/**
 * GET /api/aggregates: sensors by repeated `sensor`, and/or by `device` and `type` given in
 * pairs (the first `device` with the first `type`, and so on); `from` / `to` (default the
 * last 24 hours up to now) and `points`.
 */
export const aggregatesQuery = z
  .strictObject({
    sensor: z.array(sensorRef),
    device: z.array(identifier),
    type: z.array(identifier),
    from: rangeParams.from,
    to: rangeParams.to,
    points: points.default(DEFAULT_POINTS),
  })
  .superRefine((q, ctx) => {
    if (q.device.length !== q.type.length) {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: "give one `type` for each `device` (they pair in order)",
      });
    }
    const count = q.sensor.length + q.device.length;
    if (count === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["sensor"],
        message: "name at least one sensor: `sensor=<id>` or `device=<device_id>&type=<type>`",
      });
    } else if (count > MAX_SERIES) {
      ctx.addIssue({ code: "custom", path: ["sensor"], message: `at most ${MAX_SERIES} sensors` });
    }
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DAY_MS);
    if (!checkRange({ from, to }, ctx)) return z.NEVER;
    const sensors: SensorRef[] = [
      ...q.sensor,
      ...q.device.map((deviceId, i) => ({ deviceId, sensorType: q.type[i] })),
    ];
    return { sensors, from, to, points: q.points };
  });

/**
 * GET /api/export: one device (`device`), one of its sensors (`device` and `type`) or a sensor
 * by id (`sensor`); optional `from` / `to` (inclusive); `format` csv (default) or json.
 */
export const exportQuery = z
  .strictObject({
    device: identifier.optional(),
    type: identifier.optional(),
    sensor: dbId.optional(),
    from: rangeParams.from,
    to: rangeParams.to,
    format: z.enum(["csv", "json"], { error: "must be csv or json" }).default("csv"),
  })
  .superRefine((q, ctx) => {
    if ((q.device === undefined) === (q.sensor === undefined) || (q.type && !q.device)) {
      ctx.addIssue({
        code: "custom",
        message: "name a `device` (and optionally its sensor `type`), or a `sensor` id",
      });
    }
    checkRange(q, ctx);
  })
  .transform((q) => {
    const of: ReadingsOwner =
      q.sensor !== undefined
        ? { sensorId: q.sensor }
        : q.type !== undefined
          ? { deviceId: q.device ?? "", sensorType: q.type }
          : { deviceId: q.device ?? "" };
    return { of, from: q.from, to: q.to, format: q.format };
  });
