import { z } from "zod";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { checkSameOrigin, isHttps } from "@/lib/auth/operator.ts";
import { verifyNothing, verifyPassword } from "@/lib/auth/passwords.ts";
import { createSession, sessionCookie } from "@/lib/auth/sessions.ts";
import { prisma } from "@/lib/db.ts";
import {
  checkLoginAllowed,
  clearLoginFailures,
  clientAddress,
  recordLoginFailure,
} from "@/lib/rate-limit.ts";

const loginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** POST /api/auth/login — signs an operator in: a session cookie, or 401; 429 after repeated failures. */
export async function POST(request: Request): Promise<Response> {
  try {
    checkSameOrigin(request);
    const { username, password } = parseWith(loginSchema, await readJsonBody(request, 4096));
    const address = clientAddress(request);
    await checkLoginAllowed(username, address);
    const user = await prisma.user.findUnique({
      where: { username },
      select: { id: true, passwordHash: true, role: true },
    });
    const ok = user
      ? await verifyPassword(user.passwordHash, password)
      : await verifyNothing(password);
    if (!user || !ok) {
      await recordLoginFailure(username, address);
      throw new ApiError("unauthorized", "Wrong username or password.");
    }
    await clearLoginFailures(username);
    const session = await createSession(user.id);
    return Response.json(
      { user: { username, role: user.role } },
      {
        headers: {
          "Set-Cookie": sessionCookie(session.token, session.expiresAt, isHttps(request)),
        },
      },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
