import { hostname } from "node:os";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { principalForToken } from "../lib/auth/device-principal.ts";
import { hashToken } from "../lib/auth/tokens.ts";
import { takeForDelivery } from "../lib/commands/take-for-delivery.ts";
import type { WireCommand } from "../lib/commands/wire.ts";
import type { Config } from "../lib/config.ts";
import { devicesWithQueuedCommands, type LiveEvent } from "../lib/events.ts";
import { type LiveSubscription, subscribeLive } from "../lib/live-subscription.ts";
import { log } from "../lib/log.ts";
import { deviceGateways } from "../lib/queries/device-gateways.ts";

import type { Identity } from "./identity.ts";
import { handleMessage } from "./messages.ts";
import { errorMessage, refusal } from "./refusal.ts";
import { commandPayload, commandTopic, DATA_TOPIC, errorsTopic, publishTopic } from "./topics.ts";

/** Where refusals of bocloud/v1/data go on the upstream broker (it has no `me`). */
const DATA_ERRORS_TOPIC = "bocloud/v1/errors";

/**
 * The shared-subscription mode: BoCloud consumes devices' messages from an existing broker or
 * cluster (Mosquitto, EMQX) as members of the group `$share/<MQTT_UPSTREAM_GROUP>/…`, so every
 * message reaches one of BoCloud's mqtt processes, and answers each QoS 1 message with its
 * PUBACK only once it is committed. The broker authenticates the devices; BoCloud writes with
 * MQTT_UPSTREAM_TOKEN, a gateway token, for the devices assigned to that gateway. Topics are
 * BoCloud's, under MQTT_UPSTREAM_PREFIX, naming each device: <prefix>v1/devices/<device_id>/….
 *
 * Each connection takes one message at a time (MQTT.js acknowledges in order), so a process
 * opens MQTT_UPSTREAM_CONNECTIONS of them; each has a fixed client id and a persistent session
 * (clean=false), so what was not acknowledged when it went away is sent again when it is back.
 */
export class Upstream {
  private readonly clients: MqttClient[] = [];
  private identity: Identity | undefined;
  private subscription: LiveSubscription | undefined;
  private tokenCheck: NodeJS.Timeout | undefined;
  private readonly prefix: string;
  /** Messages taken (acknowledged) since start. */
  private taken = 0;

  constructor(private readonly config: Config) {
    this.prefix = config.MQTT_UPSTREAM_PREFIX;
  }

  describe(): { url: string; group: string; prefix: string; connections: number } {
    const url = new URL(this.config.MQTT_UPSTREAM_URL ?? "");
    url.password = url.password ? "…" : "";
    return {
      url: url.toString(),
      group: this.config.MQTT_UPSTREAM_GROUP,
      prefix: this.prefix,
      connections: this.config.MQTT_UPSTREAM_CONNECTIONS,
    };
  }

  state(): { connected: number; of: number; taken: number; token: "valid" | "invalid" } {
    return {
      connected: this.clients.filter((c) => c.connected).length,
      of: this.config.MQTT_UPSTREAM_CONNECTIONS,
      taken: this.taken,
      token: this.identity ? "valid" : "invalid",
    };
  }

  async start(): Promise<void> {
    this.identity = await this.resolveIdentity();
    if (!this.identity)
      throw new Error("MQTT_UPSTREAM_TOKEN is not a valid device or gateway token.");
    this.connectAll();
    this.subscription = subscribeLive({ events: (events) => this.onEvents(events) });
    this.tokenCheck = setInterval(() => void this.checkToken(), this.config.MQTT_TOKEN_CHECK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.tokenCheck);
    this.subscription?.close();
    await this.endAll();
  }

  private async resolveIdentity(): Promise<Identity | undefined> {
    const token = this.config.MQTT_UPSTREAM_TOKEN;
    if (!token) {
      if (this.config.INGEST_AUTH === "open")
        return { principal: { kind: "open" }, me: null, tokenHash: null };
      throw new Error("MQTT_UPSTREAM_URL needs MQTT_UPSTREAM_TOKEN (a gateway token).");
    }
    const principal = await principalForToken(token);
    return principal ? { principal, me: null, tokenHash: hashToken(token) } : undefined;
  }

