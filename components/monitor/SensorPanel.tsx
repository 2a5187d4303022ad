"use client";

import { useEffect, useState } from "react";
import type { SensorDetail } from "@/lib/queries/find-sensor.ts";
import type { WireReading } from "@/lib/reading.ts";
import { ExportLinks } from "./ExportLinks.tsx";
import { fetchJson, formatValue } from "./format.ts";
import { useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";
import { RangeControls, rangeQuery } from "./RangeControls.tsx";
import { mergeNewestFirst, ReadingsTable } from "./ReadingsTable.tsx";
import { TimeSeriesChart } from "./TimeSeriesChart.tsx";
import { type ChartRange, useAggregates } from "./use-aggregates.ts";

const TABLE_ROWS = 200;
/** About one point per pixel of a typical panel. */
const CHART_POINTS = 600;

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
  const [sensor, setSensor] = useState<SensorDetail | null>(null);
  const [recent, setRecent] = useState<WireReading[]>([]); // newest first
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<{ sensor: SensorDetail; readings: WireReading[] }>(
      `/api/fetch/sensor?id=${sensorId}&limit=${TABLE_ROWS}`,
      abort.signal,
    ).then(
      (body) => {
        setSensor(body.sensor);
        setRecent((live) => mergeNewestFirst(live, body.readings, TABLE_ROWS));
      },
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    return () => abort.abort();
  }, [sensorId]);

  useLiveReadings((batch) => {
    const mine = batch.filter((r) => r.sensor_id === sensorId);
    if (mine.length > 0) setRecent((rs) => mergeNewestFirst(rs, mine, TABLE_ROWS));
  });

  const latest = recent[0]?.value ?? sensor?.latest?.value;
  const numeric = typeof latest === "number";
  const chart = useAggregates(numeric ? [sensorId] : [], range, CHART_POINTS);
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
