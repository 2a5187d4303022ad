import { createSession, sessionCookie } from "../auth/sessions.ts";
import { isHttps } from "./access.ts";

/** Starts a session for the user and answers with its cookie (Secure over HTTPS) and `body`. */
export async function signedInResponse(
  request: Request,
  userId: bigint,
  body: unknown,
  status = 200,
): Promise<Response> {
  const session = await createSession(userId);
  return Response.json(body, {
    status,
    headers: { "Set-Cookie": sessionCookie(session.token, session.expiresAt, isHttps(request)) },
  });
}
