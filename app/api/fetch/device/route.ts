import { z } from "zod";
import { checkRange, rangeParams } from "@/lib/api/query-schemas.ts";
import { route } from "@/lib/api/route.ts";
import { notFound } from "@/lib/errors.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { findDevice } from "@/lib/queries/find-device.ts";
import { listReadings } from "@/lib/queries/list-readings.ts";

const deviceQuery = z
  .strictObject({ id: identifier, ...rangeParams })
  .superRefine((q, ctx) => void checkRange(q, ctx));

/** GET /api/fetch/device?id=<device_id> (or the seed's ?<device_id>) — a device and its readings. */
export const GET = route(
  { access: "operator", query: deviceQuery, queryOptions: { bareKey: "id" } },
  async ({ query: q }) => {
    // The device (with its sensors) and the page are read in parallel, one round trip.
    const [device, page] = await Promise.all([
      findDevice(q.id),
      listReadings({ deviceId: q.id }, q),
    ]);
    if (!device) throw notFound(`There is no device "${q.id}".`);
    return Response.json({ device, ...page });
  },
);
