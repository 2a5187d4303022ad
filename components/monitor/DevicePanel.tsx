"use client";

import { useEffect, useState } from "react";
import type { DeviceSummary, SensorSummary } from "@/lib/queries/find-device.ts";
import type { WireReading } from "@/lib/reading.ts";
import { ExportLinks } from "./ExportLinks.tsx";
import { fetchJson, formatAgo, formatValue } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";
import { useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";
import { mergeNewestFirst, ReadingsTable } from "./ReadingsTable.tsx";

const RECENT = 50;

/** One device: its sensors with their latest values, and its recent readings, live. */
export function DevicePanel(props: {
  deviceId: string;
  onOpen: (req: PanelRequest) => void;
  onClose: () => void;
}) {
  const { deviceId } = props;
  const [device, setDevice] = useState<DeviceSummary | null>(null);
  const [readings, setReadings] = useState<WireReading[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<{ device: DeviceSummary; readings: WireReading[] }>(
      `/api/fetch/device?id=${encodeURIComponent(deviceId)}&limit=${RECENT}`,
      abort.signal,
    ).then(
      (body) => {
        setDevice(body.device);
        // Live readings may have arrived before the history: merge by id.
        setReadings((live) => mergeNewestFirst(live, body.readings, RECENT));
      },
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    return () => abort.abort();
  }, [deviceId]);

  useLiveReadings((batch) => {
    const mine = batch.filter((r) => r.device_id === deviceId);
    if (mine.length === 0) return;
    setReadings((rs) => mergeNewestFirst(rs, mine, RECENT));
    setDevice((d) => (d ? withLatest(d, mine) : d));
  });

  return (
    <PanelFrame
      label={`Device ${deviceId}`}
      title={<>Device: {device?.name ?? deviceId}</>}
      onClose={props.onClose}
      actions={
        <ExportLinks
          query={`device=${encodeURIComponent(deviceId)}`}
          label={`device ${deviceId}`}
        />
      }
    >
      {error && <p className="error">{error}</p>}
      {device && (
        <p className="muted">
          Last seen {formatAgo(device.last_seen_at)} · {device.sensors.length} sensors
        </p>
      )}
      <ul className="sensor-tiles">
        {device?.sensors.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              className="tile"
              onClick={() => props.onOpen({ kind: "sensor", sensorId: s.id })}
            >
              <span className="tile-name">{s.type}</span>
              <span className="tile-value" data-testid={`latest-${s.type}`}>
                {s.latest ? formatValue(s.latest.value) : "—"}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <ReadingsTable readings={readings} showSensor />
    </PanelFrame>
  );
}

function withLatest(device: DeviceSummary, readings: WireReading[]): DeviceSummary {
  const sensors: SensorSummary[] = [...device.sensors];
  for (const r of readings) {
    const i = sensors.findIndex((s) => s.id === r.sensor_id);
    const latest = { id: r.id, value: r.value, ts: r.ts };
    if (i < 0) sensors.push({ id: r.sensor_id, type: r.sensor_type, created_at: r.ts, latest });
    else if (!sensors[i].latest || sensors[i].latest.ts <= r.ts)
      sensors[i] = { ...sensors[i], latest };
  }
  sensors.sort((x, y) => x.type.localeCompare(y.type));
  return { ...device, sensors, last_seen_at: new Date().toISOString() };
}
