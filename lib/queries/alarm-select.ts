import { Prisma } from "../generated/prisma/client.ts";

/** The columns of an AlarmRow, from `alarms a` (or a CTE of its rows named a). */
export const ALARM_COLUMNS = Prisma.sql`
  a.id, a.rule_id, a.rule_name, a.kind::text AS kind, a.severity::text AS severity,
  a.status::text AS status, d.device_id, a.sensor_id, s.type AS sensor_type, a.count,
  a.first_value, a.last_value, a.started_ts, a.last_ts, a.cleared_ts, a.raised_at, a.updated_at,
  a.acknowledged_at, a.acknowledged_by, a.ack_note, a.cleared_at, a.cleared_by, a.clear_note`;

/** The joins ALARM_COLUMNS needs after `FROM alarms a` (or the CTE). */
export const ALARM_JOINS = Prisma.sql`
  JOIN devices d ON d.id = a.device_key LEFT JOIN sensors s ON s.id = a.sensor_id`;
