import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { config } from "@/lib/config.ts";

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
 * proxy this route is never reached: the proxy sends /api/stream to the sidecar itself.
 */
export async function GET(request: Request): Promise<Response> {
  const { search } = new URL(request.url);
  const headers = new Headers();
  // The sidecar checks the same session cookie; Last-Event-ID resumes the stream.
  for (const name of ["cookie", "last-event-id"]) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  try {
    let upstream: Response;
    try {
      // Aborting with the browser's request closes the sidecar's connection at once.
      upstream = await fetch(`${config().STREAM_URL}/api/stream${search}`, {
        headers,
        signal: request.signal,
        cache: "no-store",
      });
    } catch {
      throw new ApiError(
        "service_unavailable",
        "The live stream is unavailable; retry shortly.",
        2,
      );
    }
    const out = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) out.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: out });
  } catch (err) {
    return errorResponse(err);
  }
}
