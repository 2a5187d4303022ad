import { z } from "zod";
import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import {
  createUser,
  listUsers,
  passwordSchema,
  roleSchema,
  usernameSchema,
} from "@/lib/auth/users.ts";

export const dynamic = "force-dynamic";

const newUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: roleSchema,
});

export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    return Response.json({ users: await listUsers() });
  } catch (err) {
    return errorResponse(err);
  }
}

/** POST /api/users — an admin adds an operator (admin or viewer). */
export async function POST(request: Request): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const body = parseWith(newUserSchema, await readJsonBody(request, 4096));
    const { id: _id, ...user } = await createUser(body.username, body.password, body.role);
    return Response.json({ user }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
