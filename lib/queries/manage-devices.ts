import { prisma } from "../db.ts";
import { DEVICE_INCLUDE, toWireDevice, type WireDevice } from "../devices/wire.ts";
import { invalid, notFound } from "../errors.ts";
import { writeOrRefuse } from "./prisma-errors.ts";
import { missingOwner, newToken } from "./token-owners.ts";

// The operator's registry of devices: create and change them. Tokens and deletion are
// lib/queries/token-owners.ts (the same for gateways).

export interface DeviceChanges {
  name?: string;
  gateway_id?: string | null;
  offline_after_seconds?: number | null;
  retention_days?: number | null;
}

/** The internal key of the gateway a device is assigned to (undefined: leave it, null: none). */
async function gatewayKey(
  gatewayId: string | null | undefined,
): Promise<bigint | null | undefined> {
  if (gatewayId === undefined || gatewayId === null) return gatewayId;
  const gateway = await prisma.gateway.findUnique({ where: { gatewayId }, select: { id: true } });
  if (!gateway) throw invalid(`gateway_id: there is no gateway "${gatewayId}".`);
  return gateway.id;
}

/** Registers a device with a new token; the token is returned this once. */
export async function createDevice(
  deviceId: string,
  changes: DeviceChanges,
): Promise<{ device: WireDevice; token: string }> {
  const { token, tokenHash } = newToken("device");
  const device = await writeOrRefuse(
    prisma.device.create({
      data: {
        deviceId,
        name: changes.name ?? deviceId,
        tokenHash,
        gatewayKey: await gatewayKey(changes.gateway_id),
        offlineAfterSeconds: changes.offline_after_seconds ?? null,
        retentionDays: changes.retention_days ?? null,
      },
      include: DEVICE_INCLUDE,
    }),
    { exists: `A device "${deviceId}" exists already.` },
  );
  return { device: toWireDevice(device), token };
}

export async function findWireDevice(deviceId: string): Promise<WireDevice> {
  const device = await prisma.device.findUnique({ where: { deviceId }, include: DEVICE_INCLUDE });
  if (!device) throw notFound(missingOwner("device", deviceId));
  return toWireDevice(device);
}

export async function updateDevice(deviceId: string, changes: DeviceChanges): Promise<WireDevice> {
  const device = await writeOrRefuse(
    prisma.device.update({
      where: { deviceId },
      data: {
        name: changes.name,
        gatewayKey: await gatewayKey(changes.gateway_id),
        offlineAfterSeconds: changes.offline_after_seconds,
        retentionDays: changes.retention_days,
      },
      include: DEVICE_INCLUDE,
    }),
    { missing: missingOwner("device", deviceId) },
  );
  return toWireDevice(device);
}
