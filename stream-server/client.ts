import type { ServerResponse } from "node:http";
import { eventDeviceId, type LiveEvent } from "../lib/events.ts";
import type { ReadingFilter } from "../lib/queries/readings-by-id.ts";
import type { WireReading } from "../lib/reading.ts";
import { readingEvent } from "./sse.ts";

/** A run of readings from the sequencer, each with its event text made once for all clients. */
export interface Broadcast {
  readings: WireReading[];
  events: string[];
  /** All events joined: what an unfiltered client that is up to date is sent. */
  all: string;
}

export function toBroadcast(readings: WireReading[]): Broadcast {
  const events = readings.map(readingEvent);
  return { readings, events, all: events.join("") };
}

export interface ClientLimits {
  /** Bytes the socket may hold unsent before the client is dropped (it resumes by id). */
  maxBufferedBytes: number;
  /** Live readings held while the client's replay from the database runs. */
  maxQueuedWhileReplaying: number;
}

/**
 * One SSE connection. It starts "replaying" (history from the database), holding live
 * readings in a bounded queue, then goes live. It never sends an id twice or out of order.
 */
export class StreamClient {
  private replaying = true;
  private queued: WireReading[] = [];
  /** Nothing more may be written: the response was ended or its socket closed. */
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    readonly filter: ReadingFilter,
    /** Highest id sent (or the client's Last-Event-ID). */
    public lastSentId: number,
    private readonly limits: ClientLimits,
    private readonly onDrop: (client: StreamClient, reason: string) => void,
  ) {}

  matches(r: WireReading): boolean {
    return (
      (this.filter.deviceId === undefined || r.device_id === this.filter.deviceId) &&
      (this.filter.sensorId === undefined || r.sensor_id === this.filter.sensorId)
    );
  }

  offer(b: Broadcast): void {
    if (this.closed) return;
    if (this.replaying) {
      for (const r of b.readings) if (this.matches(r)) this.queued.push(r);
      if (this.queued.length > this.limits.maxQueuedWhileReplaying) this.drop("too far behind");
      return;
    }
    const unfiltered = this.filter.deviceId === undefined && this.filter.sensorId === undefined;
    if (unfiltered && b.readings[0].id > this.lastSentId) {
      this.lastSentId = b.readings[b.readings.length - 1].id;
      this.write(b.all);
      return;
    }
    let text = "";
    b.readings.forEach((r, i) => {
      if (r.id > this.lastSentId && this.matches(r)) {
        this.lastSentId = r.id;
        text += b.events[i];
      }
    });
    if (text) this.write(text);
  }

  /** Status and command changes: sent as they come (they are not part of the id order). */
  offerEvents(events: LiveEvent[], texts: string[]): void {
    if (this.closed || this.filter.sensorId !== undefined) return;
    let text = "";
    events.forEach((e, i) => {
      if (this.filter.deviceId === undefined || eventDeviceId(e) === this.filter.deviceId)
        text += texts[i];
    });
    if (text) this.write(text);
  }

  /** Sends readings read from the database; resolves when the socket can take more. */
  async sendReplay(readings: WireReading[]): Promise<void> {
    if (this.closed) return;
    let text = "";
    for (const r of readings) {
      if (r.id > this.lastSentId) {
        this.lastSentId = r.id;
        text += readingEvent(r);
      }
    }
    if (text && !this.res.write(text) && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off("drain", done);
          this.res.off("close", done);
          resolve();
        };
        this.res.once("drain", done);
        this.res.once("close", done);
      });
    }
  }

  /** Replay done: send what arrived meanwhile and follow the live stream. */
  goLive(): void {
    this.replaying = false;
    const queued = this.queued;
    this.queued = [];
    if (queued.length > 0) this.offer(toBroadcast(queued));
  }

  write(text: string): void {
    if (this.closed) return;
    this.res.write(text);
    if (this.res.writableLength > this.limits.maxBufferedBytes) this.drop("too slow");
  }

  drop(reason: string): void {
    if (this.closed) return;
    this.onDrop(this, reason);
    this.res.destroy();
  }

  /**
   * Ends the response cleanly (shutting down, session gone): the browser reconnects with its
   * last id. Until the socket has sent what it holds and closes, nothing more is written.
   */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }
}
