"use client";

import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from "react";
import type { LiveEvent } from "@/lib/events.ts";
import type { WireReading } from "@/lib/reading.ts";
import type { ConnectionState, LiveStream } from "./live-stream.ts";

const LiveContext = createContext<LiveStream | null>(null);

export const LiveProvider = LiveContext.Provider;

function useLive(): LiveStream {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive outside LiveProvider");
  return live;
}

/** Calls `onReadings` with each batch of live readings, for as long as the component is mounted. */
export function useLiveReadings(onReadings: (readings: WireReading[]) => void): void {
  const live = useLive();
  const handler = useRef(onReadings);
  handler.current = onReadings;
  useEffect(() => live.subscribe((rs) => handler.current(rs)), [live]);
}

/** Calls `onEvent` with each status, command or alarm change while the component is mounted. */
export function useLiveEvents(onEvent: (event: LiveEvent) => void): void {
  const live = useLive();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => live.subscribeEvents((e) => handler.current(e)), [live]);
}

export function useConnectionState(): ConnectionState {
  const live = useLive();
  return useSyncExternalStore(
    (cb) => live.subscribeState(cb),
    () => live.state,
    () => "connecting",
  );
}
