import { deliveriesQuery, webhookParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { listDeliveries } from "@/lib/queries/manage-webhooks.ts";

/** GET /api/webhooks/<id>/deliveries — the delivery log, newest first: attempts, status, errors. */
export const GET = route(
  { access: "admin", params: webhookParams, query: deliveriesQuery },
  async ({ params, query }) =>
    Response.json({ deliveries: await listDeliveries(params.webhookId, query.limit) }),
);
