import { errorResponse } from "@/lib/api/errors.ts";
import { checkSameOrigin, isHttps } from "@/lib/auth/operator.ts";
import { cookieValue, revokeSession, SESSION_COOKIE, sessionCookie } from "@/lib/auth/sessions.ts";

/** POST /api/auth/logout — ends the session on the server (the cookie stops working everywhere). */
export async function POST(request: Request): Promise<Response> {
  try {
    checkSameOrigin(request);
    const token = cookieValue(request.headers.get("cookie"), SESSION_COOKIE);
    if (token) await revokeSession(token);
    return new Response(null, {
      status: 204,
      headers: { "Set-Cookie": sessionCookie("", null, isHttps(request)) },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
