import { ApiError } from "../api/errors.ts";
import { cookieValue, type Operator, operatorForToken, SESSION_COOKIE } from "./sessions.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

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
  throw new ApiError("forbidden", "Cross-site request refused.");
}

/**
 * The signed-in operator of an operator API request: 401 without a valid session, 403 for
 * a viewer where an admin is needed, 403 for a cross-site state change.
 */
export async function requireOperator(request: Request, role?: "admin"): Promise<Operator> {
  if (!SAFE_METHODS.has(request.method)) checkSameOrigin(request);
  const operator = await operatorForToken(
    cookieValue(request.headers.get("cookie"), SESSION_COOKIE),
  );
  if (!operator) throw new ApiError("unauthorized", "Sign in first.");
  if (role === "admin" && operator.role !== "admin") {
    throw new ApiError("forbidden", "Only an admin may do this.");
  }
  return operator;
}
