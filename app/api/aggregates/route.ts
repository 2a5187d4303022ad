import { aggregateSeries } from "@/lib/analytics/aggregates.ts";
import { AGGREGATES_REPEATABLE, aggregatesQuery } from "@/lib/analytics/params.ts";
import { route } from "@/lib/api/route.ts";
import { findSensors } from "@/lib/queries/find-sensors.ts";

/**
 * GET /api/aggregates?sensor=<id>[&sensor=<device_id>/<type>…][&device=<device_id>&type=<type>…]
 * &from=&to=&points=600 — each sensor's numeric readings as raw points or min/max/avg/count/last
 * buckets, at most `points` per sensor.
 */
export const GET = route(
  {
    access: "operator",
    query: aggregatesQuery,
    queryOptions: { repeatable: AGGREGATES_REPEATABLE },
  },
  async ({ query: q }) => {
    const sensors = new Map((await findSensors(q.sensors)).map((s) => [s.id, s]));
    return Response.json(await aggregateSeries([...sensors.values()], q.from, q.to, q.points));
  },
);
