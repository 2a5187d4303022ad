import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  SENSOR_WITH_LATEST,
  type SensorRow,
  type SensorSummary,
  sensorSummary,
} from "./find-device.ts";
import type { SensorRef } from "./sensor-ref.ts";

export interface SensorDetail extends SensorSummary {
  device_id: string;
}

/** A sensor with its newest reading. */
export async function findSensor(ref: SensorRef): Promise<SensorDetail | null> {
  const where =
    "sensorId" in ref
      ? Prisma.sql`s.id = ${ref.sensorId}`
      : Prisma.sql`d.device_id = ${ref.deviceId} AND s.type = ${ref.sensorType}`;
  const [row] = await prisma.$queryRaw<(SensorRow & { device_id: string })[]>`
    SELECT d.device_id, ${SENSOR_WITH_LATEST.columns}
    FROM sensors s
    JOIN devices d ON d.id = s.device_key
    ${SENSOR_WITH_LATEST.latest}
    WHERE ${where}`;
  return row ? { ...sensorSummary(row), device_id: row.device_id } : null;
}
