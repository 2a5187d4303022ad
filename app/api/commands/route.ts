import { z } from "zod";
import { route } from "@/lib/api/route.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { listCommands } from "@/lib/queries/commands.ts";

export const dynamic = "force-dynamic";

const query = z.strictObject({
  device: identifier.optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().min(1).max(500)).default(50),
});

/** GET /api/commands[?device=<id>] — the newest commands and their states, for operators. */
export const GET = route({ access: "operator", query }, async ({ query: q }) =>
  Response.json({ commands: await listCommands({ deviceId: q.device, limit: q.limit }) }),
);
