import { z } from "zod";
import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { checkSameOrigin, isHttps } from "@/lib/auth/operator.ts";
import { createSession, sessionCookie } from "@/lib/auth/sessions.ts";
import { createFirstAdmin, passwordSchema, usernameSchema } from "@/lib/auth/users.ts";

const setupSchema = z.strictObject({ username: usernameSchema, password: passwordSchema });

/** POST /api/auth/setup — the first admin, while there is no user at all (409 after that). */
export async function POST(request: Request): Promise<Response> {
  try {
    checkSameOrigin(request);
    const { username, password } = parseWith(setupSchema, await readJsonBody(request, 4096));
    const admin = await createFirstAdmin(username, password);
    const session = await createSession(admin.id);
    return Response.json(
      { user: { username, role: "admin" } },
      {
        status: 201,
        headers: {
          "Set-Cookie": sessionCookie(session.token, session.expiresAt, isHttps(request)),
        },
      },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
