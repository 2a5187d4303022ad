import { prisma } from "../db.ts";

/** A sensor named by its numeric id or by its device's id and its type. */
export type SensorRef = { id: bigint } | { deviceId: string; type: string };

export interface SensorInfo {
  id: bigint;
  device_id: string;
  type: string;
}

/** Looks up each sensor, in the order given; null for one that does not exist. */
export async function findSensors(refs: SensorRef[]): Promise<(SensorInfo | null)[]> {
  const ids = refs.map((r) => ("id" in r ? r.id.toString() : null));
  const devices = refs.map((r) => ("deviceId" in r ? r.deviceId : null));
  const types = refs.map((r) => ("type" in r ? r.type : null));
  // Two index lookups; an unused slot is null in one array and never joins.
  const rows = await prisma.$queryRaw<(SensorInfo & { i: number })[]>`
    SELECT q.i::int AS i, s.id, d.device_id, s.type
    FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS q(id, i)
    JOIN sensors s ON s.id = q.id
    JOIN devices d ON d.id = s.device_id
    UNION ALL
    SELECT q.i::int, s.id, d.device_id, s.type
    FROM unnest(${devices}::text[], ${types}::text[]) WITH ORDINALITY AS q(device_id, type, i)
    JOIN devices d ON d.device_id = q.device_id
    JOIN sensors s ON s.device_id = d.id AND s.type = q.type`;
  const found = new Map(rows.map((r) => [r.i, { id: r.id, device_id: r.device_id, type: r.type }]));
  return refs.map((_, i) => found.get(i + 1) ?? null);
}
