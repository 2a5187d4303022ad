import { z } from "zod";
import { clientAddress } from "@/lib/api/access.ts";
import { route } from "@/lib/api/route.ts";
import { signedInResponse } from "@/lib/api/session-response.ts";
import { countSetupAttempt } from "@/lib/auth/login-limits.ts";
import { createFirstAdmin, passwordSchema, usernameSchema } from "@/lib/auth/users.ts";
import { MAX_CREDENTIALS_BODY_BYTES } from "@/lib/limits.ts";

const setupSchema = z.strictObject({ username: usernameSchema, password: passwordSchema });

/**
 * POST /api/auth/setup — the first admin, while there is no user at all (409 after that);
 * attempts are limited per address (429).
 */
export const POST = route(
  { access: "public", body: setupSchema, maxBodyBytes: MAX_CREDENTIALS_BODY_BYTES },
  async ({ request, body: { username, password } }) => {
    await countSetupAttempt(clientAddress(request));
    const admin = await createFirstAdmin(username, password);
    return signedInResponse(request, admin.id, { user: { username, role: "admin" } }, 201);
  },
);
