import { route } from "@/lib/api/route.ts";
import { deviceChangesSchema, deviceParams } from "@/lib/devices/schemas.ts";
import { findWireDevice, updateDevice } from "@/lib/queries/manage-devices.ts";
import { deleteOwner } from "@/lib/queries/token-owners.ts";

export const GET = route({ access: "operator", params: deviceParams }, async ({ params }) =>
  Response.json({ device: await findWireDevice(params.deviceId) }),
);

/** PATCH /api/devices/<id> — rename, assign to a gateway, set its offline timeout or retention. */
export const PATCH = route(
  { access: "admin", params: deviceParams, body: deviceChangesSchema },
  async ({ params, body }) => Response.json({ device: await updateDevice(params.deviceId, body) }),
);

/** DELETE /api/devices/<id> — the device, its sensors, readings and commands. */
export const DELETE = route({ access: "admin", params: deviceParams }, async ({ params }) => {
  await deleteOwner("device", params.deviceId);
  return new Response(null, { status: 204 });
});
