"use client";

import { describeAlarm } from "@/lib/alarms/describe.ts";
import type { WireAlarm } from "@/lib/alarms/wire.ts";
import { changeAlarm } from "../alarms/alarm-actions.ts";
import { SeverityBadge } from "../alarms/SeverityBadge.tsx";
import { useOpenAlarms } from "../alarms/use-open-alarms.ts";
import { formatAgo, formatValue } from "./format.ts";
import type { PanelRequest } from "./layout-store.ts";
import { PanelFrame } from "./PanelFrame.tsx";
import { useNow } from "./use-now.ts";

/**
 * The alarms: active first (worst first), then acknowledged, then the recently cleared, live.
 * Any operator acknowledges; admins also clear by hand. Rules are managed on /alarms.
 */
export function AlarmsPanel(props: {
  canClear: boolean;
  onOpen: (req: PanelRequest) => void;
  onClose: () => void;
}) {
  const { alarms, error, setError, changed } = useOpenAlarms();
  const now = useNow(5000);

  const act = async (alarm: WireAlarm, action: "ack" | "clear") => {
    try {
      changed(await changeAlarm(alarm, action));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const active = alarms.filter((a) => a.status === "active").length;
  const open = alarms.filter((a) => a.status !== "cleared").length;

  return (
    <PanelFrame
      label="Alarms"
      title={
        <>
          Alarms{" "}
          <span className="muted" data-testid="alarm-counts">
            {active} active · {open - active} acknowledged
          </span>
        </>
      }
      onClose={props.onClose}
      actions={
        <a className="button" href="/alarms">
          Rules
        </a>
      }
    >
      {error && <p className="error">{error}</p>}
      <ul className="alarm-list">
        {alarms.map((a) => (
          <li
            key={a.id}
            data-alarm-id={a.id}
            data-status={a.status}
            className={`alarm alarm-${a.status}`}
          >
            <SeverityBadge severity={a.severity} />
            <div className="alarm-what">
              <button
                type="button"
                className="link"
                onClick={() =>
                  props.onOpen(
                    a.sensor_id === null
                      ? { kind: "device", deviceId: a.device_id }
                      : { kind: "sensor", sensorId: a.sensor_id },
                  )
                }
              >
                {describeAlarm(a)}
              </button>
              <span className="muted">
                {a.last_value !== null && <>{formatValue(a.last_value)} · </>}
                {a.count > 1 && <>×{a.count} · </>}
                {a.status === "cleared"
                  ? `cleared ${formatAgo(a.cleared_at, now)}${a.cleared_by ? ` by ${a.cleared_by}` : ""}`
                  : `since ${formatAgo(a.raised_at, now)}`}
                {a.acknowledged_by && a.status !== "cleared" && <> · ack by {a.acknowledged_by}</>}
              </span>
            </div>
            <span className="alarm-status" data-testid="alarm-status">
              {a.status}
            </span>
            {a.status === "active" && (
              <button type="button" onClick={() => act(a, "ack")}>
                Ack
              </button>
            )}
            {props.canClear && a.status !== "cleared" && (
              <button type="button" onClick={() => act(a, "clear")}>
                Clear
              </button>
            )}
          </li>
        ))}
      </ul>
      {alarms.length === 0 && !error && <p className="empty">No alarms.</p>}
    </PanelFrame>
  );
}
