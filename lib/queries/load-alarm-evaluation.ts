import { type Condition, conditionSchema, negation } from "../alarms/conditions.ts";
import { type ScopedRule, subjectKey } from "../alarms/evaluate-batch.ts";
import type { SubjectState } from "../alarms/state-machine.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { log } from "../log.ts";
import type { ReadingValue } from "../reading.ts";

export interface AlarmEvaluation {
  /** The enabled threshold rules. */
  rules: ScopedRule[];
  /** Every rule and sensor that is not normal: a run being waited out, or an open alarm. */
  states: Map<string, SubjectState>;
}

interface RuleRow {
  id: bigint;
  device_id: string | null;
  sensor_type: string | null;
  condition: unknown;
  clear_condition: unknown;
  for_seconds: number;
  clear_for_seconds: number;
}

function parsed(rule: RuleRow, json: unknown): Condition | null {
  const result = conditionSchema.safeParse(json);
  if (!result.success)
    log.warn({ rule: Number(rule.id) }, "alarm rule with an unreadable condition skipped");
  return result.success ? result.data : null;
}

/** What the evaluator works from, read in its transaction (under the cursor's lock). */
export async function loadAlarmEvaluation(tx: Prisma.TransactionClient): Promise<AlarmEvaluation> {
  const [ruleRows, stateRows, openRows] = await Promise.all([
    tx.$queryRaw<RuleRow[]>`
      SELECT r.id, d.device_id, r.sensor_type, r.condition, r.clear_condition, r.for_seconds,
             r.clear_for_seconds
      FROM alarm_rules r LEFT JOIN devices d ON d.id = r.device_key
      WHERE r.enabled AND r.kind = 'threshold'`,
    tx.$queryRaw<
      {
        rule_id: bigint;
        sensor_id: bigint;
        pending_since: Date | null;
        clearing_since: Date | null;
      }[]
    >`SELECT rule_id, sensor_id, pending_since, clearing_since FROM alarm_states`,
    tx.$queryRaw<
      {
        id: bigint;
        rule_id: bigint;
        sensor_id: bigint;
        started_ts: Date;
        first_value: ReadingValue;
        count: number;
        last_value: ReadingValue;
        last_ts: Date;
      }[]
    >`
      SELECT id, rule_id, sensor_id, started_ts, first_value, count, last_value, last_ts
      FROM alarms
      WHERE open_key IS NOT NULL AND kind = 'threshold' AND rule_id IS NOT NULL AND sensor_id IS NOT NULL`,
  ]);

  const rules: ScopedRule[] = [];
  for (const row of ruleRows) {
    const condition = parsed(row, row.condition);
    const clear = row.clear_condition === null ? null : parsed(row, row.clear_condition);
    if (!condition || (row.clear_condition !== null && !clear)) continue;
    rules.push({
      id: Number(row.id),
      deviceId: row.device_id,
      sensorType: row.sensor_type,
      condition,
      clearCondition: clear ?? negation(condition),
      forMs: row.for_seconds * 1000,
      clearForMs: row.clear_for_seconds * 1000,
    });
  }

  const states = new Map<string, SubjectState>();
  for (const s of stateRows) {
    states.set(subjectKey(Number(s.rule_id), Number(s.sensor_id)), {
      pendingSince: s.pending_since?.getTime() ?? null,
      clearingSince: s.clearing_since?.getTime() ?? null,
      open: null,
    });
  }
  for (const a of openRows) {
    const key = subjectKey(Number(a.rule_id), Number(a.sensor_id));
    const state = states.get(key);
    states.set(key, {
      // A run waiting for a raise means nothing once an alarm is open.
      pendingSince: null,
      clearingSince: state?.clearingSince ?? null,
      open: {
        id: Number(a.id),
        startedTs: a.started_ts.getTime(),
        firstValue: a.first_value,
        count: a.count,
        lastValue: a.last_value,
        lastTs: a.last_ts.getTime(),
      },
    });
  }
  return { rules, states };
}
