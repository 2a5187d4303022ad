import { prisma } from "../db.ts";
import { DomainError, forbidden } from "../errors.ts";
import { hashToken } from "./tokens.ts";

/** Who is writing: a device with its own token, a gateway for its devices, or anyone (open mode). */
export type DevicePrincipal =
  | { kind: "open" }
  | { kind: "device"; deviceId: string }
  | { kind: "gateway"; gatewayKey: bigint; gatewayId: string };

/** What a device presents: nothing in open mode, else the token of a device or a gateway. */
export type DeviceCredential = { kind: "open" } | { kind: "token"; token: string };

/** The device or gateway a token belongs to; null when it is revoked, rotated or mistyped. */
export async function principalForToken(
  token: string,
): Promise<Exclude<DevicePrincipal, { kind: "open" }> | null> {
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
  return gateway ? { kind: "gateway", gatewayKey: gateway.id, gatewayId: gateway.gatewayId } : null;
}

/** Who presented the credential; unauthorized for a token that is not (or no longer) valid. */
export async function resolvePrincipal(credential: DeviceCredential): Promise<DevicePrincipal> {
  if (credential.kind === "open") return credential;
  const principal = await principalForToken(credential.token);
  if (!principal) {
    throw new DomainError("unauthorized", "The token is not valid (revoked, rotated or mistyped).");
  }
  return principal;
}

/** Forbidden unless the principal may act for every one of these devices. */
export async function authorizeDevices(
  principal: DevicePrincipal,
  deviceIds: string[],
): Promise<void> {
  const unique = [...new Set(deviceIds)];
  if (principal.kind === "open") return;
  if (principal.kind === "device") {
    const other = unique.find((id) => id !== principal.deviceId);
    if (other) throw forbidden(`This token may not act for device "${other}".`);
    return;
  }
  const assigned = await prisma.device.findMany({
    where: { deviceId: { in: unique }, gatewayKey: principal.gatewayKey },
    select: { deviceId: true },
  });
  const allowed = new Set(assigned.map((d) => d.deviceId));
  const other = unique.find((id) => !allowed.has(id));
  if (other) {
    throw forbidden(`Gateway "${principal.gatewayId}" may not act for device "${other}".`);
  }
}
