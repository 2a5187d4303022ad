import { alarmsCsvResponse } from "@/lib/alarms/export.ts";
import { alarmsExportQuery } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";

export const dynamic = "force-dynamic";

/** GET /api/alarms/export?<the filters of /api/alarms> — every matching alarm as CSV, newest first. */
export const GET = route({ access: "operator", query: alarmsExportQuery }, async ({ query }) =>
  alarmsCsvResponse(query),
);
