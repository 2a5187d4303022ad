import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { identifier } from "@/lib/ingest/schema.ts";
import { setGatewayToken } from "@/lib/queries/manage-gateways.ts";

type Context = { params: Promise<{ gatewayId: string }> };

/** POST /api/gateways/<id>/token — a new token (shown this once); the old one stops at once. */
export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const gatewayId = parseWith(identifier, (await context.params).gatewayId);
    return Response.json(
      { gateway_id: gatewayId, token: await setGatewayToken(gatewayId, true) },
      { status: 201 },
    );
  } catch (err) {
    return errorResponse(err);
  }
}

/** DELETE /api/gateways/<id>/token — revoke. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    await setGatewayToken(parseWith(identifier, (await context.params).gatewayId), false);
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
