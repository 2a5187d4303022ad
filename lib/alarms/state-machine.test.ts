import { describe, expect, it } from "vitest";
import { negation } from "./conditions.ts";
import { evaluateBatch, RuleIndex, type ScopedRule } from "./evaluate-batch.ts";
import { NORMAL, type SubjectState, step, type ThresholdRule } from "./state-machine.ts";

const hot: ThresholdRule = {
  id: 1,
  condition: { op: "gt", value: 30 },
  clearCondition: { op: "lt", value: 28 },
  forMs: 10_000,
  clearForMs: 5_000,
};

/** Runs readings [value, ts in s] through one rule; the transitions' kinds, in order. */
function run(rule: ThresholdRule, readings: [number | string, number][]) {
  let state: SubjectState = NORMAL;
  const kinds: string[] = [];
  for (const [value, s] of readings) {
    const next = step(rule, state, value, s * 1000);
    state = next.state;
    if (next.transition) kinds.push(`${next.transition.kind}@${s}`);
  }
  return { state, kinds };
}

describe("a threshold rule's steps", () => {
  it("raise once the condition held for its duration, by the readings' ts", () => {
    expect(
      run(hot, [
        [31, 0],
        [31, 5],
        [31, 9],
      ]).kinds,
    ).toEqual([]);
    const { state, kinds } = run(hot, [
      [31, 0],
      [31, 5],
      [31, 10],
      [32, 11],
    ]);
    expect(kinds).toEqual(["raised@10", "repeated@11"]);
    expect(state.open).toMatchObject({ startedTs: 0, firstValue: 31, count: 2, lastValue: 32 });
  });

  it("start the duration again when a reading breaks the run", () => {
    expect(
      run(hot, [
        [31, 0],
        [29, 5],
        [31, 6],
        [31, 15],
        [31, 16],
      ]).kinds,
    ).toEqual(["raised@16"]);
  });

  it("clear only below the clear threshold, held for its own duration (hysteresis)", () => {
    const raised: [number, number][] = [
      [31, 0],
      [31, 10],
    ];
    expect(run(hot, [...raised, [29, 11], [29, 30]]).kinds).toEqual(["raised@10"]);
    expect(run(hot, [...raised, [27, 11], [29, 14], [27, 15], [27, 20]]).kinds).toEqual([
      "raised@10",
      "cleared@20",
    ]);
  });

  it("ignore values the condition says nothing about", () => {
    const { state, kinds } = run(hot, [
      [31, 0],
      ["n/a", 4],
      [31, 10],
    ]);
    expect(kinds).toEqual(["raised@10"]);
    expect(state.open?.count).toBe(1);
  });

  it("without a duration raise at the first breach and clear at the first normal value", () => {
    const instant = { ...hot, forMs: 0, clearForMs: 0, clearCondition: negation(hot.condition) };
    expect(
      run(instant, [
        [31, 0],
        [30, 1],
        [31, 2],
      ]).kinds,
    ).toEqual(["raised@0", "cleared@1", "raised@2"]);
  });
});

describe("a batch of readings", () => {
  const rule: ScopedRule = { ...hot, forMs: 0, clearForMs: 0, deviceId: null, sensorType: "t" };
  const reading = (id: number, value: number, s: number, sensor = 1) => ({
    id,
    device_id: `d${sensor}`,
    sensor_id: sensor,
    sensor_type: "t",
    value,
    ts: new Date(s * 1000).toISOString(),
  });

  it("ignores late readings (older ts than the sensor's newest), so they cannot make alarms flap", () => {
    const out = evaluateBatch({
      readings: [reading(1, 31, 10), reading(2, 20, 5), reading(3, 31, 11), reading(4, 20, 12)],
      rules: new RuleIndex([rule]),
      states: new Map(),
      lastTs: new Map(),
    });
    expect(out.alarms).toHaveLength(1);
    expect(out.alarms[0]).toMatchObject({ raised: true, clearedTs: 12_000 });
    expect(out.alarms[0].alarm.count).toBe(2);
    // And against what earlier batches evaluated.
    const late = evaluateBatch({
      readings: [reading(5, 40, 3)],
      rules: new RuleIndex([rule]),
      states: new Map(),
      lastTs: out.lastTs,
    });
    expect(late.alarms).toEqual([]);
  });

  it("keeps one alarm per rule and sensor, and a new one after a clear", () => {
    const out = evaluateBatch({
      readings: [reading(1, 31, 1), reading(2, 31, 1, 2), reading(3, 20, 2), reading(4, 31, 3)],
      rules: new RuleIndex([rule]),
      states: new Map(),
      lastTs: new Map(),
    });
    expect(out.alarms.map((a) => [a.sensorId, a.raised, a.clearedTs])).toEqual([
      [1, true, 2000],
      [2, true, null],
      [1, true, null],
    ]);
  });

  it("finds the rules of a sensor, of its type and of its device", () => {
    const rules = new RuleIndex([
      { ...rule, id: 1, deviceId: "a", sensorType: "t" },
      { ...rule, id: 2, deviceId: null, sensorType: "t" },
      { ...rule, id: 3, deviceId: "a", sensorType: null },
      { ...rule, id: 4, deviceId: "b", sensorType: "t" },
    ]);
    expect(
      rules
        .matching("a", "t")
        .map((r) => r.id)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(rules.matching("a", "u").map((r) => r.id)).toEqual([3]);
    expect(rules.matching("c", "t").map((r) => r.id)).toEqual([2]);
  });
});
