import { log } from "../log.ts";

// Every error the API returns, mapped to its status. Unknown errors become a 500 that
// reveals nothing; the details go to the log.
export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorResponse(err: unknown): Response {
  const apiError = err instanceof ApiError ? err : fromUnknown(err);
  const headers: Record<string, string> = {};
  if (apiError.retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(apiError.retryAfterSeconds);
  }
  const body: ErrorBody = { error: { code: apiError.code, message: apiError.message } };
  return Response.json(body, { status: errorStatus[apiError.code], headers });
}

function fromUnknown(err: unknown): ApiError {
  if (isDatabaseUnavailable(err)) {
    log.warn({ err }, "database unavailable");
    return new ApiError(
      "service_unavailable",
      "The database is unavailable; try again shortly.",
      5,
    );
  }
  log.error({ err }, "unhandled error");
  return new ApiError("internal_error", "Internal error.");
}

const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/** True for errors that mean PostgreSQL cannot be reached, as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (typeof e !== "object") break;
    const { code, message, kind, cause, originalCode } = e as Record<string, unknown>;
    if (typeof code === "string" && unavailableCodes.has(code)) return true;
    if (typeof originalCode === "string" && unavailableCodes.has(originalCode)) return true;
    if (kind === "DatabaseNotReachable" || kind === "SocketTimeout") return true;
    if (
      typeof message === "string" &&
      /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Can't reach database server|Transaction API error: Unable to start a transaction/i.test(
        message,
      )
    )
      return true;
    e = cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  }
  return false;
}
