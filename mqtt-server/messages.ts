import { ApiError } from "../lib/api/errors.ts";
import { parseWith } from "../lib/api/parse.ts";
import { authorizeDevices } from "../lib/auth/device-principal.ts";
import type { WireCommand } from "../lib/commands/wire.ts";
import { ackSchema } from "../lib/devices/schemas.ts";
import { forbidden } from "../lib/errors.ts";
import { ingest } from "../lib/ingest/ingest.ts";
import { parseJson } from "../lib/ingest/json.ts";
import { ingestBodySchema } from "../lib/ingest/schema.ts";
import { telemetryItems, telemetrySchema } from "../lib/ingest/thingsboard.ts";
import { MAX_BODY_BYTES, MAX_JSON_BODY_BYTES } from "../lib/limits.ts";
import { publishCommands } from "../lib/publish.ts";
import { acknowledgeCommand } from "../lib/queries/commands.ts";
import type { StoredRequest } from "../lib/queries/store-readings.ts";
import type { Identity } from "./identity.ts";
import { type DeviceRef, ME, publishTopic } from "./topics.ts";

export type Handled =
  | { kind: "stored"; stored: StoredRequest }
  | { kind: "acknowledged"; command: WireCommand };

const shown = (topic: string) => (topic.length > 120 ? `${topic.slice(0, 120)}…` : topic);

function deviceOf(ref: DeviceRef, identity: Identity): string {
  if (ref !== ME) return ref.id;
  if (identity.me) return identity.me;
  throw forbidden(
    "Only a device's own token has a v1/devices/me/…: name the device, v1/devices/<device_id>/….",
  );
}

/** A device's answer to a command: a JSON result (succeeded), or {"error": …} (failed). */
export function commandAnswer(payload: Buffer): {
  status: "succeeded" | "failed";
  result: unknown;
} {
  if (payload.length > MAX_JSON_BODY_BYTES)
    throw new ApiError(
      "payload_too_large",
      `A command's answer is at most ${MAX_JSON_BODY_BYTES} bytes.`,
    );
  if (payload.length === 0) return { status: "succeeded", result: null };
  const result = parseJson(payload, "payload");
  const failed = typeof result === "object" && result !== null && "error" in result;
  // The same rules as an answer over HTTP (no NUL: PostgreSQL's jsonb cannot hold it).
  return parseWith(ackSchema, { status: failed ? "failed" : "succeeded", result }, "payload") as {
    status: "succeeded" | "failed";
    result: unknown;
  };
}

/**
 * One message a device published, whatever carried it (BoCloud's own listener or an upstream
 * broker): validated like POST /api/data and stored through the one store path, or a command's
 * answer recorded. Resolves once it is committed; a refusal throws (a DomainError, or an
 * ApiError for a payload too large).
 */
export async function handleMessage(
  identity: Identity,
  topic: string,
  payload: Buffer,
): Promise<Handled> {
  const target = publishTopic(topic);
  if (!target) {
    throw forbidden(
      `"${shown(topic)}" is not a topic BoCloud takes: publish to v1/devices/me/telemetry, ` +
        "bocloud/v1/data or v1/devices/me/rpc/response/<command id>.",
    );
  }
  if (target.kind === "rpc-response") {
    const deviceId = deviceOf(target.device, identity);
    const answer = commandAnswer(payload);
    await authorizeDevices(identity.principal, [deviceId]);
    const command = await acknowledgeCommand(deviceId, target.commandId, answer);
    await publishCommands([command]);
    return { kind: "acknowledged", command };
  }
  if (payload.length > MAX_BODY_BYTES)
    throw new ApiError("payload_too_large", `The payload is larger than ${MAX_BODY_BYTES} bytes.`);
  const json = parseJson(payload, "payload");
  const items =
    target.kind === "data"
      ? parseWith(ingestBodySchema, json, "payload")
      : telemetryItems(
          deviceOf(target.device, identity),
          parseWith(telemetrySchema, json, "payload"),
        );
  return { kind: "stored", stored: await ingest(identity.principal, items) };
}
