import { generateToken, hashToken } from "../auth/tokens.ts";
import { prisma } from "../db.ts";
import { notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";

// Devices and gateways both own a token: created with one, rotated (the old one stops at once),
// revoked, deleted. One module for both, named by their text id.

export type TokenOwnerKind = "device" | "gateway";

const OWNERS = {
  device: { table: Prisma.raw("devices"), idColumn: Prisma.raw("device_id") },
  gateway: { table: Prisma.raw("gateways"), idColumn: Prisma.raw("gateway_id") },
} as const;

export const missingOwner = (kind: TokenOwnerKind, id: string) => `There is no ${kind} "${id}".`;

/** A new token and its hash; only the hash is stored, the token is shown once. */
export function newToken(kind: TokenOwnerKind): { token: string; tokenHash: string } {
  const token = generateToken(kind);
  return { token, tokenHash: hashToken(token) };
}

/** Gives the owner a new token (returned this once) or, with `rotate` false, none. */
export async function setToken(
  kind: TokenOwnerKind,
  id: string,
  rotate: boolean,
): Promise<string | null> {
  const fresh = rotate ? newToken(kind) : null;
  const { table, idColumn } = OWNERS[kind];
  const changed = await prisma.$executeRaw`
    UPDATE ${table} SET token_hash = ${fresh?.tokenHash ?? null} WHERE ${idColumn} = ${id}`;
  if (changed === 0) throw notFound(missingOwner(kind, id));
  return fresh?.token ?? null;
}

/**
 * Deletes the owner: a device with its sensors, readings and commands; a gateway leaving its
 * devices unassigned.
 */
export async function deleteOwner(kind: TokenOwnerKind, id: string): Promise<void> {
  const { table, idColumn } = OWNERS[kind];
  const deleted = await prisma.$executeRaw`DELETE FROM ${table} WHERE ${idColumn} = ${id}`;
  if (deleted === 0) throw notFound(missingOwner(kind, id));
}
