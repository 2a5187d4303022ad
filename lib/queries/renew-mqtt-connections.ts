import { prisma } from "../db.ts";
import { type StatusEvent, statusEvent } from "../events.ts";

/**
 * Renews the leases of the MQTT connections one process holds (the SQL function
 * bocloud_mqtt_renew). `missing`: connections no longer recorded (their device or gateway was
 * deleted); `cameOnline`: devices the sweeper had marked offline meanwhile, online again.
 */
export async function renewMqttConnections(
  ids: string[],
  leaseSeconds: number,
): Promise<{ missing: string[]; cameOnline: StatusEvent[] }> {
  const [{ result }] = await prisma.$queryRaw<
    { result: { missing: string[]; came_online: { device_id: string; last_seen_at: string }[] } }[]
  >`SELECT bocloud_mqtt_renew(${ids}::uuid[], ${leaseSeconds}::int) AS result`;
  return {
    missing: result.missing,
    cameOnline: result.came_online.map((d) => statusEvent(d.device_id, "online", d.last_seen_at)),
  };
}
