import { prisma } from "../db.ts";

/** The database id of the device with this `device_id`, or null. */
export async function findDeviceKey(deviceId: string): Promise<bigint | null> {
  const device = await prisma.device.findUnique({ where: { deviceId }, select: { id: true } });
  return device?.id ?? null;
}
