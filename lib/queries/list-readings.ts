import { encodeCursor, type RangeQuery } from "../api/query-schemas.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ReadingRow, toWire, type WireReading } from "../reading.ts";
import { READING_SELECT } from "./reading-select.ts";
import { ownerCondition, type ReadingsOwner } from "./sensor-ref.ts";

export interface ReadingsPage {
  readings: WireReading[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/**
 * One page of readings of one sensor or one device, newest first (by measured time, then
 * id), within [from, to]. Each filter is an index range scan on (…, ts DESC, id DESC).
 */
export async function listReadings(of: ReadingsOwner, q: RangeQuery): Promise<ReadingsPage> {
  const conditions = [ownerCondition(of)];
  if (q.from) conditions.push(Prisma.sql`r.ts >= ${q.from}`);
  if (q.to) conditions.push(Prisma.sql`r.ts <= ${q.to}`);
  if (q.cursor) conditions.push(Prisma.sql`(r.ts, r.id) < (${q.cursor.ts}, ${q.cursor.id})`);

  const rows = await prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT}
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r.ts DESC, r.id DESC
    LIMIT ${q.limit + 1}`;

  const readings = rows.slice(0, q.limit).map(toWire);
  const last = readings.at(-1);
  return { readings, next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}
