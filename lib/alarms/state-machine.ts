import type { ReadingValue } from "../reading.ts";
import { type Condition, meets } from "./conditions.ts";

// A threshold rule's life for one sensor, one reading at a time, timed by the readings' own ts:
//
//   normal ──condition holds──▶ pending ──still holds `for`──▶ raised ──clear condition holds──▶
//   clearing ──still holds `clear for`──▶ normal (cleared)
//
// A reading of the other kind ends a pending or clearing run; a breach while raised is counted.
// Pure: the worker's evaluator keeps the states and stores them.

export interface ThresholdRule {
  id: number;
  condition: Condition;
  /** The rule's clear condition, or the negation of its condition. */
  clearCondition: Condition;
  forMs: number;
  clearForMs: number;
}

/** The open alarm of a rule and sensor, as far as the evaluator changes it. */
export interface OpenAlarm {
  /** Null until stored: raised in the batch being evaluated. */
  id: number | null;
  startedTs: number;
  firstValue: ReadingValue;
  count: number;
  lastValue: ReadingValue;
  lastTs: number;
}

export interface SubjectState {
  /** ts (epoch ms) of the first reading of the current breaching run, while no alarm is open. */
  pendingSince: number | null;
  /** ts of the first reading of the current clearing run, while an alarm is open. */
  clearingSince: number | null;
  open: OpenAlarm | null;
}

export const NORMAL: SubjectState = { pendingSince: null, clearingSince: null, open: null };

export type Transition =
  | { kind: "raised"; alarm: OpenAlarm }
  | { kind: "repeated"; alarm: OpenAlarm }
  | { kind: "cleared"; alarm: OpenAlarm; clearedTs: number };

export interface Step {
  state: SubjectState;
  transition?: Transition;
}

/** The state after one reading (value, ts in epoch ms), and the alarm change it makes if any. */
export function step(
  rule: ThresholdRule,
  state: SubjectState,
  value: ReadingValue,
  ts: number,
): Step {
  if (state.open === null) {
    const breach = meets(rule.condition, value);
    if (breach === null) return { state };
    if (!breach) return { state: state.pendingSince === null ? state : NORMAL };
    const since = state.pendingSince ?? ts;
    if (ts - since < rule.forMs)
      return { state: state.pendingSince === since ? state : { ...state, pendingSince: since } };
    const alarm: OpenAlarm = {
      id: null,
      startedTs: since,
      firstValue: value,
      count: 1,
      lastValue: value,
      lastTs: ts,
    };
    return {
      state: { pendingSince: null, clearingSince: null, open: alarm },
      transition: { kind: "raised", alarm },
    };
  }

  const clears = meets(rule.clearCondition, value);
  if (clears === null) return { state };
  if (clears) {
    const since = state.clearingSince ?? ts;
    if (ts - since < rule.clearForMs)
      return { state: state.clearingSince === since ? state : { ...state, clearingSince: since } };
    return { state: NORMAL, transition: { kind: "cleared", alarm: state.open, clearedTs: ts } };
  }
  // Between the two thresholds (hysteresis), or breaching again: the clearing run is over.
  const calm = state.clearingSince === null ? state : { ...state, clearingSince: null };
  if (meets(rule.condition, value) !== true) return { state: calm };
  const alarm = { ...state.open, count: state.open.count + 1, lastValue: value, lastTs: ts };
  return { state: { ...calm, open: alarm }, transition: { kind: "repeated", alarm } };
}
