import type { WireAlarm } from "@/lib/alarms/wire.ts";
import { callApi } from "../devices/api.ts";

/** Acknowledges (any operator) or clears by hand (admins) an alarm; resolves with it as changed. */
export async function changeAlarm(
  alarm: Pick<WireAlarm, "id">,
  action: "ack" | "clear",
  note?: string,
): Promise<WireAlarm> {
  const body = await callApi<{ alarm: WireAlarm }>(
    "POST",
    `/api/alarms/${alarm.id}/${action}`,
    note ? { note } : {},
  );
  return body.alarm;
}
