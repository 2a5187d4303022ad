import { callApi } from "../devices/api.ts";

type Act = (action: () => Promise<unknown>) => Promise<boolean>;

/** A rule's or a webhook's on/off switch: PATCH `url` {"enabled"}. */
export function EnabledToggle(props: {
  name: string;
  url: string;
  enabled: boolean;
  disabled?: boolean;
  act: Act;
}) {
  return (
    <input
      type="checkbox"
      aria-label={`${props.name} enabled`}
      checked={props.enabled}
      disabled={props.disabled}
      onChange={(e) => props.act(() => callApi("PATCH", props.url, { enabled: e.target.checked }))}
    />
  );
}

/** DELETE `url` once the operator confirmed `question`. */
export function DeleteButton(props: { url: string; question: string; act: Act }) {
  return (
    <button
      type="button"
      className="danger"
      onClick={() => {
        if (confirm(props.question)) void props.act(() => callApi("DELETE", props.url));
      }}
    >
      Delete
    </button>
  );
}
