import type { AlarmRule, Webhook, WebhookDelivery } from "../generated/prisma/client.ts";
import type { ReadingValue } from "../reading.ts";
import type { Condition } from "./conditions.ts";

// The alarms API's wire formats: what the operator API answers, what goes out as `event: alarm` on
// the stream and in a webhook's body.

export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlarmStatus = "active" | "acknowledged" | "cleared";
export type RuleKind = "threshold" | "silence";

/** `*_ts` are readings' times (when the condition began, its latest breach, the clearing reading); `*_at` the clock's. */
export interface WireAlarm {
  id: number;
  /** Null once the rule is deleted; its name, kind and severity stay. */
  rule_id: number | null;
  rule_name: string;
  kind: RuleKind;
  severity: Severity;
  status: AlarmStatus;
  device_id: string;
  /** Null for a device's silence alarm. */
  sensor_id: number | null;
  sensor_type: string | null;
  count: number;
  first_value: ReadingValue | null;
  last_value: ReadingValue | null;
  started_ts: string;
  last_ts: string;
  cleared_ts: string | null;
  raised_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  cleared_at: string | null;
  /** Who cleared it by hand; null when it was cleared by its condition (or is open). */
  cleared_by: string | null;
  clear_note: string | null;
}

export interface AlarmRow {
  id: bigint;
  rule_id: bigint | null;
  rule_name: string;
  kind: RuleKind;
  severity: Severity;
  status: AlarmStatus;
  device_id: string;
  sensor_id: bigint | null;
  sensor_type: string | null;
  count: number;
  first_value: ReadingValue | null;
  last_value: ReadingValue | null;
  started_ts: Date;
  last_ts: Date;
  cleared_ts: Date | null;
  raised_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  cleared_at: Date | null;
  cleared_by: string | null;
  clear_note: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toWireAlarm(row: AlarmRow): WireAlarm {
  return {
    id: Number(row.id),
    rule_id: row.rule_id === null ? null : Number(row.rule_id),
    rule_name: row.rule_name,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    device_id: row.device_id,
    sensor_id: row.sensor_id === null ? null : Number(row.sensor_id),
    sensor_type: row.sensor_type,
    count: row.count,
    first_value: row.first_value,
    last_value: row.last_value,
    started_ts: row.started_ts.toISOString(),
    last_ts: row.last_ts.toISOString(),
    cleared_ts: iso(row.cleared_ts),
    raised_at: row.raised_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    acknowledged_at: iso(row.acknowledged_at),
    acknowledged_by: row.acknowledged_by,
    ack_note: row.ack_note,
    cleared_at: iso(row.cleared_at),
    cleared_by: row.cleared_by,
    clear_note: row.clear_note,
  };
}

/** The alarm as it was when raised, for a change that raised and cleared it at once. */
export function asRaised(alarm: WireAlarm): WireAlarm {
  return {
    ...alarm,
    status: "active",
    cleared_ts: null,
    cleared_at: null,
    cleared_by: null,
    clear_note: null,
  };
}

/** What happened to an alarm: the `change` of an alarm event. */
export type AlarmChangeKind = "raised" | "updated" | "acknowledged" | "cleared";

export interface WireRule {
  id: number;
  name: string;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  /** sensor: one device's sensor of a type; type: that type on every device; device: all its sensors. */
  scope: "sensor" | "type" | "device";
  device_id: string | null;
  sensor_type: string | null;
  condition: Condition | null;
  for_seconds: number;
  /** Null: the alarm clears when the condition no longer holds. */
  clear_condition: Condition | null;
  clear_for_seconds: number;
  silence_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export interface WireWebhook {
  id: number;
  name: string;
  url: string;
  format: "standard" | "slack";
  /** Null: every rule's alarms. */
  rule_id: number | null;
  enabled: boolean;
  created_at: string;
}

export interface WireDelivery {
  id: number;
  webhook_id: number;
  alarm_id: number | null;
  message_id: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

type RuleModel = AlarmRule & { device: { deviceId: string } | null };

/** The Prisma `include` that toWireRule needs. */
export const RULE_INCLUDE = { device: { select: { deviceId: true } } } as const;

export function toWireRule(r: RuleModel): WireRule {
  const deviceId = r.device?.deviceId ?? null;
  return {
    id: Number(r.id),
    name: r.name,
    kind: r.kind,
    severity: r.severity,
    enabled: r.enabled,
    scope:
      deviceId !== null && r.sensorType !== null ? "sensor" : deviceId !== null ? "device" : "type",
    device_id: deviceId,
    sensor_type: r.sensorType,
    condition: r.condition as Condition | null,
    for_seconds: r.forSeconds,
    clear_condition: r.clearCondition as Condition | null,
    clear_for_seconds: r.clearForSeconds,
    silence_seconds: r.silenceSeconds,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

export function toWireWebhook(w: Webhook): WireWebhook {
  return {
    id: Number(w.id),
    name: w.name,
    url: w.url,
    format: w.format,
    rule_id: w.ruleId === null ? null : Number(w.ruleId),
    enabled: w.enabled,
    created_at: w.createdAt.toISOString(),
  };
}

export function toWireDelivery(d: WebhookDelivery): WireDelivery {
  return {
    id: Number(d.id),
    webhook_id: Number(d.webhookId),
    alarm_id: d.alarmId === null ? null : Number(d.alarmId),
    message_id: d.messageId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
    last_status: d.lastStatus,
    last_error: d.lastError,
    delivered_at: d.deliveredAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}
