import { notificationsOf } from "../alarms/alarm-events.ts";
import { type AlarmRow, toWireAlarm } from "../alarms/wire.ts";
import { prisma } from "../db.ts";
import type { AlarmEvent } from "../events.ts";
import { ALARM_COLUMNS, ALARM_JOINS } from "./alarm-select.ts";
import { enqueueDeliveries } from "./enqueue-deliveries.ts";

export interface SilenceRaise {
  ruleId: number;
  deviceKey: bigint;
  sensorId: number | null;
  startedTs: number;
}

export interface SilenceClear {
  alarmId: number;
  clearedTs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Raises and clears silence alarms, with their webhook notifications, in one transaction. A raise
 * for a subject that has an open alarm meanwhile, or a clear of an alarm closed meanwhile (by an
 * operator), does nothing. Returns the events to publish.
 */
export async function storeSilenceChanges(
  raises: readonly SilenceRaise[],
  clears: readonly SilenceClear[],
): Promise<AlarmEvent[]> {
  if (raises.length === 0 && clears.length === 0) return [];
  return prisma.$transaction(async (tx) => {
    const raised =
      raises.length === 0
        ? []
        : await tx.$queryRaw<AlarmRow[]>`
      WITH n AS (
        SELECT * FROM unnest(
          ${raises.map((r) => r.ruleId)}::bigint[], ${raises.map((r) => r.deviceKey)}::bigint[],
          ${raises.map((r) => r.sensorId)}::bigint[], ${raises.map((r) => iso(r.startedTs))}::timestamptz[]
        ) AS n(rule_id, device_key, sensor_id, started_ts)
      ), inserted AS (
        INSERT INTO alarms (rule_id, rule_name, kind, severity, device_key, sensor_id, open_key,
                            started_ts, last_ts)
        SELECT n.rule_id, r.name, r.kind, r.severity, n.device_key, n.sensor_id,
               n.rule_id || '/' || COALESCE(n.sensor_id::text, 'device'), n.started_ts, n.started_ts
        FROM n JOIN alarm_rules r ON r.id = n.rule_id AND r.enabled
        ON CONFLICT (open_key) DO NOTHING
        RETURNING *
      )
      SELECT ${ALARM_COLUMNS} FROM inserted a ${ALARM_JOINS} ORDER BY a.id`;
    const cleared =
      clears.length === 0
        ? []
        : await tx.$queryRaw<AlarmRow[]>`
      WITH c AS (
        SELECT * FROM unnest(${clears.map((c) => c.alarmId)}::bigint[],
                             ${clears.map((c) => iso(c.clearedTs))}::timestamptz[]) AS c(id, cleared_ts)
      ), updated AS (
        UPDATE alarms a SET status = 'cleared', open_key = NULL, cleared_at = now(),
                            cleared_ts = c.cleared_ts, updated_at = now()
        FROM c WHERE a.id = c.id AND a.open_key IS NOT NULL
        RETURNING a.*
      )
      SELECT ${ALARM_COLUMNS} FROM updated a ${ALARM_JOINS} ORDER BY a.id`;
    const events: AlarmEvent[] = [
      ...raised.map(
        (row): AlarmEvent => ({ type: "alarm", change: "raised", alarm: toWireAlarm(row) }),
      ),
      ...cleared.map(
        (row): AlarmEvent => ({ type: "alarm", change: "cleared", alarm: toWireAlarm(row) }),
      ),
    ];
    await enqueueDeliveries(tx, notificationsOf(events));
    return events;
  });
}
