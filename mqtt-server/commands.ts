import { takeForDelivery } from "../lib/commands/take-for-delivery.ts";
import type { WireCommand } from "../lib/commands/wire.ts";
import { devicesWithQueuedCommands, type LiveEvent } from "../lib/events.ts";
import { type LiveSubscription, subscribeLive } from "../lib/live-subscription.ts";
import { log } from "../lib/log.ts";
import { deviceGateways } from "../lib/queries/device-gateways.ts";
import { gatewayDeviceIds } from "../lib/queries/gateway-device-ids.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionIndex } from "./connection-index.ts";

/** How often pending commands are looked for while the live channel (Redis) is down. */
const FALLBACK_POLL_MS = 1000;

/**
 * Commands to devices over MQTT, with the lifecycle of HTTP commands: a command queued for a
 * device connected here (or for a device of a gateway connected here) and subscribed to its
 * commands is taken (marked delivered) and published to it, QoS 1. Queued commands reach every
 * mqtt process through the live events channel; the one holding the connection delivers. A
 * device that subscribes (again) gets what is waiting for it, also commands delivered before
 * and never answered.
 */
export class CommandRouter {
  private subscription: LiveSubscription | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly index: ConnectionIndex) {}

  start(): void {
    this.subscription = subscribeLive({
      events: (events) => this.onEvents(events),
      ready: () => void this.catchUp(),
    });
    this.poll = setInterval(() => {
      if (!this.subscription?.up) void this.catchUp();
    }, FALLBACK_POLL_MS);
  }

  stop(): void {
    clearInterval(this.poll);
    this.subscription?.close();
  }

  get live(): boolean {
    return this.subscription?.up ?? false;
  }

  /** Commands a publish of `via` took (the store path takes them): to it, if it wants them. */
  deliverTaken(commands: WireCommand[], via: Connection): void {
    for (const command of commands) {
      if (!via.sendCommand(command)) this.pickFor(command.device_id)?.sendCommand(command);
    }
  }

  /**
   * On a subscription to commands (`filters`, just granted) or the subscriptions restored with a
   * session (none given: all of them): what waits for those devices, unanswered ones too.
   */
  async deliverPending(connection: Connection, filters?: string[]): Promise<void> {
    try {
      const principal = connection.identity?.principal;
      const { ids, all } = connection.commandScope(filters);
      if (all && principal?.kind === "gateway")
        ids.push(...(await gatewayDeviceIds(principal.gatewayKey)));
      const taken = await takeForDelivery([...new Set(ids)], { redeliver: true });
      for (const command of taken) connection.sendCommand(command);
    } catch (err) {
      log.warn({ err: String(err) }, "could not deliver pending commands");
    }
  }

  private onEvents(events: LiveEvent[]): void {
    for (const deviceId of devicesWithQueuedCommands(events)) void this.deliverQueued(deviceId);
  }

  private async deliverQueued(deviceId: string): Promise<void> {
    try {
      let targets = this.subscribers(this.index.ofDevice(deviceId), deviceId);
      if (targets.length === 0 && this.index.gatewaysTakeCommands()) {
        const gateway = (await deviceGateways([deviceId])).get(deviceId);
        if (gateway !== undefined)
          targets = this.subscribers(this.index.ofGateway(gateway), deviceId);
      }
      if (targets.length === 0) return;
      const taken = await takeForDelivery([deviceId]);
      for (const command of taken) targets.find((c) => c.sendCommand(command));
    } catch (err) {
      log.warn({ err: String(err), deviceId }, "could not deliver a queued command");
    }
  }

  /** While events cannot arrive (Redis away) and when they can again: whatever was queued. */
  private async catchUp(): Promise<void> {
    const connections = new Map<string, Connection>();
    try {
      for (const c of this.index.all()) {
        const { ids, all } = c.commandScope();
        const principal = c.identity?.principal;
        if (all && principal?.kind === "gateway")
          ids.push(...(await gatewayDeviceIds(principal.gatewayKey)));
        for (const id of ids) if (!connections.has(id)) connections.set(id, c);
      }
      const taken = await takeForDelivery([...connections.keys()]);
      for (const command of taken) connections.get(command.device_id)?.sendCommand(command);
    } catch (err) {
      log.warn({ err: String(err) }, "could not look for queued commands");
    }
  }

  private subscribers(connections: Connection[], deviceId: string): Connection[] {
    return connections.filter((c) => !c.closed && c.commandTopicFor(deviceId, 0) !== null);
  }

  private pickFor(deviceId: string): Connection | undefined {
    return this.subscribers(this.index.ofDevice(deviceId), deviceId)[0];
  }
}
