import { prisma } from "../db.ts";
import { type StatusEvent, statusEvent } from "../events.ts";

/**
 * Forgets a closed MQTT connection (the SQL function bocloud_mqtt_disconnect). Its device goes
 * offline at once unless another live connection holds it: that change is returned.
 */
export async function closeMqttConnection(id: string): Promise<StatusEvent | null> {
  const [{ result }] = await prisma.$queryRaw<
    { result: { device_id?: string; went_offline?: boolean; last_seen_at?: string } }[]
  >`SELECT bocloud_mqtt_disconnect(${id}::uuid) AS result`;
  if (!result.went_offline || !result.device_id) return null;
  return statusEvent(result.device_id, "offline", result.last_seen_at ?? new Date());
}
