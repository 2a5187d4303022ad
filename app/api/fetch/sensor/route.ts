import { z } from "zod";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { checkRange, dbId, rangeParams } from "@/lib/api/fetch-params.ts";
import { parseWith, queryParams } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { findSensor } from "@/lib/queries/find-sensor.ts";
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
    const id = q.id;
    const by = id !== undefined ? { id } : { deviceId: q.device ?? "", type: q.type ?? "" };
    // By id, the sensor and its readings are read in parallel (an unknown id reads no rows).
    const [sensor, byIdPage] = await Promise.all([
      findSensor(by),
      id !== undefined ? listReadings({ sensorId: id }, q) : null,
    ]);
    if (!sensor) throw new ApiError("not_found", "There is no such sensor.");
    const page = byIdPage ?? (await listReadings({ sensorId: BigInt(sensor.id) }, q));
    return Response.json({ sensor, ...page });
  } catch (err) {
    return errorResponse(err);
  }
}
