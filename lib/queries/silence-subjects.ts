import type { SilenceSubject } from "../alarms/silence.ts";
import { prisma } from "../db.ts";
import { NEWEST_FIRST } from "./reading-index.ts";

export interface SilenceSubjectRow extends SilenceSubject {
  ruleId: number;
  deviceKey: bigint;
  /** Null: the device as a whole. */
  sensorId: number | null;
  openId: number | null;
}

/**
 * Every subject of the enabled silence rules: each sensor the rule names (one, or its type on
 * every device or on one device), or the device as a whole for a rule on a device, with its
 * newest reading, its last cleared alarm and its open one. Index probes only.
 */
export async function silenceSubjects(): Promise<SilenceSubjectRow[]> {
  const rows = await prisma.$queryRaw<
    {
      rule_id: bigint;
      silence_seconds: number;
      updated_at: Date;
      device_key: bigint;
      sensor_id: bigint | null;
      newest_ts: Date | null;
      last_cleared_at: Date | null;
      open_id: bigint | null;
      open_started_ts: Date | null;
    }[]
  >`
    WITH rules AS (
      SELECT id, device_key, sensor_type, silence_seconds, updated_at
      FROM alarm_rules WHERE enabled AND kind = 'silence'
    ), subjects AS (
      SELECT r.id AS rule_id, s.device_key, s.id AS sensor_id
      FROM rules r JOIN sensors s
        ON s.type = r.sensor_type AND (r.device_key IS NULL OR s.device_key = r.device_key)
      UNION ALL
      SELECT r.id, r.device_key, NULL FROM rules r WHERE r.sensor_type IS NULL
    )
    SELECT sub.rule_id, r.silence_seconds, r.updated_at, sub.device_key, sub.sensor_id,
           CASE WHEN sub.sensor_id IS NULL
             THEN (SELECT max(n.ts) FROM sensors ds CROSS JOIN LATERAL (
                     SELECT r.ts FROM readings r WHERE r.sensor_id = ds.id ${NEWEST_FIRST} LIMIT 1
                   ) n WHERE ds.device_key = sub.device_key)
             ELSE (SELECT r.ts FROM readings r WHERE r.sensor_id = sub.sensor_id
                   ${NEWEST_FIRST} LIMIT 1)
           END AS newest_ts,
           CASE WHEN sub.sensor_id IS NULL
             THEN (SELECT max(cleared_at) FROM alarms a
                   WHERE a.rule_id = sub.rule_id AND a.sensor_id IS NULL)
             ELSE (SELECT max(cleared_at) FROM alarms a
                   WHERE a.rule_id = sub.rule_id AND a.sensor_id = sub.sensor_id)
           END AS last_cleared_at,
           o.id AS open_id, o.started_ts AS open_started_ts
    FROM subjects sub JOIN rules r ON r.id = sub.rule_id
    LEFT JOIN alarms o
      ON o.open_key = sub.rule_id || '/' || COALESCE(sub.sensor_id::text, 'device')`;
  return rows.map((r) => ({
    ruleId: Number(r.rule_id),
    deviceKey: r.device_key,
    sensorId: r.sensor_id === null ? null : Number(r.sensor_id),
    silenceMs: r.silence_seconds * 1000,
    activeSince: r.updated_at.getTime(),
    newestTs: r.newest_ts?.getTime() ?? null,
    lastClearedAt: r.last_cleared_at?.getTime() ?? null,
    openId: r.open_id === null ? null : Number(r.open_id),
    open: r.open_started_ts ? { startedTs: r.open_started_ts.getTime() } : null,
  }));
}
