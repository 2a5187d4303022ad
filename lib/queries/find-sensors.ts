import { prisma } from "../db.ts";
import { notFound } from "../errors.ts";
import { describeSensor, type SensorRef } from "./sensor-ref.ts";

export interface SensorInfo {
  id: bigint;
  device_id: string;
  type: string;
}

/** Looks up each sensor, in the order given; not found names the first one that does not exist. */
export async function findSensors(refs: SensorRef[]): Promise<SensorInfo[]> {
  const ids = refs.map((r) => ("sensorId" in r ? r.sensorId.toString() : null));
  const devices = refs.map((r) => ("sensorType" in r ? r.deviceId : null));
  const types = refs.map((r) => ("sensorType" in r ? r.sensorType : null));
  // Two index lookups; an unused slot is null in one array and never joins.
  const rows = await prisma.$queryRaw<(SensorInfo & { i: number })[]>`
    SELECT q.i::int AS i, s.id, d.device_id, s.type
    FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS q(id, i)
    JOIN sensors s ON s.id = q.id
    JOIN devices d ON d.id = s.device_key
    UNION ALL
    SELECT q.i::int, s.id, d.device_id, s.type
    FROM unnest(${devices}::text[], ${types}::text[]) WITH ORDINALITY AS q(device_id, type, i)
    JOIN devices d ON d.device_id = q.device_id
    JOIN sensors s ON s.device_key = d.id AND s.type = q.type`;
  const found = new Map(rows.map((r) => [r.i, { id: r.id, device_id: r.device_id, type: r.type }]));
  return refs.map((ref, i) => {
    const sensor = found.get(i + 1);
    if (!sensor) throw notFound(`There is no sensor ${describeSensor(ref)}.`);
    return sensor;
  });
}
