import { exportResponse } from "@/lib/analytics/export.ts";
import { exportQuery } from "@/lib/analytics/params.ts";
import { route } from "@/lib/api/route.ts";
import { findSensors } from "@/lib/queries/find-sensors.ts";
import { requireDevice } from "@/lib/queries/require-device.ts";

/**
 * GET /api/export?device=<device_id>[&type=<type>] or ?sensor=<id>, &from=&to=&format=csv|json
 * — the readings as a streamed download, oldest first.
 */
export const GET = route({ access: "operator", query: exportQuery }, async ({ query: q }) => {
  if ("sensorId" in q.of || "sensorType" in q.of) {
    const [sensor] = await findSensors([q.of]);
    const of = { sensorId: sensor.id };
    return exportResponse({ of, deviceId: sensor.device_id, sensorType: sensor.type }, q);
  }
  await requireDevice(q.of.deviceId);
  return exportResponse({ of: q.of, deviceId: q.of.deviceId }, q);
});
