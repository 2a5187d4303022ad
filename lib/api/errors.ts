import type { ServerResponse } from "node:http";
import {
  DomainError,
  databaseUnavailable,
  type Failure,
  isDatabaseUnavailable,
} from "../errors.ts";
import { log } from "../log.ts";

// The one place errors become HTTP answers, for every process that speaks HTTP (the web app's
// route handlers through lib/api/route.ts, the stream sidecar) and MQTT's error topic. Unknown errors become a 500
// that reveals nothing; the details go to the log.

const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** A refusal that only exists in HTTP: the request itself is malformed (body, headers, query). */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

const codeOfFailure: Record<Failure, ErrorCode> = {
  invalid: "bad_request",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  not_found: "not_found",
  conflict: "conflict",
  rate_limited: "rate_limited",
  unavailable: "service_unavailable",
};

interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Any error as the API's answer: its status, headers (Retry-After) and `{"error": …}` body. */
function httpError(err: unknown): HttpError {
  const { code, message, retryAfterSeconds } = describeError(err);
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  return { status: errorStatus[code], headers, body: { error: { code, message } } };
}

/**
 * Any error as the API's code and message (and when to try again): also what the MQTT listener
 * sends on its error topic, so a device sees the same codes over both.
 */
export function describeError(err: unknown): {
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
} {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError)
    return { ...err, code: codeOfFailure[err.failure], message: err.message };
  if (isDatabaseUnavailable(err)) {
    log.warn({ err }, "database unavailable");
    return describeError(databaseUnavailable());
  }
  log.error({ err }, "unhandled error");
  return { code: "internal_error", message: "Internal error." };
}

/** For route handlers (lib/api/route.ts). */
export function errorResponse(err: unknown): Response {
  const { status, headers, body } = httpError(err);
  return Response.json(body, { status, headers });
}

/** For node:http servers (the stream sidecar). A response already under way is cut off. */
export function writeError(res: ServerResponse, err: unknown): void {
  const { status, headers, body } = httpError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(JSON.stringify(body));
}
