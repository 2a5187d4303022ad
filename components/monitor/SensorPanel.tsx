"use client";

import { useEffect, useMemo, useState } from "react";
import type { SensorDetail } from "@/lib/queries/find-sensor.ts";
import type { WireReading } from "@/lib/reading.ts";
import { fetchJson, formatTime, formatValue } from "./format.ts";
import { useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";
import { SensorChart } from "./SensorChart.tsx";

const WINDOWS = [
  { label: "5 min", ms: 5 * 60_000 },
  { label: "1 h", ms: 3_600_000 },
  { label: "24 h", ms: 86_400_000 },
  { label: "7 d", ms: 7 * 86_400_000 },
] as const;
const MAX_POINTS = 1000;

/** One sensor: a live chart over a chosen window for numbers, a table of values otherwise. */
export function SensorPanel(props: { sensorId: number; onClose: () => void }) {
  const { sensorId } = props;
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[1].ms);
  const [sensor, setSensor] = useState<SensorDetail | null>(null);
  const [readings, setReadings] = useState<WireReading[]>([]); // oldest first
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    const from = Date.now() - windowMs;
    fetchJson<{ sensor: SensorDetail; readings: WireReading[] }>(
      `/api/fetch/sensor?id=${sensorId}&from=${from}&limit=${MAX_POINTS}`,
      abort.signal,
    ).then(
      (body) => {
        setSensor(body.sensor);
        setReadings((live) => mergeOldestFirst([...body.readings].reverse(), live, from));
      },
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    return () => abort.abort();
  }, [sensorId, windowMs]);

  useLiveReadings((batch) => {
    const mine = batch.filter((r) => r.sensor_id === sensorId);
    if (mine.length > 0) setReadings((rs) => mergeOldestFirst(rs, mine, Date.now() - windowMs));
  });

  const numeric = typeof (readings.at(-1)?.value ?? sensor?.latest?.value) === "number";
  const series = useMemo(() => {
    const points = readings.filter((r) => typeof r.value === "number");
    return {
      times: points.map((r) => Date.parse(r.ts) / 1000),
      values: points.map((r) => r.value as number),
    };
  }, [readings]);

  const title = sensor ? `${sensor.device_id} / ${sensor.type}` : `Sensor ${sensorId}`;
  return (
    <PanelFrame label={`Sensor ${title}`} title={title} onClose={props.onClose}>
      {error && <p className="error">{error}</p>}
      <fieldset className="window-choice">
        <legend className="sr-only">Time window</legend>
        {WINDOWS.map((w) => (
          <button
            key={w.label}
            type="button"
            className="toggle"
            aria-pressed={w.ms === windowMs}
            onClick={() => setWindowMs(w.ms)}
          >
            {w.label}
          </button>
        ))}
        {readings.length > 0 && (
          <span className="muted latest">
            Latest:{" "}
            <strong data-testid="sensor-latest">
              {formatValue(readings[readings.length - 1].value)}
            </strong>
          </span>
        )}
      </fieldset>
      {numeric ? (
        <SensorChart times={series.times} values={series.values} label={title} />
      ) : (
        <div className="table-scroll">
          <table className="readings">
            <thead>
              <tr>
                <th>Time</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {[...readings].reverse().map((r) => (
                <tr key={r.id}>
                  <td className="time">{formatTime(r.ts)}</td>
                  <td className={`value value-${typeof r.value}`}>{formatValue(r.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </PanelFrame>
  );
}

function mergeOldestFirst(a: WireReading[], b: WireReading[], fromMs: number): WireReading[] {
  const byId = new Map<number, WireReading>();
  for (const r of [...a, ...b]) if (Date.parse(r.ts) >= fromMs) byId.set(r.id, r);
  const merged = [...byId.values()].sort((x, y) => x.ts.localeCompare(y.ts) || x.id - y.id);
  return merged.length > MAX_POINTS * 2 ? merged.slice(merged.length - MAX_POINTS * 2) : merged;
}
