import { route } from "@/lib/api/route.ts";
import { healthBody, healthHeaders } from "@/lib/health.ts";
import { databaseUp } from "@/lib/queries/database-up.ts";

export const dynamic = "force-dynamic";

/** GET /api/health — for the proxy and the orchestrator: 200 when PostgreSQL answers, else 503. */
export const GET = route({ access: "public" }, async () => {
  const postgres = await databaseUp();
  return Response.json(healthBody(postgres, { postgres: postgres ? "up" : "down" }), {
    status: postgres ? 200 : 503,
    headers: healthHeaders(postgres),
  });
});
