import type { ReactNode } from "react";

/** A panel's frame: the title bar is the drag handle; the close button is a real button. */
export function PanelFrame(props: {
  title: ReactNode;
  label: string;
  onClose?: () => void;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="panel" aria-label={props.label}>
      <header className="panel-titlebar panel-drag-handle">
        <h2 className="panel-title">{props.title}</h2>
        <div className="panel-actions">
          {props.actions}
          {props.onClose && (
            <button
              type="button"
              className="panel-close"
              aria-label={`Close ${props.label}`}
              onClick={props.onClose}
            >
              ×
            </button>
          )}
        </div>
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}
