import { type RuleChanges, type RuleInput, ruleSchema } from "../alarms/schemas.ts";
import { RULE_INCLUDE, toWireRule, type WireRule } from "../alarms/wire.ts";
import { parseWith } from "../api/parse.ts";
import { prisma } from "../db.ts";
import { invalid, notFound } from "../errors.ts";
import type { AlarmEvent } from "../events.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAlarmChange } from "./alarm-cursor.ts";
import { closeAlarms } from "./change-alarm.ts";

// Alarm rules: every change is recorded on the evaluator's cursor row first (see alarm-cursor.ts),
// so the evaluator reloads its rules before its next batch.

const missingRule = (id: bigint) => `There is no alarm rule ${id}.`;

/** The scope's columns: the device's key and the sensor type, from the names or a sensor id. */
async function scopeColumns(
  rule: Pick<RuleInput, "device_id" | "sensor_type" | "sensor_id">,
): Promise<{ deviceKey: bigint | null; sensorType: string | null }> {
  if (rule.sensor_id !== undefined) {
    const sensor = await prisma.sensor.findUnique({
      where: { id: BigInt(rule.sensor_id) },
      select: { deviceKey: true, type: true },
    });
    if (!sensor) throw invalid(`sensor_id: there is no sensor ${rule.sensor_id}.`);
    return { deviceKey: sensor.deviceKey, sensorType: sensor.type };
  }
  let deviceKey: bigint | null = null;
  if (rule.device_id) {
    const device = await prisma.device.findUnique({
      where: { deviceId: rule.device_id },
      select: { id: true },
    });
    if (!device) throw invalid(`device_id: there is no device "${rule.device_id}".`);
    deviceKey = device.id;
  }
  return { deviceKey, sensorType: rule.sensor_type ?? null };
}

async function columns(rule: RuleInput) {
  const threshold = rule.kind === "threshold";
  return {
    name: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled ?? true,
    ...(await scopeColumns(rule)),
    condition: threshold ? rule.condition : Prisma.DbNull,
    forSeconds: threshold ? (rule.for_seconds ?? 0) : 0,
    clearCondition: threshold && rule.clear_condition ? rule.clear_condition : Prisma.DbNull,
    clearForSeconds: threshold ? (rule.clear_for_seconds ?? 0) : 0,
    silenceSeconds: threshold ? null : rule.silence_seconds,
  };
}

/** Every rule, or the rules that watch one sensor (its own, its type's and its device's). */
export async function listRules(opts: { sensorId?: bigint } = {}): Promise<WireRule[]> {
  let where: Prisma.AlarmRuleWhereInput = {};
  if (opts.sensorId !== undefined) {
    const sensor = await prisma.sensor.findUnique({ where: { id: opts.sensorId } });
    if (!sensor) throw notFound(`There is no sensor ${opts.sensorId}.`);
    where = {
      OR: [
        { deviceKey: sensor.deviceKey, sensorType: sensor.type },
        { deviceKey: null, sensorType: sensor.type },
        { deviceKey: sensor.deviceKey, sensorType: null },
      ],
    };
  }
  const rules = await prisma.alarmRule.findMany({
    where,
    include: RULE_INCLUDE,
    orderBy: { id: "asc" },
    take: 20_000,
  });
  return rules.map(toWireRule);
}

export async function findRule(id: bigint): Promise<WireRule> {
  const rule = await prisma.alarmRule.findUnique({ where: { id }, include: RULE_INCLUDE });
  if (!rule) throw notFound(missingRule(id));
  return toWireRule(rule);
}

export async function createRule(input: RuleInput): Promise<WireRule> {
  const data = await columns(input);
  const rule = await prisma.$transaction(async (tx) => {
    await recordAlarmChange(tx);
    return tx.alarmRule.create({ data, include: RULE_INCLUDE });
  });
  return toWireRule(rule);
}

/** The rule as its creation would give it, for merging a change into. */
function asInput(rule: WireRule): RuleInput {
  const base = {
    name: rule.name,
    severity: rule.severity,
    enabled: rule.enabled,
    device_id: rule.device_id,
    sensor_type: rule.sensor_type,
  };
  if (rule.kind === "silence") {
    return { kind: "silence", ...base, silence_seconds: rule.silence_seconds ?? 1 };
  }
  return {
    kind: "threshold",
    ...base,
    condition: rule.condition ?? { op: "gt", value: 0 },
    for_seconds: rule.for_seconds,
    clear_condition: rule.clear_condition,
    clear_for_seconds: rule.clear_for_seconds,
  };
}

/**
 * Changes a rule; the merged rule is checked like a new one. Its runs being waited out start
 * again under the new rule; its open alarms stay (they clear by the new clear condition), unless
 * the rule is disabled: then they are cleared by `by`.
 */
export async function updateRule(
  id: bigint,
  changes: RuleChanges,
  by: string,
): Promise<{ rule: WireRule; events: AlarmEvent[] }> {
  const current = asInput(await findRule(id));
  const scoped = changes.sensor_id !== undefined;
  const merged = parseWith(ruleSchema, {
    ...current,
    ...(scoped ? { device_id: undefined, sensor_type: undefined } : {}),
    ...changes,
  });
  const data = await columns(merged);
  return prisma.$transaction(async (tx) => {
    await recordAlarmChange(tx);
    const rule = await tx.alarmRule.update({
      where: { id },
      data: { ...data, updatedAt: new Date() },
      include: RULE_INCLUDE,
    });
    await tx.alarmState.deleteMany({ where: { ruleId: id } });
    const events = rule.enabled ? [] : await closeAlarms(tx, { ruleId: id }, by, "rule disabled");
    return { rule: toWireRule(rule), events };
  });
}

/** Deletes a rule (and its own webhooks); its open alarms are cleared by `by`, its history stays. */
export async function deleteRule(id: bigint, by: string): Promise<AlarmEvent[]> {
  return prisma.$transaction(async (tx) => {
    await recordAlarmChange(tx);
    const events = await closeAlarms(tx, { ruleId: id }, by, "rule deleted");
    const { count } = await tx.alarmRule.deleteMany({ where: { id } });
    if (count === 0) throw notFound(missingRule(id));
    return events;
  });
}
