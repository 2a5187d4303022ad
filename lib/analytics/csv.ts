import type { WireReading } from "../reading.ts";

export const CSV_HEADER = "id,device_id,sensor_id,sensor_type,value,value_type,ts\r\n";

/**
 * Text a spreadsheet would run as a formula (= + - @, and tab / carriage return, which some
 * spreadsheets skip before one) gets an apostrophe before it, and so does an apostrophe, so
 * that the rule can be undone. This holds at the start of the text and after each character
 * a reader may start a new cell or row at (, ; tab CR LF): a reader that splits on `;` sees
 * `x;=cmd` as two cells. To get what the device sent from a string value of the CSV, drop one
 * ' at its start and after each of those characters. Spreadsheets show such a cell as text.
 */
export function neutraliseFormula(text: string): string {
  return text.replace(/(?<=^|[,;\t\r\n])(?=[=+\-@\t\r'])/g, "'");
}

/**
 * RFC 4180 quoting, for the separators of every locale: a field with a comma, a semicolon, a
 * tab, a quote or a line break is quoted, its quotes doubled.
 */
export function csvField(text: string): string {
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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
