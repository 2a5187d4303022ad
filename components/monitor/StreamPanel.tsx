"use client";

import { useLayoutEffect, useRef, useState } from "react";
import type { WireReading } from "@/lib/reading.ts";
import type { PanelRequest } from "./layout-store.ts";
import { useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";
import { ReadingsTable } from "./ReadingsTable.tsx";

/** Rows kept in the page, so an all-day session stays fast. */
const MAX_STREAM_ROWS = 500;

function keepLast(rows: WireReading[]): WireReading[] {
  return rows.length > MAX_STREAM_ROWS ? rows.slice(rows.length - MAX_STREAM_ROWS) : rows;
}

/** Every reading as it arrives, newest at the bottom, with the seed's "latest" and "freeze". */
export function StreamPanel({
  onOpen,
  onClose,
}: {
  onOpen: (req: PanelRequest) => void;
  onClose: () => void;
}) {
  const [rows, setRows] = useState<WireReading[]>([]);
  const [held, setHeld] = useState<WireReading[]>([]);
  const [frozen, setFrozen] = useState(false);
  const [follow, setFollow] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);

  useLiveReadings((readings) => {
    if (frozen) setHeld((h) => keepLast([...h, ...readings]));
    else setRows((r) => keepLast([...r, ...readings]));
  });

  // "latest": keep the newest row in view. Off: the browser's scroll anchoring keeps the
  // rows the operator is looking at in place, even as old rows are dropped above.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when rows change
  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [rows, follow]);

  const toggleFreeze = () => {
    if (frozen) {
      setRows((r) => keepLast([...r, ...held]));
      setHeld([]);
    }
    setFrozen(!frozen);
  };

  return (
    <PanelFrame
      label="Live stream"
      title="Live stream"
      onClose={onClose}
      actions={
        <>
          <button
            type="button"
            aria-pressed={follow}
            onClick={() => setFollow(!follow)}
            className="toggle"
          >
            Latest
          </button>
          <button type="button" aria-pressed={frozen} onClick={toggleFreeze} className="toggle">
            {frozen ? `Unfreeze (${held.length} new)` : "Freeze"}
          </button>
        </>
      }
    >
      <ReadingsTable
        readings={rows}
        showDevice
        showSensor
        onOpen={onOpen}
        empty="Waiting for readings…"
        ref={scroller}
        testId="stream-scroll"
      />
    </PanelFrame>
  );
}
