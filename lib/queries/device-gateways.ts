import { prisma } from "../db.ts";

/** The gateway (its internal key) each of these devices is assigned to; unassigned ones are left out. */
export async function deviceGateways(deviceIds: string[]): Promise<Map<string, bigint>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await prisma.device.findMany({
    where: { deviceId: { in: deviceIds }, gatewayKey: { not: null } },
    select: { deviceId: true, gatewayKey: true },
  });
  return new Map(rows.map((r) => [r.deviceId, r.gatewayKey as bigint]));
}
