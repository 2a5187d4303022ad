"use client";

import { useCallback, useEffect, useState } from "react";
import type { WireAlarm } from "@/lib/alarms/wire.ts";
import { fetchJson } from "../monitor/format.ts";
import { useConnectionState, useLiveEvents } from "../monitor/live-context.tsx";

const OPEN_LIMIT = 500;
const RECENTLY_CLEARED = 20;

const SEVERITY_RANK = { critical: 0, major: 1, minor: 2, warning: 3 } as const;
const STATUS_RANK = { active: 0, acknowledged: 1, cleared: 2 } as const;

/** Active first, then acknowledged, then the recently cleared; the worst and newest first. */
export function byUrgency(a: WireAlarm, b: WireAlarm): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    (a.status === "cleared" ? 0 : SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]) ||
    b.id - a.id
  );
}

function merge(list: WireAlarm[], changes: WireAlarm[]): WireAlarm[] {
  const byId = new Map(list.map((a) => [a.id, a]));
  for (const c of changes) {
    const known = byId.get(c.id);
    // Events of one alarm come in order, but a page loaded meanwhile may be newer.
    if (!known || STATUS_RANK[c.status] >= STATUS_RANK[known.status]) byId.set(c.id, c);
  }
  const sorted = [...byId.values()].sort(byUrgency);
  const open = sorted.filter((a) => a.status !== "cleared");
  return [...open, ...sorted.filter((a) => a.status === "cleared").slice(0, RECENTLY_CLEARED)];
}

/**
 * The open alarms and the recently cleared ones, kept current by `event: alarm`. Alarm events
 * are not replayed after a reconnect, so the list is loaded again whenever the stream is back.
 */
export function useOpenAlarms() {
  const [alarms, setAlarms] = useState<WireAlarm[]>([]);
  const [error, setError] = useState<string | null>(null);
  const state = useConnectionState();

  const reload = useCallback(async (signal?: AbortSignal) => {
    try {
      const [open, cleared] = await Promise.all(
        [`status=open&limit=${OPEN_LIMIT}`, `status=cleared&limit=${RECENTLY_CLEARED}`].map((q) =>
          fetchJson<{ alarms: WireAlarm[] }>(`/api/alarms?${q}`, signal),
        ),
      );
      setAlarms(merge([], [...open.alarms, ...cleared.alarms]));
      setError(null);
    } catch (err) {
      if (!signal?.aborted) setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    if (state !== "live") return;
    const abort = new AbortController();
    void reload(abort.signal);
    return () => abort.abort();
  }, [state, reload]);

  useLiveEvents((event) => {
    if (event.type === "alarm") setAlarms((list) => merge(list, [event.alarm]));
  });

  const changed = useCallback((alarm: WireAlarm) => setAlarms((list) => merge(list, [alarm])), []);
  return { alarms, error, setError, changed };
}
