import type { WireCommand } from "../commands/wire.ts";
import { prisma } from "../db.ts";
import { forbidden } from "../errors.ts";
import type { StatusEvent } from "../events.ts";
import type { IngestItem } from "../ingest/schema.ts";
import { storedValue, type WireReading } from "../reading.ts";
import { type CommandJson, commandFromJson } from "./take-pending-commands.ts";

export interface StoredRequest {
  /** What was stored, in the wire format, in id order. */
  readings: WireReading[];
  /** Devices that were offline (or new) and are online now. */
  cameOnline: StatusEvent[];
  /** Commands waiting for the devices, now marked delivered. */
  commands: WireCommand[];
}

type StoreResult =
  | { missing: string }
  | {
      devices: { device_id: string; old_status: string | null }[];
      sensor_ids: number[];
      ids: number[];
      commands: CommandJson[];
    };

/**
 * Stores the readings of one request, marks their devices seen and online, and takes their
 * pending commands: all in one statement (the SQL function bocloud_store_readings), so one
 * round trip and one transaction. With `register`, devices seen for the first time are
 * created (open mode); otherwise they must exist. Sensors are created on first use.
 *
 * Reading ids commit in increasing order (an advisory lock inside the function, around the
 * INSERT and the COMMIT): the stream resumes clients by id (`id > Last-Event-ID`), which is
 * only complete if no lower id can become visible after a higher one.
 */
export async function storeReadings(
  items: IngestItem[],
  opts: { register: boolean },
): Promise<StoredRequest> {
  const receivedAt = new Date();
  const deviceIds = [...new Set(items.map((i) => i.device_id))].sort();
  const rows = items.flatMap((item) =>
    Object.entries(item.sensors).map(([type, value]) => ({
      deviceId: item.device_id,
      type,
      value,
      ts: item.ts ?? receivedAt,
      ...storedValue(value),
    })),
  );

  const [{ result }] = await prisma.$queryRaw<{ result: StoreResult }[]>`
    SELECT bocloud_store_readings(
      ${deviceIds}::text[], ${opts.register}, ${receivedAt},
      ${rows.map((r) => r.deviceId)}::text[],
      ${rows.map((r) => r.type)}::text[],
      ${rows.map((r) => r.num_value)}::float8[],
      ${rows.map((r) => r.text_value)}::text[],
      ${rows.map((r) => r.bool_value)}::boolean[],
      ${rows.map((r) => r.ts.toISOString())}::timestamptz[]
    ) AS result`;
  if ("missing" in result) throw forbidden(`Device "${result.missing}" is not registered.`);

  const readings = rows.map((r, i) => ({
    id: result.ids[i],
    device_id: r.deviceId,
    sensor_id: result.sensor_ids[i],
    sensor_type: r.type,
    value: r.value,
    ts: r.ts.toISOString(),
  }));
  const cameOnline: StatusEvent[] = result.devices
    .filter((d) => d.old_status !== "online")
    .map((d) => ({
      type: "status",
      device_id: d.device_id,
      status: "online",
      last_seen_at: receivedAt.toISOString(),
    }));
  return { readings, cameOnline, commands: result.commands.map(commandFromJson) };
}
