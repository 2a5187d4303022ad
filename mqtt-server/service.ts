import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { createWebSocketStream, WebSocketServer } from "ws";
import { writeError } from "../lib/api/errors.ts";
import type { Config } from "../lib/config.ts";
import { prisma } from "../lib/db.ts";
import { notFound } from "../lib/errors.ts";
import { writeHealth } from "../lib/health.ts";
import { log } from "../lib/log.ts";
import { disconnectPublisher } from "../lib/publish.ts";
import { databaseUp } from "../lib/queries/database-up.ts";
import { MAX_PACKET_BYTES, MqttListener } from "./listener.ts";
import { Upstream } from "./upstream.ts";

function listen(server: TcpServer | HttpServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * The mqtt process: MQTT on MQTT_PORT (TCP) and at /mqtt on MQTT_WS_PORT (WebSocket), GET
 * /health on MQTT_WS_PORT, and with MQTT_UPSTREAM_URL the consumer of an existing broker.
 */
export class MqttService {
  readonly listener: MqttListener;
  private readonly upstream: Upstream | undefined;
  private readonly tcp: TcpServer;
  private readonly http: HttpServer;
  private readonly websockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PACKET_BYTES,
  });

  constructor(private readonly config: Config) {
    this.listener = new MqttListener(config);
    this.upstream = config.MQTT_UPSTREAM_URL ? new Upstream(config) : undefined;
    this.tcp = createTcpServer((socket) => {
      // PUBACKs are small: Nagle's algorithm would hold them back.
      socket.setNoDelay(true);
      this.listener.handle(socket);
    });
    this.http = createHttpServer((req, res) => void this.route(req, res));
    this.http.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://mqtt").pathname !== "/mqtt") {
        socket.destroy();
        return;
      }
      this.websockets.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on("error", () => stream.destroy());
        this.listener.handle(stream, req);
      });
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    await listen(this.tcp, this.config.MQTT_PORT);
    await listen(this.http, this.config.MQTT_WS_PORT);
    await this.upstream?.start();
    log.info(
      {
        port: this.config.MQTT_PORT,
        wsPort: this.config.MQTT_WS_PORT,
        upstream: this.upstream ? this.upstream.describe() : undefined,
      },
      "mqtt listening",
    );
  }

  async stop(): Promise<void> {
    const closed = Promise.all([
      new Promise((r) => this.tcp.close(r)),
      new Promise((r) => this.http.close(r)),
    ]);
    await this.upstream?.stop();
    await this.listener.stop();
    this.http.closeAllConnections();
    await closed;
    disconnectPublisher();
    await prisma.$disconnect();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" || req.url !== "/health") {
      writeError(res, notFound("Not found."));
      return;
    }
    const postgres = await databaseUp();
    writeHealth(res, postgres, {
      postgres: postgres ? "up" : "down",
      redis: this.listener.commands.live ? "up" : "down",
      ...this.listener.load(),
      ...(this.upstream ? { upstream: this.upstream.state() } : {}),
    });
  }
}
