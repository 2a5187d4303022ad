export type Choice = { value: string; label: string };

/**
 * A `<select>` of `choices`, shown by label, inside a `<label>` with the text `label` when
 * given; `placeholder` adds an empty first choice.
 */
export function ChoiceSelect(props: {
  choices: Choice[];
  value: string;
  onChange: (value: string) => void;
  label?: string;
  placeholder?: string;
  required?: boolean;
  "aria-label"?: string;
}) {
  const select = (
    <select
      aria-label={props["aria-label"]}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      required={props.required}
    >
      {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
      {props.choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
  if (props.label === undefined) return select;
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the select is inside it
    <label>
      {props.label}
      {select}
    </label>
  );
}
