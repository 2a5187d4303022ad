"use client";

import { useEffect, useState } from "react";
import type { SensorSummary } from "@/lib/queries/find-device.ts";
import { DeviceSelect } from "../devices/DeviceSelect.tsx";
import { useDevices } from "../devices/use-devices.ts";
import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { fetchJson } from "./format.ts";
import { PanelFrame } from "./PanelFrame.tsx";
import { RangeControls } from "./RangeControls.tsx";
import { TimeSeriesChart } from "./TimeSeriesChart.tsx";
import { type ChartRange, useAggregates } from "./use-aggregates.ts";

const MAX_COMPARED = 8;

/** Several numeric sensors, from any devices, on one chart. */
export function ComparePanel(props: {
  sensorIds: number[];
  onChange: (sensorIds: number[]) => void;
  onClose: () => void;
}) {
  const [range, setRange] = useState<ChartRange>({ live: true, windowMs: 3_600_000 });
  const chart = useAggregates(props.sensorIds, range, 600);
  const { devices } = useDevices();
  const [device, setDevice] = useState("");
  const [sensors, setSensors] = useState<SensorSummary[]>([]);
  const [sensor, setSensor] = useState("");

  useEffect(() => {
    if (!device) return setSensors([]);
    fetchJson<{ device: { sensors: SensorSummary[] } }>(
      `/api/fetch/device?id=${encodeURIComponent(device)}&limit=1`,
    ).then(
      (b) => setSensors(b.device.sensors.filter((s) => typeof s.latest?.value === "number")),
      () => setSensors([]),
    );
  }, [device]);

  const add = () => {
    const id = Number(sensor);
    if (id && !props.sensorIds.includes(id) && props.sensorIds.length < MAX_COMPARED)
      props.onChange([...props.sensorIds, id]);
  };

  return (
    <PanelFrame label="Compare" title="Compare" onClose={props.onClose}>
      {chart.error && <p className="error">{chart.error}</p>}
      <div className="chart-header">
        <RangeControls range={range} onChange={setRange} />
      </div>
      <div className="command-form">
        <DeviceSelect
          devices={devices}
          value={device}
          placeholder="choose…"
          onChange={(chosen) => {
            // The sensors of the device chosen before are not this one's.
            setSensors([]);
            setSensor("");
            setDevice(chosen);
          }}
        />
        <ChoiceSelect
          label="Sensor"
          choices={sensors.map((s) => ({ value: String(s.id), label: s.type }))}
          value={sensor}
          onChange={setSensor}
          placeholder="choose…"
        />
        <button
          type="button"
          onClick={add}
          disabled={!sensor || props.sensorIds.length >= MAX_COMPARED}
        >
          Add to chart
        </button>
      </div>
      <ul className="legend">
        {chart.series.map((s, i) => (
          <li key={s.name}>
            <span className="swatch" style={{ background: s.color }} />
            {s.name}
            <button
              type="button"
              className="panel-close"
              aria-label={`Remove ${s.name}`}
              onClick={() => props.onChange(props.sensorIds.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {props.sensorIds.length > 0 ? (
        <TimeSeriesChart
          series={chart.series}
          label="compared sensors"
          onZoom={(from, to) => setRange({ live: false, from, to })}
        />
      ) : (
        <p className="empty">Add sensors to compare them.</p>
      )}
    </PanelFrame>
  );
}
