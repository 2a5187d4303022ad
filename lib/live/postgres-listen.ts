import pg from "pg";
import { notifyChannel } from "../channels.ts";
import { log } from "../log.ts";
import { PayloadAssembler } from "./notify-payload.ts";
import { liveConnection } from "./postgres-connection.ts";

export interface ListenHandlers {
  /** A whole message on one of the channels (by its live channel name). */
  message: (channel: string, message: string) => void;
  ready?: () => void;
  down?: () => void;
}

/**
 * Listens on live channels with PostgreSQL LISTEN, on a connection of its own kept up in the
 * background (retried every 0.1 s, then up to every 2 s). Notifications sent while it is down
 * are lost for good, so `ready` comes once LISTEN has taken effect: what the subscriber reads
 * from the tables from then on, plus what is notified after, misses nothing.
 */
export function listenPostgres(channels: string[], handlers: ListenHandlers) {
  const byNotifyName = new Map(channels.map((c) => [notifyChannel(c), c]));
  const assembler = new PayloadAssembler();
  let client: pg.Client | undefined;
  let up = false;
  let closed = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const retry = () => {
    if (closed || retryTimer) return;
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      Math.min(failures * 100, 2000),
    );
  };

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    assembler.clear();
    if (up) {
      up = false;
      if (!closed) log.warn("live notifications from PostgreSQL lost; listening again");
      handlers.down?.();
    }
    retry();
  };

  const connect = async () => {
    let c: pg.Client | undefined;
    try {
      c = await liveConnection("listen");
      if (closed) {
        await c.end();
        return;
      }
      const own = c;
      client = own;
      own.on("end", () => lost(own));
      own.on("notification", ({ processId, channel, payload }) => {
        const live = byNotifyName.get(channel);
        if (live === undefined || payload === undefined) return;
        const message = assembler.add(processId, payload);
        if (message !== undefined) handlers.message(live, message);
      });
      await own.query(
        [...byNotifyName.keys()].map((name) => `LISTEN ${pg.escapeIdentifier(name)}`).join("; "),
      );
      if (failures > 0) log.info("listening for live notifications from PostgreSQL again");
      failures = 0;
      up = true;
      handlers.ready?.();
    } catch (err) {
      if (failures === 0) log.warn({ err: String(err) }, "cannot listen to PostgreSQL; retrying");
      if (c && client === c) void c.end().catch(() => {});
      else retry();
    }
  };

  void connect();
  return {
    get up() {
      return up;
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      const c = client;
      void c?.end().catch(() => {});
    },
  };
}
