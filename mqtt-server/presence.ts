import { log } from "../lib/log.ts";
import { publishEvents } from "../lib/publish.ts";
import { closeMqttConnection } from "../lib/queries/close-mqtt-connection.ts";
import {
  type MqttConnectionOwner,
  openMqttConnection,
} from "../lib/queries/open-mqtt-connection.ts";
import { renewMqttConnections } from "../lib/queries/renew-mqtt-connections.ts";
import type { Connection } from "./connection.ts";

export interface PresenceOptions {
  serverId: string;
  maxConnections: number;
  leaseSeconds: number;
}

/**
 * Status from the connection: a device is online while an MQTT connection holds it and offline
 * at once when the last one closes. Each connection is recorded in PostgreSQL under a lease this
 * process renews, so a process that dies (kill -9) leaves no device "connected" past the lease:
 * the worker's sweeper marks it offline then.
 */
export class Presence {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly opts: PresenceOptions,
    private readonly held: () => Connection[],
    private readonly lost: (connection: Connection) => void,
  ) {}

  /**
   * Records a connection that authenticated. "refused": its device or gateway holds the maximum
   * of connections already. A device not registered yet (open mode) is recorded after its first
   * stored publish instead (`recordIfNew`).
   */
  async open(connection: Connection): Promise<"open" | "refused"> {
    const owner = ownerOf(connection);
    if (!owner) return "open";
    const opened = await openMqttConnection({
      id: connection.recordId,
      serverId: this.opts.serverId,
      clientId: connection.client.id,
      owner,
      maxConnections: this.opts.maxConnections,
      leaseSeconds: this.opts.leaseSeconds,
    });
    if (opened.kind === "refused") return "refused";
    if (opened.kind === "open") {
      connection.recorded = true;
      if (connection.closed) await this.close(connection);
      else if (opened.cameOnline) await publishEvents([opened.cameOnline]);
    }
    return "open";
  }

  /** After a stored publish: an open-mode device registered by it is recorded now. */
  async recordIfNew(connection: Connection): Promise<void> {
    if (connection.recorded || connection.closed || !connection.deviceId) return;
    await this.open(connection);
  }

  async close(connection: Connection): Promise<void> {
    if (!connection.recorded) return;
    connection.recorded = false;
    try {
      const wentOffline = await closeMqttConnection(connection.recordId);
      if (wentOffline) await publishEvents([wentOffline]);
    } catch (err) {
      // Its lease runs out instead, and the sweeper marks the device offline then.
      log.warn({ err: String(err) }, "could not record a closed MQTT connection");
    }
  }

  start(): void {
    const everyMs = (this.opts.leaseSeconds * 1000) / 3;
    this.timer = setInterval(() => void this.renew(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      const held = this.held().filter((c) => c.recorded && !c.closed);
      if (held.length === 0) return;
      const { missing, cameOnline } = await renewMqttConnections(
        held.map((c) => c.recordId),
        this.opts.leaseSeconds,
      );
      await publishEvents(cameOnline);
      const gone = new Set(missing);
      for (const c of held) {
        if (!gone.has(c.recordId)) continue;
        c.recorded = false;
        this.lost(c);
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not renew the MQTT connections' leases");
    } finally {
      this.renewing = false;
    }
  }
}

function ownerOf(connection: Connection): MqttConnectionOwner | null {
  const principal = connection.identity?.principal;
  if (principal?.kind === "gateway") return { gatewayKey: principal.gatewayKey };
  return connection.deviceId ? { deviceId: connection.deviceId } : null;
}
