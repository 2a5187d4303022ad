import { describe, expect, it } from "vitest";
import { conditionSchema, describeCondition, meets, negation } from "./conditions.ts";

describe("conditions", () => {
  it("compare numbers, ranges and equality, and say nothing about values of another type", () => {
    expect(meets({ op: "gt", value: 30 }, 30.1)).toBe(true);
    expect(meets({ op: "gt", value: 30 }, 30)).toBe(false);
    expect(meets({ op: "gte", value: 30 }, 30)).toBe(true);
    expect(meets({ op: "lt", value: 0 }, -1)).toBe(true);
    expect(meets({ op: "lte", value: 0 }, 0.5)).toBe(false);
    expect(meets({ op: "inside", min: 1, max: 2 }, 2)).toBe(true);
    expect(meets({ op: "outside", min: 1, max: 2 }, 2.5)).toBe(true);
    expect(meets({ op: "eq", value: "open" }, "open")).toBe(true);
    expect(meets({ op: "ne", value: "open" }, "closed")).toBe(true);
    expect(meets({ op: "eq", value: true }, false)).toBe(false);
    expect(meets({ op: "eq", value: 5 }, 5)).toBe(true);
    // "42" is not 42: a condition on numbers ignores strings, and the other way round.
    expect(meets({ op: "gt", value: 30 }, "42")).toBeNull();
    expect(meets({ op: "eq", value: "42" }, 42)).toBeNull();
    expect(meets({ op: "inside", min: 1, max: 2 }, true)).toBeNull();
  });

  it("negate exactly: a value meets a condition or its negation, never both", () => {
    const conditions = [
      { op: "gt", value: 1 },
      { op: "gte", value: 1 },
      { op: "lt", value: 1 },
      { op: "lte", value: 1 },
      { op: "eq", value: 1 },
      { op: "ne", value: 1 },
      { op: "inside", min: 0, max: 2 },
      { op: "outside", min: 0, max: 2 },
    ] as const;
    for (const c of conditions) {
      for (const v of [-1, 0, 0.5, 1, 1.5, 2, 3]) {
        expect(meets(negation(c), v), `${describeCondition(c)} at ${v}`).toBe(!meets(c, v));
      }
    }
  });

  it("are validated: known operators, finite numbers, min ≤ max", () => {
    expect(conditionSchema.safeParse({ op: "gt", value: 1 }).success).toBe(true);
    expect(conditionSchema.safeParse({ op: "gt", value: "1" }).success).toBe(false);
    expect(conditionSchema.safeParse({ op: "between", value: 1 }).error?.issues[0].message).toMatch(
      /op must be one of/,
    );
    expect(conditionSchema.safeParse({ op: "inside", min: 3, max: 2 }).success).toBe(false);
    expect(conditionSchema.safeParse({ op: "eq", value: "" }).success).toBe(false);
    expect(conditionSchema.safeParse({ op: "gt", value: 1, extra: 1 }).success).toBe(false);
  });

  it("are described for people", () => {
    expect(describeCondition({ op: "gte", value: 30 })).toBe("≥ 30");
    expect(describeCondition({ op: "outside", min: 10, max: 20 })).toBe("outside 10 … 20");
    expect(describeCondition({ op: "eq", value: "open" })).toBe('= "open"');
  });
});
