import { encodeCursor, type RangeQuery } from "../api/query-schemas.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ReadingRow, toWire, type WireReading } from "../reading.ts";
import { before, NEWEST_FIRST, timeRange } from "./reading-index.ts";
import { READING_COLUMNS, READING_SELECT } from "./reading-select.ts";
import type { ReadingsOwner } from "./sensor-ref.ts";

export interface ReadingsPage {
  readings: WireReading[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/**
 * The owner's readings meeting `conditions` (on `readings r`), newest first, at most `limit`.
 * A name is looked up inside the statement (no round trip of its own; an unknown one matches
 * nothing). A device's are the merge of each of its sensors' newest `limit`, each an index
 * range scan.
 */
function newestOf(of: ReadingsOwner, conditions: Prisma.Sql[], limit: number): Prisma.Sql {
  const where = (owner: Prisma.Sql) => Prisma.join([owner, ...conditions], " AND ");
  if ("sensorId" in of) {
    return Prisma.sql`${READING_SELECT} WHERE ${where(Prisma.sql`r.sensor_id = ${of.sensorId}`)}
      ${NEWEST_FIRST} LIMIT ${limit}`;
  }
  if ("sensorType" in of) {
    const sensor = Prisma.sql`r.sensor_id = (SELECT s.id FROM sensors s JOIN devices d ON d.id = s.device_key
      WHERE d.device_id = ${of.deviceId} AND s.type = ${of.sensorType})`;
    return Prisma.sql`${READING_SELECT} WHERE ${where(sensor)} ${NEWEST_FIRST} LIMIT ${limit}`;
  }
  return Prisma.sql`
    SELECT x.*, d.device_id, s.type AS sensor_type
    FROM devices d
    JOIN sensors s ON s.device_key = d.id
    CROSS JOIN LATERAL (
      SELECT ${READING_COLUMNS} FROM readings r WHERE ${where(Prisma.sql`r.sensor_id = s.id`)}
      ${NEWEST_FIRST} LIMIT ${limit}
    ) x
    WHERE d.device_id = ${of.deviceId}
    ORDER BY x.ts DESC, x.id DESC
    LIMIT ${limit}`;
}

/**
 * One page of readings of one sensor or one device, newest first (by measured time, then
 * id), within [from, to].
 */
export async function listReadings(of: ReadingsOwner, q: RangeQuery): Promise<ReadingsPage> {
  const conditions = [...timeRange(q.from, q.to), ...(q.cursor ? before(q.cursor) : [])];
  const rows = await prisma.$queryRaw<ReadingRow[]>(newestOf(of, conditions, q.limit + 1));
  const readings = rows.slice(0, q.limit).map(toWire);
  const last = readings.at(-1);
  return { readings, next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}
