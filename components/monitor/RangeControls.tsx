import { type ChartRange, WINDOWS } from "./use-aggregates.ts";

/** The window buttons, and when zoomed: step back / forward and back to live. */
export function RangeControls(props: { range: ChartRange; onChange: (range: ChartRange) => void }) {
  const { range, onChange } = props;
  const shift = (direction: -1 | 1) => {
    if (range.live) return;
    const step = ((range.to - range.from) / 2) * direction;
    onChange({ live: false, from: range.from + step, to: range.to + step });
  };
  return (
    <fieldset className="window-choice">
      <legend className="sr-only">Time window</legend>
      {WINDOWS.map((w) => (
        <button
          key={w.label}
          type="button"
          className="toggle"
          aria-pressed={range.live && range.windowMs === w.ms}
          onClick={() => onChange({ live: true, windowMs: w.ms })}
        >
          {w.label}
        </button>
      ))}
      {!range.live && (
        <>
          <button type="button" aria-label="Earlier" onClick={() => shift(-1)}>
            ←
          </button>
          <button type="button" aria-label="Later" onClick={() => shift(1)}>
            →
          </button>
          <span className="muted">
            {new Date(range.from).toLocaleString()} – {new Date(range.to).toLocaleString()}
          </span>
        </>
      )}
    </fieldset>
  );
}

/** The range as from/to query parameters (a live range ends now). */
export function rangeQuery(range: ChartRange): string {
  const to = range.live ? Date.now() : range.to;
  const from = range.live ? to - range.windowMs : range.from;
  return `from=${Math.round(from)}&to=${Math.round(to)}`;
}
