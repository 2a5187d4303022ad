import { webhookParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { rotateWebhookSecret } from "@/lib/queries/manage-webhooks.ts";

/** POST /api/webhooks/<id>/secret — a new signing secret, shown this once; the old one stops. */
export const POST = route({ access: "admin", params: webhookParams }, async ({ params }) =>
  Response.json({ secret: await rotateWebhookSecret(params.webhookId) }, { status: 201 }),
);
