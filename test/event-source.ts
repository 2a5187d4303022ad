import { EventSource } from "eventsource";
import type { WireReading } from "@/lib/reading.ts";

/**
 * A stream watched with the `eventsource` package (the spec's reconnect behaviour, written by
 * others), signed in with `cookie`. `cut()` ends the current response as a server or network
 * would: the package reconnects on its own, with the Last-Event-ID it saw.
 */
export class WatchedStream {
  readonly readings: WireReading[] = [];
  readonly source: EventSource;
  opens = 0;
  private cutCurrent: (() => void) | undefined;

  constructor(url: string, cookie: string) {
    this.source = new EventSource(url, {
      fetch: async (input, init) => {
        const res = await fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), cookie },
        });
        if (!res.body) return res;
        const reader = res.body.getReader();
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => {
            this.cutCurrent = () => {
              controller.close();
              void reader.cancel().catch(() => {});
            };
          },
          async pull(controller) {
            const chunk = await reader
              .read()
              .catch(() => ({ done: true as const, value: undefined }));
            if (chunk.done) controller.close();
            else controller.enqueue(chunk.value);
          },
          cancel: () => reader.cancel(),
        });
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    this.source.addEventListener("open", () => this.opens++);
    this.source.addEventListener("reading", (e) => {
      this.readings.push(JSON.parse((e as MessageEvent<string>).data));
    });
  }

  cut(): void {
    try {
      this.cutCurrent?.();
    } catch {}
  }

  ids(): number[] {
    return this.readings.map((r) => r.id);
  }

  close(): void {
    this.source.close();
  }
}
