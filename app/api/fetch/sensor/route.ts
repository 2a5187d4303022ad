import { z } from "zod";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { checkRange, dbId, rangeParams } from "@/lib/api/fetch-params.ts";
import { parseWith, queryParams } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { findSensor, type SensorKey } from "@/lib/queries/find-sensor.ts";
import { listReadings } from "@/lib/queries/list-readings.ts";

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
  });

/** GET /api/fetch/sensor?id=<sensor_id> (or ?<sensor_id>, or ?device=&type=) — a sensor and its readings. */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    const q = parseWith(sensorQuery, queryParams(new URL(request.url), "id"));
    const key: SensorKey =
      q.id !== undefined
        ? { sensorId: q.id }
        : { deviceId: q.device ?? "", sensorType: q.type ?? "" };
    // The sensor and the page are read in parallel, one round trip.
    const [sensor, page] = await Promise.all([findSensor(key), listReadings(key, q)]);
    if (!sensor) throw new ApiError("not_found", "There is no such sensor.");
    return Response.json({ sensor, ...page });
  } catch (err) {
    return errorResponse(err);
  }
}
