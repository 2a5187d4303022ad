import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { deviceChangesSchema } from "@/lib/devices/schemas.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { deleteDevice, findWireDevice, updateDevice } from "@/lib/queries/manage-devices.ts";

type Context = { params: Promise<{ deviceId: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request);
    const deviceId = parseWith(identifier, (await context.params).deviceId);
    return Response.json({ device: await findWireDevice(deviceId) });
  } catch (err) {
    return errorResponse(err);
  }
}

/** PATCH /api/devices/<id> — rename, assign to a gateway, set its offline timeout or retention. */
export async function PATCH(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const deviceId = parseWith(identifier, (await context.params).deviceId);
    const changes = parseWith(deviceChangesSchema, await readJsonBody(request, 16 * 1024));
    return Response.json({ device: await updateDevice(deviceId, changes) });
  } catch (err) {
    return errorResponse(err);
  }
}

/** DELETE /api/devices/<id> — the device, its sensors, readings and commands. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    await deleteDevice(parseWith(identifier, (await context.params).deviceId));
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
