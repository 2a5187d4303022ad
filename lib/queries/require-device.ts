import { prisma } from "../db.ts";
import { notFound } from "../errors.ts";

/** Not found unless a device with this `device_id` is registered. */
export async function requireDevice(deviceId: string): Promise<void> {
  const device = await prisma.device.findUnique({ where: { deviceId }, select: { id: true } });
  if (!device) throw notFound(`There is no device "${deviceId}".`);
}
