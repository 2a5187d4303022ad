"use client";

import { useEffect, useState } from "react";
import type { WireReading } from "@/lib/reading.ts";
import { fetchJson } from "./format.ts";
import { useLiveReadings } from "./live-context.tsx";
import { mergeNewestFirst } from "./ReadingsTable.tsx";

/**
 * Loads `url` (an answer with the newest `readings`), then merges in the live readings that
 * pass `filter`: `readings` is newest first, at most `limit`. `body` is the loaded answer;
 * `onLive`, when given, updates it with each batch of matching live readings.
 */
export function useHistoryThenLive<T extends { readings: WireReading[] }>(
  url: string,
  filter: (reading: WireReading) => boolean,
  limit: number,
  onLive?: (body: T, readings: WireReading[]) => T,
): { body: T | null; readings: WireReading[]; error: string | null } {
  const [body, setBody] = useState<T | null>(null);
  const [readings, setReadings] = useState<WireReading[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<T>(url, abort.signal).then(
      (loaded) => {
        setBody(loaded);
        // Live readings may have arrived before the history: merge by id.
        setReadings((live) => mergeNewestFirst(live, loaded.readings, limit));
      },
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    return () => abort.abort();
  }, [url, limit]);

  useLiveReadings((batch) => {
    const matching = batch.filter(filter);
    if (matching.length === 0) return;
    setReadings((rs) => mergeNewestFirst(rs, matching, limit));
    if (onLive) setBody((b) => (b ? onLive(b, matching) : b));
  });

  return { body, readings, error };
}
