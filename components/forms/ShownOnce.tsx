import type { ReactNode } from "react";

/** A secret shown this once (a token, a signing secret), with Copy and Done. */
export function ShownOnce(props: {
  secret: string;
  testId: string;
  onDone: () => void;
  children: ReactNode;
}) {
  return (
    <div className="secret" role="status">
      <p>{props.children}</p>
      <code data-testid={props.testId}>{props.secret}</code>
      <div className="secret-actions">
        <button type="button" onClick={() => navigator.clipboard?.writeText(props.secret)}>
          Copy
        </button>
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
