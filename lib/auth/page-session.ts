import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import type { Operator } from "./sessions.ts";
import { operatorForToken, SESSION_COOKIE } from "./sessions.ts";
import { hasUsers } from "./users.ts";

/** For a page an operator uses: the signed-in operator, or a redirect to sign in (or to set up). */
export async function requirePageOperator(path: string): Promise<Operator> {
  const operator = await operatorForToken((await cookies()).get(SESSION_COOKIE)?.value);
  if (operator) return operator;
  if (!(await hasUsers())) redirect("/setup");
  redirect(`/login?next=${encodeURIComponent(path)}`);
}

/** Only a path on this site, so a crafted ?next= cannot send the operator elsewhere. */
export function safeNext(next: string | string[] | undefined): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/monitor";
}
