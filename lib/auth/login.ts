import { DomainError } from "../errors.ts";
import type { UserRole } from "../generated/prisma/enums.ts";
import { checkLoginAllowed, clearLoginFailures, recordLoginFailure } from "../rate-limit.ts";
import { verifyNothing, verifyPassword } from "./passwords.ts";
import { findCredentials } from "./users.ts";

/**
 * Checks a username and password from `address`: the user, or unauthorized (the same answer,
 * in the same time, for an unknown user and a wrong password); rate limited after repeated
 * failures of the account or the address.
 */
export async function checkPassword(
  username: string,
  password: string,
  address: string,
): Promise<{ id: bigint; role: UserRole }> {
  await checkLoginAllowed(username, address);
  const user = await findCredentials(username);
  const ok = user
    ? await verifyPassword(user.passwordHash, password)
    : await verifyNothing(password);
  if (!user || !ok) {
    await recordLoginFailure(username, address);
    throw new DomainError("unauthorized", "Wrong username or password.");
  }
  await clearLoginFailures(username);
  return { id: user.id, role: user.role };
}
