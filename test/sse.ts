import { expect } from "vitest";
import type { WireReading } from "@/lib/reading.ts";

/**
 * A small SSE client for tests that behaves like a browser's EventSource: it parses events,
 * remembers the last id and, when `reconnect` is on, reconnects with Last-Event-ID.
 */
export class TestEventStream {
  readonly readings: WireReading[] = [];
  readonly comments: string[] = [];
  lastEventId: string | undefined;
  connections = 0;
  /** How many times a stream this client had open was ended (by the server or the network). */
  ends = 0;
  /** Called with every event that is not a reading (status, command). */
  onEvent: (type: string, data: unknown) => void = () => {};
  private abort: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: { reconnect?: boolean; lastEventId?: string; cookie?: string } = {},
  ) {
    this.lastEventId = opts.lastEventId;
  }

  /** Resolves once the response headers have arrived. */
  async open(): Promise<Response> {
    this.abort = new AbortController();
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.opts.cookie) headers.cookie = this.opts.cookie;
    if (this.lastEventId) headers["last-event-id"] = this.lastEventId;
    const res = await fetch(this.url, { headers, signal: this.abort.signal });
    this.connections++;
    if (res.ok && res.body) void this.read(res.body);
    return res;
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {}
    this.ends++;
    if (this.opts.reconnect && !this.closed) void this.reconnectSoon();
  }

  private async reconnectSoon() {
    while (!this.closed) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const res = await this.open();
        if (res.ok) return;
      } catch {}
    }
  }

  private dispatch(block: string) {
    let event = "message";
    let data = "";
    let id: string | undefined;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (id !== undefined) this.lastEventId = id;
    if (event === "reading") this.readings.push(JSON.parse(data));
    else if (data) this.onEvent(event, JSON.parse(data));
  }

  close() {
    this.closed = true;
    this.abort?.abort();
  }

  ids(): number[] {
    return this.readings.map((r) => r.id);
  }
}

/**
 * One device's live stream, open: its readings, and its status and command events as they come.
 * Close it at the end (`close()`).
 */
export async function watchDevice(
  streamUrl: string,
  deviceId: string,
  cookie: string,
): Promise<{
  stream: TestEventStream;
  statuses: () => string[];
  commandStatuses: () => string[];
  close: () => void;
}> {
  const stream = new TestEventStream(`${streamUrl}/api/stream?device=${deviceId}`, { cookie });
  const events: { type: string; data: any }[] = [];
  stream.onEvent = (type, data) => events.push({ type, data });
  const res = await stream.open();
  if (res.status !== 200) throw new Error(`the stream answered ${res.status}`);
  const of = (type: string) => events.filter((e) => e.type === type);
  return {
    stream,
    statuses: () => of("status").map((e) => e.data.status),
    commandStatuses: () => of("command").map((e) => e.data.command.status),
    close: () => stream.close(),
  };
}

/** What a client got: in id order, none twice, and every one of `posted` (sorted ids) among them. */
export function expectInOrderOnce(got: number[], posted: number[]): void {
  expect(got).toEqual([...got].sort((a, b) => a - b));
  expect(new Set(got).size).toBe(got.length);
  expect(got.filter((id) => posted.includes(id))).toEqual(posted);
}
