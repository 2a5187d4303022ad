import { ApiError } from "../api/errors.ts";
import { generateToken, hashToken } from "../auth/tokens.ts";
import { prisma } from "../db.ts";
import { DEVICE_INCLUDE, toWireDevice, type WireDevice } from "../devices/wire.ts";
import { Prisma } from "../generated/prisma/client.ts";

// The operator's registry of devices: create, change, delete, and their tokens.

export interface DeviceChanges {
  name?: string;
  gateway_id?: string | null;
  offline_after_seconds?: number | null;
  retention_days?: number | null;
}

async function gatewayDbId(
  gatewayId: string | null | undefined,
): Promise<bigint | null | undefined> {
  if (gatewayId === undefined || gatewayId === null) return gatewayId;
  const gateway = await prisma.gateway.findUnique({ where: { gatewayId }, select: { id: true } });
  if (!gateway)
    throw new ApiError("bad_request", `gateway_id: there is no gateway "${gatewayId}".`);
  return gateway.id;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

function notFound(err: unknown, deviceId: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") {
    throw new ApiError("not_found", `There is no device "${deviceId}".`);
  }
  throw err;
}

/** Registers a device with a new token; the token is returned this once. */
export async function createDevice(
  deviceId: string,
  changes: DeviceChanges,
): Promise<{ device: WireDevice; token: string }> {
  const token = generateToken("device");
  try {
    const device = await prisma.device.create({
      data: {
        deviceId,
        name: changes.name ?? deviceId,
        tokenHash: hashToken(token),
        gatewayDbId: await gatewayDbId(changes.gateway_id),
        offlineAfterSeconds: changes.offline_after_seconds ?? null,
        retentionDays: changes.retention_days ?? null,
      },
      include: DEVICE_INCLUDE,
    });
    return { device: toWireDevice(device), token };
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ApiError("conflict", `A device "${deviceId}" exists already.`);
    throw err;
  }
}

export async function findWireDevice(deviceId: string): Promise<WireDevice> {
  const device = await prisma.device.findUnique({ where: { deviceId }, include: DEVICE_INCLUDE });
  if (!device) throw new ApiError("not_found", `There is no device "${deviceId}".`);
  return toWireDevice(device);
}

export async function updateDevice(deviceId: string, changes: DeviceChanges): Promise<WireDevice> {
  const device = await prisma.device
    .update({
      where: { deviceId },
      data: {
        name: changes.name,
        gatewayDbId: await gatewayDbId(changes.gateway_id),
        offlineAfterSeconds: changes.offline_after_seconds,
        retentionDays: changes.retention_days,
      },
      include: DEVICE_INCLUDE,
    })
    .catch((err) => notFound(err, deviceId));
  return toWireDevice(device);
}

/** Deletes a device with its sensors, readings and commands. */
export async function deleteDevice(deviceId: string): Promise<void> {
  await prisma.device.delete({ where: { deviceId } }).catch((err) => notFound(err, deviceId));
}

/** Gives the device a new token (the old one stops working at once) or, with null, none. */
export async function setDeviceToken(deviceId: string, rotate: boolean): Promise<string | null> {
  const token = rotate ? generateToken("device") : null;
  await prisma.device
    .update({ where: { deviceId }, data: { tokenHash: token ? hashToken(token) : null } })
    .catch((err) => notFound(err, deviceId));
  return token;
}
