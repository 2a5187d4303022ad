import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ReadingRow, toWire, type WireReading } from "../reading.ts";
import { READING_SELECT } from "./reading-select.ts";

/** Which readings a live client wants; both unset means all of them. */
export interface ReadingFilter {
  deviceId?: string;
  sensorId?: number;
}

function filterSql(filter: ReadingFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.deviceId !== undefined) conditions.push(Prisma.sql`d.device_id = ${filter.deviceId}`);
  if (filter.sensorId !== undefined) conditions.push(Prisma.sql`r.sensor_id = ${filter.sensorId}`);
  return conditions;
}

/**
 * Readings with afterId < id <= upTo, oldest first. Ids commit in increasing order (see
 * store-readings.ts), so once a reading is visible every lower id is final: this is how the
 * stream fills gaps and resumes clients without skipping anything.
 */
export async function readingsAfter(
  afterId: number,
  opts: { upTo?: number; limit: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  const conditions = [Prisma.sql`r.id > ${afterId}`, ...filterSql(opts.filter ?? {})];
  if (opts.upTo !== undefined) conditions.push(Prisma.sql`r.id <= ${opts.upTo}`);
  const rows = await prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT}
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r.id
    LIMIT ${opts.limit}`;
  return rows.map(toWire);
}

/** The newest `count` readings with id <= upTo, returned oldest first. */
export async function latestReadings(
  count: number,
  opts: { upTo: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  const conditions = [Prisma.sql`r.id <= ${opts.upTo}`, ...filterSql(opts.filter ?? {})];
  const rows = await prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT}
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r.id DESC
    LIMIT ${count}`;
  return rows.map(toWire).reverse();
}

/** The highest reading id stored, 0 when there is none. */
export async function maxReadingId(): Promise<number> {
  const [row] = await prisma.$queryRaw<
    { max: bigint | null }[]
  >`SELECT max(id) AS max FROM readings`;
  return Number(row?.max ?? 0);
}

/**
 * The readings after `afterId` that are final — no reading with a lower id can still be
 * committed — oldest first, at most `limit`: the one gap-free sequence that the stream serves
 * and the worker's jobs consume with a durable cursor.
 */
export async function finalReadingsAfter(
  afterId: number,
  opts: { limit: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  // Ids commit in increasing order (store-readings.ts), so every visible reading is final.
  return readingsAfter(afterId, opts);
}
