import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ReadingRow } from "../reading.ts";
import { after, OLDEST_FIRST, timeRange } from "./reading-index.ts";
import { READING_SELECT } from "./reading-select.ts";

export interface ExportRange {
  from?: Date;
  to?: Date;
  /** Only readings with id <= upTo: those final when the export began. */
  upTo: bigint;
}

/**
 * The next page of one sensor's readings for an export, oldest first (by ts, then id), after
 * the reading `last`. Keyset paging: every page is a short index range scan, and no
 * transaction stays open while the client downloads.
 */
export async function exportPage(
  sensorId: bigint,
  range: ExportRange,
  last: { ts: Date; id: bigint } | null,
  limit: number,
): Promise<ReadingRow[]> {
  const conditions = [
    Prisma.sql`r.sensor_id = ${sensorId}`,
    Prisma.sql`r.id <= ${range.upTo}`,
    ...timeRange(range.from, range.to),
    ...(last ? after(last) : []),
  ];
  return prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT} WHERE ${Prisma.join(conditions, " AND ")} ${OLDEST_FIRST} LIMIT ${limit}`;
}
