import { aggregateSeries } from "@/lib/analytics/aggregates.ts";
import { aggregatesQuery, multiParams } from "@/lib/analytics/params.ts";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { findSensors, type SensorInfo } from "@/lib/queries/find-sensors.ts";

/**
 * GET /api/aggregates?sensor=<id>[&sensor=<device_id>/<type>…][&device=<device_id>&type=<type>…]
 * &from=&to=&points=600 — each sensor's numeric readings as raw points or min/max/avg/count/last
 * buckets, at most `points` per sensor.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    const q = parseWith(
      aggregatesQuery,
      multiParams(new URL(request.url), ["sensor", "device", "type"]),
    );
    const found = await findSensors(q.sensors);
    const sensors = new Map<bigint, SensorInfo>();
    found.forEach((sensor, i) => {
      if (sensor) sensors.set(sensor.id, sensor);
      else {
        const ref = q.sensors[i];
        const name = "id" in ref ? `${ref.id}` : `${ref.deviceId}/${ref.type}`;
        throw new ApiError("not_found", `There is no sensor ${name}.`);
      }
    });
    return Response.json(await aggregateSeries([...sensors.values()], q.from, q.to, q.points));
  } catch (err) {
    return errorResponse(err);
  }
}
