import { deviceParams, gatewayParams } from "../devices/schemas.ts";
import { setToken, type TokenOwnerKind } from "../queries/token-owners.ts";
import { route } from "./route.ts";

/**
 * POST and DELETE of /api/devices/<id>/token and /api/gateways/<id>/token, which differ only
 * in whose token it is. POST: a new token (shown this once); the old one stops working at
 * once. DELETE: revoke; the owner can no longer write until given a new one.
 */
export function tokenRoutes(kind: TokenOwnerKind) {
  const ownerId =
    kind === "device"
      ? deviceParams.transform((p) => p.deviceId)
      : gatewayParams.transform((p) => p.gatewayId);
  return {
    POST: route({ access: "admin", params: ownerId }, async ({ params: id }) =>
      Response.json({ [`${kind}_id`]: id, token: await setToken(kind, id, true) }, { status: 201 }),
    ),
    DELETE: route({ access: "admin", params: ownerId }, async ({ params: id }) => {
      await setToken(kind, id, false);
      return new Response(null, { status: 204 });
    }),
  };
}
