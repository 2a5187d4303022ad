import type { Ref } from "react";
import type { WireReading } from "@/lib/reading.ts";
import { formatTime, formatValue } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";

/**
 * Readings in the order given, in a scrolling box (`ref`), with device and sensor columns or
 * without; with `onOpen` their names are buttons that open the device or sensor panel.
 * Values are rendered as text.
 */
export function ReadingsTable(props: {
  readings: WireReading[];
  showDevice?: boolean;
  showSensor?: boolean;
  onOpen?: (req: PanelRequest) => void;
  /** Shown below the table while there are no readings. */
  empty?: string;
  ref?: Ref<HTMLDivElement>;
  testId?: string;
}) {
  const { onOpen } = props;
  return (
    <div className="table-scroll" ref={props.ref} data-testid={props.testId}>
      <table className="readings">
        <thead>
          <tr>
            <th>Time</th>
            {props.showDevice && <th>Device</th>}
            {props.showSensor && <th>Sensor</th>}
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {props.readings.map((r) => (
            <tr key={r.id} data-reading-id={r.id}>
              <td className="time">{formatTime(r.ts)}</td>
              {props.showDevice && (
                <NameCell
                  name={r.device_id}
                  onClick={onOpen && (() => onOpen({ kind: "device", deviceId: r.device_id }))}
                />
              )}
              {props.showSensor && (
                <NameCell
                  name={r.sensor_type}
                  onClick={onOpen && (() => onOpen({ kind: "sensor", sensorId: r.sensor_id }))}
                />
              )}
              <td className={`value value-${typeof r.value}`}>{formatValue(r.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.empty && props.readings.length === 0 && <p className="empty">{props.empty}</p>}
    </div>
  );
}

function NameCell(props: { name: string; onClick?: () => void }) {
  return (
    <td>
      {props.onClick ? (
        <button type="button" className="link" onClick={props.onClick}>
          {props.name}
        </button>
      ) : (
        props.name
      )}
    </td>
  );
}

/** The union of two lists of readings, newest first (by measured time, then id), at most `limit`. */
export function mergeNewestFirst(a: WireReading[], b: WireReading[], limit: number): WireReading[] {
  const byId = new Map<number, WireReading>();
  for (const r of [...a, ...b]) byId.set(r.id, r);
  return [...byId.values()].sort((x, y) => y.ts.localeCompare(x.ts) || y.id - x.id).slice(0, limit);
}
