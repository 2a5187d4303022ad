import { ApiError } from "../api/errors.ts";
import { config } from "../config.ts";
import { prisma } from "../db.ts";
import { bearerToken, hashToken } from "./tokens.ts";

/** Who is writing: a device with its own token, a gateway for its devices, or anyone (open mode). */
export type DevicePrincipal =
  | { kind: "open" }
  | { kind: "device"; deviceId: string }
  | { kind: "gateway"; gatewayDbId: bigint; gatewayId: string };

/** Reads the request's device or gateway token; 401 without a valid one (in token mode). */
export async function devicePrincipal(request: Request): Promise<DevicePrincipal> {
  if (config().INGEST_AUTH === "open") return { kind: "open" };
  const token = bearerToken(request);
  if (!token) {
    throw new ApiError(
      "unauthorized",
      "Send the device's token as `Authorization: Bearer <token>`.",
    );
  }
  const tokenHash = hashToken(token);
  const device = await prisma.device.findUnique({
    where: { tokenHash },
    select: { deviceId: true },
  });
  if (device) return { kind: "device", deviceId: device.deviceId };
  const gateway = await prisma.gateway.findUnique({
    where: { tokenHash },
    select: { id: true, gatewayId: true },
  });
  if (gateway) return { kind: "gateway", gatewayDbId: gateway.id, gatewayId: gateway.gatewayId };
  throw new ApiError("unauthorized", "The token is not valid (revoked, rotated or mistyped).");
}

/** 403 unless the principal may act for every one of these devices. */
export async function authorizeDevices(
  principal: DevicePrincipal,
  deviceIds: string[],
): Promise<void> {
  const unique = [...new Set(deviceIds)];
  if (principal.kind === "open") return;
  if (principal.kind === "device") {
    const other = unique.find((id) => id !== principal.deviceId);
    if (other) throw new ApiError("forbidden", `This token may not act for device "${other}".`);
    return;
  }
  const assigned = await prisma.device.findMany({
    where: { deviceId: { in: unique }, gatewayDbId: principal.gatewayDbId },
    select: { deviceId: true },
  });
  const allowed = new Set(assigned.map((d) => d.deviceId));
  const other = unique.find((id) => !allowed.has(id));
  if (other) {
    throw new ApiError(
      "forbidden",
      `Gateway "${principal.gatewayId}" may not act for device "${other}".`,
    );
  }
}

/** Whose rate a request counts against: the device, the gateway, or (open mode) each device named. */
export function rateKeys(principal: DevicePrincipal, deviceIds: string[]): string[] {
  if (principal.kind === "device") return [`device ${principal.deviceId}`];
  if (principal.kind === "gateway") return [`gateway ${principal.gatewayId}`];
  return [...new Set(deviceIds)].map((id) => `device ${id}`);
}
