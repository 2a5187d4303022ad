import { webhookSchema } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { createWebhook, listWebhooks } from "@/lib/queries/manage-webhooks.ts";

export const dynamic = "force-dynamic";

/** GET /api/webhooks — admins only: a webhook's URL can itself be a credential (Slack's are). */
export const GET = route({ access: "admin" }, async () =>
  Response.json({ webhooks: await listWebhooks() }),
);

/** POST /api/webhooks — the answer holds its signing secret, shown this once. */
export const POST = route({ access: "admin", body: webhookSchema }, async ({ body }) =>
  Response.json(await createWebhook(body), { status: 201 }),
);
