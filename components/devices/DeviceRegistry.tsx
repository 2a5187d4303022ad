"use client";

import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import type { WireDevice, WireGateway } from "@/lib/devices/wire.ts";
import { type Choice, ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { PageHeader } from "../forms/PageHeader.tsx";
import { ShownOnce } from "../forms/ShownOnce.tsx";
import { formatAgo } from "../monitor/format.ts";
import { LiveStream } from "../monitor/live-stream.ts";
import { callApi } from "./api.ts";
import { ConnectHelp, type ConnectTarget } from "./ConnectHelp.tsx";
import { OwnerActions } from "./OwnerActions.tsx";
import { useDevices } from "./use-devices.ts";

/**
 * The operator's device registry: create, rename, assign, delete, tokens shown once, how to
 * connect a device, and each device's status live.
 */
export function DeviceRegistry({
  operator,
  connect,
}: {
  operator: { username: string; role: string };
  connect: ConnectTarget;
}) {
  const { devices: loaded, error: devicesError, reload: reloadDevices } = useDevices();
  const [gateways, setGateways] = useState<WireGateway[]>([]);
  const [secret, setSecret] = useState<{ owner: string; token: string } | null>(null);
  const [help, setHelp] = useState<{ deviceId: string; token: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useMemo(() => new LiveStream(), []);
  const devices = useLiveStatuses(loaded, live);

  const reloadGateways = useCallback(async () => {
    setGateways((await callApi<{ gateways: WireGateway[] }>("GET", "/api/gateways")).gateways);
  }, []);

  useEffect(() => {
    reloadGateways().catch((err: Error) => setError(err.message));
  }, [reloadGateways]);

  /** Runs an operator action, shows its error if any, and reloads the lists. */
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError((err as Error).message);
    }
    await Promise.all([reloadDevices(), reloadGateways().catch(() => {})]);
  };

  const onToken = (owner: string, token: string) => setSecret({ owner, token });
  const onDeviceToken = (deviceId: string, token: string | null) => {
    setSecret(null);
    setHelp({ deviceId, token });
  };
  const shownError = error ?? devicesError;
  const gatewayChoices = gateways.map((g) => ({ value: g.gateway_id, label: g.gateway_id }));

  return (
    <main className="registry">
      <PageHeader
        page="devices"
        links={[{ href: "/monitor", label: "Monitor" }]}
        operator={operator}
        error={shownError}
      />
      {operator.role !== "admin" && (
        <p className="notice">
          You are a viewer: you can see devices, but only an admin can change them.
        </p>
      )}
      {help && <ConnectHelp {...help} target={connect} live={live} onClose={() => setHelp(null)} />}
      {secret && (
        <ShownOnce secret={secret.token} testId="new-token" onDone={() => setSecret(null)}>
          Token for <strong>{secret.owner}</strong>. It is shown only now: copy it into the device.
        </ShownOnce>
      )}

      <section>
        <h2>Devices</h2>
        <CreateForm
          label="device"
          withGateway={gatewayChoices}
          onCreate={(id, name, gateway) =>
            act(async () => {
              const created = await callApi<{ token: string }>("POST", "/api/devices", {
                device_id: id,
                name: name || undefined,
                gateway_id: gateway || undefined,
              });
              onDeviceToken(id, created.token);
            })
          }
        />
        <table className="readings registry-table">
          <thead>
            <tr>
              <th>Device</th>
              <th>Name</th>
              <th>Status</th>
              <th>Last seen</th>
              <th>Gateway</th>
              <th>Token</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.device_id} data-device-id={d.device_id}>
                <td>{d.device_id}</td>
                <td>
                  <RenameField
                    value={d.name}
                    label={`Name of ${d.device_id}`}
                    onSave={(name) =>
                      act(() =>
                        callApi("PATCH", `/api/devices/${encodeURIComponent(d.device_id)}`, {
                          name,
                        }),
                      )
                    }
                  />
                </td>
                <td>
                  <span className={`dot dot-${d.status}`} /> {d.status}
                </td>
                <td className="muted">{formatAgo(d.last_seen_at)}</td>
                <td>
                  <ChoiceSelect
                    aria-label={`Gateway of ${d.device_id}`}
                    choices={gatewayChoices}
                    value={d.gateway_id ?? ""}
                    placeholder="none"
                    onChange={(gateway) =>
                      act(() =>
                        callApi("PATCH", `/api/devices/${encodeURIComponent(d.device_id)}`, {
                          gateway_id: gateway || null,
                        }),
                      )
                    }
                  />
                </td>
                <td>{d.has_token ? "set" : <span className="muted">none</span>}</td>
                <td className="actions">
                  <button type="button" onClick={() => onDeviceToken(d.device_id, null)}>
                    Connect
                  </button>
                  <OwnerActions
                    act={act}
                    onToken={onDeviceToken}
                    owner={d.device_id}
                    url={`/api/devices/${encodeURIComponent(d.device_id)}`}
                    hasToken={d.has_token}
                    revocable
                    confirmDelete={`Delete ${d.device_id} with all its readings and commands?`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h2>Gateways</h2>
        <p className="muted">A gateway's token writes for every device assigned to it.</p>
        <CreateForm
          label="gateway"
          onCreate={(id, name) =>
            act(async () => {
              const created = await callApi<{ token: string }>("POST", "/api/gateways", {
                gateway_id: id,
                name: name || undefined,
              });
              onToken(id, created.token);
            })
          }
        />
        <table className="readings registry-table">
          <thead>
            <tr>
              <th>Gateway</th>
              <th>Name</th>
              <th>Devices</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {gateways.map((g) => (
              <tr key={g.gateway_id}>
                <td>{g.gateway_id}</td>
                <td>{g.name}</td>
                <td>{g.device_count}</td>
                <td className="actions">
                  <OwnerActions
                    act={act}
                    onToken={onToken}
                    owner={g.gateway_id}
                    url={`/api/gateways/${encodeURIComponent(g.gateway_id)}`}
                    // Created with a token, which this page only rotates.
                    hasToken
                    revocable={false}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

/**
 * The devices as loaded, with the status changes that arrived live (every change is an event)
 * where they are newer than what was loaded.
 */
function useLiveStatuses(loaded: WireDevice[], live: LiveStream): WireDevice[] {
  const [changes, setChanges] = useState<
    Record<string, Pick<WireDevice, "status" | "last_seen_at">>
  >({});
  useEffect(() => {
    live.start(0); // status events only: no readings from before
    const stop = live.subscribeEvents((e) => {
      if (e.type !== "status") return;
      setChanges((c) => ({
        ...c,
        [e.device_id]: { status: e.status, last_seen_at: e.last_seen_at },
      }));
    });
    return () => {
      stop();
      live.stop();
    };
  }, [live]);
  return useMemo(
    () =>
      loaded.map((d) => {
        const change = changes[d.device_id];
        // ISO times: a reload after the change (a post since, say) wins over it.
        return change && (change.last_seen_at ?? "") >= (d.last_seen_at ?? "")
          ? { ...d, ...change }
          : d;
      }),
    [loaded, changes],
  );
}

function CreateForm(props: {
  label: string;
  withGateway?: Choice[];
  onCreate: (id: string, name: string, gateway: string) => Promise<void>;
}) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [gateway, setGateway] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await props.onCreate(id.trim(), name.trim(), gateway);
    setId("");
    setName("");
  };
  return (
    <form className="command-form" onSubmit={submit}>
      <label>
        {props.label === "device" ? "Device id" : "Gateway id"}
        <input
          value={id}
          onChange={(e) => setId(e.target.value)}
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._:\-]*"
          maxLength={64}
        />
      </label>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
      </label>
      {props.withGateway && (
        <ChoiceSelect
          label="Gateway"
          choices={props.withGateway}
          value={gateway}
          placeholder="none"
          onChange={setGateway}
        />
      )}
      <button type="submit">Create {props.label}</button>
    </form>
  );
}

function RenameField(props: {
  value: string;
  label: string;
  onSave: (name: string) => Promise<void>;
}) {
  const [value, setValue] = useState(props.value);
  useEffect(() => setValue(props.value), [props.value]);
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim() && value !== props.value) void props.onSave(value.trim());
      }}
    >
      <input
        aria-label={props.label}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        maxLength={100}
      />
      {value !== props.value && <button type="submit">Save</button>}
    </form>
  );
}
