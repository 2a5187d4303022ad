import { z } from "zod";
import { ApiError } from "../api/errors.ts";
import { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { UserRole } from "../generated/prisma/enums.ts";
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
  try {
    const user = await prisma.user.create({
      data: { username, passwordHash: await hashPassword(password), role },
      select: { ...select, id: true },
    });
    return { ...toWire(user), id: user.id };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ApiError("conflict", `A user "${username}" exists already.`);
    }
    throw err;
  }
}

const FIRST_ADMIN_LOCK = 0x426f5573; // "BoUs"

/**
 * The first-run setup: creates the first admin, only while there is no user at all. The
 * advisory lock makes two setups at the same moment create one admin, not two.
 */
export async function createFirstAdmin(
  username: string,
  password: string,
): Promise<{ id: bigint }> {
  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`;
    if ((await tx.user.count()) > 0)
      throw new ApiError("conflict", "Setup is done: sign in instead.");
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
  const user = await prisma.user
    .update({
      where: { username },
      data: {
        role: changes.role,
        passwordHash: changes.password ? await hashPassword(changes.password) : undefined,
        // A new password or role signs the user out everywhere.
        sessions: changes.password || changes.role ? { deleteMany: {} } : undefined,
      },
      select,
    })
    .catch((err) => {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") {
        throw new ApiError("not_found", `There is no user "${username}".`);
      }
      throw err;
    });
  return toWire(user);
}

export async function deleteUser(username: string): Promise<void> {
  const { count } = await prisma.user.deleteMany({ where: { username } });
  if (count === 0) throw new ApiError("not_found", `There is no user "${username}".`);
}
