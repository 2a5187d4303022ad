import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { publishReadings } from "@/lib/ingest/publish-readings.ts";
import { ingestBodySchema } from "@/lib/ingest/schema.ts";
import { MAX_BODY_BYTES } from "@/lib/limits.ts";
import { storeReadings } from "@/lib/queries/store-readings.ts";

/** POST /api/data — store a device's readings (one object) or a gateway's batch (an array). */
export async function POST(request: Request): Promise<Response> {
  try {
    const items = parseWith(ingestBodySchema, await readJsonBody(request, MAX_BODY_BYTES));
    const readings = await storeReadings(items);
    await publishReadings(readings);
    return Response.json({ count: readings.length, readings }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
