import { errorResponse } from "@/lib/api/errors.ts";
import { requireOperator } from "@/lib/auth/operator.ts";

export const dynamic = "force-dynamic";

/** GET /api/auth/me — who is signed in. */
export async function GET(request: Request): Promise<Response> {
  try {
    const { username, role } = await requireOperator(request);
    return Response.json({ user: { username, role } });
  } catch (err) {
    return errorResponse(err);
  }
}
