import { prisma } from "../db.ts";
import type { IngestItem } from "../ingest/schema.ts";
import { storedValue, type WireReading } from "../reading.ts";

/**
 * Serialises the step that takes reading ids and commits them, so readings become visible
 * in id order. The stream resumes clients by id (`id > Last-Event-ID`); if a reading with a
 * lower id could commit after a higher one, a client could skip it. Held only for the
 * INSERT and the COMMIT; the device and sensor work above it runs in parallel.
 */
const READING_ID_LOCK = 0x426f436c; // "BoCl"

interface SensorKey {
  deviceDbId: bigint;
  type: string;
}

/**
 * Stores the readings of one request in one transaction, registering devices and sensors
 * seen for the first time. Returns them in the wire format, in id order.
 */
export async function storeReadings(items: IngestItem[]): Promise<WireReading[]> {
  const receivedAt = new Date();
  const deviceIds = [...new Set(items.map((i) => i.device_id))].sort();

  return prisma.$transaction(async (tx) => {
    // Sorted, so two requests that name the same devices lock their rows in the same order.
    const devices = await tx.$queryRaw<{ id: bigint; device_id: string }[]>`
      INSERT INTO devices (device_id, name, last_seen_at)
      SELECT d, d, ${receivedAt} FROM unnest(${deviceIds}::text[]) AS d
      ON CONFLICT (device_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
      RETURNING id, device_id`;
    const deviceDbId = new Map(devices.map((d) => [d.device_id, d.id]));

    const wanted = new Map<string, SensorKey>();
    for (const item of items) {
      const id = deviceDbId.get(item.device_id) as bigint;
      for (const type of Object.keys(item.sensors))
        wanted.set(`${id}/${type}`, { deviceDbId: id, type });
    }
    const sensorIds = await sensorIdsFor(tx, [...wanted.values()]);

    const rows = items.flatMap((item) => {
      const devId = deviceDbId.get(item.device_id) as bigint;
      return Object.entries(item.sensors).map(([type, value]) => ({
        sensorId: sensorIds.get(`${devId}/${type}`) as bigint,
        devId,
        deviceId: item.device_id,
        type,
        value,
        ts: item.ts ?? receivedAt,
      }));
    });
    const values = rows.map((r) => storedValue(r.value));

    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${READING_ID_LOCK})`;
    const inserted = await tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO readings (sensor_id, device_id, num_value, text_value, bool_value, ts, received_at)
      SELECT s, d, n, t, b, ts, ${receivedAt}
      FROM unnest(
        ${rows.map((r) => r.sensorId.toString())}::bigint[],
        ${rows.map((r) => r.devId.toString())}::bigint[],
        ${values.map((v) => v.num_value)}::float8[],
        ${values.map((v) => v.text_value)}::text[],
        ${values.map((v) => v.bool_value)}::boolean[],
        ${rows.map((r) => r.ts.toISOString())}::timestamptz[]
      ) AS r(s, d, n, t, b, ts)
      RETURNING id`;
    // Under the lock the ids of this INSERT are consecutive and follow the order of the input rows.
    const ids = inserted.map((r) => r.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    return rows.map((r, i) => ({
      id: Number(ids[i]),
      device_id: r.deviceId,
      sensor_id: Number(r.sensorId),
      sensor_type: r.type,
      value: r.value,
      ts: r.ts.toISOString(),
    }));
  });
}

type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

/** Ids of the given sensors, creating the ones that do not exist yet. */
async function sensorIdsFor(tx: Tx, keys: SensorKey[]): Promise<Map<string, bigint>> {
  const deviceIds = keys.map((k) => k.deviceDbId.toString());
  const types = keys.map((k) => k.type);
  const select = () => tx.$queryRaw<{ id: bigint; device_id: bigint; type: string }[]>`
    SELECT s.id, s.device_id, s.type
    FROM sensors s
    JOIN unnest(${deviceIds}::bigint[], ${types}::text[]) AS k(device_id, type)
      ON s.device_id = k.device_id AND s.type = k.type`;

  let found = await select();
  if (found.length < keys.length) {
    await tx.$executeRaw`
      INSERT INTO sensors (device_id, type)
      SELECT * FROM unnest(${deviceIds}::bigint[], ${types}::text[])
      ORDER BY 1, 2
      ON CONFLICT (device_id, type) DO NOTHING`;
    found = await select();
  }
  return new Map(found.map((s) => [`${s.device_id}/${s.type}`, s.id]));
}
