import type { DeviceCredential, DevicePrincipal } from "../auth/device-principal.ts";
import { hashToken } from "../auth/tokens.ts";
import { config } from "../config.ts";
import type { StoreAuth, StoredRequest } from "../queries/store-readings.ts";
import { limitIngest } from "../rate-limit.ts";
import type { IngestItem } from "./schema.ts";
import { StoreQueue } from "./store-queue.ts";

/** Who writes: a device's credential as it came (HTTP), or a principal already checked (MQTT). */
export type Writer = DeviceCredential | DevicePrincipal;

let queue: StoreQueue | undefined;
const storeQueue = () =>
  (queue ??= new StoreQueue({
    maxInFlight: config().STORE_MAX_IN_FLIGHT,
    maxReadings: config().STORE_MAX_READINGS,
  }));

function storeAuth(writer: Writer): StoreAuth {
  switch (writer.kind) {
    case "open":
      return writer;
    case "token":
      return { kind: "token", tokenHash: hashToken(writer.token) };
    case "device":
      return { kind: "device", deviceId: writer.deviceId };
    case "gateway":
      return { kind: "gateway", gatewayId: writer.gatewayId };
  }
}

/** Whose rate a request counts against: the token or principal, or (open mode) each device. */
function rateKeys(auth: StoreAuth, items: IngestItem[]): { key: string; label: string }[] {
  switch (auth.kind) {
    case "token":
      // Each token belongs to one device or gateway: its hash names it without a lookup.
      return [{ key: `token ${auth.tokenHash.slice(0, 24)}`, label: "This token" }];
    case "device":
      return [{ key: `device ${auth.deviceId}`, label: `Device "${auth.deviceId}"` }];
    case "gateway":
      return [{ key: `gateway ${auth.gatewayId}`, label: `Gateway "${auth.gatewayId}"` }];
    case "open":
      return [...new Set(items.map((i) => i.device_id))].map((id) => ({
        key: `device ${id}`,
        label: `Device "${id}"`,
      }));
  }
}

/**
 * The one way readings come in, whatever carried them: within the writer's rate, the readings
 * are stored with those of every other request of this process under way (one statement, in
 * which the writer must own every device named), and published for live viewers once
 * committed. Resolves with what was stored, or rejects with the request's own refusal.
 */
export async function ingest(writer: Writer, items: IngestItem[]): Promise<StoredRequest> {
  const receivedAt = new Date();
  const auth = storeAuth(writer);
  limitIngest(rateKeys(auth, items));
  return storeQueue().store({ auth, items, receivedAt });
}
