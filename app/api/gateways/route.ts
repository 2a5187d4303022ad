import { errorResponse } from "@/lib/api/errors.ts";
import { parseWith } from "@/lib/api/parse.ts";
import { readJsonBody } from "@/lib/api/read-json-body.ts";
import { requireOperator } from "@/lib/auth/operator.ts";
import { createGatewaySchema } from "@/lib/devices/schemas.ts";
import { createGateway, listGateways } from "@/lib/queries/manage-gateways.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    await requireOperator(request);
    return Response.json({ gateways: await listGateways() });
  } catch (err) {
    return errorResponse(err);
  }
}

/** POST /api/gateways — a gateway with a token (shown this once) that writes for its devices. */
export async function POST(request: Request): Promise<Response> {
  try {
    await requireOperator(request, "admin");
    const body = parseWith(createGatewaySchema, await readJsonBody(request, 16 * 1024));
    return Response.json(await createGateway(body.gateway_id, body.name), { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
