import type { WireReading } from "@/lib/reading.ts";
import { formatTime, formatValue } from "./format.ts";

/** Readings newest first, with a sensor column or without; values rendered as text. */
export function ReadingsTable(props: { readings: WireReading[]; showSensor?: boolean }) {
  return (
    <div className="table-scroll">
      <table className="readings">
        <thead>
          <tr>
            <th>Time</th>
            {props.showSensor && <th>Sensor</th>}
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {props.readings.map((r) => (
            <tr key={r.id} data-reading-id={r.id}>
              <td className="time">{formatTime(r.ts)}</td>
              {props.showSensor && <td>{r.sensor_type}</td>}
              <td className={`value value-${typeof r.value}`}>{formatValue(r.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The union of two lists of readings, newest first (by measured time, then id), at most `limit`. */
export function mergeNewestFirst(a: WireReading[], b: WireReading[], limit: number): WireReading[] {
  const byId = new Map<number, WireReading>();
  for (const r of [...a, ...b]) byId.set(r.id, r);
  return [...byId.values()].sort((x, y) => y.ts.localeCompare(x.ts) || y.id - x.id).slice(0, limit);
}
