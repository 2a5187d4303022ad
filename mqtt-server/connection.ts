import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Client, PublishPacket } from "aedes";
import type { WireCommand } from "../lib/commands/wire.ts";
import { log } from "../lib/log.ts";
import type { Identity } from "./identity.ts";
import { InOrder } from "./in-order.ts";
import { errorMessage, type Refusal } from "./refusal.ts";
import {
  commandFilter,
  commandPayload,
  commandTopic,
  type DeviceRef,
  ERRORS_TOPIC,
  ME,
} from "./topics.ts";

export interface ConnectionLimits {
  /** Publishes being handled at once; past it the socket is not read. */
  maxInflight: number;
  /** Bytes waiting to be written past which the connection is dropped. */
  maxBufferedBytes: number;
}

/** How many sent command ids a connection remembers (commands per device are few). */
const SENT_COMMANDS_KEPT = 1000;

/** What a granted subscription of commands covers: `me`, one named device, or (`+`) all of a gateway's. */
type CommandsGrant = DeviceRef | "+";

/**
 * One MQTT connection: who it is, what it subscribed to, and its publishes in flight. A
 * connection's publishes are handled concurrently (the store path combines them), at most
 * `maxInflight` at a time, and answered in the order they came.
 */
export class Connection {
  /** The id of its record in mqtt_connections. */
  readonly recordId = randomUUID();
  identity: Identity | null = null;
  /** Whether its record exists (open mode: only once the device is registered). */
  recorded = false;
  closed = false;
  private readonly commandGrants = new Map<string, CommandsGrant>();
  private errorsSubscribed = false;
  /**
   * Commands sent on this connection (id → device, newest last) since the device's commands were
   * last subscribed to, so a subscription's redelivery racing a queued-command event never sends
   * one twice.
   */
  private readonly sentCommands = new Map<number, string>();
  private inflight = 0;
  private paused = false;
  private readonly waiting: (() => void)[] = [];
  private readonly order = new InOrder();

  constructor(
    readonly client: Client,
    readonly stream: Duplex,
    private readonly limits: ConnectionLimits,
    private readonly reading: { pause: () => void; resume: () => void },
  ) {}

  /** Publishes being handled, and whether its socket is not read meanwhile (GET /health). */
  get load(): { inflight: number; paused: boolean } {
    return { inflight: this.inflight, paused: this.paused };
  }

  get deviceId(): string | null {
    return this.identity?.me ?? null;
  }

  /**
   * Handles one publish with `work`, within the in-flight limit, and calls `done` when it and
   * every publish before it are done: `done(error)` closes the connection without a PUBACK.
   */
  takePublish(
    packet: PublishPacket,
    work: () => Promise<Refusal | null>,
    done: (err?: Error | null) => void,
  ): void {
    const answer = this.order.add();
    const run = () => {
      this.inflight++;
      void work().then(async (refusal) => {
        this.inflight--;
        // Written before a refusal closes the connection, so the device reads why.
        if (refusal) await this.sendError(packet, refusal);
        answer(() => done(refusal?.close ? new Error(refusal.message) : null));
        this.waiting.shift()?.();
        this.readMoreIfDrained();
      });
    };
    if (this.inflight < this.limits.maxInflight) run();
    else this.waiting.push(run);
    if (!this.paused && this.inflight + this.waiting.length >= this.limits.maxInflight) {
      this.paused = true;
      this.reading.pause();
    }
  }

  private readMoreIfDrained(): void {
    if (!this.paused || this.closed) return;
    if (this.waiting.length === 0 && this.inflight <= this.limits.maxInflight / 2) {
      this.paused = false;
      this.reading.resume();
    }
  }

  /** A subscription of commands (again) asks for their unanswered ones: they may be sent again. */
  grantCommands(filter: string, grant: CommandsGrant): void {
    this.commandGrants.set(filter, grant);
    const device = grant === "+" ? null : grant === ME ? this.deviceId : grant.id;
    for (const [id, of] of this.sentCommands)
      if (device === null || of === device) this.sentCommands.delete(id);
  }

  grantErrors(): void {
    this.errorsSubscribed = true;
  }

  unsubscribed(filters: string[]): void {
    for (const f of filters) {
      this.commandGrants.delete(f);
      if (f === ERRORS_TOPIC) this.errorsSubscribed = false;
    }
  }

  get subscribedToCommands(): boolean {
    return this.commandGrants.size > 0;
  }

  /** The topic a command of `deviceId` reaches this connection on, if it subscribed to it. */
  commandTopicFor(deviceId: string, commandId: number): string | null {
    if (deviceId === this.deviceId && this.commandGrants.has(commandFilter(ME)))
      return commandTopic(ME, commandId);
    const named = { id: deviceId };
    if (this.commandGrants.has(commandFilter(named)) || this.commandGrants.has(commandFilter("+")))
      return commandTopic(named, commandId);
    return null;
  }

  /**
   * The devices whose commands the given granted filters (default: all of its grants) name, and
   * whether one of them is the wildcard of a gateway (every device of it).
   */
  commandScope(filters?: string[]): { ids: string[]; all: boolean } {
    const ids = new Set<string>();
    let all = false;
    const grants = filters
      ? filters.map((f) => this.commandGrants.get(f))
      : [...this.commandGrants.values()];
    for (const grant of grants) {
      if (grant === "+") all = true;
      else if (grant === ME && this.deviceId) ids.add(this.deviceId);
      else if (typeof grant === "object") ids.add(grant.id);
    }
    return { ids: [...ids], all };
  }

  /** Sends a command (QoS 1) if the connection subscribed to it; says whether it did. */
  sendCommand(command: WireCommand): boolean {
    const topic = this.commandTopicFor(command.device_id, command.id);
    if (!topic || this.closed) return false;
    // A subscription's redelivery and a queued-command event can take the same command at once.
    if (this.sentCommands.has(command.id)) return true;
    const payload = commandPayload(command);
    if (!this.send(topic, payload, 1)) return false;
    this.sentCommands.set(command.id, command.device_id);
    if (this.sentCommands.size > SENT_COMMANDS_KEPT)
      this.sentCommands.delete(this.sentCommands.keys().next().value as number);
    return true;
  }

  /**
   * Tells the device why a publish (of `topic`, or a packet not read: null) was refused, on the
   * error topic if it subscribed to it; resolves once written.
   */
  sendError(
    packet: { topic: string | null; messageId?: number },
    refusal: Omit<Refusal, "close">,
  ): Promise<void> {
    log.debug({ client: this.client.id, topic: packet.topic, code: refusal.code }, refusal.message);
    if (!this.errorsSubscribed || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (!this.send(ERRORS_TOPIC, errorMessage(packet, refusal), 0, resolve)) resolve();
    });
  }

  /** Writes to the client, dropping it instead if it has not read what it was sent before. */
  private send(topic: string, payload: string, qos: 0 | 1, written = () => {}): boolean {
    if (this.stream.writableLength > this.limits.maxBufferedBytes) {
      log.info(
        { client: this.client.id, buffered: this.stream.writableLength },
        "dropped a slow consumer",
      );
      this.stream.destroy();
      return false;
    }
    this.client.publish({ cmd: "publish", topic, payload, qos, retain: false, dup: false }, () =>
      written(),
    );
    return true;
  }

  /** Its socket closed: publishes not started yet are dropped (never acknowledged, so resent). */
  markClosed(): void {
    this.closed = true;
    this.waiting.length = 0;
  }

  close(): void {
    this.client.close();
  }
}
