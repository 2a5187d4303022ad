import { errorResponse } from "@/lib/api/errors.ts";
import { listDevices } from "@/lib/queries/list-devices.ts";

export const dynamic = "force-dynamic";

/** GET /api/devices — every device with its last-seen time, most recent first. */
export async function GET(): Promise<Response> {
  try {
    return Response.json({ devices: await listDevices() });
  } catch (err) {
    return errorResponse(err);
  }
}
