"use client";

import { type FormEvent, useState } from "react";
import type { WireDelivery, WireRule, WireWebhook } from "@/lib/alarms/wire.ts";
import { callApi } from "../devices/api.ts";
import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { ShownOnce } from "../forms/ShownOnce.tsx";
import { formatAgo } from "../monitor/format.ts";
import { DeleteButton, EnabledToggle } from "./RowControls.tsx";

/** Webhooks (admins only): make one, its secret shown once; rotate, switch off, delete; its log. */
export function WebhooksSection(props: {
  webhooks: WireWebhook[];
  rules: WireRule[];
  act: (action: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { act } = props;
  const [form, setForm] = useState({ name: "", url: "", format: "standard", rule: "" });
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [log, setLog] = useState<{ id: number; deliveries: WireDelivery[] } | null>(null);
  const ruleChoices = props.rules.map((r) => ({ value: String(r.id), label: r.name }));
  const ruleName = (id: number | null) =>
    id === null ? "every rule" : (props.rules.find((r) => r.id === id)?.name ?? `rule ${id}`);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const done = await act(async () => {
      const made = await callApi<{ webhook: WireWebhook; secret: string }>(
        "POST",
        "/api/webhooks",
        {
          name: form.name,
          url: form.url,
          format: form.format,
          rule_id: form.rule ? Number(form.rule) : null,
        },
      );
      setSecret({ name: made.webhook.name, secret: made.secret });
    });
    if (done) setForm({ ...form, name: "", url: "" });
  };
  const rotate = (w: WireWebhook) =>
    act(async () => {
      const { secret } = await callApi<{ secret: string }>("POST", `/api/webhooks/${w.id}/secret`);
      setSecret({ name: w.name, secret });
    });
  const showLog = (w: WireWebhook) =>
    act(async () => {
      const { deliveries } = await callApi<{ deliveries: WireDelivery[] }>(
        "GET",
        `/api/webhooks/${w.id}/deliveries?limit=50`,
      );
      setLog({ id: w.id, deliveries });
    });

  return (
    <section>
      <h2>Webhooks</h2>
      <p className="muted">
        Raised, acknowledged and cleared alarms are POSTed as JSON, signed (Standard Webhooks:
        webhook-id, webhook-timestamp, webhook-signature), and retried until the receiver answers
        2xx.
      </p>
      <form className="command-form" onSubmit={create} aria-label="New webhook">
        <label>
          Name
          <input
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            maxLength={100}
          />
        </label>
        <label className="grow">
          URL
          <input
            value={form.url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
            required
            type="url"
            placeholder="https://…"
          />
        </label>
        <ChoiceSelect
          label="Format"
          choices={[
            { value: "standard", label: "JSON" },
            { value: "slack", label: "Slack-compatible" },
          ]}
          value={form.format}
          onChange={(format) => setForm({ ...form, format })}
        />
        <ChoiceSelect
          label="For"
          choices={ruleChoices}
          placeholder="every rule"
          value={form.rule}
          onChange={(rule) => setForm({ ...form, rule })}
        />
        <button type="submit">Create webhook</button>
      </form>
      {secret && (
        <ShownOnce secret={secret.secret} testId="webhook-secret" onDone={() => setSecret(null)}>
          Signing secret for <strong>{secret.name}</strong>. It is shown only now: give it to the
          receiver, which verifies each signature with it.
        </ShownOnce>
      )}
      <table className="readings registry-table">
        <thead>
          <tr>
            <th>Webhook</th>
            <th>URL</th>
            <th>Format</th>
            <th>For</th>
            <th>Enabled</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.webhooks.map((w) => (
            <tr key={w.id} data-webhook-id={w.id}>
              <td>{w.name}</td>
              <td className="url">{w.url}</td>
              <td>{w.format === "slack" ? "Slack" : "JSON"}</td>
              <td>{ruleName(w.rule_id)}</td>
              <td>
                <EnabledToggle
                  name={w.name}
                  url={`/api/webhooks/${w.id}`}
                  enabled={w.enabled}
                  act={act}
                />
              </td>
              <td className="actions">
                <button type="button" onClick={() => showLog(w)}>
                  Deliveries
                </button>
                <button type="button" onClick={() => rotate(w)}>
                  Rotate secret
                </button>
                <DeleteButton
                  url={`/api/webhooks/${w.id}`}
                  question={`Delete the webhook "${w.name}" and its log?`}
                  act={act}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.webhooks.length === 0 && <p className="empty">No webhooks yet.</p>}
      {log && (
        <section className="delivery-log" aria-label="Delivery log">
          <h3>
            Deliveries of {props.webhooks.find((w) => w.id === log.id)?.name}{" "}
            <button type="button" onClick={() => setLog(null)}>
              Close
            </button>
          </h3>
          <table className="readings">
            <thead>
              <tr>
                <th>Created</th>
                <th>Event</th>
                <th>Alarm</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last answer</th>
                <th>Idempotency id</th>
              </tr>
            </thead>
            <tbody>
              {log.deliveries.map((d) => (
                <tr key={d.id} data-delivery-status={d.status}>
                  <td className="muted">{formatAgo(d.created_at)}</td>
                  <td>{d.event}</td>
                  <td>{d.alarm_id}</td>
                  <td>
                    <span
                      className={`badge badge-${d.status === "pending" ? "delivered" : d.status === "delivered" ? "succeeded" : "failed"}`}
                    >
                      {d.status}
                    </span>
                  </td>
                  <td>{d.attempts}</td>
                  <td className="muted">
                    {d.last_error ?? (d.last_status ? `HTTP ${d.last_status}` : "")}
                    {d.next_attempt_at &&
                      ` · next ${new Date(d.next_attempt_at).toLocaleTimeString()}`}
                  </td>
                  <td className="muted">{d.message_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {log.deliveries.length === 0 && <p className="empty">Nothing sent yet.</p>}
        </section>
      )}
    </section>
  );
}
