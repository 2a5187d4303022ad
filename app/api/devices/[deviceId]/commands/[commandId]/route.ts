import { errorResponse } from "@/lib/api/errors.ts";
import { dbId } from "@/lib/api/fetch-params.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { authorizeDevices, devicePrincipal } from "@/lib/auth/device-principal.ts";
import { ackSchema } from "@/lib/devices/schemas.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { publishEvents } from "@/lib/publish.ts";
import { acknowledgeCommand } from "@/lib/queries/commands.ts";

type Context = { params: Promise<{ deviceId: string; commandId: string }> };

/** POST /api/devices/<id>/commands/<command id> — the device acknowledges: succeeded or failed. */
export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    const params = await context.params;
    const deviceId = parseWith(identifier, params.deviceId);
    const commandId = parseWith(dbId, params.commandId);
    await authorizeDevices(await devicePrincipal(request), [deviceId]);
    const ack = parseWith(ackSchema, await readJsonBody(request, 16 * 1024));
    const command = await acknowledgeCommand(deviceId, commandId, ack);
    await publishEvents([{ type: "command", command }]);
    return Response.json({ command });
  } catch (err) {
    return errorResponse(err);
  }
}
