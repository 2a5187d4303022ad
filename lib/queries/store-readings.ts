import type { WireCommand } from "../commands/wire.ts";
import { pool } from "../db.ts";
import { DomainError, forbidden } from "../errors.ts";
import { type StatusEvent, statusEvent } from "../events.ts";
import type { IngestItem } from "../ingest/schema.ts";
import { storedValue, type WireReading } from "../reading.ts";
import { type CommandJson, commandFromJson } from "./take-pending-commands.ts";

/** Who writes a request, as the store statement checks it. */
export type StoreAuth =
  | { kind: "open" }
  /** The SHA-256 of a device or gateway token: looked up in the statement itself. */
  | { kind: "token"; tokenHash: string }
  /** Already authenticated (the MQTT listener checked the token on connect). */
  | { kind: "device"; deviceId: string }
  | { kind: "gateway"; gatewayId: string };

export interface StoreRequest {
  auth: StoreAuth;
  items: IngestItem[];
  receivedAt: Date;
}

/** What one request stored: its readings in id order and the commands it took. */
export interface StoredRequest {
  readings: WireReading[];
  commands: WireCommand[];
}

export type StoreOutcome = { stored: StoredRequest } | { refused: DomainError };

export interface StoredBatch {
  outcomes: StoreOutcome[];
  /** Every reading the batch stored, in id order, and the status changes it caused. */
  readings: WireReading[];
  cameOnline: StatusEvent[];
  commands: WireCommand[];
}

type Failure =
  | { kind: "unauthorized" }
  | { kind: "forbidden"; device: string; gateway?: string }
  | { kind: "missing"; device: string };

interface StoreResult {
  failures: (Failure | null)[];
  devices: { device_id: string; old_status: string | null }[];
  ids: number[];
  sensor_ids: number[];
  commands: CommandJson[];
}

function refusal(f: Failure): DomainError {
  switch (f.kind) {
    case "unauthorized":
      return new DomainError(
        "unauthorized",
        "The token is not valid (revoked, rotated or mistyped).",
      );
    case "missing":
      return forbidden(`Device "${f.device}" is not registered.`);
    case "forbidden":
      return forbidden(
        f.gateway
          ? `Gateway "${f.gateway}" may not act for device "${f.device}".`
          : `This token may not act for device "${f.device}".`,
      );
  }
}

const STORE_SQL = "SELECT bocloud_store($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS result";

/**
 * Stores a batch of requests in one statement and one transaction (the SQL function
 * bocloud_store): each request is authorised on its own, and one that may not write is refused
 * while the others are stored. Devices are marked seen and online (registered in open mode),
 * sensors created on first use, pending commands taken. Reading ids become final in id order
 * without a global lock: see bocloud_reading_horizon.
 */
export async function storeRequests(requests: StoreRequest[]): Promise<StoredBatch> {
  const credential = requests.map(({ auth }) =>
    auth.kind === "token"
      ? auth.tokenHash
      : auth.kind === "device"
        ? auth.deviceId
        : auth.kind === "gateway"
          ? auth.gatewayId
          : null,
  );
  const rows = requests.flatMap((request, i) =>
    request.items.flatMap((item) =>
      Object.entries(item.sensors).map(([type, value]) => ({ req: i + 1, item, type, value })),
    ),
  );
  const values = storedValueColumns(rows.map((r) => r.value));
  const { rows: result } = await pool.query<{ result: StoreResult }>({
    name: "bocloud_store",
    text: STORE_SQL,
    values: [
      requests.map((r) => r.auth.kind),
      credential,
      // Times as ISO strings: pg's own Date formatting costs more than the insert of the row.
      requests.map((r) => r.receivedAt.toISOString()),
      rows.map((r) => r.req),
      rows.map((r) => r.item.device_id),
      rows.map((r) => r.type),
      values.num,
      values.text,
      values.bool,
      rows.map((r) => r.item.ts?.toISOString() ?? null),
    ],
  });
  return outcomes(requests, rows, result[0].result);
}

function storedValueColumns(values: IngestItem["sensors"][string][]) {
  const columns = values.map(storedValue);
  return {
    num: columns.map((c) => c.num_value),
    text: columns.map((c) => c.text_value),
    bool: columns.map((c) => c.bool_value),
  };
}

/** Hands each request its readings (the stored ones come back in input order) and commands. */
function outcomes(
  requests: StoreRequest[],
  rows: { req: number; item: IngestItem; type: string; value: WireReading["value"] }[],
  result: StoreResult,
): StoredBatch {
  const perRequest: WireReading[][] = requests.map(() => []);
  let next = 0;
  for (const row of rows) {
    if (result.failures[row.req - 1]) continue;
    const ts = (row.item.ts ?? requests[row.req - 1].receivedAt).toISOString();
    perRequest[row.req - 1].push({
      id: result.ids[next],
      device_id: row.item.device_id,
      sensor_id: result.sensor_ids[next],
      sensor_type: row.type,
      value: row.value,
      ts,
    });
    next++;
  }
  // A command goes to the first stored request that names its device.
  const commands = result.commands.map(commandFromJson);
  const commandsOf: WireCommand[][] = requests.map(() => []);
  for (const command of commands) {
    const owner = requests.findIndex(
      (r, i) => !result.failures[i] && r.items.some((item) => item.device_id === command.device_id),
    );
    if (owner >= 0) commandsOf[owner].push(command);
  }
  const seenAt = new Map<string, Date>();
  requests.forEach((r, i) => {
    if (result.failures[i]) return;
    for (const item of r.items) {
      const seen = seenAt.get(item.device_id);
      if (!seen || seen < r.receivedAt) seenAt.set(item.device_id, r.receivedAt);
    }
  });
  return {
    outcomes: requests.map((_, i) => {
      const failure = result.failures[i];
      return failure
        ? { refused: refusal(failure) }
        : { stored: { readings: perRequest[i], commands: commandsOf[i] } };
    }),
    readings: perRequest.flat().sort((a, b) => a.id - b.id),
    cameOnline: result.devices
      .filter((d) => d.old_status !== "online")
      .map((d) => statusEvent(d.device_id, "online", seenAt.get(d.device_id) ?? new Date())),
    commands,
  };
}
