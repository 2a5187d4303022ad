import { ApiError } from "../api/errors.ts";
import { generateToken, hashToken } from "../auth/tokens.ts";
import { prisma } from "../db.ts";
import { toWireGateway, type WireGateway } from "../devices/wire.ts";
import { Prisma } from "../generated/prisma/client.ts";

// Gateways: one token that writes for every device assigned to the gateway.

const include = { _count: { select: { devices: true } } } as const;

export async function listGateways(): Promise<WireGateway[]> {
  const gateways = await prisma.gateway.findMany({ orderBy: { gatewayId: "asc" }, include });
  return gateways.map(toWireGateway);
}

export async function createGateway(
  gatewayId: string,
  name?: string,
): Promise<{ gateway: WireGateway; token: string }> {
  const token = generateToken("gateway");
  try {
    const gateway = await prisma.gateway.create({
      data: { gatewayId, name: name ?? gatewayId, tokenHash: hashToken(token) },
      include,
    });
    return { gateway: toWireGateway(gateway), token };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ApiError("conflict", `A gateway "${gatewayId}" exists already.`);
    }
    throw err;
  }
}

function notFound(err: unknown, gatewayId: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") {
    throw new ApiError("not_found", `There is no gateway "${gatewayId}".`);
  }
  throw err;
}

/** Deletes a gateway; its devices stay, unassigned. */
export async function deleteGateway(gatewayId: string): Promise<void> {
  await prisma.gateway.delete({ where: { gatewayId } }).catch((err) => notFound(err, gatewayId));
}

export async function setGatewayToken(gatewayId: string, rotate: boolean): Promise<string | null> {
  const token = rotate ? generateToken("gateway") : null;
  await prisma.gateway
    .update({ where: { gatewayId }, data: { tokenHash: token ? hashToken(token) : null } })
    .catch((err) => notFound(err, gatewayId));
  return token;
}
