import { route } from "@/lib/api/route.ts";
import { authorizeDevices, resolvePrincipal } from "@/lib/auth/device-principal.ts";
import { pollCommands } from "@/lib/commands/long-poll.ts";
import { commandSchema, deviceParams, pollQuerySchema } from "@/lib/devices/schemas.ts";
import { publishCommands } from "@/lib/publish.ts";
import { queueCommand } from "@/lib/queries/commands.ts";
import { requireDevice } from "@/lib/queries/require-device.ts";

/**
 * GET /api/devices/<id>/commands?wait=<s> — the device's long-poll: answers at once with
 * its pending commands (marked delivered), or as soon as one is queued, or with none after
 * `wait` seconds. `redeliver=1` also returns delivered commands it never acknowledged.
 */
export const GET = route(
  { access: "device", params: deviceParams, query: pollQuerySchema },
  async ({ request, device, params: { deviceId }, query }) => {
    await authorizeDevices(await resolvePrincipal(device), [deviceId]);
    await requireDevice(deviceId);
    const commands = await pollCommands(deviceId, {
      waitMs: query.wait * 1000,
      redeliver: query.redeliver,
      signal: request.signal,
    });
    await publishCommands(commands);
    return Response.json({ commands });
  },
);

/** POST /api/devices/<id>/commands — an operator queues a command for the device. */
export const POST = route(
  { access: "admin", params: deviceParams, body: commandSchema },
  async ({ params: { deviceId }, body }) => {
    const command = await queueCommand(deviceId, { ...body, params: body.params ?? {} });
    await publishCommands([command]);
    return Response.json({ command }, { status: 201 });
  },
);
