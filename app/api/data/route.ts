import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { authorizeDevices, devicePrincipal, rateKeys } from "@/lib/auth/device-principal.ts";
import { ingestBodySchema } from "@/lib/ingest/schema.ts";
import { MAX_BODY_BYTES } from "@/lib/limits.ts";
import { publishEvents, publishReadings } from "@/lib/publish.ts";
import { storeReadings } from "@/lib/queries/store-readings.ts";
import { limitIngest } from "@/lib/rate-limit.ts";

/**
 * POST /api/data — store a device's readings (one object) or a gateway's batch (an array).
 * Answers with what was stored and the commands waiting for the devices.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const principal = await devicePrincipal(request);
    const items = parseWith(ingestBodySchema, await readJsonBody(request, MAX_BODY_BYTES));
    const deviceIds = items.map((i) => i.device_id);
    await authorizeDevices(principal, deviceIds);
    await limitIngest(rateKeys(principal, deviceIds));
    const stored = await storeReadings(items, { register: principal.kind === "open" });
    await Promise.all([
      publishReadings(stored.readings),
      publishEvents([
        ...stored.cameOnline,
        ...stored.commands.map((command) => ({ type: "command" as const, command })),
      ]),
    ]);
    const { readings, commands } = stored;
    return Response.json({ count: readings.length, readings, commands }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
