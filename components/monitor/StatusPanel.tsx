"use client";

import { useEffect, useState } from "react";
import type { WireDevice } from "@/lib/devices/wire.ts";
import { useAlarmCounts } from "../alarms/use-alarm-counts.ts";
import { useDevices } from "../devices/use-devices.ts";
import { formatAgo } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";
import { useLiveEvents, useLiveReadings } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";
import { useNow } from "./use-now.ts";

type DeviceRow = Pick<WireDevice, "device_id" | "name" | "status" | "last_seen_at">;

/** How many devices are online and offline, and every device with its last-seen time, live. */
export function StatusPanel({
  onOpen,
  onClose,
}: {
  onOpen: (req: PanelRequest) => void;
  onClose: () => void;
}) {
  const registered = useDevices();
  const alarms = useAlarmCounts();
  // The registered devices once loaded, then kept current by live readings and status events.
  const [devices, setDevices] = useState<DeviceRow[] | null>(null);
  const now = useNow(5000);

  useEffect(() => {
    if (registered.loaded) setDevices(registered.devices);
  }, [registered.loaded, registered.devices]);

  const upsert = (changes: DeviceRow[]) =>
    setDevices((list) => {
      if (!list) return list;
      const byId = new Map(list.map((d) => [d.device_id, d]));
      for (const c of changes)
        byId.set(c.device_id, {
          ...byId.get(c.device_id),
          ...c,
          name: byId.get(c.device_id)?.name ?? c.name,
        });
      return [...byId.values()].sort((a, b) =>
        (b.last_seen_at ?? "").localeCompare(a.last_seen_at ?? ""),
      );
    });

  useLiveReadings((readings) => {
    const seenAt = new Date().toISOString();
    const ids = [...new Set(readings.map((r) => r.device_id))];
    upsert(ids.map((id) => ({ device_id: id, name: id, status: "online", last_seen_at: seenAt })));
  });
  useLiveEvents((event) => {
    if (event.type !== "status") return;
    upsert([
      {
        device_id: event.device_id,
        name: event.device_id,
        status: event.status,
        last_seen_at: event.last_seen_at,
      },
    ]);
  });

  const online = devices?.filter((d) => d.status === "online").length ?? 0;
  const offline = (devices?.length ?? 0) - online;
  return (
    <PanelFrame label="Device status" title="Devices" onClose={onClose}>
      {registered.error && <p className="error">{registered.error}</p>}
      <p className="status-counts" data-testid="status-counts">
        <span className="status-online">{online} online</span> ·{" "}
        <span className="status-offline">{offline} offline</span>
      </p>
      <ul className="device-list">
        {devices?.map((d) => (
          <li key={d.device_id} data-device-id={d.device_id} data-status={d.status}>
            <span className={`dot dot-${d.status}`} title={d.status} />
            <span className="sr-only">{d.status}</span>
            <button
              type="button"
              className="link"
              onClick={() => onOpen({ kind: "device", deviceId: d.device_id })}
            >
              {d.name}
            </button>
            {alarms[d.device_id] && (
              <span
                className={`alarm-count severity-${alarms[d.device_id].severity}`}
                data-testid="device-alarms"
                title={`${alarms[d.device_id].active} active, ${alarms[d.device_id].acknowledged} acknowledged alarms`}
              >
                {alarms[d.device_id].active + alarms[d.device_id].acknowledged}
              </span>
            )}
            <span className="muted">{formatAgo(d.last_seen_at, now)}</span>
          </li>
        ))}
      </ul>
      {devices?.length === 0 && <p className="empty">No devices yet.</p>}
    </PanelFrame>
  );
}
