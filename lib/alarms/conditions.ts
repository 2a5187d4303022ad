import { z } from "zod";
import { MAX_STRING_VALUE_LENGTH } from "../limits.ts";
import type { ReadingValue } from "../reading.ts";

// A rule's condition on one reading's value: a comparison with a number (> ≥ < ≤ = ≠), inside or
// outside a range, or equality with a string or a boolean.

const finite = z.number().refine(Number.isFinite, "must be a finite number");

const comparison = z.strictObject({
  op: z.enum(["gt", "gte", "lt", "lte"]),
  value: finite,
});

const equality = z.strictObject({
  op: z.enum(["eq", "ne"]),
  value: z.union([
    finite,
    z.boolean(),
    z.string().min(1, "must not be empty").max(MAX_STRING_VALUE_LENGTH),
  ]),
});

const range = z
  .strictObject({ op: z.enum(["inside", "outside"]), min: finite, max: finite })
  .refine((c) => c.min <= c.max, { path: ["min"], message: "must not be above `max`" });

export const conditionSchema = z.discriminatedUnion("op", [comparison, equality, range], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? "op must be one of gt, gte, lt, lte, eq, ne, inside, outside"
      : undefined,
});

export type Condition = z.infer<typeof conditionSchema>;

/**
 * Whether the value meets the condition; null when the condition says nothing about a value of
 * its type (a number compared with a string), so such a reading leaves the rule's state alone.
 */
export function meets(condition: Condition, value: ReadingValue): boolean | null {
  switch (condition.op) {
    case "eq":
    case "ne":
      if (typeof value !== typeof condition.value) return null;
      return (value === condition.value) === (condition.op === "eq");
    case "inside":
    case "outside":
      if (typeof value !== "number") return null;
      return (value >= condition.min && value <= condition.max) === (condition.op === "inside");
    default: {
      if (typeof value !== "number") return null;
      const limit = condition.value;
      if (condition.op === "gt") return value > limit;
      if (condition.op === "gte") return value >= limit;
      if (condition.op === "lt") return value < limit;
      return value <= limit;
    }
  }
}

const SYMBOL = { gt: ">", gte: "≥", lt: "<", lte: "≤", eq: "=", ne: "≠" } as const;

/** The condition as an operator reads it: "> 30", "outside 10 … 20", "= \"open\"". */
export function describeCondition(condition: Condition): string {
  switch (condition.op) {
    case "inside":
    case "outside":
      return `${condition.op} ${condition.min} … ${condition.max}`;
    default:
      return `${SYMBOL[condition.op]} ${JSON.stringify(condition.value)}`;
  }
}

/** The clear condition a rule without one has: its condition no longer holds. */
export function negation(condition: Condition): Condition {
  switch (condition.op) {
    case "gt":
      return { op: "lte", value: condition.value };
    case "gte":
      return { op: "lt", value: condition.value };
    case "lt":
      return { op: "gte", value: condition.value };
    case "lte":
      return { op: "gt", value: condition.value };
    case "eq":
      return { op: "ne", value: condition.value };
    case "ne":
      return { op: "eq", value: condition.value };
    case "inside":
      return { op: "outside", min: condition.min, max: condition.max };
    case "outside":
      return { op: "inside", min: condition.min, max: condition.max };
  }
}
