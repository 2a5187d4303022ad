import { type NextRequest, NextResponse } from "next/server";
import { ApiError, errorResponse } from "./lib/api/errors.ts";

/**
 * Pages get a Content-Security-Policy with a fresh nonce: Next.js puts the nonce on its own
 * scripts, and no other script (say, one a device smuggled into a value) can run. Every page
 * answer gets it, prefetches included. API responses get their headers from next.config.js
 * instead, so ingestion does not pay for this.
 */
export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith("/api/")) return refuseUndecodablePath(request);
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

/**
 * An API path whose percent-encoding is not UTF-8 (`/api/devices/%ff`): Next.js fails to decode
 * its segments before any route handler runs and answers a bare text 500, so it is refused here
 * in the API's error shape. Only paths holding a `%` come here (see the matcher).
 */
function refuseUndecodablePath(request: NextRequest): Response {
  try {
    decodeURIComponent(request.nextUrl.pathname);
    return NextResponse.next();
  } catch {
    return errorResponse(
      new ApiError("bad_request", "The path is not valid percent-encoded UTF-8."),
    );
  }
}

export const config = {
  matcher: [
    // Every page, prefetches and RSC requests too.
    "/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)",
    // API paths holding a `%` only: POST /api/data and the like never come here.
    "/api/:path(.*%.*)",
  ],
};
