import type { WireReading } from "../reading.ts";
import {
  NORMAL,
  type OpenAlarm,
  type SubjectState,
  step,
  type ThresholdRule,
} from "./state-machine.ts";

/** A threshold rule with its scope: a sensor (both set), a type on every device, or a device. */
export interface ScopedRule extends ThresholdRule {
  deviceId: string | null;
  sensorType: string | null;
}

/** The enabled threshold rules, found by the sensor a reading is of. */
export class RuleIndex<R extends ScopedRule = ScopedRule> {
  private readonly bySensor = new Map<string, R[]>();
  private readonly byType = new Map<string, R[]>();
  private readonly byDevice = new Map<string, R[]>();
  readonly size: number;

  constructor(rules: readonly R[]) {
    for (const rule of rules) {
      const [map, key] =
        rule.deviceId !== null && rule.sensorType !== null
          ? [this.bySensor, sensorKey(rule.deviceId, rule.sensorType)]
          : rule.deviceId !== null
            ? [this.byDevice, rule.deviceId]
            : [this.byType, rule.sensorType ?? ""];
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    }
    this.size = rules.length;
  }

  /** Called for every reading evaluated: a rule list is copied only when two scopes match. */
  matching(deviceId: string, sensorType: string): readonly R[] {
    const ofSensor = this.bySensor.get(sensorKey(deviceId, sensorType));
    const ofType = this.byType.get(sensorType);
    const ofDevice = this.byDevice.get(deviceId);
    const found = [ofSensor, ofType, ofDevice].filter((list) => list !== undefined);
    if (found.length <= 1) return found[0] ?? NONE;
    return found.flat();
  }
}

const NONE: readonly never[] = [];
const sensorKey = (deviceId: string, sensorType: string) => `${deviceId}\u0000${sensorType}`;

/** The key of a rule and sensor: also the open alarm's open_key. */
export const subjectKey = (ruleId: number, sensorId: number) => `${ruleId}/${sensorId}`;

/** One alarm that a batch raised, counted or cleared, in its state at the end of the batch. */
export interface AlarmChange {
  key: string;
  ruleId: number;
  sensorId: number;
  deviceId: string;
  sensorType: string;
  /** `id` null: raised in this batch. */
  alarm: OpenAlarm;
  raised: boolean;
  /** Set when the batch cleared it: the clearing reading's ts. */
  clearedTs: number | null;
}

export interface BatchOutcome {
  /** The new state of every rule and sensor the batch touched. */
  states: Map<string, SubjectState>;
  /** The newest ts of every sensor the batch evaluated. */
  lastTs: Map<number, number>;
  /** In the order of their first change. */
  alarms: AlarmChange[];
}

/**
 * Evaluates readings (in id order) against the rules, from the given states. A reading older
 * (by ts) than the newest already evaluated for its sensor is late: it changes nothing, so data
 * a gateway uploads from its buffer never makes an alarm flap. The inputs are not changed.
 */
export function evaluateBatch(input: {
  readings: readonly WireReading[];
  rules: RuleIndex;
  states: ReadonlyMap<string, SubjectState>;
  lastTs: ReadonlyMap<number, number>;
}): BatchOutcome {
  const out: BatchOutcome = { states: new Map(), lastTs: new Map(), alarms: [] };
  /** The change of each key's alarm that is open at this point of the batch. */
  const current = new Map<string, AlarmChange>();

  for (const r of input.readings) {
    const rules = input.rules.matching(r.device_id, r.sensor_type);
    if (rules.length === 0) continue;
    const ts = Date.parse(r.ts);
    const newest = out.lastTs.get(r.sensor_id) ?? input.lastTs.get(r.sensor_id);
    if (newest !== undefined && ts < newest) continue;
    out.lastTs.set(r.sensor_id, ts);

    for (const rule of rules) {
      const key = subjectKey(rule.id, r.sensor_id);
      const before = out.states.get(key) ?? input.states.get(key) ?? NORMAL;
      const { state, transition } = step(rule, before, r.value, ts);
      if (state !== before) out.states.set(key, state);
      if (!transition) continue;
      let change = current.get(key);
      if (!change) {
        change = {
          key,
          ruleId: rule.id,
          sensorId: r.sensor_id,
          deviceId: r.device_id,
          sensorType: r.sensor_type,
          alarm: transition.alarm,
          raised: transition.kind === "raised",
          clearedTs: null,
        };
        out.alarms.push(change);
        current.set(key, change);
      }
      change.alarm = transition.alarm;
      if (transition.kind === "cleared") {
        change.clearedTs = transition.clearedTs;
        current.delete(key);
      }
    }
  }
  return out;
}
