import type { WireAlarm } from "./wire.ts";

/** "High temperature on greenhouse-1 / temperature", or "… on greenhouse-1" for a device's silence. */
export function describeAlarm(
  a: Pick<WireAlarm, "rule_name" | "device_id" | "sensor_type">,
): string {
  return `${a.rule_name} on ${a.device_id}${a.sensor_type ? ` / ${a.sensor_type}` : ""}`;
}
