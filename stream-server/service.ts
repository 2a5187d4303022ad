import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { writeError } from "../lib/api/errors.ts";
import { parseWith, queryObject } from "../lib/api/parse.ts";
import {
  cookieValue,
  liveSessionIds,
  operatorForToken,
  SESSION_COOKIE,
} from "../lib/auth/sessions.ts";
import { hashToken } from "../lib/auth/tokens.ts";
import { type Config, usesRedis } from "../lib/config.ts";
import { disconnectDatabase } from "../lib/db.ts";
import { DomainError, isPassing, notFound } from "../lib/errors.ts";
import type { LiveEvent } from "../lib/events.ts";
import { writeHealth } from "../lib/health.ts";
import { type LiveSubscription, subscribeLive } from "../lib/live-subscription.ts";
import { log } from "../lib/log.ts";
import { databaseUp } from "../lib/queries/database-up.ts";
import {
  latestReadings,
  type ReadingFilter,
  readingHorizon,
  readingsAfter,
} from "../lib/queries/readings-by-id.ts";
import type { WireReading } from "../lib/reading.ts";
import { sleep } from "../lib/sleep.ts";
import { RETRY_MS, retryHint, retryLater, SSE_HEADERS, wantsEventStream } from "../lib/sse.ts";
import { StreamClient, toBroadcast } from "./client.ts";
import { streamQuery } from "./params.ts";
import { Sequencer } from "./sequencer.ts";
import { HEARTBEAT, liveEvent } from "./sse.ts";

const REPLAY_PAGE = 500;
/** Retry-After for a session over its stream cap. */
const RETRY_AFTER_CAP_S = 5;
/** How often the database is asked for readings whose publish never reached the live channel. */
const POLL_MS = 1000;

/**
 * The stream sidecar: one live subscription per process (Redis, or PostgreSQL LISTEN without
 * Redis), fanned out to every SSE client, with missed readings replayed from PostgreSQL by id.
 * It only streams: background jobs are the worker's.
 */
export class StreamService {
  readonly server: Server;
  /** Each connected client with the id of the session it signed in with. */
  readonly clients = new Map<StreamClient, string>();
  private subscription: LiveSubscription | undefined;
  private sequencer: Sequencer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private sessionCheck: NodeJS.Timeout | undefined;
  private sessionCheckRunning = false;
  private dropped = 0;
  private stopped = false;

