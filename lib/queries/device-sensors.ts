import { prisma } from "../db.ts";
import { notFound } from "../errors.ts";

/** The ids of a device's sensors; not found for an unknown device. */
export async function deviceSensorIds(deviceId: string): Promise<bigint[]> {
  const device = await prisma.device.findUnique({
    where: { deviceId },
    select: { sensors: { select: { id: true }, orderBy: { id: "asc" } } },
  });
  if (!device) throw notFound(`There is no device "${deviceId}".`);
  return device.sensors.map((s) => s.id);
}
