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

const AFTER_SIGN_IN = "/monitor";
const ANY_ORIGIN = "http://next.invalid";

/**
 * Only a path on this site, so a crafted ?next= cannot send the operator elsewhere. Browsers
 * drop tabs and line breaks from a URL and read a backslash as a slash (`/\t/evil.example` is
 * `//evil.example`, another site), so those are refused outright, and what is left must
 * resolve to a path of this origin.
 */
export function safeNext(next: string | string[] | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  if (typeof next !== "string" || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) {
    return AFTER_SIGN_IN;
  }
  try {
    const url = new URL(next, ANY_ORIGIN);
    if (url.origin === ANY_ORIGIN) return url.pathname + url.search + url.hash;
  } catch {}
  return AFTER_SIGN_IN;
}