  constructor(private readonly config: Config) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err) => {
        // An EventSource that got an error status would never come back: a passing failure
        // (the database down, still starting) tells it to reconnect instead.
        if (!res.headersSent && isPassing(err) && wantsEventStream(req.headers.accept)) {
          res.writeHead(200, SSE_HEADERS);
          res.end(retryLater("the live stream is unavailable for a moment; reconnecting"));
        } else writeError(res, err);
      });
    });
  }

  async start(): Promise<void> {
    // Whatever was published while the subscription was down is read from the database.
    this.subscription = subscribeLive({
      readings: (readings) => this.sequencer?.receive(readings),
      events: (events) => this.broadcastEvents(events),
      ready: () => void this.sequencer?.fill(),
    });
    this.poll = setInterval(() => void this.sequencer?.fill(), POLL_MS);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients.keys()) c.write(HEARTBEAT);
    }, this.config.STREAM_HEARTBEAT_MS);
    this.sessionCheck = setInterval(
      () => void this.endSignedOutClients(),
      this.config.STREAM_SESSION_CHECK_MS,
    );
    await new Promise<void>((resolve) =>
      this.server.listen(this.config.STREAM_PORT, this.config.STREAM_HOST, resolve),
    );
    log.info(
      { host: this.config.STREAM_HOST, port: this.config.STREAM_PORT },
      "stream sidecar listening",
    );
    // PostgreSQL may be down as the sidecar starts: it serves (clients are told to come back)
    // and starts streaming as soon as it knows where the readings stand.
    await this.startSequencer();
  }

  private async startSequencer(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const head = await readingHorizon();
        this.sequencer = new Sequencer(head, {
          horizon: readingHorizon,
          readingsAfter: (afterId, opts) => readingsAfter(afterId, opts),
          deliver: (readings) => this.broadcast(readings),
          onError: (err) =>
            log.warn({ err: String(err) }, "could not read readings from the database"),
        });
        log.info({ head }, "stream sidecar streaming");
        return;
      } catch (err) {
        if (attempt === 0) log.warn({ err: String(err) }, "database unavailable; waiting for it");
        await sleep(1000);
      }
    }
  }

  /** Ends every stream cleanly (browsers reconnect with their last id) and closes down. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearInterval(this.poll);
    clearInterval(this.sessionCheck);
    this.sequencer?.stop();
    for (const c of this.clients.keys()) c.end();
    const closed = new Promise((resolve) => this.server.close(resolve));
    // Ended streams and idle keep-alive sockets would otherwise hold the exit for seconds.
    this.server.closeAllConnections();
    await closed;
    this.subscription?.close();
    await disconnectDatabase();
  }

  private broadcast(readings: WireReading[]): void {
    const b = toBroadcast(readings);
    for (const c of this.clients.keys()) c.offer(b);
  }

  private broadcastEvents(events: LiveEvent[]): void {
    const texts = events.map(liveEvent);
    for (const c of this.clients.keys()) c.offerEvents(events, texts);
  }

  /**
   * A stream is authorised when it opens; this ends the ones whose session has since gone
   * (signed out, expired, user removed). The browser reconnects and gets 401.
   */
  private async endSignedOutClients(): Promise<void> {
    // One check at a time: a slow database must not pile them up.
    if (this.clients.size === 0 || this.sessionCheckRunning) return;
    this.sessionCheckRunning = true;
    try {
      // Only the clients asked about: one that connects meanwhile was checked as it opened.
      const checked = [...this.clients];
      const live = await liveSessionIds([...new Set(checked.map(([, id]) => id))]);
      for (const [client, sessionId] of checked) {
        if (live.has(sessionId)) continue;
        log.info("ended a stream whose session is gone");
        this.clients.delete(client);
        client.end();
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not check the stream clients' sessions");
    } finally {
      this.sessionCheckRunning = false;
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stream");
    if (req.method === "GET" && url.pathname === "/api/stream") return this.stream(req, res, url);
    if (req.method === "GET" && url.pathname === "/health") return this.health(req, res);
    throw notFound("Not found.");
  }

  private async stream(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const q = parseWith(streamQuery, queryObject(url), "query");
    // The same operator session as the web app: the browser sends its cookie to /api/stream.
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!token || !(await operatorForToken(token))) {
      throw new DomainError("unauthorized", "Sign in first.");
    }
    // A reconnecting EventSource sends the last id it got as a header, and the URL it was
    // opened with: the header, being newer, wins over a `last_event_id` in the URL.
    const header = req.headers["last-event-id"];
    const lastEventId =
      (typeof header === "string" && /^\d{1,15}$/.test(header) ? Number(header) : undefined) ??
      q.last_event_id;
    const filter: ReadingFilter = { deviceId: q.device, sensorId: q.sensor };
    const sequencer = this.sequencer;
    if (!sequencer) throw new DomainError("unavailable", "Starting up.", 1);
    const sessionId = hashToken(token);
    this.checkSessionCap(sessionId);

    res.writeHead(200, SSE_HEADERS);
    res.write(retryHint(RETRY_MS));
    res.flushHeaders();

    // Everything up to `upTo` comes from the database, everything after it live.
    const upTo = sequencer.head;
    const client = new StreamClient(
      res,
      filter,
      lastEventId ?? 0,
      { maxBufferedBytes: 1024 * 1024, maxQueuedWhileReplaying: 10_000 },
      (c, reason) => {
        this.dropped++;
        log.info({ reason, lastSentId: c.lastSentId }, "dropped a stream client");
      },
    );
    this.clients.set(client, sessionId);
    res.on("close", () => {
      client.closed = true;
      this.clients.delete(client);
    });
    // A socket error is the client's problem, never the process's (unhandled, it would exit).
    res.on("error", (err) => log.info({ err: err.message }, "stream client socket error"));

    try {
      if (lastEventId !== undefined) {
        for (let page: WireReading[] = []; !client.closed; ) {
          page = await readingsAfter(client.lastSentId, { upTo, limit: REPLAY_PAGE, filter });
          await client.sendReplay(page);
          if (page.length < REPLAY_PAGE) break;
        }
      } else if (q.backfill) {
        await client.sendReplay(await latestReadings(q.backfill, { upTo, filter }));
        // Live readings start after the backfill, not at the client's id 0.
        client.lastSentId = Math.max(client.lastSentId, upTo);
      } else {
        client.lastSentId = upTo;
      }
    } catch (err) {
      // The client resumes from the last id it got; ending the stream makes it reconnect.
      log.warn({ err: String(err) }, "replay failed; closing the stream");
      client.end();
      return;
    }
    client.goLive();
  }

  /** One session holds at most STREAM_MAX_PER_SESSION streams here (a browser tab holds one). */
  private checkSessionCap(sessionId: string): void {
    const max = this.config.STREAM_MAX_PER_SESSION;
    let open = 0;
    for (const id of this.clients.values()) if (id === sessionId) open++;
    if (open >= max) {
      throw new DomainError(
        "rate_limited",
        `This session has ${max} streams open already; close one first.`,
        RETRY_AFTER_CAP_S,
      );
    }
  }

  /**
   * Up (200) when PostgreSQL answers and the live subscription (Redis, or PostgreSQL without
   * Redis) is up, down (503) otherwise. Only a signed-in operator is told more (each dependency,
   * clients, the newest reading id): a session is checked in PostgreSQL, so while it is down
   * everyone gets up or down alone.
   */
  private async health(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const postgres = await databaseUp();
    const live = this.subscription?.up ?? false;
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const operator = postgres && token ? await operatorForToken(token).catch(() => null) : null;
    writeHealth(
      res,
      postgres && live,
      operator
        ? {
            postgres: postgres ? "up" : "down",
            redis: usesRedis(this.config) ? (live ? "up" : "down") : "not used",
            live: usesRedis(this.config) ? "redis" : "postgres",
            clients: this.clients.size,
            dropped: this.dropped,
            head: this.sequencer?.head ?? null,
          }
        : {},
    );
  }
}
