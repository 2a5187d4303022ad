import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  Aedes,
  type AuthenticateError,
  type Client,
  type PublishPacket,
  type Subscription,
} from "aedes";
import { authorizeDevices } from "../lib/auth/device-principal.ts";
import type { Config } from "../lib/config.ts";
import { DomainError, isPassing } from "../lib/errors.ts";
import { MAX_BODY_BYTES } from "../lib/limits.ts";
import { log } from "../lib/log.ts";
import { liveTokenHashes } from "../lib/queries/live-token-hashes.ts";
import { sleep } from "../lib/sleep.ts";
import { limitPacketSize, pauseReading, renameClient, resumeReading } from "./aedes-internals.ts";
import { CommandRouter } from "./commands.ts";
import { Connection } from "./connection.ts";
import { ConnectionIndex } from "./connection-index.ts";
import { identify, ownerKey, readCredentials } from "./identity.ts";
import { handleMessage } from "./messages.ts";
import { Presence } from "./presence.ts";
import { type Refusal, refusal } from "./refusal.ts";
import { Slots } from "./slots.ts";
import { ME, subscriptionTopic } from "./topics.ts";

/** Room for a topic and the packet's own fields around the largest payload taken. */
export const MAX_PACKET_BYTES = MAX_BODY_BYTES + 4096;

const CONNACK = { serverUnavailable: 3, badCredentials: 4 } as const;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;

const tooLate = () => new DomainError("unavailable", "Storing it took too long; send it again.", 1);

