import { prisma } from "../db.ts";
import { DEVICE_INCLUDE, toWireDevice, type WireDevice } from "../devices/wire.ts";

/** Every device, most recently seen first. */
export async function listDevices(): Promise<WireDevice[]> {
  const devices = await prisma.device.findMany({
    orderBy: [{ lastSeenAt: { sort: "desc", nulls: "last" } }, { deviceId: "asc" }],
    include: DEVICE_INCLUDE,
    take: 5000,
  });
  return devices.map(toWireDevice);
}
