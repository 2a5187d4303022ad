import { prisma } from "../db.ts";
import { readingValueOf, type StoredValue } from "../reading.ts";

export interface SensorSummary {
  id: number;
  type: string;
  created_at: string;
  latest: { id: number; value: number | string | boolean; ts: string } | null;
}

export interface DeviceSummary {
  id: bigint;
  device_id: string;
  name: string;
  created_at: string;
  last_seen_at: string | null;
  sensors: SensorSummary[];
}

interface SensorRow extends StoredValue {
  id: bigint;
  type: string;
  created_at: Date;
  reading_id: bigint | null;
  ts: Date | null;
}

/** Each sensor of a device with its newest reading (one index probe per sensor). */
export async function sensorsOf(deviceDbId: bigint, only?: bigint): Promise<SensorSummary[]> {
  const rows = await prisma.$queryRaw<SensorRow[]>`
    SELECT s.id, s.type, s.created_at, l.id AS reading_id, l.num_value, l.text_value, l.bool_value, l.ts
    FROM sensors s
    LEFT JOIN LATERAL (
      SELECT r.id, r.num_value, r.text_value, r.bool_value, r.ts FROM readings r
      WHERE r.sensor_id = s.id ORDER BY r.ts DESC, r.id DESC LIMIT 1
    ) l ON true
    WHERE s.device_id = ${deviceDbId} AND (${only ?? null}::bigint IS NULL OR s.id = ${only ?? null}::bigint)
    ORDER BY s.type`;
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    created_at: r.created_at.toISOString(),
    latest:
      r.reading_id !== null && r.ts !== null
        ? { id: Number(r.reading_id), value: readingValueOf(r), ts: r.ts.toISOString() }
        : null,
  }));
}

/**
 * A device with its sensors. `alongside` runs with the sensors' query, in parallel (the
 * caller's readings page), so a fetch costs two round trips after the session check, not three.
 */
export async function findDevice<T>(
  deviceId: string,
  alongside: (deviceDbId: bigint) => Promise<T>,
): Promise<{ device: DeviceSummary; extra: T } | null> {
  const device = await prisma.device.findUnique({ where: { deviceId } });
  if (!device) return null;
  const [sensors, extra] = await Promise.all([sensorsOf(device.id), alongside(device.id)]);
  return {
    device: {
      id: device.id,
      device_id: device.deviceId,
      name: device.name,
      created_at: device.createdAt.toISOString(),
      last_seen_at: device.lastSeenAt?.toISOString() ?? null,
      sensors,
    },
    extra,
  };
}
