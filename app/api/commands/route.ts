import { z } from "zod";
import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { listCommands } from "@/lib/queries/commands.ts";

export const dynamic = "force-dynamic";

const query = z.strictObject({
  device: identifier.optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().min(1).max(500)).default(50),
});

/** GET /api/commands[?device=<id>] — the newest commands and their states, for operators. */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    const q = parseWith(query, Object.fromEntries(new URL(request.url).searchParams));
    return Response.json({ commands: await listCommands({ deviceId: q.device, limit: q.limit }) });
  } catch (err) {
    return errorResponse(err);
  }
}
