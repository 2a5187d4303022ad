import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ReadingRow } from "../reading.ts";
import { READING_SELECT } from "./reading-select.ts";
import { ownerCondition, type ReadingsOwner } from "./sensor-ref.ts";

export interface ExportRange {
  from?: Date;
  to?: Date;
  /** Only readings with id <= upTo: those committed before the export began. */
  upTo: bigint;
}

/**
 * The next page of an export, oldest first (by ts, then id), after the reading `after`.
 * Keyset paging on the (…, ts DESC, id DESC) indexes: every page is one short index range
 * scan, and no transaction stays open while the client downloads.
 */
export async function exportPage(
  of: ReadingsOwner,
  range: ExportRange,
  after: { ts: Date; id: bigint } | null,
  limit: number,
): Promise<ReadingRow[]> {
  const conditions = [ownerCondition(of), Prisma.sql`r.id <= ${range.upTo}`];
  if (range.from) conditions.push(Prisma.sql`r.ts >= ${range.from}`);
  if (range.to) conditions.push(Prisma.sql`r.ts <= ${range.to}`);
  if (after) conditions.push(Prisma.sql`(r.ts, r.id) > (${after.ts}, ${after.id})`);
  return prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT}
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r.ts, r.id
    LIMIT ${limit}`;
}
