import { route } from "@/lib/api/route.ts";
import { config } from "@/lib/config.ts";
import { DomainError } from "@/lib/errors.ts";
import { retryLater, SSE_HEADERS, wantsEventStream } from "@/lib/sse.ts";

export const dynamic = "force-dynamic";

const FORWARDED_HEADERS = [
  "content-type",
  "cache-control",
  "x-accel-buffering",
  "retry-after",
  "x-content-type-options",
];

/**
 * GET /api/stream when the web app is all there is in front (npm start, npm run dev): passes
 * the request to the stream sidecar and its bytes back as they come. Behind the production
 * proxy this route is never reached: the proxy sends /api/stream to the sidecar itself. Public
 * here because the sidecar checks the session (the same cookie) for every stream.
 */
export const GET = route({ access: "public" }, async ({ request }) => {
  const headers = new Headers();
  // The sidecar checks the same session cookie; Last-Event-ID resumes the stream.
  for (const name of ["cookie", "last-event-id", "accept"]) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  // Aborting with the browser's request closes the sidecar's connection at once.
  const upstream = await fetch(`${config().STREAM_URL}/api/stream${new URL(request.url).search}`, {
    headers,
    signal: request.signal,
    cache: "no-store",
  }).catch(() => null);
  if (!upstream) {
    // The sidecar is restarting. An EventSource given an error status would stop for good:
    // it is told to come back (with its Last-Event-ID) instead.
    if (wantsEventStream(request.headers.get("accept"))) {
      return new Response(retryLater("the live stream is restarting; reconnecting"), {
        headers: SSE_HEADERS,
      });
    }
    throw new DomainError("unavailable", "The live stream is unavailable; retry shortly.", 2);
  }
  const out = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) out.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: out });
});
