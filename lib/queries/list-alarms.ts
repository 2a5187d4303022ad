import type { AlarmFilters } from "../alarms/schemas.ts";
import { type AlarmRow, toWireAlarm, type WireAlarm } from "../alarms/wire.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ALARM_COLUMNS, ALARM_JOINS } from "./alarm-select.ts";

function filterSql(f: AlarmFilters): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (f.status === "open") where.push(Prisma.sql`a.open_key IS NOT NULL`);
  else if (f.status) where.push(Prisma.sql`a.status = ${f.status}::"AlarmStatus"`);
  if (f.device !== undefined) where.push(Prisma.sql`d.device_id = ${f.device}`);
  if (f.sensor !== undefined) where.push(Prisma.sql`a.sensor_id = ${f.sensor}`);
  if (f.rule !== undefined) where.push(Prisma.sql`a.rule_id = ${f.rule}`);
  if (f.severity) where.push(Prisma.sql`a.severity = ${f.severity}::"AlarmSeverity"`);
  // Alarms that overlap the range: begun by its end, and not ended before its start.
  if (f.to) where.push(Prisma.sql`a.started_ts <= ${f.to}`);
  if (f.from) {
    where.push(
      Prisma.sql`(a.open_key IS NOT NULL OR COALESCE(a.cleared_ts, a.cleared_at) >= ${f.from})`,
    );
  }
  return where;
}

/** Alarms that match, newest first, with ids below `beforeId` when given; at most `limit`. */
export async function alarmsPage(
  filters: AlarmFilters,
  beforeId: bigint | undefined,
  limit: number,
): Promise<WireAlarm[]> {
  const where = filterSql(filters);
  if (beforeId !== undefined) where.push(Prisma.sql`a.id < ${beforeId}`);
  const rows = await prisma.$queryRaw<AlarmRow[]>`
    SELECT ${ALARM_COLUMNS} FROM alarms a ${ALARM_JOINS}
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY a.id DESC LIMIT ${limit}`;
  return rows.map(toWireAlarm);
}

/** A page of the history; `next_cursor` gives the next, older page (null on the last). */
export async function listAlarms(
  filters: AlarmFilters & { limit: number; cursor?: bigint },
): Promise<{ alarms: WireAlarm[]; next_cursor: string | null }> {
  const page = await alarmsPage(filters, filters.cursor, filters.limit + 1);
  const more = page.length > filters.limit;
  const alarms = more ? page.slice(0, filters.limit) : page;
  return { alarms, next_cursor: more ? String(alarms[alarms.length - 1].id) : null };
}
