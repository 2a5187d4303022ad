import { isHttps } from "@/lib/api/access.ts";
import { route } from "@/lib/api/route.ts";
import { cookieValue, revokeSession, SESSION_COOKIE, sessionCookie } from "@/lib/auth/sessions.ts";

/** POST /api/auth/logout — ends the session on the server (the cookie stops working everywhere). */
export const POST = route({ access: "public" }, async ({ request }) => {
  const token = cookieValue(request.headers.get("cookie"), SESSION_COOKIE);
  if (token) await revokeSession(token);
  return new Response(null, {
    status: 204,
    headers: { "Set-Cookie": sessionCookie("", null, isHttps(request)) },
  });
});
