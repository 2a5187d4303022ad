import { z } from "zod";
import { checkRange, dbId, rangeParams } from "../api/query-schemas.ts";
import { identifier } from "../ingest/schema.ts";
import { conditionSchema } from "./conditions.ts";
import { webhookUrl } from "./webhook-url.ts";
import { SEVERITIES } from "./wire.ts";

// The alarms API's inputs: rules, acknowledging and clearing, the history's query, webhooks.

const WEEK_SECONDS = 7 * 86_400;
const MONTH_SECONDS = 30 * 86_400;

const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters");

const seconds = (max: number) =>
  z
    .number()
    .int("must be whole seconds")
    .min(0, "must not be negative")
    .max(max, `must be at most ${max} seconds`);

const ruleBase = {
  name,
  severity: z.enum(SEVERITIES),
  enabled: z.boolean().optional(),
  /** The scope: a device, a sensor type, both (one sensor), or a sensor by its id. */
  device_id: identifier.nullable().optional(),
  sensor_type: identifier.nullable().optional(),
  sensor_id: z.number().int().positive().optional(),
};

const thresholdRule = z.strictObject({
  kind: z.literal("threshold"),
  ...ruleBase,
  condition: conditionSchema,
  for_seconds: seconds(WEEK_SECONDS).optional(),
  clear_condition: conditionSchema.nullable().optional(),
  clear_for_seconds: seconds(WEEK_SECONDS).optional(),
});

const silenceRule = z.strictObject({
  kind: z.literal("silence"),
  ...ruleBase,
  silence_seconds: seconds(MONTH_SECONDS).min(1, "must be at least 1 second"),
});

/** A rule as created (POST /api/alarm-rules), and as a change is checked once merged. */
export const ruleSchema = z
  .discriminatedUnion("kind", [thresholdRule, silenceRule], {
    error: (issue) =>
      issue.code === "invalid_union" ? "kind must be threshold or silence" : undefined,
  })
  .superRefine((rule, ctx) => {
    const named = rule.device_id != null || rule.sensor_type != null;
    if (rule.sensor_id !== undefined && named) {
      ctx.addIssue({
        code: "custom",
        path: ["sensor_id"],
        message: "name the sensor by sensor_id or by device_id and sensor_type, not both",
      });
    } else if (rule.sensor_id === undefined && !named) {
      ctx.addIssue({
        code: "custom",
        path: ["device_id"],
        message: "name a device_id, a sensor_type, both, or a sensor_id",
      });
    }
  });

export type RuleInput = z.infer<typeof ruleSchema>;

/** PATCH /api/alarm-rules/<id>: any of a rule's fields but its kind. */
export const ruleChangesSchema = z.strictObject({
  name: name.optional(),
  severity: z.enum(SEVERITIES).optional(),
  enabled: z.boolean().optional(),
  device_id: identifier.nullable().optional(),
  sensor_type: identifier.nullable().optional(),
  sensor_id: z.number().int().positive().optional(),
  condition: conditionSchema.optional(),
  for_seconds: seconds(WEEK_SECONDS).optional(),
  clear_condition: conditionSchema.nullable().optional(),
  clear_for_seconds: seconds(WEEK_SECONDS).optional(),
  silence_seconds: seconds(MONTH_SECONDS).min(1, "must be at least 1 second").optional(),
});

export type RuleChanges = z.infer<typeof ruleChangesSchema>;

export const ruleParams = z.strictObject({ ruleId: dbId });
export const alarmParams = z.strictObject({ alarmId: dbId });
export const webhookParams = z.strictObject({ webhookId: dbId });

/** GET /api/alarm-rules[?sensor=<id>]: every rule, or those that watch one sensor. */
export const rulesQuery = z.strictObject({ sensor: dbId.optional() });

/** Acknowledging or clearing by hand: an optional note. */
export const alarmNoteSchema = z.strictObject({
  note: z.string().trim().max(500, "must be at most 500 characters").optional(),
});

const statusFilter = z.enum(["open", "active", "acknowledged", "cleared"]);

const historyFilters = {
  /** open: active or acknowledged. */
  status: statusFilter.optional(),
  device: identifier.optional(),
  sensor: dbId.optional(),
  rule: dbId.optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** Alarms that overlap [from, to] (by their readings' times). */
  from: rangeParams.from,
  to: rangeParams.to,
};

/** GET /api/alarms: the history, newest first, a page at a time. */
export const alarmsQuery = z
  .strictObject({
    ...historyFilters,
    limit: rangeParams.limit,
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,17}$/, "is not a cursor this API returned")
      .transform(BigInt)
      .optional(),
  })
  .superRefine((q, ctx) => void checkRange(q, ctx));

/** GET /api/alarms/export: the same filters, every matching alarm as CSV. */
export const alarmsExportQuery = z
  .strictObject(historyFilters)
  .superRefine((q, ctx) => void checkRange(q, ctx));

export type AlarmFilters = z.infer<typeof alarmsExportQuery>;

export const webhookSchema = z.strictObject({
  name,
  url: webhookUrl,
  format: z.enum(["standard", "slack"]).optional(),
  /** Only this rule's alarms; null or absent: every rule's. */
  rule_id: z.number().int().positive().nullable().optional(),
  enabled: z.boolean().optional(),
});

export const webhookChangesSchema = webhookSchema.partial();

export const deliveriesQuery = z.strictObject({
  limit: rangeParams.limit,
});
