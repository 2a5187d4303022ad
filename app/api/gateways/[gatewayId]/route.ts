import { route } from "@/lib/api/route.ts";
import { gatewayParams } from "@/lib/devices/schemas.ts";
import { deleteOwner } from "@/lib/queries/token-owners.ts";

/** DELETE /api/gateways/<id> — the gateway; its devices stay, unassigned. */
export const DELETE = route({ access: "admin", params: gatewayParams }, async ({ params }) => {
  await deleteOwner("gateway", params.gatewayId);
  return new Response(null, { status: 204 });
});
