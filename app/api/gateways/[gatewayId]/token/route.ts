import { tokenRoutes } from "@/lib/api/token-routes.ts";

const routes = tokenRoutes("gateway");
/** POST /api/gateways/<id>/token — a new token (shown this once); the old one stops at once. */
export const POST = routes.POST;
/** DELETE /api/gateways/<id>/token — revoke. */
export const DELETE = routes.DELETE;
