import { DomainError } from "../errors.ts";
import type { UserRole } from "../generated/prisma/enums.ts";
import { countLoginAttempt } from "./login-limits.ts";
import { verifyNothing, verifyPassword } from "./passwords.ts";
import { findCredentials } from "./users.ts";

/**
 * Checks a username and password from `address`: the user, or unauthorized (the same answer,
 * in the same time, for an unknown user and a wrong password). The attempt is counted first,
 * so repeated failures are refused (429) before any password is checked.
 */
export async function checkPassword(
  username: string,
  password: string,
  address: string,
): Promise<{ id: bigint; role: UserRole }> {
  const attempt = await countLoginAttempt(username, address);
  const user = await findCredentials(username);
  const ok = user
    ? await verifyPassword(user.passwordHash, password)
    : await verifyNothing(password);
  if (!user || !ok) throw new DomainError("unauthorized", "Wrong username or password.");
  await attempt.succeeded();
  return { id: user.id, role: user.role };
}
