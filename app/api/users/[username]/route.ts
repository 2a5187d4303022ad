import { z } from "zod";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import {
  deleteUser,
  passwordSchema,
  roleSchema,
  updateUser,
  usernameSchema,
} from "@/lib/auth/users.ts";

type Context = { params: Promise<{ username: string }> };
const changesSchema = z.strictObject({
  role: roleSchema.optional(),
  password: passwordSchema.optional(),
});

/** PATCH /api/users/<name> — an admin changes a role or sets a password (signing the user out). */
export async function PATCH(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const username = parseWith(usernameSchema, (await context.params).username);
    const changes = parseWith(changesSchema, await readJsonBody(request, 4096));
    return Response.json({ user: await updateUser(username, changes) });
  } catch (err) {
    return errorResponse(err);
  }
}

export async function DELETE(request: Request, context: Context): Promise<Response> {
  try {
    const me = await requireOperator(request, "admin");
    const username = parseWith(usernameSchema, (await context.params).username);
    if (username === me.username) throw new ApiError("conflict", "You cannot delete yourself.");
    await deleteUser(username);
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
