import { alarmsQuery } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { listAlarms } from "@/lib/queries/list-alarms.ts";

export const dynamic = "force-dynamic";

/**
 * GET /api/alarms?status=open|active|acknowledged|cleared&device=&sensor=&rule=&severity=&from=&to=
 * &limit=&cursor= — the history, newest first; `next_cursor` gives the next page.
 */
export const GET = route({ access: "operator", query: alarmsQuery }, async ({ query }) =>
  Response.json(await listAlarms(query)),
);
