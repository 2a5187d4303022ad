import { prisma } from "../db.ts";

/** The device ids assigned to a gateway. */
export async function gatewayDeviceIds(gatewayKey: bigint): Promise<string[]> {
  const rows = await prisma.device.findMany({
    where: { gatewayKey },
    select: { deviceId: true },
    orderBy: { deviceId: "asc" },
  });
  return rows.map((r) => r.deviceId);
}
