import { route } from "@/lib/api/route.ts";
import { ingest } from "@/lib/ingest/ingest.ts";
import { ingestBodySchema } from "@/lib/ingest/schema.ts";
import { MAX_BODY_BYTES } from "@/lib/limits.ts";

/**
 * POST /api/data — store a device's readings (one object) or a gateway's batch (an array).
 * Answers with what was stored and the commands waiting for the devices.
 */
export const POST = route(
  { access: "device", body: ingestBodySchema, maxBodyBytes: MAX_BODY_BYTES },
  async ({ device, body }) => {
    const { readings, commands } = await ingest(device, body);
    return Response.json({ count: readings.length, readings, commands }, { status: 201 });
  },
);
