import { randomBytes } from "node:crypto";
import { config } from "../config.ts";
import { prisma } from "../db.ts";
import type { UserRole } from "../generated/prisma/enums.ts";
import { hashToken } from "./tokens.ts";

export const SESSION_COOKIE = "bocloud_session";

export interface Operator {
  id: bigint;
  username: string;
  role: UserRole;
}

/** Starts a session; the returned token goes into the cookie, its hash into the database. */
export async function createSession(userId: bigint): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + config().SESSION_TTL_HOURS * 3_600_000);
  await prisma.session.create({ data: { id: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The operator a session cookie belongs to, or null when it is unknown, revoked or expired. */
export async function operatorForToken(token: string | undefined): Promise<Operator | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  // One round trip: this runs on every operator request.
  const [operator] = await prisma.$queryRaw<Operator[]>`
    SELECT u.id, u.username, u.role::text AS role
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = ${hashToken(token)} AND s.expires_at > now()`;
  return operator ?? null;
}

/** Of these session ids (token hashes), the ones that still exist and have not expired. */
export async function liveSessionIds(ids: string[]): Promise<Set<string>> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM sessions WHERE id = ANY(${ids}::text[]) AND expires_at > now()`;
  return new Set(rows.map((r) => r.id));
}

export async function revokeSession(token: string): Promise<void> {
  await prisma.session.deleteMany({ where: { id: hashToken(token) } });
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** Set-Cookie for a session: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS. */
export function sessionCookie(token: string, expiresAt: Date | null, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  parts.push(expiresAt ? `Expires=${expiresAt.toUTCString()}` : "Max-Age=0");
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
