import type { WireCommand } from "../lib/commands/wire.ts";
import { ID_PATTERN, MAX_ID_LENGTH } from "../lib/limits.ts";

// BoCloud's MQTT topics (README, "MQTT"). `me` is the connection's own device; a gateway (or a
// bridge) names its devices instead: v1/devices/<device_id>/….

export const ME = "me";
export const DATA_TOPIC = "bocloud/v1/data";
/** Where a connection learns why a publish of it was refused. */
export const ERRORS_TOPIC = "v1/devices/me/errors";

/** Who a topic is about: the connection's own device, or one named in it. */
export type DeviceRef = typeof ME | { id: string };

export type PublishTopic =
  | { kind: "telemetry"; device: DeviceRef }
  | { kind: "data" }
  | { kind: "rpc-response"; device: DeviceRef; commandId: bigint };

/** What a subscription filter lets a connection receive. */
export type SubscriptionTopic =
  | { kind: "errors" }
  /** Commands of one device: `me`, or one named. */
  | { kind: "commands"; device: DeviceRef }
  /** Commands of every device the gateway writes for: v1/devices/+/rpc/request/+. */
  | { kind: "commands"; device: "+" };

/** A device id as the ingest schema takes it (ID_PATTERN, at most MAX_ID_LENGTH). */
export const isDeviceId = (s: string) => s.length <= MAX_ID_LENGTH && ID_PATTERN.test(s);

function deviceRef(level: string): DeviceRef | null {
  if (level === ME) return ME;
  return isDeviceId(level) ? { id: level } : null;
}

const COMMAND_ID = /^[1-9]\d{0,17}$/;

/** The meaning of a topic a device publishes to, or null: not one of BoCloud's. */
export function publishTopic(topic: string): PublishTopic | null {
  if (topic === DATA_TOPIC) return { kind: "data" };
  const levels = topic.split("/");
  if (levels[0] !== "v1" || levels[1] !== "devices") return null;
  const device = deviceRef(levels[2] ?? "");
  if (!device) return null;
  if (levels.length === 4 && levels[3] === "telemetry") return { kind: "telemetry", device };
  if (
    levels.length === 6 &&
    levels[3] === "rpc" &&
    levels[4] === "response" &&
    COMMAND_ID.test(levels[5])
  ) {
    return { kind: "rpc-response", device, commandId: BigInt(levels[5]) };
  }
  return null;
}

/** The meaning of a subscription filter, or null: nothing BoCloud publishes. */
export function subscriptionTopic(filter: string): SubscriptionTopic | null {
  if (filter === ERRORS_TOPIC) return { kind: "errors" };
  const levels = filter.split("/");
  if (
    levels.length !== 6 ||
    levels[0] !== "v1" ||
    levels[1] !== "devices" ||
    levels[3] !== "rpc" ||
    levels[4] !== "request" ||
    levels[5] !== "+"
  ) {
    return null;
  }
  if (levels[2] === "+") return { kind: "commands", device: "+" };
  const device = deviceRef(levels[2]);
  return device ? { kind: "commands", device } : null;
}

/** The filter a subscription of the commands of `device` is made with. */
export function commandFilter(device: DeviceRef | "+"): string {
  return `v1/devices/${device === ME ? ME : device === "+" ? "+" : device.id}/rpc/request/+`;
}

/** Where a device named learns why a publish for it was refused (ERRORS_TOPIC for `me`). */
export function errorsTopic(device: DeviceRef): string {
  return device === ME ? ERRORS_TOPIC : `v1/devices/${device.id}/errors`;
}

/** What a command is published as: ThingsBoard's RPC request. */
export function commandPayload(command: WireCommand): string {
  return JSON.stringify({ method: command.name, params: command.params });
}

/** Where a command goes: to `me`, or to the device named. */
export function commandTopic(device: DeviceRef, commandId: number): string {
  return `v1/devices/${device === ME ? ME : device.id}/rpc/request/${commandId}`;
}
