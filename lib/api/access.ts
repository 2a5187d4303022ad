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

/**
 * CSRF: a state-changing request from a browser must come from our own pages. Browsers send
 * Origin on every such request (and Sec-Fetch-Site); a client that sends neither is not a
 * browser, so no other site can make it act with the operator's cookie.
 */
export function checkSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (origin === null) {
    if (site === null || site === "same-origin" || site === "none") return;
  } else {
    try {
      if (new URL(origin).host === host) return;
    } catch {}
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
