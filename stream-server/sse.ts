import type { WireReading } from "../lib/reading.ts";

/** One reading as a Server-Sent Event. JSON.stringify escapes newlines, so `data` is one line. */
export function readingEvent(reading: WireReading): string {
  return `id: ${reading.id}\nevent: reading\ndata: ${JSON.stringify(reading)}\n\n`;
}

export const HEARTBEAT = ": heartbeat\n\n";

export function retryHint(ms: number): string {
  return `retry: ${ms}\n\n`;
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  Connection: "keep-alive",
} as const;
