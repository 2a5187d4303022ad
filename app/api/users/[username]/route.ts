import { z } from "zod";
import { route } from "@/lib/api/route.ts";
import {
  deleteUser,
  passwordSchema,
  roleSchema,
  updateUser,
  usernameSchema,
} from "@/lib/auth/users.ts";
import { conflict } from "@/lib/errors.ts";
import { MAX_CREDENTIALS_BODY_BYTES } from "@/lib/limits.ts";

const params = z.strictObject({ username: usernameSchema });
const changesSchema = z.strictObject({
  role: roleSchema.optional(),
  password: passwordSchema.optional(),
});

/** PATCH /api/users/<name> — an admin changes a role or sets a password (signing the user out). */
export const PATCH = route(
  { access: "admin", params, body: changesSchema, maxBodyBytes: MAX_CREDENTIALS_BODY_BYTES },
  async ({ params: { username }, body }) =>
    Response.json({ user: await updateUser(username, body) }),
);

export const DELETE = route({ access: "admin", params }, async ({ operator, params }) => {
  if (params.username === operator.username) throw conflict("You cannot delete yourself.");
  await deleteUser(params.username);
  return new Response(null, { status: 204 });
});
