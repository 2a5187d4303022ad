import type { ServerResponse } from "node:http";

const RETRY_AFTER_SECONDS = 5;

/** Every process's health body: "up" when what it needs answers, else "down", and details. */
export function healthBody(up: boolean, details: Record<string, unknown> = {}) {
  return { status: up ? "up" : "down", ...details };
}

/** The headers of a health answer: never cached; when down, when to ask again. */
export function healthHeaders(up: boolean): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    ...(up ? {} : { "Retry-After": String(RETRY_AFTER_SECONDS) }),
  };
}

/** GET /health on a process's own HTTP server (stream, worker, mqtt): 200 when up, else 503. */
export function writeHealth(
  res: ServerResponse,
  up: boolean,
  details: Record<string, unknown> = {},
): void {
  res.writeHead(up ? 200 : 503, healthHeaders(up));
  res.end(JSON.stringify(healthBody(up, details)));
}
