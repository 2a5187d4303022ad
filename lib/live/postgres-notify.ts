import type pg from "pg";
import { notifyChannel } from "../channels.ts";
import { notifyPayloads } from "./notify-payload.ts";
import { liveConnection } from "./postgres-connection.ts";

// One statement, so one transaction: PostgreSQL delivers its notifications together, in order.
const NOTIFY = `SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(c, p, i) ORDER BY i`;
/** Messages waiting for the statement under way; past this, a publish fails at once. */
const MAX_WAITING = 1000;

export interface NotifyPublisher {
  publish(channel: string, message: string): Promise<void>;
  close(): void;
}

interface Waiting {
  channel: string;
  payloads: string[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Publishes live messages with PostgreSQL NOTIFY, after the store has committed (as with Redis:
 * the stream puts what arrives in id order and fills gaps from the table). Sent inside the
 * storing transaction instead, a notification would hold PostgreSQL's one notify lock through
 * that commit's flush to disk, and so make every store commit wait for the one before it.
 * One connection; the messages published while its statement runs go out together in the
 * next one (as the store path combines requests), so a burst costs a few round trips, not one
 * each.
 */
export function notifyPublisher(onConnected: () => void): NotifyPublisher {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let messageId = 0;
  let waiting: Waiting[] = [];
  let sending = false;

  const connection = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= liveConnection("notify").then(
      (c) => {
        connecting = undefined;
        if (closed) {
          void c.end().catch(() => {});
          throw new Error("the publisher is closed");
        }
        client = c;
        c.on("end", () => {
          if (client === c) client = undefined;
        });
        onConnected();
        return c;
      },
      (err) => {
        connecting = undefined;
        throw err;
      },
    );
    return connecting;
  };

  const send = async () => {
    if (sending || waiting.length === 0) return;
    sending = true;
    const batch = waiting;
    waiting = [];
    try {
      const c = await connection();
      await c.query(NOTIFY, [
        batch.flatMap((m) => m.payloads.map(() => m.channel)),
        batch.flatMap((m) => m.payloads),
      ]);
      for (const m of batch) m.resolve();
    } catch (err) {
      for (const m of batch) m.reject(err);
    } finally {
      sending = false;
      void send();
    }
  };

  // Connected ahead of the first publish, as ioredis does: the first one waits less.
  void connection().catch(() => {});
  return {
    publish(channel, message) {
      if (waiting.length >= MAX_WAITING) {
        return Promise.reject(new Error(`${MAX_WAITING} notifications are waiting already`));
      }
      return new Promise<void>((resolve, reject) => {
        const payloads = notifyPayloads(message, ++messageId);
        waiting.push({ channel: notifyChannel(channel), payloads, resolve, reject });
        void send();
      });
    },
    close() {
      closed = true;
      void client?.end().catch(() => {});
      client = undefined;
    },
  };
}
