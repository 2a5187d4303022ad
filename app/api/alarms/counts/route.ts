import { route } from "@/lib/api/route.ts";
import { openAlarmCounts } from "@/lib/queries/open-alarm-counts.ts";

export const dynamic = "force-dynamic";

/** GET /api/alarms/counts — open alarms per device: active, acknowledged, the worst severity. */
export const GET = route({ access: "operator" }, async () =>
  Response.json({ devices: await openAlarmCounts() }),
);
