import { notificationsOf } from "../alarms/alarm-events.ts";
import { type AlarmRow, toWireAlarm } from "../alarms/wire.ts";
import { prisma } from "../db.ts";
import { conflict, notFound } from "../errors.ts";
import type { AlarmEvent } from "../events.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAlarmChange } from "./alarm-cursor.ts";
import { ALARM_COLUMNS, ALARM_JOINS } from "./alarm-select.ts";
import { enqueueDeliveries } from "./enqueue-deliveries.ts";

// An operator's changes to alarms: acknowledge (active → acknowledged), clear by hand. Both
// notify the webhooks in the same transaction and return the event to publish after it.

async function refusal(alarmId: bigint): Promise<Error> {
  const alarm = await prisma.alarm.findUnique({ where: { id: alarmId }, select: { status: true } });
  if (!alarm) return notFound(`There is no alarm ${alarmId}.`);
  return conflict(`Alarm ${alarmId} is ${alarm.status} already.`);
}

/** Acknowledges an active alarm: who, when, and an optional note. */
export async function acknowledgeAlarm(
  alarmId: bigint,
  by: string,
  note: string | undefined,
): Promise<AlarmEvent> {
  const event = await prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<AlarmRow[]>`
      WITH updated AS (
        UPDATE alarms SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = ${by},
                          ack_note = ${note || null}, updated_at = now()
        WHERE id = ${alarmId} AND status = 'active'
        RETURNING *
      )
      SELECT ${ALARM_COLUMNS} FROM updated a ${ALARM_JOINS}`;
    if (!row) return null;
    const event: AlarmEvent = { type: "alarm", change: "acknowledged", alarm: toWireAlarm(row) };
    await enqueueDeliveries(tx, notificationsOf([event]));
    return event;
  });
  if (!event) throw await refusal(alarmId);
  return event;
}

/**
 * Clears open alarms by hand (one, or every open alarm of a rule), in the caller's transaction,
 * after recordAlarmChange: the evaluator forgets their runs, so a condition that still holds
 * raises a new alarm only after its `for` again.
 */
export async function closeAlarms(
  tx: Prisma.TransactionClient,
  which: { alarmId: bigint } | { ruleId: bigint },
  by: string,
  note: string | null,
): Promise<AlarmEvent[]> {
  const where =
    "alarmId" in which ? Prisma.sql`id = ${which.alarmId}` : Prisma.sql`rule_id = ${which.ruleId}`;
  const rows = await tx.$queryRaw<AlarmRow[]>`
    WITH updated AS (
      UPDATE alarms SET status = 'cleared', open_key = NULL, cleared_at = now(), cleared_by = ${by},
                        clear_note = ${note}, updated_at = now()
      WHERE ${where} AND open_key IS NOT NULL
      RETURNING *
    ), forgotten AS (
      DELETE FROM alarm_states s USING updated u
      WHERE s.rule_id = u.rule_id AND s.sensor_id = u.sensor_id
    )
    SELECT ${ALARM_COLUMNS} FROM updated a ${ALARM_JOINS} ORDER BY a.id`;
  const events = rows.map(
    (row): AlarmEvent => ({ type: "alarm", change: "cleared", alarm: toWireAlarm(row) }),
  );
  await enqueueDeliveries(tx, notificationsOf(events));
  return events;
}

/** Clears one open alarm by hand. */
export async function clearAlarm(
  alarmId: bigint,
  by: string,
  note: string | undefined,
): Promise<AlarmEvent> {
  const [event] = await prisma.$transaction(async (tx) => {
    await recordAlarmChange(tx);
    return closeAlarms(tx, { alarmId }, by, note || null);
  });
  if (!event) throw await refusal(alarmId);
  return event;
}
