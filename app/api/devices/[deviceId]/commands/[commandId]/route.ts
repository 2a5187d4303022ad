import { z } from "zod";
import { dbId } from "@/lib/api/query-schemas.ts";
import { route } from "@/lib/api/route.ts";
import { authorizeDevices, resolvePrincipal } from "@/lib/auth/device-principal.ts";
import { ackSchema } from "@/lib/devices/schemas.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { publishCommands } from "@/lib/publish.ts";
import { acknowledgeCommand } from "@/lib/queries/commands.ts";

const params = z.strictObject({ deviceId: identifier, commandId: dbId });

/** POST /api/devices/<id>/commands/<command id> — the device acknowledges: succeeded or failed. */
export const POST = route(
  { access: "device", params, body: ackSchema },
  async ({ device, params: { deviceId, commandId }, body }) => {
    await authorizeDevices(await resolvePrincipal(device), [deviceId]);
    const command = await acknowledgeCommand(deviceId, commandId, body);
    await publishCommands([command]);
    return Response.json({ command });
  },
);
