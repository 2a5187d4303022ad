import type pg from "pg";
import { notifyChannel } from "../channels.ts";
import { notifyPayloads } from "./notify-payload.ts";
import { liveConnection } from "./postgres-connection.ts";

// One statement, so one transaction: PostgreSQL delivers its notifications together, in order.
const NOTIFY = `SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i) ORDER BY i`;

export interface NotifyPublisher {
  publish(channel: string, message: string): Promise<void>;
  close(): void;
}

/**
 * Publishes live messages with PostgreSQL NOTIFY, after the store has committed (as with Redis:
 * the stream puts what arrives in id order and fills gaps from the table). Sent inside the
 * storing transaction instead, a notification would hold PostgreSQL's one notify lock through
 * that commit's flush to disk, and so make every store commit wait for the one before it.
 */
export function notifyPublisher(onConnected: () => void): NotifyPublisher {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let messageId = 0;

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

  // Connected ahead of the first publish, as ioredis does: the first one waits less.
  void connection().catch(() => {});
  return {
    async publish(channel, message) {
      const c = await connection();
      await c.query(NOTIFY, [notifyChannel(channel), notifyPayloads(message, ++messageId)]);
    },
    close() {
      closed = true;
      void client?.end().catch(() => {});
      client = undefined;
    },
  };
}
