import { prisma } from "../db.ts";
import { type SensorSummary, sensorsOf } from "./find-device.ts";

export interface SensorDetail extends SensorSummary {
  device_id: string;
}

/** A sensor by its numeric id, or by its device's id and its type. */
export async function findSensor(
  by: { id: bigint } | { deviceId: string; type: string },
): Promise<SensorDetail | null> {
  const sensor = await prisma.sensor.findFirst({
    where: "id" in by ? { id: by.id } : { type: by.type, device: { deviceId: by.deviceId } },
    select: { id: true, deviceId: true, device: { select: { deviceId: true } } },
  });
  if (!sensor) return null;
  const [summary] = await sensorsOf(sensor.deviceId, sensor.id);
  return summary ? { ...summary, device_id: sensor.device.deviceId } : null;
}
