import { prisma } from "@/lib/db.ts";

export const dynamic = "force-dynamic";

/** GET /api/health — for the proxy and the orchestrator: 200 when PostgreSQL answers, else 503. */
export async function GET(): Promise<Response> {
  const postgres = await Promise.race([
    prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
  ]);
  return Response.json(
    { status: postgres ? "ok" : "unavailable", postgres: postgres ? "up" : "down" },
    { status: postgres ? 200 : 503, headers: postgres ? {} : { "Retry-After": "5" } },
  );
}
