import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { createDeviceSchema } from "@/lib/devices/schemas.ts";
import { listDevices } from "@/lib/queries/list-devices.ts";
import { createDevice } from "@/lib/queries/manage-devices.ts";

export const dynamic = "force-dynamic";

/** GET /api/devices — every device with its status and last-seen time, most recent first. */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    return Response.json({ devices: await listDevices() });
  } catch (err) {
    return errorResponse(err);
  }
}

/** POST /api/devices — register a device; the answer holds its token, shown this once. */
export async function POST(request: Request): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const { device_id, ...changes } = parseWith(
      createDeviceSchema,
      await readJsonBody(request, 16 * 1024),
    );
    return Response.json(await createDevice(device_id, changes), { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
