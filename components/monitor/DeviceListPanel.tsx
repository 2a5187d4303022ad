"use client";

import { useEffect, useState } from "react";
import type { DeviceListItem } from "@/lib/queries/list-devices.ts";
import { fetchJson, formatAgo } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";
import { useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";

/** Every device with its last-seen time, kept current by the live stream. */
export function DeviceListPanel({ onOpen }: { onOpen: (req: PanelRequest) => void }) {
  const [devices, setDevices] = useState<DeviceListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<{ devices: DeviceListItem[] }>("/api/devices", abort.signal).then(
      (body) => setDevices(body.devices),
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    const tick = setInterval(() => setNow(Date.now()), 5000);
    return () => {
      abort.abort();
      clearInterval(tick);
    };
  }, []);

  useLiveReadings((readings) => {
    setDevices((list) => {
      if (!list) return list;
      const seen = new Map<string, string>();
      for (const r of readings) seen.set(r.device_id, new Date().toISOString());
      const updated = list.map((d) =>
        seen.has(d.device_id) ? { ...d, last_seen_at: seen.get(d.device_id) ?? null } : d,
      );
      for (const [id, at] of seen) {
        if (!list.some((d) => d.device_id === id)) {
          updated.push({
            device_id: id,
            name: id,
            created_at: at,
            last_seen_at: at,
            sensor_count: 0,
          });
        }
      }
      return updated.sort((a, b) => (b.last_seen_at ?? "").localeCompare(a.last_seen_at ?? ""));
    });
  });

  return (
    <PanelFrame label="Devices" title={`Devices${devices ? ` (${devices.length})` : ""}`}>
      {error && <p className="error">{error}</p>}
      <ul className="device-list">
        {devices?.map((d) => (
          <li key={d.device_id}>
            <button
              type="button"
              className="link"
              onClick={() => onOpen({ kind: "device", deviceId: d.device_id })}
            >
              {d.name}
            </button>
            <span className="muted">{formatAgo(d.last_seen_at, now)}</span>
          </li>
        ))}
      </ul>
      {devices?.length === 0 && <p className="empty">No devices yet. Post to /api/data.</p>}
    </PanelFrame>
  );
}
