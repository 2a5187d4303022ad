import { Prisma } from "../generated/prisma/client.ts";

/** Which sensor: by its numeric id, or by its device's id and its type. */
export type SensorRef = { sensorId: bigint } | { deviceId: string; sensorType: string };

/** Whose readings: one sensor, or every sensor of one device. */
export type ReadingsOwner = SensorRef | { deviceId: string };

export function describeSensor(ref: SensorRef): string {
  return "sensorId" in ref ? `${ref.sensorId}` : `${ref.deviceId}/${ref.sensorType}`;
}

/**
 * `readings r` of the owner. A name is looked up inside the statement, so a page needs no round
 * trip of its own first; an unknown name matches no rows.
 */
export function ownerCondition(of: ReadingsOwner): Prisma.Sql {
  if ("sensorId" in of) return Prisma.sql`r.sensor_id = ${of.sensorId}`;
  if ("sensorType" in of) {
    return Prisma.sql`r.sensor_id = (SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key
      WHERE d.device_id = ${of.deviceId} AND s.type = ${of.sensorType})`;
  }
  return Prisma.sql`r.device_key = (SELECT id FROM devices WHERE device_id = ${of.deviceId})`;
}
