import { z } from "zod";
import { route } from "@/lib/api/route.ts";
import { signedInResponse } from "@/lib/api/session-response.ts";
import { createFirstAdmin, passwordSchema, usernameSchema } from "@/lib/auth/users.ts";
import { MAX_CREDENTIALS_BODY_BYTES } from "@/lib/limits.ts";

const setupSchema = z.strictObject({ username: usernameSchema, password: passwordSchema });

/** POST /api/auth/setup — the first admin, while there is no user at all (409 after that). */
export const POST = route(
  { access: "public", body: setupSchema, maxBodyBytes: MAX_CREDENTIALS_BODY_BYTES },
  async ({ request, body: { username, password } }) => {
    const admin = await createFirstAdmin(username, password);
    return signedInResponse(request, admin.id, { user: { username, role: "admin" } }, 201);
  },
);
