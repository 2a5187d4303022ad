import { ruleChangesSchema, ruleParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { publishEvents } from "@/lib/publish.ts";
import { deleteRule, findRule, updateRule } from "@/lib/queries/manage-alarm-rules.ts";

export const GET = route({ access: "operator", params: ruleParams }, async ({ params }) =>
  Response.json({ rule: await findRule(params.ruleId) }),
);

/** PATCH /api/alarm-rules/<id> — change any field but the kind; disabling clears its open alarms. */
export const PATCH = route(
  { access: "admin", params: ruleParams, body: ruleChangesSchema },
  async ({ params, body, operator }) => {
    const { rule, events } = await updateRule(params.ruleId, body, operator.username);
    await publishEvents(events);
    return Response.json({ rule });
  },
);

/** DELETE /api/alarm-rules/<id> — the rule and its own webhooks; its alarms' history stays. */
export const DELETE = route(
  { access: "admin", params: ruleParams },
  async ({ params, operator }) => {
    await publishEvents(await deleteRule(params.ruleId, operator.username));
    return new Response(null, { status: 204 });
  },
);
