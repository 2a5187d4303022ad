import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ReadingRow, toWire, type WireReading } from "../reading.ts";
import { NEWEST_FIRST } from "./reading-index.ts";
import { READING_COLUMNS, READING_SELECT } from "./reading-select.ts";

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
 * The reading horizon: every reading with an id up to it is final — committed, or never to be
 * (rolled back). Store transactions commit in any order, but each announces a lower bound of
 * the ids it takes before it takes them (bocloud_reading_horizon in the lean_readings
 * migration), so a reader never has to guess. Cheap: a sequence and the lock table.
 */
export async function readingHorizon(): Promise<number> {
  const [row] = await prisma.$queryRaw<{ horizon: bigint | null }[]>`
    SELECT bocloud_reading_horizon() AS horizon`;
  return Number(row?.horizon ?? 0);
}

/**
 * Readings with afterId < id <= upTo, oldest first. With upTo at most the horizon, this is a
 * final answer: the stream fills gaps and resumes clients with it without skipping anything.
 */
export async function readingsAfter(
  afterId: number,
  opts: { upTo: number; limit: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  const conditions = [
    Prisma.sql`r.id > ${afterId}`,
    Prisma.sql`r.id <= ${opts.upTo}`,
    ...filterSql(opts.filter ?? {}),
  ];
  const rows = await prisma.$queryRaw<ReadingRow[]>`
    ${READING_SELECT}
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY r.id
    LIMIT ${opts.limit}`;
  return rows.map(toWire);
}

/**
 * The readings after `afterId` that are final — no reading with a lower id can still be
 * committed — oldest first, at most `limit`: the one gap-free sequence that the stream serves
 * and the worker's jobs consume with a durable cursor (the id of the last reading taken).
 */
export async function finalReadingsAfter(
  afterId: number,
  opts: { limit: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  const horizon = await readingHorizon();
  return horizon > afterId ? readingsAfter(afterId, { ...opts, upTo: horizon }) : [];
}

/**
 * The newest `count` readings with id <= upTo (newest by id; for one sensor or device, by the
 * time measured), returned oldest first by id, as the stream sends them.
 */
export async function latestReadings(
  count: number,
  opts: { upTo: number; filter?: ReadingFilter },
): Promise<WireReading[]> {
  const { deviceId, sensorId } = opts.filter ?? {};
  const upTo = Prisma.sql`r.id <= ${opts.upTo}`;
  // A filtered backfill goes by the sensors' own index, not through every newer reading.
  const rows =
    deviceId === undefined && sensorId === undefined
      ? await prisma.$queryRaw<ReadingRow[]>`
          ${READING_SELECT} WHERE ${upTo} ORDER BY r.id DESC LIMIT ${count}`
      : await prisma.$queryRaw<ReadingRow[]>`
          SELECT x.*, d.device_id, s.type AS sensor_type
          FROM sensors s JOIN devices d ON d.id = s.device_key
          CROSS JOIN LATERAL (
            SELECT ${READING_COLUMNS} FROM readings r WHERE r.sensor_id = s.id AND ${upTo}
            ${NEWEST_FIRST} LIMIT ${count}
          ) x
          WHERE ${Prisma.join(
            [
              ...(deviceId === undefined ? [] : [Prisma.sql`d.device_id = ${deviceId}`]),
              ...(sensorId === undefined ? [] : [Prisma.sql`s.id = ${sensorId}`]),
            ],
            " AND ",
          )}
          ORDER BY x.ts DESC, x.id DESC LIMIT ${count}`;
  return rows.map(toWire).sort((a, b) => a.id - b.id);
}