  /** A revoked or rotated token stops the consuming (messages stay with the broker) until valid. */
  private async checkToken(): Promise<void> {
    if (!this.config.MQTT_UPSTREAM_TOKEN) return;
    try {
      const identity = await this.resolveIdentity();
      if (!identity && this.identity) {
        log.error("MQTT_UPSTREAM_TOKEN was revoked or rotated: stopped consuming from upstream");
        this.identity = undefined;
        await this.endAll();
      } else if (identity && !this.identity) {
        this.identity = identity;
        this.connectAll();
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not check MQTT_UPSTREAM_TOKEN");
    }
  }

  private connectAll(): void {
    const base = this.config.MQTT_UPSTREAM_CLIENT_ID ?? `bocloud-${hostname()}`.slice(0, 60);
    const filters = ["v1/devices/+/telemetry", DATA_TOPIC, "v1/devices/+/rpc/response/+"].map(
      (t) => `$share/${this.config.MQTT_UPSTREAM_GROUP}/${this.prefix}${t}`,
    );
    for (let i = 1; i <= this.config.MQTT_UPSTREAM_CONNECTIONS; i++) {
      const client = mqtt.connect(this.config.MQTT_UPSTREAM_URL ?? "", {
        clientId: `${base}-${i}`,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 1000,
        reconnectOnConnackError: true,
        connectTimeout: 5000,
      });
      client.handleMessage = (packet, done) => {
        void this.take(client, packet).then((acknowledge) => {
          if (acknowledge) done();
        });
      };
      client.on("connect", () => {
        client.subscribe(filters, { qos: 1 }, (err) => {
          if (err) log.warn({ err: err.message }, "could not subscribe upstream");
        });
      });
      client.on("error", (err) => log.warn({ err: err.message }, "upstream connection error"));
      this.clients.push(client);
    }
  }

  private async endAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  }

  /**
   * One message from the broker. Resolves true to acknowledge it (stored, or refused for
   * good); false when it may succeed later: the connection is dropped without acknowledging
   * it, and the broker sends it again once it is back.
   */
  private async take(client: MqttClient, packet: IPublishPacket): Promise<boolean> {
    const identity = this.identity;
    const topic = packet.topic.startsWith(this.prefix)
      ? packet.topic.slice(this.prefix.length)
      : packet.topic;
    const payload = Buffer.isBuffer(packet.payload)
      ? packet.payload
      : Buffer.from(packet.payload as string);
    try {
      if (!identity) throw new Error("MQTT_UPSTREAM_TOKEN is not valid");
      const handled = await handleMessage(identity, topic, payload);
      if (handled.kind === "stored") this.send(handled.stored.commands);
      this.taken++;
      return true;
    } catch (err) {
      const refused = refusal(err);
      const target = publishTopic(topic);
      const errors =
        target && target.kind !== "data" && target.device !== "me"
          ? errorsTopic(target.device)
          : DATA_ERRORS_TOPIC;
      client.publish(`${this.prefix}${errors}`, errorMessage({ topic }, refused), { qos: 0 });
      if (!refused.close) return true;
      log.warn({ err: refused.message, topic }, "upstream message not taken; it is sent again");
      client.stream.destroy();
      return false;
    }
  }

  /** Queued commands of the devices this upstream writes for: published to the broker. */
  private onEvents(events: LiveEvent[]): void {
    const queued = devicesWithQueuedCommands(events);
    if (queued.size > 0) void this.deliverQueued([...queued]);
  }

  private async deliverQueued(deviceIds: string[]): Promise<void> {
    try {
      const principal = this.identity?.principal;
      if (!principal || principal.kind === "device") return;
      let ids = deviceIds;
      if (principal.kind === "gateway") {
        const gateways = await deviceGateways(deviceIds);
        ids = deviceIds.filter((id) => gateways.get(id) === principal.gatewayKey);
      }
      this.send(await takeForDelivery(ids));
    } catch (err) {
      log.warn({ err: String(err) }, "could not deliver queued commands upstream");
    }
  }

  private send(commands: WireCommand[]): void {
    const client = this.clients.find((c) => c.connected);
    for (const command of commands) {
      const topic = `${this.prefix}${commandTopic({ id: command.device_id }, command.id)}`;
      const payload = commandPayload(command);
      // MQTT.js keeps a QoS 1 publish until the broker acknowledges it, across reconnects.
      (client ?? this.clients[0])?.publish(topic, payload, { qos: 1 });
    }
  }
}
