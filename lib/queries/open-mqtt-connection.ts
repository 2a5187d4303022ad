import { prisma } from "../db.ts";
import { type StatusEvent, statusEvent } from "../events.ts";

export type MqttConnectionOwner = { deviceId: string } | { gatewayKey: bigint };

export type OpenedMqttConnection =
  /** Recorded; a device's is online and connected now (`cameOnline` when it was not before). */
  | { kind: "open"; cameOnline: StatusEvent | null }
  /** The owner holds its maximum of live connections already. */
  | { kind: "refused" }
  /** No such device (open mode, before its first post) or gateway: nothing recorded. */
  | { kind: "missing" };

type ConnectResult =
  | { missing: true }
  | { refused: true }
  | { device_id?: string; came_online?: boolean; last_seen_at?: string };

/**
 * Records an MQTT connection of a device or a gateway under a lease (the SQL function
 * bocloud_mqtt_connect), unless its owner holds `maxConnections` live ones already.
 */
export async function openMqttConnection(opts: {
  id: string;
  serverId: string;
  clientId: string;
  owner: MqttConnectionOwner;
  maxConnections: number;
  leaseSeconds: number;
}): Promise<OpenedMqttConnection> {
  const deviceId = "deviceId" in opts.owner ? opts.owner.deviceId : null;
  const gatewayKey = "gatewayKey" in opts.owner ? opts.owner.gatewayKey : null;
  const [{ result }] = await prisma.$queryRaw<{ result: ConnectResult }[]>`
    SELECT bocloud_mqtt_connect(${opts.id}::uuid, ${opts.serverId}, ${opts.clientId},
      ${deviceId}::text, ${gatewayKey}::bigint, ${opts.maxConnections}::int,
      ${opts.leaseSeconds}::int) AS result`;
  if ("missing" in result) return { kind: "missing" };
  if ("refused" in result) return { kind: "refused" };
  const cameOnline: StatusEvent | null =
    result.came_online && result.device_id
      ? statusEvent(result.device_id, "online", result.last_seen_at ?? new Date())
      : null;
  return { kind: "open", cameOnline };
}
