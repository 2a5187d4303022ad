import { prisma } from "../db.ts";
import { toWireGateway, type WireGateway } from "../devices/wire.ts";
import { writeOrRefuse } from "./prisma-errors.ts";
import { newToken } from "./token-owners.ts";

// Gateways: one token that writes for every device assigned to the gateway. Tokens and
// deletion are lib/queries/token-owners.ts (the same for devices).

const include = { _count: { select: { devices: true } } } as const;

export async function listGateways(): Promise<WireGateway[]> {
  const gateways = await prisma.gateway.findMany({ orderBy: { gatewayId: "asc" }, include });
  return gateways.map(toWireGateway);
}

export async function createGateway(
  gatewayId: string,
  name?: string,
): Promise<{ gateway: WireGateway; token: string }> {
  const { token, tokenHash } = newToken("gateway");
  const gateway = await writeOrRefuse(
    prisma.gateway.create({ data: { gatewayId, name: name ?? gatewayId, tokenHash }, include }),
    { exists: `A gateway "${gatewayId}" exists already.` },
  );
  return { gateway: toWireGateway(gateway), token };
}
