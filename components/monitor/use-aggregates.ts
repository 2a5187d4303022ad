"use client";

import { useEffect, useState } from "react";
import type { Aggregates, Series } from "@/lib/analytics/aggregates.ts";
import type { WireReading } from "@/lib/reading.ts";
import { fetchJson } from "./format.ts";
import { useLiveReadings } from "./live-context.tsx";
import type { ChartSeries } from "./TimeSeriesChart.tsx";

/** What a chart shows: the last `windowMs` up to now (following live readings), or a fixed range. */
export type ChartRange =
  | { live: true; windowMs: number }
  | { live: false; from: number; to: number };

export const WINDOWS = [
  { label: "5 min", ms: 5 * 60_000 },
  { label: "1 h", ms: 3_600_000 },
  { label: "24 h", ms: 86_400_000 },
  { label: "7 d", ms: 7 * 86_400_000 },
] as const;

const COLORS = [
  "#3fb68b",
  "#79c0ff",
  "#d2a8ff",
  "#e3b341",
  "#ff7b72",
  "#56d4dd",
  "#f778ba",
  "#a5d6ff",
];
const seriesColor = (i: number) => COLORS[i % COLORS.length];

/** One series of /api/aggregates as chart data: raw points, or buckets with their min–max band. */
function toChart(s: Series, color: string): ChartSeries {
  const name = `${s.sensor.device_id} / ${s.sensor.type}`;
  if (s.resolution === "raw") {
    return {
      name,
      color,
      times: s.readings.map((r) => Date.parse(r.ts) / 1000),
      values: s.readings.map((r) => r.value),
    };
  }
  return {
    name,
    color,
    times: s.buckets.map((b) => Date.parse(b.start) / 1000),
    values: s.buckets.map((b) => b.avg),
    min: s.buckets.map((b) => b.min),
    max: s.buckets.map((b) => b.max),
  };
}

/** A live numeric reading appended to a series (in a bucketed series, as a bucket of one). */
function append(s: ChartSeries, r: WireReading): ChartSeries {
  const t = Date.parse(r.ts) / 1000;
  const v = r.value as number;
  if (s.times.length > 0 && t < s.times[s.times.length - 1]) return s;
  return {
    ...s,
    times: [...s.times, t],
    values: [...s.values, v],
    ...(s.min && s.max ? { min: [...s.min, v], max: [...s.max, v] } : {}),
  };
}

/**
 * Loads the sensors' aggregates for the range at about one point per pixel, and (in a live
 * range) appends their readings as they arrive.
 */
export function useAggregates(sensorIds: number[], range: ChartRange, points: number) {
  const [result, setResult] = useState<{
    series: ChartSeries[];
    meta: Aggregates | null;
    error: string | null;
  }>({
    series: [],
    meta: null,
    error: null,
  });
  const key = sensorIds.join(",");
  const rangeKey = range.live ? `live:${range.windowMs}` : `${range.from}-${range.to}`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the sensors and the range
  useEffect(() => {
    if (sensorIds.length === 0) {
      setResult({ series: [], meta: null, error: null });
      return;
    }
    const abort = new AbortController();
    const to = range.live ? Date.now() : range.to;
    const from = range.live ? to - range.windowMs : range.from;
    const query = sensorIds.map((id) => `sensor=${id}`).join("&");
    fetchJson<Aggregates>(
      `/api/aggregates?${query}&from=${from}&to=${to}&points=${points}`,
      abort.signal,
    ).then(
      (meta) =>
        setResult({
          meta,
          series: meta.series.map((s, i) => toChart(s, seriesColor(i))),
          error: null,
        }),
      (err: Error) => abort.signal.aborted || setResult((r) => ({ ...r, error: err.message })),
    );
    return () => abort.abort();
  }, [key, rangeKey, points]);

  useLiveReadings((batch) => {
    if (!range.live || !result.meta) return;
    const ids = result.meta.series.map((s) => s.sensor.id);
    const mine = batch.filter((r) => typeof r.value === "number" && ids.includes(r.sensor_id));
    if (mine.length === 0) return;
    setResult((current) => {
      const series = [...current.series];
      for (const r of mine) {
        const i = ids.indexOf(r.sensor_id);
        series[i] = append(series[i], r);
      }
      return { ...current, series };
    });
  });

  return result;
}
