import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { readingValueOf, type StoredValue } from "../reading.ts";
import { NEWEST_FIRST } from "./reading-index.ts";

export interface SensorSummary {
  id: number;
  type: string;
  created_at: string;
  latest: { id: number; value: number | string | boolean; ts: string } | null;
}

export interface DeviceSummary {
  device_id: string;
  name: string;
  created_at: string;
  last_seen_at: string | null;
  sensors: SensorSummary[];
}

/** A sensor row with its newest reading, as SENSOR_WITH_LATEST selects it. */
export interface SensorRow extends StoredValue {
  sensor_id: bigint;
  sensor_type: string;
  sensor_created_at: Date;
  reading_id: bigint | null;
  ts: Date | null;
}

/** Columns and join of `sensors s` with its newest reading (one index probe per sensor). */
export const SENSOR_WITH_LATEST = {
  columns: Prisma.sql`s.id AS sensor_id, s.type AS sensor_type, s.created_at AS sensor_created_at,
    l.id AS reading_id, l.num_value, l.text_value, l.bool_value, l.ts`,
  latest: Prisma.sql`LEFT JOIN LATERAL (
      SELECT r.id, r.num_value, r.text_value, r.bool_value, r.ts FROM readings r
      WHERE r.sensor_id = s.id ${NEWEST_FIRST} LIMIT 1
    ) l ON true`,
};

export function sensorSummary(row: SensorRow): SensorSummary {
  return {
    id: Number(row.sensor_id),
    type: row.sensor_type,
    created_at: row.sensor_created_at.toISOString(),
    latest:
      row.reading_id !== null && row.ts !== null
        ? { id: Number(row.reading_id), value: readingValueOf(row), ts: row.ts.toISOString() }
        : null,
  };
}

/** A device row, once per sensor (the sensor columns are null for a device without any). */
type DeviceRow = {
  device_id: string;
  name: string;
  created_at: Date;
  last_seen_at: Date | null;
} & (SensorRow | { sensor_id: null });

/** A device with each of its sensors and the sensor's newest reading, in one query. */
export async function findDevice(deviceId: string): Promise<DeviceSummary | null> {
  const rows = await prisma.$queryRaw<DeviceRow[]>`
    SELECT d.device_id, d.name, d.created_at, d.last_seen_at, ${SENSOR_WITH_LATEST.columns}
    FROM devices d
    LEFT JOIN sensors s ON s.device_key = d.id
    ${SENSOR_WITH_LATEST.latest}
    WHERE d.device_id = ${deviceId}
    ORDER BY s.type`;
  const [device] = rows;
  if (!device) return null;
  return {
    device_id: device.device_id,
    name: device.name,
    created_at: device.created_at.toISOString(),
    last_seen_at: device.last_seen_at?.toISOString() ?? null,
    sensors: rows.flatMap((r) => (r.sensor_id === null ? [] : [sensorSummary(r)])),
  };
}
