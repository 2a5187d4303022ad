import { csvField, neutraliseFormula } from "../analytics/csv.ts";
import type { ReadingValue } from "../reading.ts";
import type { WireAlarm } from "./wire.ts";

// The alarm history as CSV (RFC 4180, CRLF), with the same care as the readings' export: text
// that a spreadsheet would run as a formula gets a leading ' (see neutraliseFormula).

const COLUMNS = [
  "id",
  "rule_id",
  "rule_name",
  "kind",
  "severity",
  "status",
  "device_id",
  "sensor_id",
  "sensor_type",
  "count",
  "first_value",
  "last_value",
  "started_ts",
  "last_ts",
  "cleared_ts",
  "raised_at",
  "acknowledged_at",
  "acknowledged_by",
  "ack_note",
  "cleared_at",
  "cleared_by",
  "clear_note",
] as const satisfies readonly (keyof WireAlarm)[];

export const ALARM_CSV_HEADER = `${COLUMNS.join(",")}\r\n`;

function field(v: ReadingValue | null): string {
  if (v === null) return "";
  return typeof v === "string" ? csvField(neutraliseFormula(v)) : String(v);
}

export function alarmCsvRecord(a: WireAlarm): string {
  return `${COLUMNS.map((c) => field(a[c])).join(",")}\r\n`;
}
