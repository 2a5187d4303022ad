import type { LiveEvent } from "../lib/events.ts";
import type { WireReading } from "../lib/reading.ts";

/** One reading as a Server-Sent Event. JSON.stringify escapes newlines, so `data` is one line. */
export function readingEvent(reading: WireReading): string {
  return `id: ${reading.id}\nevent: reading\ndata: ${JSON.stringify(reading)}\n\n`;
}

/** A status or command change; without an id, so it does not move the client's resume point. */
export function liveEvent(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const HEARTBEAT = ": heartbeat\n\n";
