import { tokenRoutes } from "@/lib/api/token-routes.ts";

const routes = tokenRoutes("device");
/** POST /api/devices/<id>/token — a new token (shown this once); the old one stops at once. */
export const POST = routes.POST;
/** DELETE /api/devices/<id>/token — revoke: the device can no longer write until given a new one. */
export const DELETE = routes.DELETE;
