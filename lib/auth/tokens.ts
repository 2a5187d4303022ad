import { createHash, randomBytes } from "node:crypto";

const PREFIX = { device: "bcd_", gateway: "bcg_" } as const;

/** A new secret token; only its hash is stored, the token itself is shown once. */
export function generateToken(kind: keyof typeof PREFIX): string {
  return PREFIX[kind] + randomBytes(32).toString("base64url");
}

/** Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+([A-Za-z0-9_-]{8,128})\s*$/.exec(
    request.headers.get("authorization") ?? "",
  );
  return match ? match[1] : null;
}
