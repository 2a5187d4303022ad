import type { WireReading } from "../reading.ts";

export const CSV_HEADER = "id,device_id,sensor_id,sensor_type,value,value_type,ts\r\n";

/**
 * Text a spreadsheet would run as a formula (= + - @, and tab / carriage return, which some
 * spreadsheets skip before one) gets a leading apostrophe, and so does text that already
 * starts with one, so that the rule can be undone: in a string value of the CSV, drop one
 * leading ' to get what the device sent. Spreadsheets show such a cell as the text itself.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One reading as a CSV record (CRLF-terminated) with the columns of CSV_HEADER. */
export function csvRecord(r: WireReading): string {
  const valueType = typeof r.value as "number" | "string" | "boolean";
  const value =
    typeof r.value === "string" ? csvField(neutraliseFormula(r.value)) : String(r.value);
  // device_id and sensor_type are identifiers (letters, digits and . _ : -, starting with a
  // letter or digit): nothing to quote or neutralise.
  return `${r.id},${r.device_id},${r.sensor_id},${r.sensor_type},${value},${valueType},${r.ts}\r\n`;
}
