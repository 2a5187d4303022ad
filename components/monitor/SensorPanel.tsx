"use client";

import { useState } from "react";
import type { SensorDetail } from "@/lib/queries/find-sensor.ts";
import type { WireReading } from "@/lib/reading.ts";
import { useAlarmMarks } from "../alarms/use-alarm-marks.ts";
import { ExportLinks } from "./ExportLinks.tsx";
import { formatValue } from "./format.ts";
import { PanelFrame } from "./PanelFrame.tsx";
import { RangeControls, rangeQuery } from "./RangeControls.tsx";
import { ReadingsTable } from "./ReadingsTable.tsx";
import { TimeSeriesChart } from "./TimeSeriesChart.tsx";
import { type ChartRange, useAggregates } from "./use-aggregates.ts";
import { useHistoryThenLive } from "./use-history-then-live.ts";

const TABLE_ROWS = 200;
/** About one point per pixel of a typical panel. */
const CHART_POINTS = 600;

type SensorHistory = { sensor: SensorDetail; readings: WireReading[] };

/**
 * One sensor: for numbers a chart at the resolution of its range (buckets with a min–max band,
 * or raw points when zoomed in far enough; drag across it to zoom), for strings and booleans a
 * table of values. Both follow live readings.
 */
export function SensorPanel(props: {
  sensorId: number;
  onClose: () => void;
  onCompare: (sensorId: number) => void;
}) {
  const { sensorId } = props;
  const [range, setRange] = useState<ChartRange>({ live: true, windowMs: 3_600_000 });
  const {
    body,
    readings: recent,
    error,
  } = useHistoryThenLive<SensorHistory>(
    `/api/fetch/sensor?id=${sensorId}&limit=${TABLE_ROWS}`,
    (r) => r.sensor_id === sensorId,
    TABLE_ROWS,
  );
  const sensor = body?.sensor;

  const latest = recent[0]?.value ?? sensor?.latest?.value;
  const numeric = typeof latest === "number";
  const chart = useAggregates(numeric ? [sensorId] : [], range, CHART_POINTS);
  const marks = useAlarmMarks(sensorId, range);
  const title = sensor ? `${sensor.device_id} / ${sensor.type}` : `Sensor ${sensorId}`;

  return (
    <PanelFrame
      label={`Sensor ${title}`}
      title={title}
      onClose={props.onClose}
      actions={
        <>
          {numeric && (
            <button type="button" onClick={() => props.onCompare(sensorId)}>
              Compare
            </button>
          )}
          <ExportLinks query={`sensor=${sensorId}&${rangeQuery(range)}`} label={title} />
        </>
      }
    >
      {(error || chart.error) && <p className="error">{error ?? chart.error}</p>}
      <div className="chart-header">
        <RangeControls range={range} onChange={setRange} />
        {latest !== undefined && (
          <span className="muted latest">
            Latest: <strong data-testid="sensor-latest">{formatValue(latest)}</strong>
          </span>
        )}
      </div>
      {numeric ? (
        <TimeSeriesChart
          series={chart.series}
          label={title}
          onZoom={(from, to) => setRange({ live: false, from, to })}
          marks={marks}
          attributes={{
            resolution: chart.meta?.series[0]?.resolution ?? "",
            "bucket-ms": chart.meta?.series[0]?.bucket_ms ?? 0,
          }}
        />
      ) : (
        <ReadingsTable readings={recent} />
      )}
    </PanelFrame>
  );
}
