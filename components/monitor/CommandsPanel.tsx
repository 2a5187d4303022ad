"use client";

import { type FormEvent, useEffect, useState } from "react";
import type { WireCommand } from "@/lib/commands/wire.ts";
import { DeviceSelect } from "../devices/DeviceSelect.tsx";
import { useDevices } from "../devices/use-devices.ts";
import { fetchJson, formatTime } from "./format.ts";
import { useLiveEvents } from "./live-context.tsx";
import { PanelFrame } from "./PanelFrame.tsx";

const SHOWN = 30;

/** The control panel: send a command to a device and watch it go queued → delivered → done. */
export function CommandsPanel({ onClose }: { onClose: () => void }) {
  const { devices, error: devicesError } = useDevices();
  const [commands, setCommands] = useState<WireCommand[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({
    device: "",
    name: "set_interval",
    params: '{"interval_ms": 2000}',
    ttl: "60",
  });

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<{ commands: WireCommand[] }>(`/api/commands?limit=${SHOWN}`, abort.signal).then(
      (c) => setCommands((live) => upsert(c.commands, live)),
      (err: Error) => abort.signal.aborted || setError(err.message),
    );
    return () => abort.abort();
  }, []);

  // Until the operator chooses, the form sends to the first device.
  useEffect(() => {
    setForm((f) => (f.device || !devices[0] ? f : { ...f, device: devices[0].device_id }));
  }, [devices]);

  useLiveEvents((event) => {
    if (event.type === "command") setCommands((cs) => upsert(cs, [event.command]));
  });

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let params: unknown;
    try {
      params = form.params.trim() ? JSON.parse(form.params) : {};
    } catch {
      setError('Parameters must be JSON, e.g. {"interval_ms": 2000}.');
      return;
    }
    const res = await fetch(`/api/devices/${encodeURIComponent(form.device)}/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: form.name,
        params,
        ...(form.ttl ? { ttl_seconds: Number(form.ttl) } : {}),
      }),
    });
    const body = await res.json();
    if (!res.ok) setError(body?.error?.message ?? `HTTP ${res.status}`);
    else setCommands((cs) => upsert(cs, [body.command]));
  };

  return (
    <PanelFrame label="Commands" title="Commands" onClose={onClose}>
      <form className="command-form" onSubmit={send}>
        <DeviceSelect
          devices={devices}
          value={form.device}
          onChange={(device) => setForm({ ...form, device })}
          required
        />
        <label>
          Command
          <input
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            size={14}
          />
        </label>
        <label className="grow">
          Parameters (JSON)
          <input
            value={form.params}
            onChange={(e) => setForm({ ...form, params: e.target.value })}
          />
        </label>
        <label>
          TTL (s)
          <input
            value={form.ttl}
            onChange={(e) => setForm({ ...form, ttl: e.target.value })}
            inputMode="numeric"
            size={5}
          />
        </label>
        <button type="submit" disabled={!form.device}>
          Send
        </button>
      </form>
      {(error ?? devicesError) && <p className="error">{error ?? devicesError}</p>}
      <div className="table-scroll">
        <table className="readings">
          <thead>
            <tr>
              <th>Queued</th>
              <th>Device</th>
              <th>Command</th>
              <th>Status</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((c) => (
              <tr key={c.id} data-command-id={c.id}>
                <td className="time">{formatTime(c.created_at)}</td>
                <td>{c.device_id}</td>
                <td>
                  {c.name} <span className="muted">{JSON.stringify(c.params)}</span>
                </td>
                <td>
                  <span className={`badge badge-${c.status}`} data-testid="command-status">
                    {c.status}
                  </span>
                </td>
                <td className="muted">{c.result === null ? "" : JSON.stringify(c.result)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {commands.length === 0 && <p className="empty">No commands yet.</p>}
      </div>
    </PanelFrame>
  );
}

/** Newest first; a later state of a command replaces the earlier one. */
function upsert(list: WireCommand[], changes: WireCommand[]): WireCommand[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  const rank = { queued: 0, delivered: 1, succeeded: 2, failed: 2, expired: 2 } as const;
  for (const c of changes) {
    const known = byId.get(c.id);
    if (!known || rank[c.status] >= rank[known.status]) byId.set(c.id, c);
  }
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, SHOWN);
}
