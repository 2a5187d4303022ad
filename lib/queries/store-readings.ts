import { ApiError } from "../api/errors.ts";
import type { WireCommand } from "../commands/wire.ts";
import { prisma } from "../db.ts";
import type { StatusEvent } from "../events.ts";
import type { IngestItem } from "../ingest/schema.ts";
import { storedValue, type WireReading } from "../reading.ts";
import { takePendingCommands } from "./take-pending-commands.ts";

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

export interface StoredRequest {
  /** What was stored, in the wire format, in id order. */
  readings: WireReading[];
  /** Devices that were offline (or new) and are online now. */
  cameOnline: StatusEvent[];
  /** Commands waiting for the devices, now marked delivered. */
  commands: WireCommand[];
}

interface DeviceRow {
  id: bigint;
  device_id: string;
  /** The status before this request (null for a device registered by it). */
  old_status: string | null;
}

/**
 * Stores the readings of one request in one transaction, marks their devices seen and
 * online, and takes their pending commands. With `register`, devices seen for the first
 * time are created (open mode); otherwise they must exist. Sensors are created on first use.
 */
export async function storeReadings(
  items: IngestItem[],
  opts: { register: boolean },
): Promise<StoredRequest> {
  const receivedAt = new Date();
  const deviceIds = [...new Set(items.map((i) => i.device_id))].sort();

  return prisma.$transaction(async (tx) => {
    // Sorted, so two requests that name the same devices lock their rows in the same order.
    // The subquery in RETURNING reads the statement's snapshot: the status before the update.
    const devices = opts.register
      ? await tx.$queryRaw<DeviceRow[]>`
          INSERT INTO devices (device_id, name, last_seen_at, status)
          SELECT d, d, ${receivedAt}, 'online' FROM unnest(${deviceIds}::text[]) AS d
          ON CONFLICT (device_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, status = 'online'
          RETURNING id, device_id, (SELECT o.status::text FROM devices o WHERE o.id = devices.id) AS old_status`
      : await tx.$queryRaw<DeviceRow[]>`
          UPDATE devices SET last_seen_at = ${receivedAt}, status = 'online'
          WHERE device_id = ANY(${deviceIds}::text[])
          RETURNING id, device_id, (SELECT o.status::text FROM devices o WHERE o.id = devices.id) AS old_status`;
    if (devices.length < deviceIds.length) {
      const missing = deviceIds.find((id) => !devices.some((d) => d.device_id === id));
      throw new ApiError("forbidden", `Device "${missing}" is not registered.`);
    }
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
    const commands = await takePendingCommands(tx, deviceIds);

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

    const readings = rows.map((r, i) => ({
      id: Number(ids[i]),
      device_id: r.deviceId,
      sensor_id: Number(r.sensorId),
      sensor_type: r.type,
      value: r.value,
      ts: r.ts.toISOString(),
    }));
    const cameOnline: StatusEvent[] = devices
      .filter((d) => d.old_status !== "online")
      .map((d) => ({
        type: "status",
        device_id: d.device_id,
        status: "online",
        last_seen_at: receivedAt.toISOString(),
      }));
    return { readings, cameOnline, commands };
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
