import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";
import { OPERATORS, type Operator } from "./condition-input.ts";

export interface ConditionState {
  op: Operator;
  value: string;
  min: string;
  max: string;
}

/** An operator and its value, or the two ends of a range; `label` names the fields. */
export function ConditionFields(props: {
  label: string;
  state: ConditionState;
  onChange: (state: ConditionState) => void;
  placeholder?: string;
}) {
  const { state, onChange, label } = props;
  const range = state.op === "inside" || state.op === "outside";
  return (
    <>
      <ChoiceSelect
        label={label}
        choices={OPERATORS.map((o) => ({ value: o.value, label: o.label }))}
        value={state.op}
        placeholder={props.placeholder}
        onChange={(op) => onChange({ ...state, op: op as Operator })}
      />
      {range ? (
        <>
          <label>
            {label} min
            <input
              value={state.min}
              onChange={(e) => onChange({ ...state, min: e.target.value })}
              size={6}
            />
          </label>
          <label>
            {label} max
            <input
              value={state.max}
              onChange={(e) => onChange({ ...state, max: e.target.value })}
              size={6}
            />
          </label>
        </>
      ) : (
        state.op && (
          <label>
            {label} value
            <input
              value={state.value}
              onChange={(e) => onChange({ ...state, value: e.target.value })}
              size={8}
              title='A number; for = and ≠ also true, false or text ("42" in quotes for the text 42)'
            />
          </label>
        )
      )}
    </>
  );
}
