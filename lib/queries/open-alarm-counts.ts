import { SEVERITIES, type Severity } from "../alarms/wire.ts";
import { prisma } from "../db.ts";

export interface DeviceAlarmCount {
  active: number;
  acknowledged: number;
  /** The most severe of its open alarms. */
  severity: Severity;
}

/** Open alarms per device. */
export async function openAlarmCounts(): Promise<Record<string, DeviceAlarmCount>> {
  const rows = await prisma.$queryRaw<
    { device_id: string; status: "active" | "acknowledged"; severity: Severity; n: bigint }[]
  >`
    SELECT d.device_id, a.status::text AS status, a.severity::text AS severity, count(*) AS n
    FROM alarms a JOIN devices d ON d.id = a.device_key
    WHERE a.open_key IS NOT NULL
    GROUP BY 1, 2, 3`;
  const counts: Record<string, DeviceAlarmCount> = {};
  for (const r of rows) {
    counts[r.device_id] ??= { active: 0, acknowledged: 0, severity: r.severity };
    const c = counts[r.device_id];
    c[r.status] += Number(r.n);
    if (SEVERITIES.indexOf(r.severity) < SEVERITIES.indexOf(c.severity)) c.severity = r.severity;
  }
  return counts;
}
