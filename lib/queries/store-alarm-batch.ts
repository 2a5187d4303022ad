import type { AlarmChange } from "../alarms/evaluate-batch.ts";
import { type AlarmRow, toWireAlarm, type WireAlarm } from "../alarms/wire.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ALARM_COLUMNS, ALARM_JOINS } from "./alarm-select.ts";

/** A rule and sensor's stored run state; both null: normal (the row goes). */
export interface StateWrite {
  ruleId: number;
  sensorId: number;
  pendingSince: number | null;
  clearingSince: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function insertAlarms(
  tx: Prisma.TransactionClient,
  changes: AlarmChange[],
): Promise<WireAlarm[]> {
  if (changes.length === 0) return [];
  const rows = await tx.$queryRaw<AlarmRow[]>`
    WITH n AS (
      SELECT * FROM unnest(
        ${changes.map((c) => c.ruleId)}::bigint[],
        ${changes.map((c) => c.sensorId)}::bigint[],
        ${changes.map((c) => c.alarm.count)}::int[],
        ${changes.map((c) => JSON.stringify(c.alarm.firstValue))}::jsonb[],
        ${changes.map((c) => JSON.stringify(c.alarm.lastValue))}::jsonb[],
        ${changes.map((c) => iso(c.alarm.startedTs))}::timestamptz[],
        ${changes.map((c) => iso(c.alarm.lastTs))}::timestamptz[],
        ${changes.map((c) => iso(c.clearedTs))}::timestamptz[]
      ) WITH ORDINALITY AS n(rule_id, sensor_id, count, first_value, last_value, started_ts,
                             last_ts, cleared_ts, ord)
    ), inserted AS (
      INSERT INTO alarms (rule_id, rule_name, kind, severity, status, device_key, sensor_id,
                          open_key, count, first_value, last_value, started_ts, last_ts,
                          cleared_ts, cleared_at)
      SELECT n.rule_id, r.name, r.kind, r.severity,
             (CASE WHEN n.cleared_ts IS NULL THEN 'active' ELSE 'cleared' END)::"AlarmStatus",
             s.device_key, n.sensor_id,
             CASE WHEN n.cleared_ts IS NULL THEN n.rule_id || '/' || n.sensor_id END,
             n.count, n.first_value, n.last_value, n.started_ts, n.last_ts, n.cleared_ts,
             CASE WHEN n.cleared_ts IS NOT NULL THEN now() END
      FROM n JOIN alarm_rules r ON r.id = n.rule_id JOIN sensors s ON s.id = n.sensor_id
      ORDER BY n.ord
      RETURNING *
    )
    SELECT ${ALARM_COLUMNS} FROM inserted a ${ALARM_JOINS} ORDER BY a.id`;
  // Rows take their ids in the order given, so id order is the changes' order.
  if (rows.length !== changes.length) throw new Error("a rule or sensor of new alarms is gone");
  return rows.map(toWireAlarm);
}

async function updateAlarms(
  tx: Prisma.TransactionClient,
  changes: AlarmChange[],
): Promise<WireAlarm[]> {
  if (changes.length === 0) return [];
  const rows = await tx.$queryRaw<AlarmRow[]>`
    WITH u AS (
      SELECT * FROM unnest(
        ${changes.map((c) => c.alarm.id)}::bigint[],
        ${changes.map((c) => c.alarm.count)}::int[],
        ${changes.map((c) => JSON.stringify(c.alarm.lastValue))}::jsonb[],
        ${changes.map((c) => iso(c.alarm.lastTs))}::timestamptz[],
        ${changes.map((c) => iso(c.clearedTs))}::timestamptz[]
      ) AS u(id, count, last_value, last_ts, cleared_ts)
    ), updated AS (
      UPDATE alarms a
      SET count = u.count, last_value = u.last_value, last_ts = u.last_ts, updated_at = now(),
          status = CASE WHEN u.cleared_ts IS NULL THEN a.status ELSE 'cleared' END,
          open_key = CASE WHEN u.cleared_ts IS NULL THEN a.open_key END,
          cleared_ts = u.cleared_ts,
          cleared_at = CASE WHEN u.cleared_ts IS NOT NULL THEN now() END
      FROM u WHERE a.id = u.id AND a.open_key IS NOT NULL
      RETURNING a.*
    )
    SELECT ${ALARM_COLUMNS} FROM updated a ${ALARM_JOINS}`;
  // The cursor's lock keeps operators' clears out of a batch: an alarm that is not open any more
  // means the evaluator's memory is stale. Failing the batch makes it reload.
  if (rows.length !== changes.length) throw new Error("an open alarm was closed meanwhile");
  const byId = new Map(rows.map((r) => [r.id, toWireAlarm(r)]));
  return changes.map((c) => byId.get(BigInt(c.alarm.id ?? 0)) as WireAlarm);
}

async function writeStates(tx: Prisma.TransactionClient, states: StateWrite[]): Promise<void> {
  const gone = states.filter((s) => s.pendingSince === null && s.clearingSince === null);
  const kept = states.filter((s) => s.pendingSince !== null || s.clearingSince !== null);
  if (gone.length > 0) {
    await tx.$executeRaw`
      DELETE FROM alarm_states s
      USING unnest(${gone.map((s) => s.ruleId)}::bigint[], ${gone.map((s) => s.sensorId)}::bigint[])
            AS g(rule_id, sensor_id)
      WHERE s.rule_id = g.rule_id AND s.sensor_id = g.sensor_id`;
  }
  if (kept.length > 0) {
    await tx.$executeRaw`
      INSERT INTO alarm_states (rule_id, sensor_id, pending_since, clearing_since)
      SELECT * FROM unnest(
        ${kept.map((s) => s.ruleId)}::bigint[], ${kept.map((s) => s.sensorId)}::bigint[],
        ${kept.map((s) => iso(s.pendingSince))}::timestamptz[],
        ${kept.map((s) => iso(s.clearingSince))}::timestamptz[])
      ON CONFLICT (rule_id, sensor_id) DO UPDATE
      SET pending_since = EXCLUDED.pending_since, clearing_since = EXCLUDED.clearing_since`;
  }
}

/**
 * Stores what a batch of the evaluator changed, in its transaction: new alarms (open, or raised
 * and cleared within the batch), counted and cleared ones, and the run states. Returns each
 * change's alarm as stored, in the order of `changes`.
 */
export async function storeAlarmBatch(
  tx: Prisma.TransactionClient,
  changes: readonly AlarmChange[],
  states: StateWrite[],
): Promise<WireAlarm[]> {
  const fresh = changes.filter((c) => c.alarm.id === null);
  const known = changes.filter((c) => c.alarm.id !== null);
  // Known alarms first: one the batch cleared frees its open_key for a new one it raised.
  const updated = await updateAlarms(tx, known);
  const inserted = await insertAlarms(tx, fresh);
  await writeStates(tx, states);
  const stored = new Map<AlarmChange, WireAlarm>([
    ...fresh.map((c, i) => [c, inserted[i]] as const),
    ...known.map((c, i) => [c, updated[i]] as const),
  ]);
  return changes.map((c) => stored.get(c) as WireAlarm);
}
