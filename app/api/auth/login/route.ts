import { z } from "zod";
import { clientAddress } from "@/lib/api/access.ts";
import { route } from "@/lib/api/route.ts";
import { signedInResponse } from "@/lib/api/session-response.ts";
import { checkPassword } from "@/lib/auth/login.ts";
import { MAX_CREDENTIALS_BODY_BYTES } from "@/lib/limits.ts";

const loginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** POST /api/auth/login — signs an operator in: a session cookie, or 401; 429 after repeated failures. */
export const POST = route(
  { access: "public", body: loginSchema, maxBodyBytes: MAX_CREDENTIALS_BODY_BYTES },
  async ({ request, body: { username, password } }) => {
    const user = await checkPassword(username, password, clientAddress(request));
    return signedInResponse(request, user.id, { user: { username, role: user.role } });
  },
);
