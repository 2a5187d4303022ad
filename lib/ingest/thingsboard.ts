import { z } from "zod";
import { type IngestItem, oneOrBatch, sensors, timestamp } from "./schema.ts";

// ThingsBoard's telemetry payloads (MQTT v1/devices/me/telemetry), so a device on ThingsBoard's
// SDKs moves to BoCloud by changing host and token:
//   {"temperature": 21.5, "humidity": 48}
//   {"ts": 1700000000000, "values": {"temperature": 21.5}}
//   an array of either
// Each becomes the IngestItem of POST /api/data, with the same limits and the same errors.

const timestamped = z.strictObject({ ts: timestamp.optional(), values: sensors });
const plain = sensors.transform((values) => ({ values, ts: undefined }));

/** Dispatched on "values" first, so an error points at the fields of the form meant. */
const telemetryEntry = z.unknown().transform((v, ctx) => {
  const form = typeof v === "object" && v !== null && "values" in v ? timestamped : plain;
  const result = form.safeParse(v);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ ...issue, code: "custom", message: issue.message });
  return z.NEVER;
});

export const telemetrySchema = oneOrBatch(telemetryEntry);

/** ThingsBoard telemetry of one device as the readings POST /api/data would take. */
export function telemetryItems(
  deviceId: string,
  entries: z.output<typeof telemetrySchema>,
): IngestItem[] {
  return entries.map((e) => ({ device_id: deviceId, sensors: e.values, ts: e.ts }));
}
