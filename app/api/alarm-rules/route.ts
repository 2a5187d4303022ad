import { ruleSchema, rulesQuery } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { createRule, listRules } from "@/lib/queries/manage-alarm-rules.ts";

export const dynamic = "force-dynamic";

/** GET /api/alarm-rules[?sensor=<id>] — every rule, or the rules that watch one sensor. */
export const GET = route({ access: "operator", query: rulesQuery }, async ({ query }) =>
  Response.json({ rules: await listRules({ sensorId: query.sensor }) }),
);

/** POST /api/alarm-rules — a threshold or silence rule on a sensor, a sensor type or a device. */
export const POST = route({ access: "admin", body: ruleSchema }, async ({ body }) =>
  Response.json({ rule: await createRule(body) }, { status: 201 }),
);
