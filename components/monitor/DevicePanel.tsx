"use client";

import type { DeviceSummary, SensorSummary } from "@/lib/queries/find-device.ts";
import type { WireReading } from "@/lib/reading.ts";
import { ExportLinks } from "./ExportLinks.tsx";
import { formatAgo, formatValue } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";
import { PanelFrame } from "./PanelFrame.tsx";
import { ReadingsTable } from "./ReadingsTable.tsx";
import { useHistoryThenLive } from "./use-history-then-live.ts";

const RECENT = 50;

type DeviceHistory = { device: DeviceSummary; readings: WireReading[] };

/** One device: its sensors with their latest values, and its recent readings, live. */
export function DevicePanel(props: {
  deviceId: string;
  onOpen: (req: PanelRequest) => void;
  onClose: () => void;
}) {
  const { deviceId } = props;
  const { body, readings, error } = useHistoryThenLive<DeviceHistory>(
    `/api/fetch/device?id=${encodeURIComponent(deviceId)}&limit=${RECENT}`,
    (r) => r.device_id === deviceId,
    RECENT,
    (b, mine) => ({ ...b, device: withLatest(b.device, mine) }),
  );
  const device = body?.device;

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
