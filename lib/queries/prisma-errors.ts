import { conflict, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === code;
}

/** Runs a Prisma write; a unique violation becomes conflict, a missing row not found. */
export async function writeOrRefuse<T>(
  write: Promise<T>,
  messages: { exists?: string; missing?: string },
): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (messages.exists && hasCode(err, "P2002")) throw conflict(messages.exists);
    if (messages.missing && hasCode(err, "P2025")) throw notFound(messages.missing);
    throw err;
  }
}