/** `work`, or a refusal to wait for it past `deadline` (performance.now() time). */
function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooLate()), Math.max(0, deadline - performance.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * BoCloud's MQTT 3.1.1 listener (Aedes) over any stream (TCP, WebSocket): device and gateway
 * tokens as credentials, readings in through the one store path (the PUBACK of a QoS 1 publish
 * only once it is committed), commands out, status from the connection. Aedes routes nothing
 * between clients: a device only ever receives what BoCloud sends it.
 */
export class MqttListener {
  readonly serverId = randomUUID();
  readonly index = new ConnectionIndex();
  readonly commands = new CommandRouter(this.index);
  private readonly connections = new Map<Client, Connection>();
  private readonly presence: Presence;
  private readonly storing: Slots;
  private broker: Aedes | undefined;
  private tokenCheck: NodeJS.Timeout | undefined;
  private tokenCheckRunning = false;
  /** The records of closed connections still being written. */
  private settled: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: Config) {
    this.storing = new Slots(config.MQTT_MAX_STORING);
    this.presence = new Presence(
      {
        serverId: this.serverId,
        maxConnections: config.MQTT_CONNECTIONS_PER_TOKEN,
        leaseSeconds: config.MQTT_LEASE_SECONDS,
      },
      () => [...this.connections.values()],
      (c) => c.close(),
    );
  }

  /**
   * For GET /health: connections, their publishes in flight, those waiting in line for the store
   * path, and connections not read meanwhile.
   */
  load(): { connections: number; inflight: number; queued: number; paused: number } {
    let inflight = 0;
    let paused = 0;
    for (const c of this.connections.values()) {
      inflight += c.load.inflight;
      if (c.load.paused) paused++;
    }
    return { connections: this.connections.size, inflight, queued: this.storing.waiting, paused };
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({
      drainTimeout: this.config.MQTT_DRAIN_TIMEOUT_MS,
      // Last wills are not published: status comes from the connection itself.
      preConnect: (_client, packet, done) => {
        packet.will = undefined;
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        void this.authenticate(client, username, password).then((returnCode) => {
          if (returnCode === 0) return done(null, true);
          const err = new Error("refused") as AuthenticateError;
          err.returnCode = returnCode;
          done(err, null);
        });
      },
      authorizePublish: (client, packet, done) => {
        const connection = client && this.connections.get(client);
        if (!connection?.identity) return done(new Error("not connected"));
        packet.retain = false;
        connection.takePublish(packet, () => this.store(connection, packet), done);
      },
      authorizeSubscribe: (client, sub, done) => {
        const connection = this.connections.get(client);
        if (!connection) return done(new Error("not connected"));
        this.grant(connection, sub).then(
          (granted) => done(null, granted ? sub : null),
          (err) => done(err),
        );
      },
      // Nothing a client publishes goes to another client.
      authorizeForward: (_client, packet) =>
        (packet as { clientId?: string }).clientId ? null : packet,
    });
    // Aedes reports its own failures (its in-memory persistence) here; unheard, they would end the process.
    (broker as EventEmitter).on("error", (err: unknown) =>
      log.warn({ err: String(err) }, "mqtt broker error"),
    );
    broker.on("subscribe", (subs, client) => {
      const connection = this.connections.get(client);
      const commands = subs
        .filter((s) => (s.qos as number) !== 128 && subscriptionTopic(s.topic)?.kind === "commands")
        .map((s) => s.topic);
      if (connection && commands.length > 0)
        void this.commands.deliverPending(connection, commands);
    });
    broker.on("clientReady", (client) => {
      // Subscriptions restored with a session (clean=false) get what waits for them too.
      const connection = this.connections.get(client);
      if (connection?.subscribedToCommands) void this.commands.deliverPending(connection);
    });
    broker.on("unsubscribe", (filters, client) =>
      this.connections.get(client)?.unsubscribed(filters),
    );
    this.broker = broker;
    this.commands.start();
    this.presence.start();
    this.tokenCheck = setInterval(() => void this.closeRevoked(), this.config.MQTT_TOKEN_CHECK_MS);
  }

  /** A new connection, from the TCP or the WebSocket listener. */
  handle(stream: Duplex, req?: IncomingMessage): void {
    if (!this.broker) {
      stream.destroy();
      return;
    }
    const client = this.broker.handle(stream, req);
    const connection = new Connection(
      client,
      stream,
      {
        maxInflight: this.config.MQTT_MAX_INFLIGHT,
        maxBufferedBytes: this.config.MQTT_MAX_BUFFERED_BYTES,
      },
      { pause: () => pauseReading(client), resume: () => resumeReading(client) },
    );
    this.connections.set(client, connection);
    limitPacketSize(client, MAX_PACKET_BYTES, (bytes) =>
      log.info({ client: client.id, bytes }, "closed a connection whose packet is too large"),
    );
    stream.on("close", () => void this.forget(connection));
  }

  /** Closes every connection (their devices go offline) and the broker. */
  async stop(): Promise<void> {
    clearInterval(this.tokenCheck);
    this.presence.stop();
    this.commands.stop();
    const closing = [...this.connections.values()].map(
      (c) => new Promise<void>((resolve) => c.stream.once("close", () => resolve())),
    );
    for (const c of this.connections.values()) c.close();
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 3000))]);
    await this.settled;
    await new Promise<void>((resolve) =>
      this.broker ? this.broker.close(() => resolve()) : resolve(),
    );
  }

  private async forget(connection: Connection): Promise<void> {
    connection.markClosed();
    this.connections.delete(connection.client);
    this.index.remove(connection);
    const closed = this.presence.close(connection);
    this.settled = Promise.all([this.settled, closed]);
    await closed;
  }

  /** 0 to accept, else the CONNACK return code of the refusal. */
  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<0 | 3 | 4> {
    const connection = this.connections.get(client);
    if (!connection) return CONNACK.serverUnavailable;
    try {
      const identity = await identify(
        readCredentials(username, password),
        this.config.INGEST_AUTH === "open",
      );
      if (!identity) return CONNACK.badCredentials;
      connection.identity = identity;
      renameClient(client, `${ownerKey(identity)}/${client.id}`);
      if ((await this.presence.open(connection)) === "refused") {
        log.info(
          { client: client.id, max: this.config.MQTT_CONNECTIONS_PER_TOKEN },
          "refused a connection over the token's limit",
        );
        return CONNACK.serverUnavailable;
      }
      if (!connection.closed) this.index.add(connection);
      return 0;
    } catch (err) {
      log.warn({ err: String(err) }, "could not authenticate an MQTT connection");
      return CONNACK.serverUnavailable;
    }
  }

  /**
   * Stores one publish; a refusal says why (and whether the connection must close). While the
   * database is away (or its pool is exhausted) it tries again, until MQTT_PUBACK_TIMEOUT_MS
   * after the publish came: meanwhile the device waits for its PUBACK (and BoCloud stops reading
   * it past MQTT_MAX_INFLIGHT) instead of reconnecting and sending everything again.
   */
  private async store(connection: Connection, packet: PublishPacket): Promise<Refusal | null> {
    const identity = connection.identity;
    if (!identity) return refusal(new DomainError("unauthorized", "Not signed in."));
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const deadline = performance.now() + this.config.MQTT_PUBACK_TIMEOUT_MS;
    let handled: Awaited<ReturnType<typeof handleMessage>>;
    for (let pause = RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RETRY_MAX_MS)) {
      try {
        handled = await beforeDeadline(
          this.storing.run(() => {
            // Its turn came too late: the device has been told to send it again.
            if (performance.now() > deadline || connection.closed) throw tooLate();
            return handleMessage(identity, packet.topic, payload);
          }),
          deadline,
        );
        break;
      } catch (err) {
        const again = isPassing(err) && performance.now() + pause < deadline && !connection.closed;
        if (!again) return refusal(err);
        await sleep(pause);
      }
    }
    // Stored: whatever happens from here, the PUBACK goes out (a retry would store it twice).
    if (handled.kind === "stored") {
      this.commands.deliverTaken(handled.stored.commands, connection);
      await this.presence.recordIfNew(connection).catch((err) => {
        log.warn(
          { err: String(err) },
          "could not record an MQTT connection; its next stored publish tries again",
        );
      });
    }
    return null;
  }

  /** Whether a subscription is granted: only BoCloud's topics, each for who may have it. */
  private async grant(connection: Connection, sub: Subscription): Promise<boolean> {
    const identity = connection.identity;
    const topic = subscriptionTopic(sub.topic);
    if (!identity || !topic) return false;
    sub.qos = Math.min(sub.qos, 1) as 0 | 1;
    if (topic.kind === "errors") {
      connection.grantErrors();
      return true;
    }
    const { principal, me } = identity;
    if (topic.device === "+") {
      if (principal.kind !== "gateway") return false;
    } else if (topic.device === ME) {
      if (!me) return false;
    } else {
      try {
        await authorizeDevices(principal, [topic.device.id]);
      } catch (err) {
        if (err instanceof DomainError && err.failure === "forbidden") return false;
        throw err;
      }
    }
    connection.grantCommands(sub.topic, topic.device);
    return true;
  }

  /** Connections whose token was revoked or rotated (or whose device was deleted) are closed. */
  private async closeRevoked(): Promise<void> {
    if (this.tokenCheckRunning) return;
    const checked = [...this.connections.values()].filter((c) => c.identity?.tokenHash);
    if (checked.length === 0) return;
    this.tokenCheckRunning = true;
    try {
      const live = await liveTokenHashes([
        ...new Set(checked.map((c) => c.identity?.tokenHash as string)),
      ]);
      for (const c of checked) {
        if (live.has(c.identity?.tokenHash as string)) continue;
        log.info({ client: c.client.id }, "closed a connection whose token is no longer valid");
        c.close();
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not check the MQTT connections' tokens");
    } finally {
      this.tokenCheckRunning = false;
    }
  }
}
