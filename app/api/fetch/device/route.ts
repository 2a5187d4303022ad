import { z } from "zod";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { checkRange, rangeParams } from "@/lib/api/fetch-params.ts";
import { parseWith, queryParams } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { findDevice } from "@/lib/queries/find-device.ts";
import { listReadings } from "@/lib/queries/list-readings.ts";

const deviceQuery = z.strictObject({ id: identifier, ...rangeParams }).superRefine(checkRange);

/** GET /api/fetch/device?id=<device_id> (or the seed's ?<device_id>) — a device and its readings. */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    const q = parseWith(deviceQuery, queryParams(new URL(request.url), "id"));
    // The device (with its sensors) and the page are read in parallel, one round trip.
    const [device, page] = await Promise.all([
      findDevice(q.id),
      listReadings({ deviceId: q.id }, q),
    ]);
    if (!device) throw new ApiError("not_found", `There is no device "${q.id}".`);
    return Response.json({ device, ...page });
  } catch (err) {
    return errorResponse(err);
  }
}
