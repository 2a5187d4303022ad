// The one wire format of a reading: what POST /api/data answers with, what is published on
// Redis and what /api/stream sends as an event's data.

export type ReadingValue = number | string | boolean;

export interface WireReading {
  id: number;
  device_id: string;
  sensor_id: number;
  sensor_type: string;
  value: ReadingValue;
  /** When the device measured it, ISO-8601 UTC with milliseconds. */
  ts: string;
}

/** The value columns of a `readings` row, exactly one of which is set. */
export interface StoredValue {
  num_value: number | null;
  text_value: string | null;
  bool_value: boolean | null;
}

export function storedValue(value: ReadingValue): StoredValue {
  return {
    num_value: typeof value === "number" ? value : null,
    text_value: typeof value === "string" ? value : null,
    bool_value: typeof value === "boolean" ? value : null,
  };
}

export function readingValueOf(row: StoredValue): ReadingValue {
  if (row.num_value !== null) return row.num_value;
  if (row.text_value !== null) return row.text_value;
  if (row.bool_value !== null) return row.bool_value;
  throw new Error("reading row has no value");
}

/** A row of the readings query used everywhere a WireReading is built from the database. */
export interface ReadingRow extends StoredValue {
  id: bigint;
  device_id: string;
  sensor_id: bigint;
  sensor_type: string;
  ts: Date;
}

export function toWire(row: ReadingRow): WireReading {
  return {
    id: Number(row.id),
    device_id: row.device_id,
    sensor_id: Number(row.sensor_id),
    sensor_type: row.sensor_type,
    value: readingValueOf(row),
    ts: row.ts.toISOString(),
  };
}
