import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { authorizeDevices, devicePrincipal } from "@/lib/auth/device-principal.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { POLL_FALLBACK_MS, waitForQueuedCommand } from "@/lib/commands/waiter.ts";
import { prisma } from "@/lib/db.ts";
import { commandSchema, pollQuerySchema } from "@/lib/devices/schemas.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { publishEvents } from "@/lib/publish.ts";
import { queueCommand } from "@/lib/queries/commands.ts";
import { takePendingCommands } from "@/lib/queries/take-pending-commands.ts";

type Context = { params: Promise<{ deviceId: string }> };

/**
 * GET /api/devices/<id>/commands?wait=<s> — the device's long-poll: answers at once with
 * its pending commands (marked delivered), or as soon as one is queued, or with none after
 * `wait` seconds. `redeliver=1` also returns delivered commands it never acknowledged.
 */
export async function GET(request: Request, context: Context): Promise<Response> {
  try {
    const deviceId = parseWith(identifier, (await context.params).deviceId);
    const q = parseWith(pollQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
    await authorizeDevices(await devicePrincipal(request), [deviceId]);
    if (!(await prisma.device.findUnique({ where: { deviceId }, select: { id: true } }))) {
      throw new ApiError("not_found", `There is no device "${deviceId}".`);
    }
    const deadline = Date.now() + q.wait * 1000;
    for (;;) {
      const commands = await takePendingCommands([deviceId], { redeliver: q.redeliver });
      const left = deadline - Date.now();
      if (commands.length > 0 || left <= 0 || request.signal.aborted) {
        await publishEvents(commands.map((command) => ({ type: "command", command })));
        return Response.json({ commands });
      }
      await waitForQueuedCommand(deviceId, Math.min(left, POLL_FALLBACK_MS), request.signal);
    }
  } catch (err) {
    return errorResponse(err);
  }
}

/** POST /api/devices/<id>/commands — an operator queues a command for the device. */
export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const deviceId = parseWith(identifier, (await context.params).deviceId);
    const body = parseWith(commandSchema, await readJsonBody(request, 16 * 1024));
    const command = await queueCommand(deviceId, { ...body, params: body.params ?? {} });
    await publishEvents([{ type: "command", command }]);
    return Response.json({ command }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
