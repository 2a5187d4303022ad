// What the data layer, the auth checks and the limits report when they refuse something. They
// know nothing of HTTP or MQTT: each transport maps a DomainError to its own answer, the API in
// lib/api/errors.ts (status and error body), the MQTT listener to its error topic.

export type Failure =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "unavailable";

export class DomainError extends Error {
  constructor(
    readonly failure: Failure,
    message: string,
    /** For rate_limited and unavailable: when trying again makes sense. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const invalid = (message: string) => new DomainError("invalid", message);

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

/** True for a failure that passes (PostgreSQL or a dependency away): worth trying again later. */
export function isPassing(err: unknown): boolean {
  return (
    (err instanceof DomainError && err.failure === "unavailable") || isDatabaseUnavailable(err)
  );
}

/** The database is down: a DomainError that says so, for code that catches its own calls. */
const DATABASE_UNAVAILABLE_SECONDS = 5;
export function databaseUnavailable(): DomainError {
  return new DomainError(
    "unavailable",
    "The database is unavailable; try again shortly.",
    DATABASE_UNAVAILABLE_SECONDS,
  );
}
