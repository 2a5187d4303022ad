import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { deleteGateway } from "@/lib/queries/manage-gateways.ts";

type Context = { params: Promise<{ gatewayId: string }> };

/** DELETE /api/gateways/<id> — the gateway; its devices stay, unassigned. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    await deleteGateway(parseWith(identifier, (await context.params).gatewayId));
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
