import { z } from "zod";
import { checkRange, dbId, rangeParams } from "@/lib/api/query-schemas.ts";
import { route } from "@/lib/api/route.ts";
import { notFound } from "@/lib/errors.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { findSensor } from "@/lib/queries/find-sensor.ts";
import { listReadings } from "@/lib/queries/list-readings.ts";
import type { SensorRef } from "@/lib/queries/sensor-ref.ts";

const sensorQuery = z
  .strictObject({
    id: dbId.optional(),
    device: identifier.optional(),
    type: identifier.optional(),
    ...rangeParams,
  })
  .superRefine((q, ctx) => {
    const byId = q.id !== undefined;
    const byName = q.device !== undefined || q.type !== undefined;
    if (byId === byName || (byName && (!q.device || !q.type))) {
      ctx.addIssue({
        code: "custom",
        message: "name the sensor by `id`, or by both `device` and `type`",
      });
    }
    checkRange(q, ctx);
  })
  .transform(({ id, device, type, ...range }) => {
    const sensor: SensorRef =
      id !== undefined ? { sensorId: id } : { deviceId: device ?? "", sensorType: type ?? "" };
    return { sensor, ...range };
  });

/** GET /api/fetch/sensor?id=<sensor_id> (or ?<sensor_id>, or ?device=&type=) — a sensor and its readings. */
export const GET = route(
  { access: "operator", query: sensorQuery, queryOptions: { bareKey: "id" } },
  async ({ query: q }) => {
    // The sensor and the page are read in parallel, one round trip.
    const [sensor, page] = await Promise.all([findSensor(q.sensor), listReadings(q.sensor, q)]);
    if (!sensor) throw notFound("There is no such sensor.");
    return Response.json({ sensor, ...page });
  },
);
