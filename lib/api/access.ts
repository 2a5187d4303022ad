import type { DeviceCredential } from "../auth/device-principal.ts";
import { operatorForSession } from "../auth/operator.ts";
import { cookieValue, type Operator, SESSION_COOKIE } from "../auth/sessions.ts";
import { bearerToken } from "../auth/tokens.ts";
import { config } from "../config.ts";
import { DomainError, forbidden } from "../errors.ts";

// Who is calling, read from an HTTP request: the checks lib/api/route.ts runs before a handler.

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether the request reached us over HTTPS (directly or through the proxy). */
export function isHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0].trim();
  return (forwarded ?? new URL(request.url).protocol.replace(":", "")) === "https";
}

/** The client's address: the last X-Forwarded-For entry (added by our proxy, or by Next.js from the socket). */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for");
  return forwarded?.split(",").at(-1)?.trim() || "unknown";
}

/** scheme://host[:port] of a URL as browsers write it in Origin; null when it is not one. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Our own origin as the browser sees it: scheme (behind the proxy: X-Forwarded-Proto) and host. */
function ownOrigin(request: Request): string | null {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  return host ? originOf(`${isHttps(request) ? "https" : "http"}://${host}`) : null;
}

/**
 * CSRF: a state-changing request from a browser must come from our own pages: an Origin of our
 * scheme and host (an http:// page of the same host is another origin). Browsers send Origin
 * on every such request (and Sec-Fetch-Site); a client that sends neither is not a browser, so
 * no other site can make it act with the operator's cookie.
 */
export function checkSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  if (origin === null) {
    if (site === null || site === "same-origin" || site === "none") return;
  } else {
    const own = ownOrigin(request);
    if (own !== null && originOf(origin) === own) return;
  }
  throw forbidden("Cross-site request refused.");
}

/** The signed-in operator of the request's session cookie (401 / 403 otherwise). */
export function requestOperator(request: Request, role?: "admin"): Promise<Operator> {
  return operatorForSession(cookieValue(request.headers.get("cookie"), SESSION_COOKIE), role);
}

/**
 * The device's credential: its Bearer token (unauthorized without one), or nothing in open mode.
 * Checking the token is left to the handler: the store statement checks it itself.
 */
export function requestCredential(request: Request): DeviceCredential {
  if (config().INGEST_AUTH === "open") return { kind: "open" };
  const token = bearerToken(request);
  if (!token) {
    throw new DomainError(
      "unauthorized",
      "Send the device's token as `Authorization: Bearer <token>`.",
    );
  }
  return { kind: "token", token };
}
