import { z } from "zod";
import { route } from "@/lib/api/route.ts";
import {
  createUser,
  listUsers,
  passwordSchema,
  roleSchema,
  usernameSchema,
} from "@/lib/auth/users.ts";
import { MAX_CREDENTIALS_BODY_BYTES } from "@/lib/limits.ts";

export const dynamic = "force-dynamic";

const newUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: roleSchema,
});

export const GET = route({ access: "admin" }, async () =>
  Response.json({ users: await listUsers() }),
);

/** POST /api/users — an admin adds an operator (admin or viewer). */
export const POST = route(
  { access: "admin", body: newUserSchema, maxBodyBytes: MAX_CREDENTIALS_BODY_BYTES },
  async ({ body }) => {
    const { id: _id, ...user } = await createUser(body.username, body.password, body.role);
    return Response.json({ user }, { status: 201 });
  },
);
