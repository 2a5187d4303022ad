import { route } from "@/lib/api/route.ts";
import { createDeviceSchema } from "@/lib/devices/schemas.ts";
import { listDevices } from "@/lib/queries/list-devices.ts";
import { createDevice } from "@/lib/queries/manage-devices.ts";

export const dynamic = "force-dynamic";

/** GET /api/devices — every device with its status and last-seen time, most recent first. */
export const GET = route({ access: "operator" }, async () =>
  Response.json({ devices: await listDevices() }),
);

/** POST /api/devices — register a device; the answer holds its token, shown this once. */
export const POST = route(
  { access: "admin", body: createDeviceSchema },
  async ({ body: { device_id, ...changes } }) =>
    Response.json(await createDevice(device_id, changes), { status: 201 }),
);
