import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { setDeviceToken } from "@/lib/queries/manage-devices.ts";

type Context = { params: Promise<{ deviceId: string }> };

/** POST /api/devices/<id>/token — a new token (shown this once); the old one stops working at once. */
export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const deviceId = parseWith(identifier, (await context.params).deviceId);
    return Response.json(
      { device_id: deviceId, token: await setDeviceToken(deviceId, true) },
      { status: 201 },
    );
  } catch (err) {
    return errorResponse(err);
  }
}

/** DELETE /api/devices/<id>/token — revoke: the device can no longer write until given a new one. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    await setDeviceToken(parseWith(identifier, (await context.params).deviceId), false);
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
