import { prisma } from "../db.ts";

export interface DeviceListItem {
  device_id: string;
  name: string;
  created_at: string;
  last_seen_at: string | null;
  sensor_count: number;
}

/** Every device, most recently seen first. */
export async function listDevices(): Promise<DeviceListItem[]> {
  const devices = await prisma.device.findMany({
    orderBy: [{ lastSeenAt: { sort: "desc", nulls: "last" } }, { deviceId: "asc" }],
    include: { _count: { select: { sensors: true } } },
    take: 1000,
  });
  return devices.map((d) => ({
    device_id: d.deviceId,
    name: d.name,
    created_at: d.createdAt.toISOString(),
    last_seen_at: d.lastSeenAt?.toISOString() ?? null,
    sensor_count: d._count.sensors,
  }));
}
