"use client";

import { type FormEvent, useState } from "react";
import { SEVERITIES } from "@/lib/alarms/wire.ts";
import type { WireDevice } from "@/lib/devices/wire.ts";
import { DeviceSelect } from "../devices/DeviceSelect.tsx";
import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { ConditionFields, type ConditionState } from "./ConditionFields.tsx";
import { conditionOf, type Operator } from "./condition-input.ts";

const blank = (op: Operator | ""): ConditionState => ({
  op: op as Operator,
  value: "",
  min: "",
  max: "",
});

/** A new rule: its scope (a device, a sensor type, or both for one sensor), its kind and terms. */
export function RuleForm(props: {
  devices: WireDevice[];
  onCreate: (body: unknown) => Promise<boolean>;
}) {
  const [f, setF] = useState({
    name: "",
    kind: "threshold",
    severity: "major",
    device: "",
    type: "",
    forSeconds: "0",
    clearFor: "0",
    silence: "300",
  });
  const [condition, setCondition] = useState(blank("gt"));
  const [clear, setClear] = useState(blank(""));
  const set = (changes: Partial<typeof f>) => setF({ ...f, ...changes });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const scope = { device_id: f.device || undefined, sensor_type: f.type.trim() || undefined };
    const body =
      f.kind === "silence"
        ? {
            kind: "silence",
            name: f.name,
            severity: f.severity,
            ...scope,
            silence_seconds: Number(f.silence),
          }
        : {
            kind: "threshold",
            name: f.name,
            severity: f.severity,
            ...scope,
            condition: conditionOf(condition.op, condition.value, condition.min, condition.max),
            for_seconds: Number(f.forSeconds),
            clear_condition: clear.op
              ? conditionOf(clear.op, clear.value, clear.min, clear.max)
              : null,
            clear_for_seconds: Number(f.clearFor),
          };
    if (await props.onCreate(body)) set({ name: "" });
  };

  return (
    <form className="command-form rule-form" onSubmit={submit} aria-label="New alarm rule">
      <label>
        Name
        <input
          value={f.name}
          onChange={(e) => set({ name: e.target.value })}
          required
          maxLength={100}
        />
      </label>
      <ChoiceSelect
        label="Kind"
        choices={[
          { value: "threshold", label: "threshold" },
          { value: "silence", label: "no reading for" },
        ]}
        value={f.kind}
        onChange={(kind) => set({ kind })}
      />
      <ChoiceSelect
        label="Severity"
        choices={SEVERITIES.map((s) => ({ value: s, label: s }))}
        value={f.severity}
        onChange={(severity) => set({ severity })}
      />
      <DeviceSelect
        devices={props.devices}
        value={f.device}
        onChange={(device) => set({ device })}
        placeholder="every device"
      />
      <label>
        Sensor type
        <input
          value={f.type}
          onChange={(e) => set({ type: e.target.value })}
          placeholder="every sensor"
          size={12}
        />
      </label>
      {f.kind === "silence" ? (
        <label>
          Silent for (s)
          <input
            value={f.silence}
            onChange={(e) => set({ silence: e.target.value })}
            inputMode="numeric"
            size={6}
          />
        </label>
      ) : (
        <>
          <ConditionFields label="Condition" state={condition} onChange={setCondition} />
          <label>
            For (s)
            <input
              value={f.forSeconds}
              onChange={(e) => set({ forSeconds: e.target.value })}
              inputMode="numeric"
              size={5}
            />
          </label>
          <ConditionFields
            label="Clear when"
            state={clear}
            onChange={setClear}
            placeholder="not the condition"
          />
          {clear.op && (
            <label>
              Clear for (s)
              <input
                value={f.clearFor}
                onChange={(e) => set({ clearFor: e.target.value })}
                inputMode="numeric"
                size={5}
              />
            </label>
          )}
        </>
      )}
      <button type="submit">Create rule</button>
    </form>
  );
}
