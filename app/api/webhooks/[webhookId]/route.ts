import { webhookChangesSchema, webhookParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { deleteWebhook, updateWebhook } from "@/lib/queries/manage-webhooks.ts";

export const PATCH = route(
  { access: "admin", params: webhookParams, body: webhookChangesSchema },
  async ({ params, body }) =>
    Response.json({ webhook: await updateWebhook(params.webhookId, body) }),
);

export const DELETE = route({ access: "admin", params: webhookParams }, async ({ params }) => {
  await deleteWebhook(params.webhookId);
  return new Response(null, { status: 204 });
});
