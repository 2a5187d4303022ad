import { z } from "zod";
import { prisma } from "../db.ts";
import { conflict, notFound } from "../errors.ts";
import type { UserRole } from "../generated/prisma/enums.ts";
import { writeOrRefuse } from "../queries/prisma-errors.ts";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./passwords.ts";

export const usernameSchema = z
  .string({ error: "is required" })
  .min(3, "must be at least 3 characters")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "may hold only letters, digits and . _ @ -");

export const passwordSchema = z
  .string({ error: "is required" })
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, "must be at most 256 characters");

export const roleSchema = z.enum(["admin", "viewer"]);

export interface WireUser {
  username: string;
  role: UserRole;
  created_at: string;
}

const select = { username: true, role: true, createdAt: true } as const;
const toWire = (u: { username: string; role: UserRole; createdAt: Date }): WireUser => ({
  username: u.username,
  role: u.role,
  created_at: u.createdAt.toISOString(),
});

export async function listUsers(): Promise<WireUser[]> {
  return (await prisma.user.findMany({ select, orderBy: { username: "asc" } })).map(toWire);
}

export async function createUser(
  username: string,
  password: string,
  role: UserRole,
): Promise<WireUser & { id: bigint }> {
  const user = await writeOrRefuse(
    prisma.user.create({
      data: { username, passwordHash: await hashPassword(password), role },
      select: { ...select, id: true },
    }),
    { exists: `A user "${username}" exists already.` },
  );
  return { ...toWire(user), id: user.id };
}

const FIRST_ADMIN_LOCK = 0x426f5573; // "BoUs"

const SETUP_DONE = "Setup is done: sign in instead.";

/**
 * The first-run setup: creates the first admin, only while there is no user at all. Once there
 * is one it refuses before hashing anything (argon2 is the costly part); the advisory lock
 * makes two setups at the same moment create one admin, not two.
 */
export async function createFirstAdmin(
  username: string,
  password: string,
): Promise<{ id: bigint }> {
  if (await hasUsers()) throw conflict(SETUP_DONE);
  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`;
    if ((await tx.user.count()) > 0) throw conflict(SETUP_DONE);
    return tx.user.create({
      data: { username, passwordHash, role: "admin" },
      select: { id: true },
    });
  });
}

export async function hasUsers(): Promise<boolean> {
  return (await prisma.user.count()) > 0;
}

export async function updateUser(
  username: string,
  changes: { role?: UserRole; password?: string },
): Promise<WireUser> {
  const user = await writeOrRefuse(
    prisma.user.update({
      where: { username },
      data: {
        role: changes.role,
        passwordHash: changes.password ? await hashPassword(changes.password) : undefined,
        // A new password or role signs the user out everywhere.
        sessions: changes.password || changes.role ? { deleteMany: {} } : undefined,
      },
      select,
    }),
    { missing: `There is no user "${username}".` },
  );
  return toWire(user);
}

export async function deleteUser(username: string): Promise<void> {
  const { count } = await prisma.user.deleteMany({ where: { username } });
  if (count === 0) throw notFound(`There is no user "${username}".`);
}

/** The password hash and role of a user, for signing in; null for an unknown username. */
export async function findCredentials(
  username: string,
): Promise<{ id: bigint; passwordHash: string; role: UserRole } | null> {
  return prisma.user.findUnique({
    where: { username },
    select: { id: true, passwordHash: true, role: true },
  });
}
