"use client";

import { useCallback, useEffect, useState } from "react";
import { describeAlarm } from "@/lib/alarms/describe.ts";
import type { WireAlarm } from "@/lib/alarms/wire.ts";
import { SEVERITIES } from "@/lib/alarms/wire.ts";
import type { WireDevice } from "@/lib/devices/wire.ts";
import { DeviceSelect } from "../devices/DeviceSelect.tsx";
import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { fetchJson, formatValue } from "../monitor/format.ts";
import { SeverityBadge } from "./SeverityBadge.tsx";

const PAGE = 50;
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "");

/** The alarm history with filters, a page at a time, and its CSV download. */
export function HistorySection(props: { devices: WireDevice[] }) {
  const [filters, setFilters] = useState({ status: "", device: "", severity: "" });
  const [alarms, setAlarms] = useState<WireAlarm[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();

  const load = useCallback(
    async (cursor: string | null) => {
      try {
        const page = await fetchJson<{ alarms: WireAlarm[]; next_cursor: string | null }>(
          `/api/alarms?${query}&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        setAlarms((list) => (cursor ? [...list, ...page.alarms] : page.alarms));
        setNext(page.next_cursor);
        setError(null);
      } catch (err) {
        setError((err as Error).message);
      }
    },
    [query],
  );
  useEffect(() => void load(null), [load]);

  return (
    <section>
      <h2>History</h2>
      <div className="command-form">
        <ChoiceSelect
          label="Status"
          choices={["open", "active", "acknowledged", "cleared"].map((s) => ({
            value: s,
            label: s,
          }))}
          placeholder="any"
          value={filters.status}
          onChange={(status) => setFilters({ ...filters, status })}
        />
        <DeviceSelect
          devices={props.devices}
          value={filters.device}
          onChange={(device) => setFilters({ ...filters, device })}
          placeholder="any"
        />
        <ChoiceSelect
          label="Severity"
          choices={SEVERITIES.map((s) => ({ value: s, label: s }))}
          placeholder="any"
          value={filters.severity}
          onChange={(severity) => setFilters({ ...filters, severity })}
        />
        <a className="button" href={`/api/alarms/export?${query}`} download>
          Download CSV
        </a>
      </div>
      {error && <p className="error">{error}</p>}
      <table className="readings registry-table">
        <thead>
          <tr>
            <th>Raised</th>
            <th>Severity</th>
            <th>Alarm</th>
            <th>Values</th>
            <th>Status</th>
            <th>Acknowledged</th>
            <th>Cleared</th>
          </tr>
        </thead>
        <tbody>
          {alarms.map((a) => (
            <tr key={a.id} data-alarm-id={a.id}>
              <td className="time">{when(a.raised_at)}</td>
              <td>
                <SeverityBadge severity={a.severity} />
              </td>
              <td>{describeAlarm(a)}</td>
              <td className="muted">
                {a.first_value !== null && formatValue(a.first_value)}
                {a.last_value !== null &&
                  a.count > 1 &&
                  ` … ${formatValue(a.last_value)} (×${a.count})`}
              </td>
              <td>{a.status}</td>
              <td className="muted">
                {a.acknowledged_by && `${a.acknowledged_by}, ${when(a.acknowledged_at)}`}
                {a.ack_note && ` — ${a.ack_note}`}
              </td>
              <td className="muted">
                {a.cleared_at && `${a.cleared_by ?? "by its condition"}, ${when(a.cleared_at)}`}
                {a.clear_note && ` — ${a.clear_note}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {alarms.length === 0 && !error && <p className="empty">No alarms.</p>}
      {next && (
        <button type="button" onClick={() => load(next)}>
          Older
        </button>
      )}
    </section>
  );
}
