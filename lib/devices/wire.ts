import type { Device, Gateway } from "../generated/prisma/client.ts";

/** A device as the operator API returns it (never its token). */
export interface WireDevice {
  device_id: string;
  name: string;
  status: "online" | "offline";
  created_at: string;
  last_seen_at: string | null;
  gateway_id: string | null;
  offline_after_seconds: number | null;
  retention_days: number | null;
  has_token: boolean;
  sensor_count: number;
}

export type DeviceWithRelations = Device & {
  gateway: Pick<Gateway, "gatewayId"> | null;
  _count: { sensors: number };
};

/** The Prisma `include` that toWireDevice needs. */
export const DEVICE_INCLUDE = {
  gateway: { select: { gatewayId: true } },
  _count: { select: { sensors: true } },
} as const;

export function toWireDevice(d: DeviceWithRelations): WireDevice {
  return {
    device_id: d.deviceId,
    name: d.name,
    status: d.status,
    created_at: d.createdAt.toISOString(),
    last_seen_at: d.lastSeenAt?.toISOString() ?? null,
    gateway_id: d.gateway?.gatewayId ?? null,
    offline_after_seconds: d.offlineAfterSeconds,
    retention_days: d.retentionDays,
    has_token: d.tokenHash !== null,
    sensor_count: d._count.sensors,
  };
}

export interface WireGateway {
  gateway_id: string;
  name: string;
  created_at: string;
  has_token: boolean;
  device_count: number;
}

export function toWireGateway(g: Gateway & { _count: { devices: number } }): WireGateway {
  return {
    gateway_id: g.gatewayId,
    name: g.name,
    created_at: g.createdAt.toISOString(),
    has_token: g.tokenHash !== null,
    device_count: g._count.devices,
  };
}
