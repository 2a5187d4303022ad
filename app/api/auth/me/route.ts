import { route } from "@/lib/api/route.ts";

export const dynamic = "force-dynamic";

/** GET /api/auth/me — who is signed in. */
export const GET = route({ access: "operator" }, async ({ operator: { username, role } }) =>
  Response.json({ user: { username, role } }),
);
