import { type ExportTarget, exportResponse } from "@/lib/analytics/export.ts";
import { exportQuery, multiParams } from "@/lib/analytics/params.ts";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { findDeviceKey } from "@/lib/queries/find-device-key.ts";
import { findSensors } from "@/lib/queries/find-sensors.ts";

/**
 * GET /api/export?device=<device_id>[&type=<type>] or ?sensor=<id>, &from=&to=&format=csv|json
 * — the readings as a streamed download, oldest first.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    const q = parseWith(exportQuery, multiParams(new URL(request.url), []));
    let target: ExportTarget;
    if (q.sensor !== undefined || q.type !== undefined) {
      const [sensor] = await findSensors([
        q.sensor !== undefined
          ? { id: q.sensor }
          : { deviceId: q.device ?? "", type: q.type ?? "" },
      ]);
      if (!sensor) throw new ApiError("not_found", "There is no such sensor.");
      target = { of: { sensorId: sensor.id }, deviceId: sensor.device_id, sensorType: sensor.type };
    } else {
      const deviceId = q.device ?? "";
      const deviceDbId = await findDeviceKey(deviceId);
      if (deviceDbId === null) throw new ApiError("not_found", `There is no device "${deviceId}".`);
      target = { of: { deviceDbId }, deviceId };
    }
    return await exportResponse(target, q);
  } catch (err) {
    return errorResponse(err);
  }
}
