import type { Condition } from "@/lib/alarms/conditions.ts";

export const OPERATORS = [
  { value: "gt", label: ">" },
  { value: "gte", label: "≥" },
  { value: "lt", label: "<" },
  { value: "lte", label: "≤" },
  { value: "eq", label: "=" },
  { value: "ne", label: "≠" },
  { value: "inside", label: "inside" },
  { value: "outside", label: "outside" },
] as const;

export type Operator = (typeof OPERATORS)[number]["value"];

/** What the operator typed for = and ≠: a number, true / false, "quoted text", or text. */
function equalityValue(text: string): number | boolean | string {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (/^".*"$/.test(t)) return t.slice(1, -1);
  return t;
}

/** A condition from the form's fields; the API checks it (and says what is wrong). */
export function conditionOf(op: Operator, value: string, min: string, max: string): Condition {
  if (op === "inside" || op === "outside") return { op, min: Number(min), max: Number(max) };
  if (op === "eq" || op === "ne") return { op, value: equalityValue(value) };
  return { op, value: Number(value) };
}
