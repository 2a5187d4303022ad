import { exportResponse } from "@/lib/analytics/export.ts";
import { exportQuery } from "@/lib/analytics/params.ts";
import { route } from "@/lib/api/route.ts";
import { deviceSensorIds } from "@/lib/queries/device-sensors.ts";
import { findSensors } from "@/lib/queries/find-sensors.ts";

/**
 * GET /api/export?device=<device_id>[&type=<type>] or ?sensor=<id>, &from=&to=&format=csv|json
 * — the readings as a streamed download, oldest first.
 */
export const GET = route({ access: "operator", query: exportQuery }, async ({ query: q }) => {
  if ("sensorId" in q.of || "sensorType" in q.of) {
    const [sensor] = await findSensors([q.of]);
    const target = { sensorIds: [sensor.id], deviceId: sensor.device_id, sensorType: sensor.type };
    return exportResponse(target, q);
  }
  const sensorIds = await deviceSensorIds(q.of.deviceId);
  return exportResponse({ sensorIds, deviceId: q.of.deviceId }, q);
});
