"use client";

import { describeCondition } from "@/lib/alarms/conditions.ts";
import type { WireRule } from "@/lib/alarms/wire.ts";
import type { WireDevice } from "@/lib/devices/wire.ts";
import { callApi } from "../devices/api.ts";
import { DeleteButton, EnabledToggle } from "./RowControls.tsx";
import { RuleForm } from "./RuleForm.tsx";
import { SeverityBadge } from "./SeverityBadge.tsx";

function scopeText(r: WireRule): string {
  if (r.scope === "sensor") return `${r.device_id} / ${r.sensor_type}`;
  if (r.scope === "device") return `every sensor of ${r.device_id}`;
  return `${r.sensor_type} on every device`;
}

function termsText(r: WireRule): string {
  if (r.kind === "silence") return `no reading for ${r.silence_seconds} s`;
  const raise = `${r.condition ? describeCondition(r.condition) : "?"}${r.for_seconds ? ` for ${r.for_seconds} s` : ""}`;
  if (!r.clear_condition) return raise;
  const clear = `${describeCondition(r.clear_condition)}${r.clear_for_seconds ? ` for ${r.clear_for_seconds} s` : ""}`;
  return `${raise}; clears ${clear}`;
}

/** The rules: a form to make one (admins), and each with its terms, on/off and delete. */
export function RulesSection(props: {
  rules: WireRule[];
  devices: WireDevice[];
  admin: boolean;
  act: (action: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { admin, act } = props;
  return (
    <section>
      <h2>Rules</h2>
      {admin && (
        <RuleForm
          devices={props.devices}
          onCreate={(body) => act(() => callApi("POST", "/api/alarm-rules", body))}
        />
      )}
      <table className="readings registry-table">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Severity</th>
            <th>On</th>
            <th>When</th>
            <th>Enabled</th>
            {admin && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.rules.map((r) => (
            <tr key={r.id} data-rule-id={r.id}>
              <td>{r.name}</td>
              <td>
                <SeverityBadge severity={r.severity} />
              </td>
              <td>{scopeText(r)}</td>
              <td>{termsText(r)}</td>
              <td>
                <EnabledToggle
                  name={r.name}
                  url={`/api/alarm-rules/${r.id}`}
                  enabled={r.enabled}
                  disabled={!admin}
                  act={act}
                />
              </td>
              {admin && (
                <td className="actions">
                  <DeleteButton
                    url={`/api/alarm-rules/${r.id}`}
                    question={`Delete the rule "${r.name}"? Its open alarms are cleared.`}
                    act={act}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.rules.length === 0 && <p className="empty">No rules yet.</p>}
    </section>
  );
}
