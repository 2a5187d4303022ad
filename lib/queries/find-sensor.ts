import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  SENSOR_WITH_LATEST,
  type SensorRow,
  type SensorSummary,
  sensorSummary,
} from "./find-device.ts";

export interface SensorDetail extends SensorSummary {
  device_id: string;
}

/** A sensor: by its numeric id, or by its device's id and its type. */
export type SensorKey = { sensorId: bigint } | { deviceId: string; sensorType: string };

/** A sensor with its newest reading. */
export async function findSensor(key: SensorKey): Promise<SensorDetail | null> {
  const where =
    "sensorId" in key
      ? Prisma.sql`s.id = ${key.sensorId}`
      : Prisma.sql`d.device_id = ${key.deviceId} AND s.type = ${key.sensorType}`;
  const [row] = await prisma.$queryRaw<(SensorRow & { device_id: string })[]>`
    SELECT d.device_id, ${SENSOR_WITH_LATEST.columns}
    FROM sensors s
    JOIN devices d ON d.id = s.device_id
    ${SENSOR_WITH_LATEST.latest}
    WHERE ${where}`;
  return row ? { ...sensorSummary(row), device_id: row.device_id } : null;
}
