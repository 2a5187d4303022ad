"use client";

import { useEffect, useState } from "react";
import { SEVERITY_COLOURS } from "@/lib/alarms/colours.ts";
import type { Condition } from "@/lib/alarms/conditions.ts";
import type { WireAlarm, WireRule } from "@/lib/alarms/wire.ts";
import { fetchJson } from "../monitor/format.ts";
import { useLiveEvents } from "../monitor/live-context.tsx";
import type { ChartMarks } from "../monitor/TimeSeriesChart.tsx";
import type { ChartRange } from "../monitor/use-aggregates.ts";

/** The numbers a condition compares with: its value, or its range's ends. */
function levels(c: Condition | null): number[] {
  if (!c) return [];
  if ("min" in c) return [c.min, c.max];
  return typeof c.value === "number" ? [c.value] : [];
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

/**
 * What a sensor's chart shows of its alarms: a line per threshold of the enabled rules that watch
 * it (dashed: the clear threshold), and the periods of its alarms in the range, shaded, live.
 */
export function useAlarmMarks(sensorId: number, range: ChartRange): ChartMarks {
  const [rules, setRules] = useState<WireRule[]>([]);
  const [alarms, setAlarms] = useState<WireAlarm[]>([]);
  const rangeKey = range.live ? `live:${range.windowMs}` : `${range.from}-${range.to}`;

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<{ rules: WireRule[] }>(`/api/alarm-rules?sensor=${sensorId}`, abort.signal).then(
      (r) => setRules(r.rules),
      () => {},
    );
    return () => abort.abort();
  }, [sensorId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the sensor and the range
  useEffect(() => {
    const abort = new AbortController();
    const to = range.live ? Date.now() : range.to;
    const from = range.live ? to - range.windowMs : range.from;
    const query = `sensor=${sensorId}&from=${from}${range.live ? "" : `&to=${to}`}&limit=200`;
    fetchJson<{ alarms: WireAlarm[] }>(`/api/alarms?${query}`, abort.signal).then(
      (r) => setAlarms(r.alarms),
      () => {},
    );
    return () => abort.abort();
  }, [sensorId, rangeKey]);

  useLiveEvents((event) => {
    if (event.type !== "alarm" || event.alarm.sensor_id !== sensorId) return;
    setAlarms((list) => [event.alarm, ...list.filter((a) => a.id !== event.alarm.id)]);
  });

  const thresholds = rules
    .filter((r) => r.enabled && r.kind === "threshold")
    .flatMap((r) => [
      ...levels(r.condition).map((value) => ({
        value,
        color: SEVERITY_COLOURS[r.severity],
        dashed: false,
      })),
      ...levels(r.clear_condition).map((value) => ({
        value,
        color: SEVERITY_COLOURS[r.severity],
        dashed: true,
      })),
    ]);
  const periods = alarms.map((a) => ({
    from: seconds(a.started_ts),
    to: a.status === "cleared" ? seconds(a.cleared_ts ?? a.cleared_at ?? a.updated_at) : null,
    color: SEVERITY_COLOURS[a.severity],
  }));
  return { thresholds, periods };
}
