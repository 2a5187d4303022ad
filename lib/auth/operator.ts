import { DomainError, forbidden } from "../errors.ts";
import { type Operator, operatorForToken } from "./sessions.ts";

/** 401 without a valid session, 403 for a viewer where an admin is needed. */
export async function operatorForSession(
  sessionToken: string | undefined,
  role?: "admin",
): Promise<Operator> {
  const operator = await operatorForToken(sessionToken);
  if (!operator) throw new DomainError("unauthorized", "Sign in first.");
  if (role === "admin" && operator.role !== "admin") throw forbidden("Only an admin may do this.");
  return operator;
}
