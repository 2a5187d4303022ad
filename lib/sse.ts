// What every answer of /api/stream shares, from the stream sidecar and from the web app's
// forwarder.

/** How long a client waits before it reconnects (the `retry:` of every stream). */
export const RETRY_MS = 1000;

export function retryHint(ms: number): string {
  return `retry: ${ms}\n\n`;
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  "X-Content-Type-Options": "nosniff",
  Connection: "keep-alive",
} as const;

/** An EventSource asks with `Accept: text/event-stream` (the WHATWG spec says it must). */
export function wantsEventStream(accept: string | null | undefined): boolean {
  return /\btext\/event-stream\b/i.test(accept ?? "");
}

/** The body of a stream that ends at once, telling the client to come back in RETRY_MS. */
export function retryLater(why: string): string {
  return `: ${why.replace(/\s+/g, " ")}\n${retryHint(RETRY_MS)}`;
}
