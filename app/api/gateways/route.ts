import { route } from "@/lib/api/route.ts";
import { createGatewaySchema } from "@/lib/devices/schemas.ts";
import { createGateway, listGateways } from "@/lib/queries/manage-gateways.ts";

export const dynamic = "force-dynamic";

export const GET = route({ access: "operator" }, async () =>
  Response.json({ gateways: await listGateways() }),
);

/** POST /api/gateways — a gateway with a token (shown this once) that writes for its devices. */
export const POST = route({ access: "admin", body: createGatewaySchema }, async ({ body }) =>
  Response.json(await createGateway(body.gateway_id, body.name), { status: 201 }),
);
