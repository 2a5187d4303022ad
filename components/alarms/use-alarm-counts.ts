"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { DeviceAlarmCount } from "@/lib/queries/open-alarm-counts.ts";
import { fetchJson } from "../monitor/format.ts";
import { useConnectionState, useLiveEvents } from "../monitor/live-context.tsx";

/** Open alarms per device, loaded again (at most every 250 ms) when an alarm opens or closes. */
export function useAlarmCounts(): Record<string, DeviceAlarmCount> {
  const [counts, setCounts] = useState<Record<string, DeviceAlarmCount>>({});
  const state = useConnectionState();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reload = useCallback(async () => {
    try {
      setCounts(
        (await fetchJson<{ devices: Record<string, DeviceAlarmCount> }>("/api/alarms/counts"))
          .devices,
      );
    } catch {
      // Kept as they were; the next alarm event or reconnect tries again.
    }
  }, []);

  useEffect(() => {
    if (state === "live") void reload();
  }, [state, reload]);
  useEffect(() => () => clearTimeout(timer.current), []);

  useLiveEvents((event) => {
    if (event.type !== "alarm" || event.change === "updated" || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void reload();
    }, 250);
  });
  return counts;
}
