import type { Connection } from "./connection.ts";

function addTo<K>(map: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = map.get(key) ?? new Set();
  set.add(connection);
  map.set(key, set);
}

function removeFrom<K>(map: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = map.get(key);
  set?.delete(connection);
  if (set?.size === 0) map.delete(key);
}

/** The connections of this process, by the device they speak for and by gateway. */
export class ConnectionIndex {
  private readonly byDevice = new Map<string, Set<Connection>>();
  private readonly byGateway = new Map<bigint, Set<Connection>>();

  add(connection: Connection): void {
    const principal = connection.identity?.principal;
    if (principal?.kind === "gateway") addTo(this.byGateway, principal.gatewayKey, connection);
    else if (connection.deviceId) addTo(this.byDevice, connection.deviceId, connection);
  }

  remove(connection: Connection): void {
    const principal = connection.identity?.principal;
    if (principal?.kind === "gateway") removeFrom(this.byGateway, principal.gatewayKey, connection);
    else if (connection.deviceId) removeFrom(this.byDevice, connection.deviceId, connection);
  }

  ofDevice(deviceId: string): Connection[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  ofGateway(gatewayKey: bigint): Connection[] {
    return [...(this.byGateway.get(gatewayKey) ?? [])];
  }

  /** Every device and gateway connection. */
  all(): Connection[] {
    return [...this.byDevice.values(), ...this.byGateway.values()].flatMap((set) => [...set]);
  }

  /** Whether some gateway connection here takes commands (then a command's device is looked up). */
  gatewaysTakeCommands(): boolean {
    for (const set of this.byGateway.values())
      for (const c of set) if (c.subscribedToCommands) return true;
    return false;
  }
}
