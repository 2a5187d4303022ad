import { authorizeDevices, type DevicePrincipal, rateKeys } from "../auth/device-principal.ts";
import { commandEvents, publishEvents, publishReadings } from "../publish.ts";
import { type StoredRequest, storeReadings } from "../queries/store-readings.ts";
import { limitIngest } from "../rate-limit.ts";
import type { IngestItem } from "./schema.ts";

/**
 * The one way readings come in, whatever carried them: the principal must own every device
 * named, within its rate; then the readings are stored (one statement) and, once committed,
 * published for live viewers with the status and command changes they caused.
 */
export async function ingest(
  principal: DevicePrincipal,
  items: IngestItem[],
): Promise<StoredRequest> {
  const deviceIds = items.map((i) => i.device_id);
  await authorizeDevices(principal, deviceIds);
  await limitIngest(rateKeys(principal, deviceIds));
  const stored = await storeReadings(items, { register: principal.kind === "open" });
  await Promise.all([
    publishReadings(stored.readings),
    publishEvents([...stored.cameOnline, ...commandEvents(stored.commands)]),
  ]);
  return stored;
}
